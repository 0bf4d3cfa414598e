//! The store's implementation of the application service.
//!
//! Writes run as jobs in the group-commit writer: load → authorise → decide (core) → save,
//! inside the batch transaction, with the audit record appended whatever the outcome. Reads run
//! on the read pool; their audit record goes through the writer and is durable before the
//! answer leaves.

use chrono::{DateTime, NaiveDate, Utc};
use perspectief_core::ViolationCode;
use perspectief_core::access::{Action, DataCategory, Resource};
use perspectief_core::activity::SubsidyPeriod;
use perspectief_core::case::{Case, CaseCommand, CaseEvent, CommandContext, RegisterParticipant};
use perspectief_core::meeting::{ChainMeeting, MeetingCommand};
use perspectief_core::service::{
    AuditEntry, AuditRecord, Caller, ChainVerification, Executed, FeedEvent, FeedPage, Page, PageRequest,
    ParticipantFilter, ParticipantSummary, PerspectiefService, WorkItem, WorkSubject, Worklist, WorklistQuery,
    command_access, page_limit,
};
use perspectief_core::session::{InformationSession, PlanSession, SessionCommand};
use perspectief_core::time::amsterdam_date;
use perspectief_core::view::{CaseView, Visibility};
use perspectief_core::{
    AgreementId, DenyReason, DomainError, EntityKind, GoalId, MeetingId, ParticipantId, ReferralId, Role, SessionId,
    UserId,
};

use crate::Store;
use crate::error::{db, internal};
use crate::repo;
use crate::sql::{self, get};
use crate::writer::{DecidedWork, Output, Work};

/// The category an event's read is logged under: its data category, except for a consent
/// record read by the organisation it names, which shares no case data (no category).
fn logged_category(change: &perspectief_core::CaseChange, basis: perspectief_core::Basis) -> Option<DataCategory> {
    use perspectief_core::CaseChange::{ConsentGiven, ConsentWithdrawn};
    match (change, basis) {
        (ConsentGiven(_) | ConsentWithdrawn { .. }, perspectief_core::Basis::Addressee) => None,
        (other, _) => Some(other.category()),
    }
}

pub(crate) fn downcast<T: 'static>(out: Output) -> Result<T, DomainError> {
    out.downcast::<T>().map(|b| *b).map_err(|_| internal("writer returned an unexpected type"))
}

fn uuid_of(s: &str) -> Result<uuid::Uuid, DomainError> {
    uuid::Uuid::parse_str(s).map_err(internal)
}

impl Store {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        sql::truncate(self.inner.clock.now())
    }

    fn context(&self, caller: &Caller) -> CommandContext {
        let now = self.now();
        CommandContext { actor: caller.actor.user, now, today: amsterdam_date(now) }
    }

    pub(crate) fn entry(&self, caller: &Caller, action: Action, operation: &str) -> AuditEntry {
        AuditEntry::new(caller, self.now(), action, operation)
    }

    /// Record a read's audit entry (with the read's outcome), durably, then hand back the result.
    pub(crate) async fn audited<T>(&self, entry: AuditEntry, result: Result<T, DomainError>) -> Result<T, DomainError> {
        let entry = entry.with_outcome(&result);
        self.inner.writer.submit(entry, None).await?;
        result
    }

    /// Run a read, record its basis and outcome in the access log (durably, before the answer
    /// leaves), and return its value.
    pub(crate) async fn read<T>(
        &self,
        mut entry: AuditEntry,
        read: impl std::future::Future<Output = Result<(T, perspectief_core::Basis), DomainError>>,
    ) -> Result<T, DomainError> {
        let result = read.await;
        if let Ok((_, basis)) = &result {
            entry.basis = Some(*basis);
        }
        self.audited(entry, result.map(|(value, _)| value)).await
    }

    async fn write<T: 'static>(&self, entry: AuditEntry, work: Work) -> Result<T, DomainError> {
        downcast(self.inner.writer.submit(entry, Some(work)).await?)
    }

    /// A case for a read, or not found.
    async fn load_for_read(&self, participant: ParticipantId) -> Result<Case, DomainError> {
        repo::load_case(&self.inner.reader, &self.inner.keys, participant)
            .await?
            .ok_or_else(|| DomainError::NotFound { entity: EntityKind::Participant, id: participant.to_string() })
    }

    /// What the caller may see of a case (the core's one decision for every read path).
    fn visibility(&self, caller: &Caller, case: &Case, today: NaiveDate) -> Result<Visibility, DomainError> {
        self.inner.policy.decide_visibility(&caller.actor, case, today).map_err(DomainError::AccessDenied)
    }

    /// Load a case and decide what the caller may see of it today.
    async fn decide_read(
        &self,
        caller: &Caller,
        participant: ParticipantId,
    ) -> Result<(Case, Visibility), DomainError> {
        let today = amsterdam_date(self.now());
        let case = self.load_for_read(participant).await?;
        let visibility = self.visibility(caller, &case, today)?;
        Ok((case, visibility))
    }

    /// The access-log entries of a partial read of one participant's case: one per category
    /// (and basis) shown (no category for the reader's own consents), one denial per category
    /// withheld, so that every withheld part is on record as a denial of the access policy is.
    pub(crate) fn partial_read_entries(
        &self,
        caller: &Caller,
        operation: &str,
        participant: ParticipantId,
        shown: &[(Option<DataCategory>, perspectief_core::Basis)],
        withheld: &[(DataCategory, DenyReason)],
    ) -> Vec<AuditEntry> {
        let entry = |category| {
            let mut e = self.entry(caller, Action::Read, operation);
            e.participant = Some(participant);
            e.category = category;
            e
        };
        let mut entries: Vec<AuditEntry> =
            shown.iter().map(|(category, basis)| AuditEntry { basis: Some(*basis), ..entry(*category) }).collect();
        entries.extend(withheld.iter().map(|(category, reason)| {
            entry(Some(*category)).with_outcome(&Err::<(), _>(DomainError::AccessDenied(reason.clone())))
        }));
        entries
    }

    /// Execute a command on a session or meeting: refuse a stale version early, then, in the
    /// writer: authorise, check the version again, load, check named participants exist,
    /// decide, save.
    async fn execute_shared<A: repo::Shared>(
        &self,
        caller: &Caller,
        entry: AuditEntry,
        resource: Resource<'static>,
        id: A::Id,
        expected_version: Option<u64>,
        cmd: A::Command,
    ) -> Result<A, DomainError> {
        // A stale version is refused before the request takes a place in the write queue.
        if let Some(refused) = self.precheck(caller, &resource, A::AGGREGATE, &id.to_string(), expected_version).await {
            return self.audited(entry, Err(refused)).await;
        }
        let (keys, policy, ctx, caller) =
            (self.inner.keys.clone(), self.inner.policy, self.context(caller), caller.clone());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                entry.basis = Some(policy.decide(&caller.actor, Action::Update, &resource, ctx.today).into_result()?);
                let key = id.to_string();
                if let Some(expected) = expected_version
                    && let Some(current) = repo::stored_version(txn, A::AGGREGATE, &key).await?
                    && current != expected
                {
                    return Err(DomainError::VersionConflict { expected, current });
                }
                let mut aggregate = A::load(txn, &keys, id)
                    .await?
                    .ok_or_else(|| DomainError::NotFound { entity: A::ENTITY, id: key.clone() })?;
                if let Some(expected) = expected_version
                    && expected != aggregate.version()
                {
                    return Err(DomainError::VersionConflict { expected, current: aggregate.version() });
                }
                if let Some(participant) = A::must_exist(&cmd)
                    && !repo::participant_exists(txn, participant).await?
                {
                    return Err(DomainError::NotFound { entity: EntityKind::Participant, id: participant.to_string() });
                }
                let event = aggregate.run(cmd, &ctx)?;
                aggregate.save(txn, &keys, &event).await?;
                Ok(Box::new(aggregate) as Output)
            })
        });
        self.write(entry, work).await
    }

    /// Refuse early, from the read pool, an update whose expected version is already stale, for
    /// a caller allowed to update the resource at all.
    async fn precheck(
        &self,
        caller: &Caller,
        resource: &Resource<'_>,
        aggregate: repo::Aggregate,
        id: &str,
        expected: Option<u64>,
    ) -> Option<DomainError> {
        let expected = expected?;
        self.require(caller, Action::Update, resource).ok()?;
        match repo::stored_version(&self.inner.reader, aggregate, id).await {
            Ok(Some(current)) if current != expected => Some(DomainError::VersionConflict { expected, current }),
            _ => None,
        }
    }

    pub(crate) fn require(
        &self,
        caller: &Caller,
        action: Action,
        resource: &Resource<'_>,
    ) -> Result<perspectief_core::Basis, DomainError> {
        let today = amsterdam_date(self.now());
        self.inner.policy.decide(&caller.actor, action, resource, today).into_result()
    }
}

