//! The store's implementation of the application service.
//!
//! Writes run as jobs in the group-commit writer: load → authorise → decide (core) → save,
//! inside the batch transaction, with the audit record appended whatever the outcome. Reads run
//! on the read pool; their audit record goes through the writer and is durable before the
//! answer leaves.

use chrono::{DateTime, NaiveDate, Utc};
use perspectief_core::access::{Action, DataCategory, Resource};
use perspectief_core::activity::SubsidyPeriod;
use perspectief_core::app::check_version;
use perspectief_core::case::{Case, CaseCommand, CaseEvent, CommandContext, RegisterParticipant};
use perspectief_core::meeting::{ChainMeeting, MeetingCommand};
use perspectief_core::service::{
    AuditEntry, AuditRecord, Caller, ChainVerification, Executed, FeedEvent, FeedPage, Page, PageRequest,
    ParticipantFilter, ParticipantSummary, PerspectiefService, Worklist, WorklistQuery, page_limit,
};
use perspectief_core::session::{InformationSession, PlanSession, SessionCommand};
use perspectief_core::time::amsterdam_date;
use perspectief_core::view::{CaseView, Visibility};
use perspectief_core::{DenyReason, DomainError, EntityKind, MeetingId, ParticipantId, SessionId, UserId};

mod tokens;
mod worklist;

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

pub(crate) fn uuid_of(s: &str) -> Result<uuid::Uuid, DomainError> {
    uuid::Uuid::parse_str(s).map_err(internal)
}