impl PerspectiefService for Store {
    async fn register_participant(&self, caller: &Caller, cmd: RegisterParticipant) -> Result<Case, DomainError> {
        let mut entry = self.entry(caller, Action::Create, "register_participant");
        entry.participant = Some(cmd.id);
        entry.category = Some(DataCategory::Identity);
        let (keys, policy, ctx, caller) =
            (self.inner.keys.clone(), self.inner.policy, self.context(caller), caller.clone());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                let scope = perspectief_core::access::ParticipantScope {
                    participant: cmd.id,
                    project_worker: cmd.profile.project_worker,
                    consents: &[],
                    levels: perspectief_core::CaseLevels::DEFAULT,
                };
                let basis = policy
                    .decide(
                        &caller.actor,
                        Action::Create,
                        &Resource::CaseData { scope, category: DataCategory::Identity },
                        ctx.today,
                    )
                    .into_result()?;
                entry.basis = Some(basis);
                let (case, event) = Case::register(cmd, &ctx)?;
                repo::save_case(txn, &keys, &case, None, &[event]).await?;
                Ok(Box::new(case) as Output)
            })
        });
        self.write(entry, work).await
    }

    async fn execute(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        expected_version: Option<u64>,
        cmd: CaseCommand,
    ) -> Result<Executed, DomainError> {
        let mut entry = self.entry(caller, Action::Update, cmd.name());
        entry.participant = Some(participant);
        let (keys, policy, ctx, caller) =
            (self.inner.keys.clone(), self.inner.policy, self.context(caller), caller.clone());
        // Decided: everything that can refuse the command is read and checked before the first
        // write (no savepoint of its own; see writer.rs).
        let work: DecidedWork = Box::new(move |txn, entry, rows| {
            Box::pin(async move {
                let (mut case, own) = repo::load_case_keyed(txn, &keys, participant).await?.ok_or_else(|| {
                    DomainError::NotFound { entity: EntityKind::Participant, id: participant.to_string() }
                })?;
                let (action, category) = command_access(&case, &cmd);
                entry.action = action;
                entry.category = Some(category);
                // A partner answers a referral addressed to it; everything else is case data.
                let basis = match (&cmd, caller.actor.role) {
                    (CaseCommand::AdvanceReferral { referral, to, .. }, Role::ChainPartner) => {
                        let r = case.referral(*referral).ok_or_else(|| DomainError::NotFound {
                            entity: EntityKind::Referral,
                            id: referral.to_string(),
                        })?;
                        let resource = Resource::Referral {
                            scope: case.scope(),
                            addressed_to: r.partner,
                            sent: r.sent_on().is_some(),
                            on_override: r.sent_on_override,
                            category: r.domain.category(),
                        };
                        let basis = policy.decide(&caller.actor, Action::Update, &resource, ctx.today).into_result()?;
                        if !to.is_partner_answer() {
                            return Err(DomainError::AccessDenied(perspectief_core::DenyReason::RoleNotEntitled {
                                role: Role::ChainPartner,
                                action: Action::Update,
                                resource: format!("referral status {}", to.as_str()),
                            }));
                        }
                        basis
                    }
                    _ => policy
                        .decide(&caller.actor, action, &Resource::CaseData { scope: case.scope(), category }, ctx.today)
                        .into_result()?,
                };
                entry.basis = Some(basis);
                // Sending a referral without a covering consent, on an override: the project
                // lead's alone (the core says whether an override is needed).
                let consent_override = case.consent_override_request(&cmd, ctx.today);
                if consent_override.is_some() {
                    policy.decide_consent_override(&caller.actor).into_result()?;
                }
                if let Some(expected) = expected_version
                    && expected != case.version()
                {
                    return Err(DomainError::VersionConflict { expected, current: case.version() });
                }
                // Every organisation the command names is registered (and active for a new
                // reference), in this transaction: the core says which it names.
                crate::organisations::require_named(txn, &cmd.organisations()).await?;
                let previous = case.version();
                let events = case.execute(cmd, &ctx)?;
                if !events.is_empty() {
                    repo::save_case_deferred(txn, &keys, own, &case, Some(previous), &events, rows).await?;
                }
                if let Some(request) = consent_override {
                    // Same transaction as the event: the override is on record for review, or
                    // the referral was not sent.
                    rows.writing = true;
                    crate::privacy::record_consent_override(txn, &keys, ctx.now, &caller.actor, participant, &request)
                        .await?;
                }
                Ok(Box::new(Executed { version: case.version(), events }) as Output)
            })
        });
        downcast(self.inner.writer.submit_decided(entry, work).await?)
    }

    async fn get_case(&self, caller: &Caller, participant: ParticipantId) -> Result<Case, DomainError> {
        // What the caller may see, recorded as such; only a reader who may see all of it gets
        // the case itself (content may be hidden). The gRPC client does the same over the wire.
        let view = self.case_view(caller, participant).await?;
        view.into_case().map_err(DomainError::AccessDenied)
    }

    async fn case_view(&self, caller: &Caller, participant: ParticipantId) -> Result<CaseView, DomainError> {
        // One operation name for reading a case file, whole or in part.
        let mut entry = self.entry(caller, Action::Read, "get_case");
        entry.participant = Some(participant);
        let (case, visibility) = match self.decide_read(caller, participant).await {
            Ok(d) => d,
            Err(e) => return self.audited(entry, Err(e)).await,
        };
        let view = visibility.view(&case);
        if visibility.is_whole() {
            entry.basis = Some(visibility.basis());
            return self.audited(entry, Ok(view)).await;
        }
        let mut shown: Vec<_> = visibility.shown().map(|(c, b)| (Some(c), b)).collect();
        for (id, basis) in visibility.referrals() {
            if let Some(r) = case.referral(id) {
                let pair = (Some(r.domain.category()), basis);
                if !shown.contains(&pair) {
                    shown.push(pair);
                }
            }
        }
        let withheld: Vec<_> = visibility.withheld().map(|w| (w.category, w.reason)).collect();
        let mut entries = self.partial_read_entries(caller, "get_case", participant, &shown, &withheld);
        if shown.is_empty() {
            // Only the caller's own consents: one record of the read, on that basis.
            entries.push(AuditEntry { basis: Some(visibility.basis()), ..entry });
        }
        self.inner.writer.record(entries).await?;
        Ok(view)
    }

    async fn case_events(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        after_version: u64,
        limit: u32,
    ) -> Result<Vec<CaseEvent>, DomainError> {
        let mut entry = self.entry(caller, Action::Read, "case_events");
        entry.participant = Some(participant);
        let (case, visibility) = match self.decide_read(caller, participant).await {
            Ok(d) => d,
            Err(e) => return self.audited(entry, Err(e)).await,
        };
        let limit = page_limit(limit);
        let mut events = Vec::new();
        let mut shown: Vec<(Option<DataCategory>, perspectief_core::Basis)> = Vec::new();
        let mut withheld: Vec<(DataCategory, DenyReason)> = Vec::new();
        let mut cursor = after_version;
        // Read on until `limit` visible events are found or the case has no more, so that a
        // short page means the end (the gRPC page token relies on it).
        'read: loop {
            let batch = repo::case_events(&self.inner.reader, &self.inner.keys, participant, cursor, limit).await;
            let batch = match batch {
                Ok(b) => b,
                Err(e) => return self.audited(entry, Err(e)).await,
            };
            let examined = batch.len();
            for event in batch {
                cursor = event.version;
                let category = event.change.category();
                match visibility.event(&case, &event) {
                    Ok((event, basis)) => {
                        let pair = (logged_category(&event.change, basis), basis);
                        if !shown.contains(&pair) {
                            shown.push(pair);
                        }
                        events.push(event);
                        if events.len() >= limit as usize {
                            break 'read;
                        }
                    }
                    Err(reason) => {
                        if !withheld.contains(&(category, reason.clone())) {
                            withheld.push((category, reason));
                        }
                    }
                }
            }
            if examined < limit as usize {
                break;
            }
        }
        if visibility.is_whole() && withheld.is_empty() {
            entry.basis = Some(visibility.basis());
            return self.audited(entry, Ok(events)).await;
        }
        let mut entries = self.partial_read_entries(caller, "case_events", participant, &shown, &withheld);
        if shown.is_empty() && withheld.is_empty() {
            entries.push(AuditEntry { basis: Some(visibility.basis()), ..entry });
        }
        self.inner.writer.record(entries).await?;
        Ok(events)
    }

    async fn watch_events(&self, caller: &Caller, after_position: u64, limit: u32) -> Result<FeedPage, DomainError> {
        let limit = page_limit(limit);
        let today = amsterdam_date(self.now());
        self.inner.feed_reads.inc();
        let rows = repo::feed(&self.inner.reader, &self.inner.keys, after_position, limit).await?;
        let cursor = rows.last().map_or(after_position, |(p, _)| *p);
        // Decide per event against the case as it is now, with the same decision as the case
        // file: a withdrawn consent stops the very next read. Each participant's case is
        // loaded and decided once.
        type Decided = Option<(Case, Result<Visibility, DenyReason>)>;
        let mut cases: std::collections::BTreeMap<ParticipantId, Decided> = std::collections::BTreeMap::new();
        let mut shown: Vec<(ParticipantId, Option<DataCategory>, perspectief_core::Basis)> = Vec::new();
        let mut withheld: Vec<(ParticipantId, Option<DataCategory>, DenyReason)> = Vec::new();
        let mut events = Vec::new();
        for (position, event) in rows {
            let id = event.participant;
            if let std::collections::btree_map::Entry::Vacant(slot) = cases.entry(id) {
                let decided = repo::load_case(&self.inner.reader, &self.inner.keys, id).await?.map(|case| {
                    let visibility = self.inner.policy.decide_visibility(&caller.actor, &case, today);
                    (case, visibility)
                });
                slot.insert(decided);
            }
            // An erased person's events are gone with the case.
            let Some(Some((case, visibility))) = cases.get(&id) else { continue };
            let category = event.change.category();
            // The feed passes over everyone: a person the caller may see nothing of is not
            // accessed, and is not put in that person's access log either.
            let Ok(v) = visibility else { continue };
            let decided = v.event(case, &event).map_err(|reason| (Some(category), reason));
            match decided {
                Ok((event, basis)) => {
                    let item = (id, logged_category(&event.change, basis), basis);
                    if !shown.contains(&item) {
                        shown.push(item);
                    }
                    events.push(FeedEvent { position, event });
                }
                Err((category, reason)) => {
                    let item = (id, category, reason);
                    if !withheld.contains(&item) {
                        withheld.push(item);
                    }
                }
            }
        }
        // Every participant and category shown, and everything withheld, on record before the
        // answer leaves.
        let mut entries = Vec::with_capacity(shown.len() + withheld.len());
        for (participant, category, basis) in shown {
            let mut entry = self.entry(caller, Action::Read, "watch_events");
            entry.participant = Some(participant);
            entry.category = category;
            entry.basis = Some(basis);
            entries.push(entry);
        }
        for (participant, category, reason) in withheld {
            let mut entry = self.entry(caller, Action::Read, "watch_events");
            entry.participant = Some(participant);
            entry.category = category;
            entries.push(entry.with_outcome(&Err::<(), _>(DomainError::AccessDenied(reason))));
        }
        self.inner.writer.record(entries).await?;
        Ok(FeedPage { events, cursor })
    }

    async fn list_participants(
        &self,
        caller: &Caller,
        filter: ParticipantFilter,
        page: PageRequest,
    ) -> Result<Page<ParticipantSummary>, DomainError> {
        let mut entry = self.entry(caller, Action::Search, "list_participants");
        entry.category = Some(DataCategory::Identity);
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::ParticipantDirectory)?;
            let size = page_limit(page.page_size);
            let after = match page.page_token.as_deref() {
                None | Some("") => None,
                Some(token) => Some(self.decode_page_token(caller, &filter, token)?),
            };
            let mut sql = String::from(
                "SELECT id, version, aad_version, key_id, display, project_worker, phase, direction, registered_on, limit_on, \
                 last_contact_on FROM participants WHERE key_id <> 'erased'",
            );
            let mut values: Vec<sea_orm::Value> = Vec::new();
            let mut param = |sql: &mut String, clause: &str, v: sea_orm::Value| {
                values.push(v);
                sql.push_str(&clause.replace('?', &format!("${}", values.len())));
            };
            if let Some(w) = filter.project_worker {
                param(&mut sql, " AND project_worker = ?", w.to_string().into());
            }
            if let Some(p) = filter.phase {
                param(&mut sql, " AND phase = ?", p.as_str().to_owned().into());
            }
            if let Some(d) = filter.registered_from {
                param(&mut sql, " AND registered_on >= ?", sql::date(d).into());
            }
            if !filter.include_closed {
                sql.push_str(" AND outflow_on IS NULL");
            }
            if let Some((date, id)) = &after {
                param(&mut sql, " AND (registered_on > ?", date.clone().into());
                param(&mut sql, " OR (registered_on = ?", date.clone().into());
                param(&mut sql, " AND id > ?))", id.clone().into());
            }
            param(&mut sql, " ORDER BY registered_on, id LIMIT ?", i64::from(size + 1).into());
            let rows = sql::all(&self.inner.reader, &sql, values).await.map_err(db)?;
            let mut items = Vec::with_capacity(rows.len());
            for r in rows.iter().take(size as usize) {
                let id = ParticipantId::from_uuid(uuid_of(&get::<String>(r, "id").map_err(db)?)?);
                let key_id: String = get(r, "key_id").map_err(db)?;
                let display: Vec<u8> = get(r, "display").map_err(db)?;
                let last: Option<String> = get(r, "last_contact_on").map_err(db)?;
                let phase: String = get(r, "phase").map_err(db)?;
                let direction: String = get(r, "direction").map_err(db)?;
                let version: i64 = get(r, "version").map_err(db)?;
                let bound_to = repo::binding(get(r, "aad_version").map_err(db)?, version);
                items.push(ParticipantSummary {
                    id,
                    display_name: repo::display_name(
                        &self.inner.reader,
                        &self.inner.keys,
                        id,
                        &key_id,
                        &display,
                        bound_to,
                    )
                    .await?,
                    phase: serde_json::from_value(serde_json::Value::String(phase)).map_err(internal)?,
                    direction: serde_json::from_value(serde_json::Value::String(direction)).map_err(internal)?,
                    project_worker: UserId::from_uuid(uuid_of(&get::<String>(r, "project_worker").map_err(db)?)?),
                    registered_on: sql::parse_date(&get::<String>(r, "registered_on").map_err(db)?).map_err(db)?,
                    limit_on: sql::parse_date(&get::<String>(r, "limit_on").map_err(db)?).map_err(db)?,
                    last_contact_on: last.map(|d| sql::parse_date(&d)).transpose().map_err(db)?,
                    version: u64::try_from(version).unwrap_or(0),
                });
            }
            let next_page_token = if rows.len() > size as usize {
                items.last().map(|s| self.page_token(caller, &filter, &sql::date(s.registered_on), &s.id.to_string()))
            } else {
                None
            };
            Ok((Page { items, next_page_token }, basis))
        })
        .await
    }

    async fn worklist(&self, caller: &Caller, query: WorklistQuery) -> Result<Worklist, DomainError> {
        let mut entry = self.entry(caller, Action::Search, "worklist");
        entry.category = Some(DataCategory::Guidance);
        self.read(entry, async {
            // A project worker sees their own caseload; the project lead anyone's.
            let worker = match caller.actor.role {
                Role::ProjectWorker => {
                    if query.project_worker.is_some_and(|w| w != caller.actor.user) {
                        return Err(DomainError::AccessDenied(perspectief_core::DenyReason::NotAssigned));
                    }
                    Some(caller.actor.user)
                }
                _ => query.project_worker,
            };
            let scope = perspectief_core::access::ParticipantScope {
                participant: ParticipantId::from_u128(0),
                project_worker: worker.unwrap_or(caller.actor.user),
                consents: &[],
                levels: perspectief_core::CaseLevels::DEFAULT,
            };
            let basis =
                self.require(caller, Action::Search, &Resource::CaseData { scope, category: DataCategory::Guidance })?;
            let text = worklist_text(worker, &query);
            let cursors = match query.page_token.as_deref() {
                None | Some("") => Vec::new(),
                Some(token) => self.worklist_cursors(caller, &text, token)?,
            };
            let (mut list, next) = worklist_query(&self.inner.reader, worker, &query, &cursors).await?;
            list.next_page_token = self.worklist_token(caller, &text, &next);
            Ok((list, basis))
        })
        .await
    }

    async fn plan_session(&self, caller: &Caller, cmd: PlanSession) -> Result<InformationSession, DomainError> {
        let entry = self.entry(caller, Action::Create, "plan_session");
        let (keys, policy, ctx, caller) =
            (self.inner.keys.clone(), self.inner.policy, self.context(caller), caller.clone());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                entry.basis = Some(
                    policy
                        .decide(&caller.actor, Action::Create, &Resource::InformationSessions, ctx.today)
                        .into_result()?,
                );
                crate::organisations::require_named(txn, &cmd.organisations()).await?;
                let (session, event) = InformationSession::plan(cmd, &ctx)?;
                repo::save_session(txn, &keys, &session, &event).await?;
                Ok(Box::new(session) as Output)
            })
        });
        self.write(entry, work).await
    }

    async fn execute_session(
        &self,
        caller: &Caller,
        session: SessionId,
        expected_version: Option<u64>,
        cmd: SessionCommand,
    ) -> Result<InformationSession, DomainError> {
        let mut entry = self.entry(caller, Action::Update, "execute_session");
        if let SessionCommand::RegisterAttendance { participant } | SessionCommand::RemoveAttendance { participant } =
            &cmd
        {
            entry.participant = Some(*participant);
            entry.category = Some(DataCategory::Guidance);
        }
        self.execute_shared::<InformationSession>(
            caller,
            entry,
            Resource::InformationSessions,
            session,
            expected_version,
            cmd,
        )
        .await
    }

    async fn get_session(&self, caller: &Caller, session: SessionId) -> Result<InformationSession, DomainError> {
        let entry = self.entry(caller, Action::Read, "get_session");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::InformationSessions)?;
            let s = repo::load_session(&self.inner.reader, &self.inner.keys, session).await?.ok_or_else(|| {
                DomainError::NotFound { entity: EntityKind::InformationSession, id: session.to_string() }
            })?;
            Ok((s, basis))
        })
        .await
    }

    async fn list_sessions(
        &self,
        caller: &Caller,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<InformationSession>, DomainError> {
        let entry = self.entry(caller, Action::Search, "list_sessions");
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::InformationSessions)?;
            Ok((repo::sessions_between(&self.inner.reader, &self.inner.keys, from, to).await?, basis))
        })
        .await
    }

    async fn schedule_meeting(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        date: NaiveDate,
    ) -> Result<ChainMeeting, DomainError> {
        let entry = self.entry(caller, Action::Create, "schedule_meeting");
        let (keys, policy, ctx, caller) =
            (self.inner.keys.clone(), self.inner.policy, self.context(caller), caller.clone());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                entry.basis = Some(
                    policy.decide(&caller.actor, Action::Create, &Resource::ChainMeetings, ctx.today).into_result()?,
                );
                let (m, event) = ChainMeeting::schedule(meeting, date, &ctx);
                repo::save_meeting(txn, &keys, &m, &event).await?;
                Ok(Box::new(m) as Output)
            })
        });
        self.write(entry, work).await
    }

    async fn execute_meeting(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        expected_version: Option<u64>,
        cmd: MeetingCommand,
    ) -> Result<ChainMeeting, DomainError> {
        let mut entry = self.entry(caller, Action::Update, "execute_meeting");
        let change = perspectief_core::meeting::MeetingChange::Applied(cmd.clone());
        entry.participant = change.participant();
        entry.category = Some(DataCategory::Guidance);
        self.execute_shared::<ChainMeeting>(caller, entry, Resource::ChainMeetings, meeting, expected_version, cmd)
            .await
    }

    async fn get_meeting(&self, caller: &Caller, meeting: MeetingId) -> Result<ChainMeeting, DomainError> {
        let entry = self.entry(caller, Action::Read, "get_meeting");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::ChainMeetings)?;
            let m = repo::load_meeting(&self.inner.reader, &self.inner.keys, meeting)
                .await?
                .ok_or_else(|| DomainError::NotFound { entity: EntityKind::ChainMeeting, id: meeting.to_string() })?;
            Ok((m, basis))
        })
        .await
    }

    async fn define_subsidy_period(&self, caller: &Caller, period: SubsidyPeriod) -> Result<(), DomainError> {
        let entry = self.entry(caller, Action::Create, "define_subsidy_period");
        let (policy, ctx, caller) = (self.inner.policy, self.context(caller), caller.clone());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                entry.basis = Some(
                    policy.decide(&caller.actor, Action::Create, &Resource::SubsidyPeriods, ctx.today).into_result()?,
                );
                let definition = serde_json::to_string(&period).map_err(internal)?;
                let r = sql::exec(
                    txn,
                    "INSERT INTO subsidy_periods (id, starts_on, ends_on, definition) VALUES ($1, $2, $3, $4)",
                    [
                        period.id().to_string().into(),
                        sql::date(period.starts_on()).into(),
                        sql::date(period.ends_on()).into(),
                        definition.into(),
                    ],
                )
                .await;
                match r {
                    Ok(_) => {
                        // The report's projection gets the period's first days from the data
                        // already stored, in the same transaction.
                        crate::firsts::rebuild_period(txn, &period.id().to_string()).await.map_err(db)?;
                        Ok(Box::new(()) as Output)
                    }
                    Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
                        Err(DomainError::AlreadyExists {
                            entity: EntityKind::SubsidyPeriod,
                            id: period.id().to_string(),
                        })
                    }
                    Err(e) => Err(db(e)),
                }
            })
        });
        self.write(entry, work).await
    }

    async fn subsidy_periods(&self, caller: &Caller) -> Result<Vec<SubsidyPeriod>, DomainError> {
        let entry = self.entry(caller, Action::Read, "subsidy_periods");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::SubsidyPeriods)?;
            let rows =
                sql::all(&self.inner.reader, "SELECT definition FROM subsidy_periods ORDER BY starts_on, id", [])
                    .await
                    .map_err(db)?;
            let periods = rows
                .iter()
                .map(|r| {
                    let d: String = get(r, "definition").map_err(db)?;
                    serde_json::from_str(&d).map_err(internal)
                })
                .collect::<Result<Vec<SubsidyPeriod>, DomainError>>()?;
            Ok((periods, basis))
        })
        .await
    }

    async fn audit_log(
        &self,
        caller: &Caller,
        participant: Option<ParticipantId>,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, DomainError> {
        let mut entry = self.entry(caller, Action::Search, "audit_log");
        entry.participant = participant;
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::AuditLog)?;
            let limit = page_limit(limit);
            let records = crate::audit::records(
                &self.inner.reader,
                participant.map(|p| p.to_string()),
                i64::try_from(after_seq).unwrap_or(i64::MAX),
                i64::from(limit),
            )
            .await
            .map_err(db)?;
            Ok((records, basis))
        })
        .await
    }

    async fn verify_audit_log(&self, caller: &Caller) -> Result<ChainVerification, DomainError> {
        let entry = self.entry(caller, Action::Read, "verify_audit_log");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::AuditLog)?;
            let guard = self.guard();
            Ok((crate::audit::verify_with(&self.inner.reader, &self.inner.audit_key, &guard).await.map_err(db)?, basis))
        })
        .await
    }
}

/// The filter as the participant page tokens are bound to it.
fn filter_text(filter: &ParticipantFilter) -> String {
    format!(
        "worker={};phase={};from={};closed={}",
        filter.project_worker.map(|u| u.to_string()).unwrap_or_default(),
        filter.phase.map(|p| p.as_str()).unwrap_or_default(),
        filter.registered_from.map(|d| d.to_string()).unwrap_or_default(),
        filter.include_closed
    )
}

impl Store {
    /// The MAC of a participant page token: the position, bound to the caller and the filter,
    /// under the store's access-log key in a domain of its own.
    fn page_token_mac(&self, caller: &Caller, filter: &ParticipantFilter, position: &str) -> [u8; 32] {
        self.inner.audit_key.mac(&[
            b"perspectief participant page token v1\0",
            caller.actor.user.to_string().as_bytes(),
            b"\0",
            filter_text(filter).as_bytes(),
            b"\0",
            position.as_bytes(),
        ])
    }

    /// The token that continues the participant listing after (`date`, `id`): the position
    /// and a MAC, so a token cannot be forged, and does not continue another caller's listing
    /// or one with another filter (docs/partners.md).
    fn page_token(&self, caller: &Caller, filter: &ParticipantFilter, date: &str, id: &str) -> String {
        let position = format!("{date}|{id}");
        let mac = self.page_token_mac(caller, filter, &position);
        format!("{}.{}", hex::encode(&position), hex::encode(&mac[..16]))
    }