impl Store {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        sql::truncate(self.inner.clock.now())
    }

    pub(crate) fn context(&self, caller: &Caller) -> CommandContext {
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

    pub(crate) async fn write<T: 'static>(&self, entry: AuditEntry, work: Work) -> Result<T, DomainError> {
        downcast(self.inner.writer.submit(entry, Some(work)).await?)
    }

    /// A case for a read, or not found.
    async fn load_for_read(&self, participant: ParticipantId) -> Result<Case, DomainError> {
        let (cache, mode) = (&self.inner.writer.cases, repo::CacheUse::Fill);
        repo::load_case_keyed_cached(&self.inner.reader, &self.inner.keys, cache, mode, participant)
            .await?
            .map(|(case, _)| case)
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
                if expected_version.is_some()
                    && let Some(current) = repo::stored_version(txn, A::AGGREGATE, &key).await?
                {
                    check_version(expected_version, current)?;
                }
                let mut aggregate = A::load(txn, &keys, id)
                    .await?
                    .ok_or_else(|| DomainError::NotFound { entity: A::ENTITY, id: key.clone() })?;
                check_version(expected_version, aggregate.version())?;
                if let Some(participant) = A::must_exist(&cmd)
                    && !repo::participant_exists(txn, participant).await?
                {
                    return Err(DomainError::NotFound { entity: EntityKind::Participant, id: participant.to_string() });
                }
                let event = aggregate.run(cmd, &ctx)?;
                // What a meeting's event brings to a participant's case: decided (and
                // authorised) before anything is written, saved with the meeting.
                let mut case_write = None;
                if let Some((meeting, meeting_event)) = aggregate.as_meeting(&event)
                    && let Some(participant) = perspectief_core::app::meeting::meeting_case(meeting, meeting_event)
                {
                    let mut case = repo::load_case(txn, &keys, participant).await?.ok_or_else(|| {
                        DomainError::NotFound { entity: EntityKind::Participant, id: participant.to_string() }
                    })?;
                    let previous = case.version();
                    let events = perspectief_core::app::meeting::meeting_to_case(
                        &policy,
                        &caller.actor,
                        meeting,
                        meeting_event,
                        &mut case,
                        &ctx,
                    )?;
                    case_write = Some((case, previous, events));
                }
                aggregate.save(txn, &keys, &event).await?;
                if let Some((case, previous, events)) = case_write
                    && !events.is_empty()
                {
                    repo::save_case(txn, &keys, &case, Some(previous), &events).await?;
                }
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
            Ok(Some(current)) => check_version(Some(expected), current).err(),
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
        let cases = self.inner.writer.cases.clone();
        // Decided: everything that can refuse the command is read and checked before the first
        // write (no savepoint of its own; see writer.rs).
        let work: DecidedWork = Box::new(move |txn, entry, rows| {
            Box::pin(async move {
                // Read-only use of the cache: this transaction may hold uncommitted states.
                let loaded =
                    repo::load_case_keyed_cached(txn, &keys, &cases, repo::CacheUse::ReadOnly, participant).await?;
                let (mut case, own) = loaded.ok_or_else(|| DomainError::NotFound {
                    entity: EntityKind::Participant,
                    id: participant.to_string(),
                })?;
                // Authorise first (the core's order: access, the partner's answer, the consent
                // override, the expected version), recording each step in the entry.
                let authorised = perspectief_core::app::authorise_command(
                    &policy,
                    &caller.actor,
                    &case,
                    &cmd,
                    expected_version,
                    ctx.today,
                    entry,
                )?;
                // Every organisation the command names is registered (and active for a new
                // reference), in this transaction: the core says which it names.
                crate::organisations::require_named(txn, &cmd.organisations()).await?;
                let previous = case.version();
                let mut events = case
                    .execute(cmd, &ctx)
                    .map_err(|e| perspectief_core::app::refusal_for(&policy, &caller.actor, &case, ctx.today, e))?;
                if !events.is_empty() {
                    repo::save_case_deferred(txn, &keys, own, &case, Some(previous), &events, rows).await?;
                    // Stored unmarked (the mark follows the threshold when read); the answer
                    // carries it, so the one who recorded a late entry is told at once.
                    let late = rows.late_policy(txn).await?;
                    for e in &mut events {
                        e.late = late.is_late_change(&e.change, e.at);
                    }
                }
                if let Some(request) = authorised.consent_override {
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
            let (worker, basis) = perspectief_core::app::caseload(
                &self.inner.policy,
                &caller.actor,
                query.project_worker,
                amsterdam_date(self.now()),
            )?;
            let text = tokens::worklist_text(worker, &query);
            let cursors = match query.page_token.as_deref() {
                None | Some("") => Vec::new(),
                Some(token) => self.worklist_cursors(caller, &text, token)?,
            };
            let (mut list, next) = worklist::worklist_query(&self.inner.reader, worker, &query, &cursors).await?;
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
        if let Some(participant) = cmd.participant() {
            entry.participant = Some(participant);
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

    async fn list_meetings(
        &self,
        caller: &Caller,
        days: perspectief_core::time::DateRange,
        page: PageRequest,
    ) -> Result<Page<ChainMeeting>, DomainError> {
        let entry = self.entry(caller, Action::Search, "list_meetings");
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::ChainMeetings)?;
            let size = page_limit(page.page_size);
            let after = match page.page_token.as_deref() {
                None | Some("") => None,
                Some(token) => Some(self.meeting_page_position(caller, days, token)?),
            };
            let mut items =
                repo::meetings_between(&self.inner.reader, &self.inner.keys, days.from(), days.to(), after, size + 1)
                    .await?;
            let next_page_token = if items.len() > size as usize {
                items.truncate(size as usize);
                items.last().map(|m| self.meeting_page_token(caller, days, m.date(), m.id()))
            } else {
                None
            };
            Ok((Page { items, next_page_token }, basis))
        })
        .await
    }

    async fn adopt_agenda(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        expected_version: Option<u64>,
    ) -> Result<ChainMeeting, DomainError> {
        let entry = self.entry(caller, Action::Update, "adopt_agenda");
        let resource = Resource::ChainMeetings;
        if let Some(refused) =
            self.precheck(caller, &resource, repo::Aggregate::Meeting, &meeting.to_string(), expected_version).await
        {
            return self.audited(entry, Err(refused)).await;
        }
        let (keys, policy, ctx, caller) =
            (self.inner.keys.clone(), self.inner.policy, self.context(caller), caller.clone());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                // Adopting reads the agenda (every active case) and changes the meeting.
                policy.decide(&caller.actor, Action::Read, &resource, ctx.today).into_result()?;
                entry.basis = Some(policy.decide(&caller.actor, Action::Update, &resource, ctx.today).into_result()?);
                let mut m = repo::load_meeting(txn, &keys, meeting).await?.ok_or_else(|| DomainError::NotFound {
                    entity: EntityKind::ChainMeeting,
                    id: meeting.to_string(),
                })?;
                check_version(expected_version, m.version())?;
                let query = perspectief_core::report::AgendaQuery::for_meeting(m.date());
                let agenda = crate::report::agenda(txn, &keys, &query).await?;
                let previous = m.version();
                let events = m.adopt_agenda(&agenda, &ctx)?;
                repo::save_meeting_events(txn, &keys, &m, previous, &events).await?;
                Ok(Box::new(m) as Output)
            })
        });
        self.write(entry, work).await
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
                    Err(e) if crate::sql::is_unique_violation(&e) => Err(DomainError::AlreadyExists {
                        entity: EntityKind::SubsidyPeriod,
                        id: period.id().to_string(),
                    }),
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