    /// Where a participant listing continues: the position of a token this store made for
    /// this caller and filter, or a field error.
    fn decode_page_token(
        &self,
        caller: &Caller,
        filter: &ParticipantFilter,
        token: &str,
    ) -> Result<(String, String), DomainError> {
        let bad = || {
            DomainError::field(
                "page_token",
                ViolationCode::Invalid,
                "not a page token of this listing: pass the next_page_token of the previous page with the same filter",
            )
        };
        let (position, mac) = token.split_once('.').ok_or_else(bad)?;
        let position = String::from_utf8(hex::decode(position).map_err(|_| bad())?).map_err(|_| bad())?;
        let mac = hex::decode(mac).map_err(|_| bad())?;
        let expected = self.page_token_mac(caller, filter, &position);
        // Compared in constant time.
        if mac.len() != 16 || mac.iter().zip(&expected[..16]).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
            return Err(bad());
        }
        let (date, id) = position.split_once('|').ok_or_else(bad)?;
        sql::parse_date(date).map_err(|_| bad())?;
        uuid::Uuid::parse_str(id).map_err(|_| bad())?;
        Ok((date.to_owned(), id.to_owned()))
    }
}

/// Where one list of a worklist page goes on: after an item's (date, participant, subject), or
/// nowhere (it ended).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ListCursor {
    Start,
    After(String, String, String),
    Done,
}

/// The worklist's query as its page tokens are bound to it.
fn worklist_text(worker: Option<UserId>, q: &WorklistQuery) -> String {
    format!(
        "worker={};today={};due={};contact={};limit={};referral={};assessment={};size={}",
        worker.map(|u| u.to_string()).unwrap_or_default(),
        q.today,
        q.due_within_days,
        q.no_contact_days,
        q.limit_lead_days,
        q.referral_answer_days,
        q.no_assessment_months,
        q.page_size
    )
}

impl Store {
    fn worklist_token_mac(&self, caller: &Caller, query: &str, position: &str) -> [u8; 32] {
        self.inner.audit_key.mac(&[
            b"perspectief worklist page token v1\0",
            caller.actor.user.to_string().as_bytes(),
            b"\0",
            query.as_bytes(),
            b"\0",
            position.as_bytes(),
        ])
    }

    /// The token that continues a worklist with these cursors (one per list, in order),
    /// bound by a MAC to the caller and the query; `None` when every list ended.
    fn worklist_token(&self, caller: &Caller, query: &str, cursors: &[ListCursor]) -> Option<String> {
        if cursors.iter().all(|c| *c == ListCursor::Done) {
            return None;
        }
        let position = cursors
            .iter()
            .map(|c| match c {
                ListCursor::After(date, participant, subject) => format!("{date},{participant},{subject}"),
                ListCursor::Start | ListCursor::Done => String::new(),
            })
            .collect::<Vec<_>>()
            .join(";");
        let mac = self.worklist_token_mac(caller, query, &position);
        Some(format!("{}.{}", hex::encode(&position), hex::encode(&mac[..16])))
    }

    /// The cursors of a worklist page token this store made for this caller and query.
    fn worklist_cursors(&self, caller: &Caller, query: &str, token: &str) -> Result<Vec<ListCursor>, DomainError> {
        let bad = || {
            DomainError::field(
                "page_token",
                ViolationCode::Invalid,
                "not a page token of this worklist: pass the next_page_token of the previous page with the same query",
            )
        };
        let (position, mac) = token.split_once('.').ok_or_else(bad)?;
        let position = String::from_utf8(hex::decode(position).map_err(|_| bad())?).map_err(|_| bad())?;
        let mac = hex::decode(mac).map_err(|_| bad())?;
        let expected = self.worklist_token_mac(caller, query, &position);
        // Compared in constant time.
        if mac.len() != 16 || mac.iter().zip(&expected[..16]).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
            return Err(bad());
        }
        position
            .split(';')
            .map(|list| {
                if list.is_empty() {
                    return Ok(ListCursor::Done);
                }
                let mut parts = list.split(',');
                match (parts.next(), parts.next(), parts.next(), parts.next()) {
                    (Some(date), Some(participant), Some(subject), None) => {
                        Ok(ListCursor::After(date.to_owned(), participant.to_owned(), subject.to_owned()))
                    }
                    _ => Err(bad()),
                }
            })
            .collect()
    }
}

/// One list of the worklist: `FROM`/`WHERE` text (with `{worker}` where the worker's clause
/// goes, `{after}` where the cursor's), its parameters from `$1`, and the expressions of its
/// order (date, participant, subject).
struct ListQuery {
    from_where: String,
    values: Vec<sea_orm::Value>,
    order: [&'static str; 3],
}

/// One page of one list: up to `size` items (all when 0) after `cursor`, and where the next
/// page of this list starts.
async fn list_page(
    c: &sea_orm::DatabaseConnection,
    worker: Option<UserId>,
    list: ListQuery,
    cursor: &ListCursor,
    size: u32,
) -> Result<(Vec<sea_orm::QueryResult>, ListCursor), DomainError> {
    if *cursor == ListCursor::Done {
        return Ok((Vec::new(), ListCursor::Done));
    }
    let ListQuery { from_where, mut values, order: [date, participant, subject] } = list;
    let mut param = |v: sea_orm::Value| {
        values.push(v);
        format!("${}", values.len())
    };
    let worker_clause = match worker {
        Some(w) => format!(" AND p.project_worker = {}", param(w.to_string().into())),
        None => String::new(),
    };
    // A list of participants orders by (date, participant): the index's own order.
    let same = participant == subject;
    let after_clause = match cursor {
        ListCursor::After(d, p, _) if same => {
            format!(" AND ({date}, {participant}) > ({}, {})", param(d.clone().into()), param(p.clone().into()))
        }
        ListCursor::After(d, p, s) => format!(
            " AND ({date}, {participant}, {subject}) > ({}, {}, {})",
            param(d.clone().into()),
            param(p.clone().into()),
            param(s.clone().into())
        ),
        ListCursor::Start | ListCursor::Done => String::new(),
    };
    let limit = if size > 0 { format!(" LIMIT {}", param(i64::from(size + 1).into())) } else { String::new() };
    let order = if same { format!("{date}, {participant}") } else { format!("{date}, {participant}, {subject}") };
    let text = format!(
        "SELECT {participant} AS participant_id, {subject} AS subject_id, {date} AS on_date {} ORDER BY {order}{limit}",
        from_where.replace("{worker}", &worker_clause).replace("{after}", &after_clause)
    );
    let mut rows = sql::all(c, &text, values).await.map_err(db)?;
    if size > 0 && rows.len() > size as usize {
        rows.truncate(size as usize);
        let last = rows.last().ok_or_else(|| internal("a full page has a last row"))?;
        let next = ListCursor::After(
            get(last, "on_date").map_err(db)?,
            get(last, "participant_id").map_err(db)?,
            get(last, "subject_id").map_err(db)?,
        );
        Ok((rows, next))
    } else {
        Ok((rows, ListCursor::Done))
    }
}

/// The worklist as indexed queries; each mirrors the core rule named beside it (the
/// conformance suite checks they agree). A page holds at most `q.page_size` items of each
/// list, read in the order of a partial index on the list's open items, so a page costs about
/// the same at any size. A project worker's own lists start from their participants (SQLite
/// takes the tables of a `CROSS JOIN` in the order written; PostgreSQL plans it freely).
async fn worklist_query(
    c: &sea_orm::DatabaseConnection,
    worker: Option<UserId>,
    q: &WorklistQuery,
    cursors: &[ListCursor],
) -> Result<(Worklist, Vec<ListCursor>), DomainError> {
    let today = sql::date(q.today);
    let plus = |days: u32| sql::date(q.today + chrono::Duration::days(i64::from(days)));
    let minus = |days: u32| sql::date(q.today - chrono::Duration::days(i64::from(days)));
    // The participant first for one worker's list, the list's own index first for everyone's.
    // SQLite, without statistics, prefers the older status indexes and sorts every open item:
    // it is told which index holds the list in its order.
    let sqlite_hint = |index: &str| {
        if c.get_database_backend() == sea_orm::DbBackend::Sqlite {
            format!(" INDEXED BY {index}")
        } else {
            String::new()
        }
    };
    let hint = |index: &str| {
        if worker.is_none() && c.get_database_backend() == sea_orm::DbBackend::Sqlite {
            format!(" INDEXED BY {index}")
        } else {
            String::new()
        }
    };
    let join = |table: &str, alias: &str, index: &str| {
        if worker.is_some() {
            format!("FROM participants p CROSS JOIN {table} {alias} WHERE {alias}.participant_id = p.id AND")
        } else {
            format!("FROM {table} {alias}{} JOIN participants p ON p.id = {alias}.participant_id WHERE", hint(index))
        }
    };
    let active = "p.outflow_on IS NULL";
    let assessment_cutoff = q
        .today
        .checked_sub_months(chrono::Months::new(q.no_assessment_months))
        .ok_or_else(|| DomainError::field("no_assessment_months", ViolationCode::OutOfRange, "too many months"))?;
    let lists = [
        // Case::overdue_goals: still pursued, deadline before today.
        ListQuery {
            from_where: format!(
                "{} g.status IN ('open', 'in_progress') AND g.deadline < $1 AND {active}{{worker}}{{after}}",
                join("goals", "g", "goals_open_deadline")
            ),
            values: vec![today.clone().into()],
            order: ["g.deadline", "g.participant_id", "g.id"],
        },
        // Case::overdue_agreements: open, due before today.
        ListQuery {
            from_where: format!(
                "{} a.status = 'open' AND a.due_on < $1 AND {active}{{worker}}{{after}}",
                join("agreements", "a", "agreements_open_due")
            ),
            values: vec![today.clone().into()],
            order: ["a.due_on", "a.participant_id", "a.id"],
        },
        // Case::agreements_due_within: open, due from today to today + window.
        ListQuery {
            from_where: format!(
                "{} a.status = 'open' AND a.due_on >= $1 AND a.due_on <= $2 AND {active}{{worker}}{{after}}",
                join("agreements", "a", "agreements_open_due")
            ),
            values: vec![today.clone().into(), plus(q.due_within_days).into()],
            order: ["a.due_on", "a.participant_id", "a.id"],
        },
        // Case::days_without_contact > N: last contact (or registration) before today - N.
        ListQuery {
            from_where: format!(
                "FROM participants p{} WHERE COALESCE(p.last_contact_on, p.registered_on) < $1 AND {active}{{worker}}{{after}}",
                hint("participants_active_contact")
            ),
            values: vec![minus(q.no_contact_days).into()],
            order: ["COALESCE(p.last_contact_on, p.registered_on)", "p.id", "p.id"],
        },
        // Case::limit_status is Approaching or Exceeded: the limit on or before today + lead.
        ListQuery {
            from_where: format!(
                "FROM participants p{} WHERE p.limit_on <= $1 AND {active}{{worker}}{{after}}",
                hint("participants_active_limit")
            ),
            values: vec![plus(q.limit_lead_days).into()],
            order: ["p.limit_on", "p.id", "p.id"],
        },
        // Case::unanswered_referrals: sent, no answer, sent before today - N.
        ListQuery {
            from_where: format!(
                "{} r.status = 'sent' AND r.sent_on < $1 AND {active}{{worker}}{{after}}",
                join("referrals", "r", "referrals_sent_on")
            ),
            values: vec![minus(q.referral_answer_days).into()],
            order: ["r.sent_on", "r.participant_id", "r.id"],
        },
        // Case::without_assessment_since: the latest assessment (the day of an activity_log row
        // of 5.2.d that is not a contact), or the registration, before today - N months. (An
        // aggregate over every active participant: a page of it is not bounded work.)
        ListQuery {
            from_where: format!(
                "FROM participants p LEFT JOIN activity_log l{} ON l.participant_id = p.id AND l.code = '{}' \
                 AND l.contact_id IS NULL WHERE {active}{{worker}} GROUP BY p.id, p.registered_on \
                 HAVING COALESCE(MAX(l.on_date), p.registered_on) < $1{{after}}",
                // Each participant's own rows: SQLite's planner otherwise may scan every
                // assessment of everybody for each participant.
                sqlite_hint("activity_log_participant_code"),
                perspectief_core::ActivityCode::SelfReliance.code()
            ),
            values: vec![sql::date(assessment_cutoff).into()],
            order: ["COALESCE(MAX(l.on_date), p.registered_on)", "p.id", "p.id"],
        },
    ];
    let mut pages = Vec::with_capacity(lists.len());
    let mut next = Vec::with_capacity(lists.len());
    for (i, list) in lists.into_iter().enumerate() {
        let cursor = cursors.get(i).unwrap_or(&ListCursor::Start);
        let (rows, after) = list_page(c, worker, list, cursor, q.page_size).await?;
        pages.push(rows);
        next.push(after);
    }
    let items = |rows: &[sea_orm::QueryResult],
                 subject: fn(uuid::Uuid) -> WorkSubject|
     -> Result<Vec<WorkItem>, DomainError> {
        rows.iter()
            .map(|r| {
                let participant = ParticipantId::from_uuid(uuid_of(&get::<String>(r, "participant_id").map_err(db)?)?);
                let subject_id: String = get(r, "subject_id").map_err(db)?;
                let date = sql::parse_date(&get::<String>(r, "on_date").map_err(db)?).map_err(db)?;
                Ok(WorkItem { participant, subject: subject(uuid_of(&subject_id)?), date })
            })
            .collect()
    };
    let list = Worklist {
        overdue_goals: items(&pages[0], |u| WorkSubject::Goal(GoalId::from_uuid(u)))?,
        overdue_agreements: items(&pages[1], |u| WorkSubject::Agreement(AgreementId::from_uuid(u)))?,
        agreements_due: items(&pages[2], |u| WorkSubject::Agreement(AgreementId::from_uuid(u)))?,
        without_contact: items(&pages[3], |_| WorkSubject::Participant)?,
        near_limit: items(&pages[4], |_| WorkSubject::Participant)?,
        unanswered_referrals: items(&pages[5], |u| WorkSubject::Referral(ReferralId::from_uuid(u)))?,
        without_assessment: items(&pages[6], |_| WorkSubject::Participant)?,
        next_page_token: None,
    };
    Ok((list, next))
}
