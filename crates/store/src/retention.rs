//! The retention run (GDPR art. 17, storage limitation): what the core's
//! [`RetentionPolicy`] says has expired is erased, through the single writer, one transaction
//! per participant, each logged in the access log (action `erase`, ids only).
//!
//! - Categories expired, the person not yet wholly due: the sealed case state and the sealed
//!   payloads of that category's events are replaced by their redacted versions
//!   ([`perspectief_core::Case::redacted`], [`redact_change`]), sealed again with the
//!   participant's key.
//! - The person wholly due: their case row, events, feed positions, goal/agreement/referral
//!   projections, break-glass and consent-override records and their data key are deleted;
//!   they are taken off chain meetings (item and its events); what the subsidy accounting
//!   counts (`activity_log`, `report_firsts`, session attendance, and a participant row holding
//!   only the plain reporting attributes, marked `erased`) moves to one new random id that
//!   nothing maps back to the person. The access log is left as it is (ids only; its chain
//!   still verifies).
//!
//! Afterwards, on SQLite, `VACUUM` and `PRAGMA wal_checkpoint(TRUNCATE)` leave no freed page
//! and no WAL frame with old bytes (`secure_delete` is on as well). On PostgreSQL the rows are
//! deleted the same way; reclaiming the space (`VACUUM`) is the DBA's.
//!
//! Managed backups (the store's backup directory) are processed too: each is opened with the
//! same keys and gets the same erasure, for the people erased here and for whoever the policy
//! finds expired in it, then vacuumed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use perspectief_core::meeting::MeetingChange;
use perspectief_core::retention::{
    ParticipantRetention, RetentionPlan, RetentionPolicy, RetentionReport, decide_retention, erase_from_meeting,
    meeting_change_concerns, pseudonymise_in_session, pseudonymise_session_change, redact_change,
};
use perspectief_core::service::{Caller, Purpose};
use perspectief_core::session::SessionChange;
use perspectief_core::time::amsterdam_date;
use perspectief_core::{Action, DataCategory, DomainError, MeetingId, ParticipantId, Resource, SessionId};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::error::{db, internal};
use crate::repo::{self, KeyCache};
use crate::service::downcast;
use crate::sql::{self, get};
use crate::writer::{Output, Work};
use crate::{Keyring, Store, StoreOptions};

/// The events of sessions and meetings that name one person.
#[derive(Debug, Default, Clone)]
pub(crate) struct Touched {
    sessions: BTreeSet<SessionId>,
    session_events: Vec<(String, u64)>,
    meetings: BTreeSet<MeetingId>,
    meeting_events: Vec<(String, u64)>,
}

/// Find the session and meeting events naming any of `people` (one pass, decrypting each).
pub(crate) async fn scan_aggregates<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    people: &BTreeSet<ParticipantId>,
) -> Result<BTreeMap<ParticipantId, Touched>, DomainError> {
    let mut touched: BTreeMap<ParticipantId, Touched> = BTreeMap::new();
    if people.is_empty() {
        return Ok(touched);
    }
    let rows = sql::all(
        c,
        "SELECT aggregate, id, version, key_id, payload FROM aggregate_events ORDER BY aggregate, id, version",
        [],
    )
    .await
    .map_err(db)?;
    for r in &rows {
        let aggregate: String = get(r, "aggregate").map_err(db)?;
        let id: String = get(r, "id").map_err(db)?;
        let version = u64::try_from(get::<i64>(r, "version").map_err(db)?).unwrap_or(0);
        let key_id: String = get(r, "key_id").map_err(db)?;
        let payload: Vec<u8> = get(r, "payload").map_err(db)?;
        let aad = repo::aggregate_event_aad(&aggregate, &id, version);
        match aggregate.as_str() {
            "session" => {
                let change: SessionChange = repo::unseal(keys, &aad, &key_id, &payload)?;
                let named = match change {
                    SessionChange::AttendanceRegistered { participant }
                    | SessionChange::AttendanceRemoved { participant } => Some(participant),
                    _ => None,
                };
                if let Some(p) = named.filter(|p| people.contains(p)) {
                    let t = touched.entry(p).or_default();
                    t.sessions.insert(SessionId::parse(&id).map_err(internal)?);
                    t.session_events.push((id, version));
                }
            }
            "meeting" => {
                let change: MeetingChange = repo::unseal(keys, &aad, &key_id, &payload)?;
                if let Some(p) = change.participant().filter(|p| people.contains(p)) {
                    debug_assert!(meeting_change_concerns(&change, p));
                    let t = touched.entry(p).or_default();
                    t.meetings.insert(MeetingId::parse(&id).map_err(internal)?);
                    t.meeting_events.push((id, version));
                }
            }
            _ => {}
        }
    }
    Ok(touched)
}

/// Authorise erasing `categories` of the case (the core's policy, action `erase`).
fn authorise(
    store_policy: perspectief_core::AccessPolicy,
    caller: &Caller,
    case: &perspectief_core::Case,
    categories: &BTreeSet<DataCategory>,
    today: chrono::NaiveDate,
) -> Result<perspectief_core::Basis, DomainError> {
    let mut basis = None;
    for category in categories {
        let b = store_policy
            .decide(
                &caller.actor,
                Action::Erase,
                &Resource::CaseData { scope: case.scope(), category: *category },
                today,
            )
            .into_result()?;
        basis.get_or_insert(b);
    }
    basis.ok_or_else(|| internal("nothing to authorise"))
}

/// Redact the expired categories of one case, in the writer's transaction. Returns whether
/// anything was rewritten. When something was, the participant gets a **new data key**: the
/// case file, its display name and every event are sealed anew with it and the old key is
/// destroyed, so a copy of a value from before the redaction that survived somewhere (a freed
/// page, an old row put back) no longer opens.
async fn redact<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    case: &perspectief_core::Case,
    expired: &BTreeSet<DataCategory>,
) -> Result<bool, DomainError> {
    let id = case.id();
    let redacted = case.redacted(expired);
    let mut changed = &redacted != case;
    let rows = sql::all(
        c,
        "SELECT version, category, key_id, payload FROM case_events WHERE participant_id = $1 ORDER BY version",
        [id.to_string().into()],
    )
    .await
    .map_err(db)?;
    // Every event, opened with the key it was sealed with, and redacted where it expired.
    let mut cache = KeyCache::new(keys);
    let mut events = Vec::with_capacity(rows.len());
    for r in &rows {
        let category: String = get(r, "category").map_err(db)?;
        let version = u64::try_from(get::<i64>(r, "version").map_err(db)?).unwrap_or(0);
        let key_id: String = get(r, "key_id").map_err(db)?;
        let payload: Vec<u8> = get(r, "payload").map_err(db)?;
        let change: perspectief_core::CaseChange =
            cache.unseal(c, id, &repo::event_aad(id, version), &key_id, &payload).await?;
        let change = if expired.iter().any(|c| c.as_str() == category) {
            let r = redact_change(&change, expired);
            changed |= r != change;
            r
        } else {
            change
        };
        events.push((version, change));
    }
    if !changed {
        return Ok(false);
    }
    let own = repo::renew_participant_key(c, keys, id).await?;
    let bound = Some(case.version());
    let (key_id, state) = repo::seal_own(&own, &repo::state_aad(id, bound), &redacted)?;
    let (_, display) = repo::seal_own(&own, &repo::display_aad(id, bound), &redacted.profile().display_name())?;
    let n = sql::exec(
        c,
        "UPDATE participants SET key_id = $2, state = $3, display = $5, aad_version = 2 WHERE id = $1 AND version = $4",
        [
            id.to_string().into(),
            key_id.into(),
            state.into(),
            i64::try_from(case.version()).unwrap_or(i64::MAX).into(),
            display.into(),
        ],
    )
    .await
    .map_err(db)?;
    if n != 1 {
        return Err(internal(format!("participant {id}: the case changed during the retention run")));
    }
    for (version, change) in &events {
        let (key_id, payload) = repo::seal_own(&own, &repo::event_aad(id, *version), change)?;
        sql::exec(
            c,
            "UPDATE case_events SET key_id = $3, payload = $4 WHERE participant_id = $1 AND version = $2",
            [id.to_string().into(), i64::try_from(*version).unwrap_or(i64::MAX).into(), key_id.into(), payload.into()],
        )
        .await
        .map_err(db)?;
    }
    Ok(true)
}

/// Seal a session's or meeting's changed state anew in its row (`table`), bound to the
/// unchanged `version` (see `repo::binding`).
async fn reseal_state<C: ConnectionTrait, T: serde::Serialize>(
    c: &C,
    keys: &Keyring,
    table: &str,
    id: String,
    aad: &str,
    state: &T,
    version: u64,
) -> Result<(), DomainError> {
    let (key_id, state) = repo::seal(keys, aad, state)?;
    sql::exec(
        c,
        &format!("UPDATE {table} SET key_id = $2, state = $3, aad_version = 2 WHERE id = $1 AND version = $4"),
        [id.into(), key_id.into(), state.into(), i64::try_from(version).unwrap_or(i64::MAX).into()],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Erase a person wholly, in the writer's transaction: see the module documentation.
pub(crate) async fn erase_person<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
    touched: &Touched,
) -> Result<(), DomainError> {
    let (old, new) = (id.to_string(), ParticipantId::from_uuid(uuid::Uuid::new_v4()).to_string());
    // The pseudonym's row: only what the subsidy report groups by, no case file, no name. Its
    // latest assessment day goes with the activity-log rows it is derived from (moved below).
    sql::exec(
        c,
        "INSERT INTO participants (id, version, key_id, state, display, project_worker, phase, direction, \
         registered_on, limit_on, last_contact_on, nationality, outflow_outcome, outflow_on, updated_at, lvv_location, \
         last_assessed_on) \
         SELECT $2, 0, $3, $4, $4, project_worker, phase, direction, registered_on, limit_on, NULL, nationality, \
         outflow_outcome, outflow_on, 0, lvv_location, last_assessed_on FROM participants WHERE id = $1",
        [old.clone().into(), new.clone().into(), repo::ERASED_KEY_ID.into(), Vec::<u8>::new().into()],
    )
    .await
    .map_err(db)?;
    for table in ["activity_log", "report_firsts", "session_attendance"] {
        sql::exec(
            c,
            &format!("UPDATE {table} SET participant_id = $2 WHERE participant_id = $1"),
            [old.clone().into(), new.clone().into()],
        )
        .await
        .map_err(db)?;
    }
    let pseudonym = ParticipantId::parse(&new).map_err(internal)?;
    for session in &touched.sessions {
        if let Some(s) = repo::load_session(c, keys, *session).await? {
            let s = pseudonymise_in_session(&s, id, pseudonym);
            let aad = repo::session_aad(session, Some(s.version()));
            reseal_state(c, keys, "sessions", session.to_string(), &aad, &s, s.version()).await?;
        }
    }
    for (session, version) in &touched.session_events {
        let aad = repo::aggregate_event_aad("session", session, *version);
        let row = sql::one(
            c,
            "SELECT key_id, payload FROM aggregate_events WHERE aggregate = 'session' AND id = $1 AND version = $2",
            [session.clone().into(), i64::try_from(*version).unwrap_or(i64::MAX).into()],
        )
        .await
        .map_err(db)?;
        let Some(row) = row else { continue };
        let key_id: String = get(&row, "key_id").map_err(db)?;
        let payload: Vec<u8> = get(&row, "payload").map_err(db)?;
        let change: SessionChange = repo::unseal(keys, &aad, &key_id, &payload)?;
        let (key_id, payload) = repo::seal(keys, &aad, &pseudonymise_session_change(&change, id, pseudonym))?;
        sql::exec(
            c,
            "UPDATE aggregate_events SET key_id = $3, payload = $4 WHERE aggregate = 'session' AND id = $1 AND version = $2",
            [session.clone().into(), i64::try_from(*version).unwrap_or(i64::MAX).into(), key_id.into(), payload.into()],
        )
        .await
        .map_err(db)?;
    }
    for meeting in &touched.meetings {
        if let Some(m) = repo::load_meeting(c, keys, *meeting).await? {
            let m = erase_from_meeting(&m, id);
            let aad = repo::meeting_aad(meeting, Some(m.version()));
            reseal_state(c, keys, "meetings", meeting.to_string(), &aad, &m, m.version()).await?;
        }
    }
    for (meeting, version) in &touched.meeting_events {
        sql::exec(
            c,
            "DELETE FROM aggregate_events WHERE aggregate = 'meeting' AND id = $1 AND version = $2",
            [meeting.clone().into(), i64::try_from(*version).unwrap_or(i64::MAX).into()],
        )
        .await
        .map_err(db)?;
    }
    for (table, column) in [
        ("event_feed", "participant_id"),
        ("case_events", "participant_id"),
        ("goals", "participant_id"),
        ("agreements", "participant_id"),
        ("referrals", "participant_id"),
        ("report_periods", "participant_id"),
        ("judgment_communications", "participant_id"),
        ("consent_overrides", "participant_id"),
        // Only lifted holds can be left: a held person is never erased.
        ("legal_holds", "participant_id"),
        ("participants", "id"),
        ("participant_keys", "participant_id"),
        ("participant_numbers", "participant_id"),
    ] {
        sql::exec(c, &format!("DELETE FROM {table} WHERE {column} = $1"), [old.clone().into()]).await.map_err(db)?;
    }
    // An imported row's key stays, unlinked: the same spreadsheet row is still refused.
    sql::exec(c, "UPDATE imported_rows SET participant_id = NULL WHERE participant_id = $1", [old.clone().into()])
        .await
        .map_err(db)?;
    // The break-glass reads and exports go with the person; the record of an erasure on
    // request stays (it is the record that the erasure was asked for and carried out).
    sql::exec(
        c,
        "DELETE FROM break_glass WHERE participant_id = $1 AND kind <> 'erasure_on_request'",
        [old.clone().into()],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Leave no freed page and no WAL frame holding erased bytes (SQLite; PostgreSQL's VACUUM is
/// the DBA's).
pub(crate) async fn compact(store: &Store) -> Result<(), DomainError> {
    let c = &store.inner.reader;
    if c.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    c.execute_unprepared("VACUUM").await.map_err(db)?;
    // A checkpoint waits for readers; TRUNCATE empties the WAL file once every frame is back
    // in the database. Retry while a reader holds it up.
    for _ in 0..50 {
        let row = c
            .query_one_raw(sea_orm::Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_checkpoint(TRUNCATE)"))
            .await
            .map_err(db)?
            .ok_or_else(|| internal("wal_checkpoint returned nothing"))?;
        let busy: i64 = row.try_get_by_index(0).map_err(db)?;
        if busy == 0 {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(DomainError::Unavailable { reason: "the WAL could not be truncated: readers kept it busy".to_owned() })
}

impl Store {
    /// Run the retention `policy` as of today (the store's clock): erase what has expired, in
    /// this database and in every managed backup ([`Store::backup_dir`]). With `dry_run`
    /// nothing changes and the report says what would be erased. The project lead only (the
    /// core's policy, action `erase`); each participant's erasure is one transaction and one
    /// access-log record. See the module documentation of `retention.rs` for what is erased.
    pub async fn run_retention(
        &self,
        caller: &Caller,
        policy: &RetentionPolicy,
        dry_run: bool,
    ) -> Result<RetentionReport, DomainError> {
        // Who may not erase learns nothing, not even that nobody is due.
        let mut entry = self.entry(caller, Action::Erase, if dry_run { "retention_dry_run" } else { "retention_run" });
        entry.purpose = Purpose::SubjectRights;
        let allowed = decide_retention(&self.inner.policy, &caller.actor, amsterdam_date(self.now()));
        if let Ok(basis) = &allowed {
            entry.basis = Some(*basis);
        }
        self.audited(entry, allowed).await?;
        let held = crate::erasure::held(&self.inner.reader).await?;
        let mut report = self.retain(caller, Some(policy), &BTreeMap::new(), &held, false, dry_run).await?;
        let mut explicit: BTreeMap<ParticipantId, RetentionPlan> = report
            .participants
            .iter()
            .map(|p| (p.participant, RetentionPlan { expired: p.categories.clone(), erase_person: p.erase_person }))
            .collect();
        // People erased on request may still be in a backup made before their erasure.
        for id in crate::erasure::erased_on_request(&self.inner.reader).await? {
            explicit.insert(id, RetentionPlan { expired: DataCategory::ALL.into_iter().collect(), erase_person: true });
        }
        if dry_run {
            report.backups = self.managed_backup_names()?;
        } else {
            report.backups = self.erase_in_backups(caller, Some(policy), &explicit, &held, false).await?;
        }
        Ok(report)
    }

    fn managed_backup_names(&self) -> Result<Vec<String>, DomainError> {
        Ok(self
            .managed_backups()
            .map_err(internal)?
            .iter()
            .map(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            .collect())
    }

    /// Apply `explicit` plans (and `policy`, when given) to every managed backup, skipping the
    /// people in `skip` (held in the live database); `confirmed`: the explicit plans were
    /// authorised by a second person's confirmation (an erasure on request). Returns the
    /// backups' file names.
    pub(crate) async fn erase_in_backups(
        &self,
        caller: &Caller,
        policy: Option<&RetentionPolicy>,
        explicit: &BTreeMap<ParticipantId, RetentionPlan>,
        skip: &BTreeSet<ParticipantId>,
        confirmed: bool,
    ) -> Result<Vec<String>, DomainError> {
        let mut names = Vec::new();
        for path in self.managed_backups().map_err(internal)? {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let mut options = StoreOptions::new(format!("sqlite://{}", path.display()), self.inner.keys.clone());
            options.foundation = Some(self.inner.policy.foundation);
            options.clock = self.inner.clock.clone();
            options.read_connections = 1;
            options.backup_dir = None;
            let backup = Store::open(options).await.map_err(internal)?;
            backup.retain(caller, policy, explicit, skip, confirmed, false).await?;
            names.push(name);
        }
        Ok(names)
    }

    /// The retention run on this database alone, with `explicit` plans added to what the
    /// policy finds (a backup gets the plans of the live database).
    ///
    /// People in `skip` (and, checked again in each write transaction, anyone with a legal
    /// hold in this database) are left alone and reported as held. `confirmed`: the explicit
    /// plans were authorised by a second person's confirmation (an erasure on request), not by
    /// the caller's own right to erase.
    async fn retain(
        &self,
        caller: &Caller,
        policy: Option<&RetentionPolicy>,
        explicit: &BTreeMap<ParticipantId, RetentionPlan>,
        skip: &BTreeSet<ParticipantId>,
        confirmed: bool,
        dry_run: bool,
    ) -> Result<RetentionReport, DomainError> {
        let today = amsterdam_date(self.now());
        let rows = sql::all(
            &self.inner.reader,
            "SELECT id, outflow_on, limit_on FROM participants WHERE key_id <> 'erased' ORDER BY id",
            [],
        )
        .await
        .map_err(db)?;
        let mut plans: BTreeMap<ParticipantId, RetentionPlan> = BTreeMap::new();
        let mut held = Vec::new();
        let mut overdue = Vec::new();
        let skip: BTreeSet<ParticipantId> =
            skip.union(&crate::erasure::held(&self.inner.reader).await?).copied().collect();
        for r in &rows {
            let id = ParticipantId::parse(&get::<String>(r, "id").map_err(db)?).map_err(internal)?;
            let outflow: Option<String> = get(r, "outflow_on").map_err(db)?;
            let outflow = outflow.map(|d| sql::parse_date(&d)).transpose().map_err(db)?;
            let limit_on = sql::parse_date(&get::<String>(r, "limit_on").map_err(db)?).map_err(db)?;
            let mut plan = RetentionPlan::default();
            if let Some(policy) = policy {
                plan = policy.plan_for(outflow, limit_on, today);
                overdue.extend(policy.overdue(id, outflow, limit_on, today));
            }
            if let Some(extra) = explicit.get(&id) {
                plan = plan.merge(extra);
            }
            if plan.is_empty() {
                continue;
            }
            if skip.contains(&id) {
                held.push(id);
            } else {
                plans.insert(id, plan);
            }
        }
        let whole: BTreeSet<ParticipantId> = plans.iter().filter(|(_, p)| p.erase_person).map(|(id, _)| *id).collect();
        let touched = if dry_run {
            BTreeMap::new()
        } else {
            scan_aggregates(&self.inner.reader, &self.inner.keys, &whole).await?
        };
        let mut report =
            RetentionReport { day: Some(today), dry_run, participants: Vec::new(), backups: Vec::new(), held, overdue };
        let mut changed = false;
        for (id, plan) in plans {
            let operation = match (dry_run, plan.erase_person) {
                (true, _) => "retention_plan",
                (false, true) => "retention_erase_person",
                (false, false) => "retention_redact",
            };
            let mut entry = self.entry(caller, Action::Erase, operation);
            entry.participant = Some(id);
            entry.purpose = Purpose::SubjectRights;
            if plan.expired.len() == 1 {
                entry.category = plan.expired.first().copied();
            }
            let (keys, store_policy, caller2, t) = (
                self.inner.keys.clone(),
                self.inner.policy,
                caller.clone(),
                touched.get(&id).cloned().unwrap_or_default(),
            );
            let expired = plan.expired.clone();
            let work: Work = Box::new(move |txn, entry| {
                Box::pin(async move {
                    let Some(case) = repo::load_case(txn, &keys, id).await? else {
                        return Ok(Box::new(Some(false)) as Output);
                    };
                    entry.basis = Some(if confirmed {
                        perspectief_core::Basis::RoleRule
                    } else {
                        authorise(store_policy, &caller2, &case, &expired, today)?
                    });
                    // A hold set since the scan: left alone, and reported as held.
                    if crate::erasure::is_held(txn, id).await? {
                        return Ok(Box::new(None::<bool>) as Output);
                    }
                    if dry_run {
                        return Ok(Box::new(Some(false)) as Output);
                    }
                    let changed = if plan.erase_person {
                        erase_person(txn, &keys, id, &t).await?;
                        true
                    } else {
                        redact(txn, &keys, &case, &expired).await?
                    };
                    Ok(Box::new(Some(changed)) as Output)
                })
            });
            let Some(done) = downcast::<Option<bool>>(self.inner.writer.submit(entry, Some(work)).await?)? else {
                report.held.push(id);
                continue;
            };
            changed |= done;
            if done {
                // What expired should not outlive the run in the case cache either.
                self.inner.writer.cases.forget(id);
            }
            report.participants.push(ParticipantRetention {
                participant: id,
                categories: plan.expired.clone(),
                erase_person: plan.erase_person,
            });
        }
        if !dry_run {
            if changed {
                compact(self).await?;
            } else if self.inner.reader.get_database_backend() == DbBackend::Sqlite {
                // Nothing erased now; still leave the WAL empty.
                self.inner.reader.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.map_err(db)?;
            }
        }
        Ok(report)
    }

    /// The managed backup directory, if this store has one (SQLite files: next to the
    /// database, `<name>.backups/`, unless configured otherwise).
    pub fn backup_dir(&self) -> Option<&std::path::Path> {
        self.inner.backup_dir.as_deref()
    }

    /// The managed backups, oldest first (by name, which starts with the time it was made).
    pub fn managed_backups(&self) -> Result<Vec<PathBuf>, crate::StoreError> {
        let Some(dir) = self.backup_dir() else { return Ok(Vec::new()) };
        let io = |e: std::io::Error| crate::StoreError::Io {
            what: format!("listing backups in {}", dir.display()),
            reason: e.to_string(),
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(e)),
        };
        let mut paths = Vec::new();
        for entry in entries {
            let path = entry.map_err(io)?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with(BACKUP_PREFIX) && name.ends_with(".db") {
                paths.push(path);
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// Make a managed backup (a consistent copy, `VACUUM INTO`) in the backup directory, which
    /// is created readable by its owner only. The retention run processes every managed backup.
    pub async fn managed_backup(&self) -> Result<PathBuf, crate::StoreError> {
        let dir = self.backup_dir().ok_or_else(|| {
            crate::StoreError::UnsupportedUrl("managed backups are for SQLite file databases".to_owned())
        })?;
        let io = |e: std::io::Error| crate::StoreError::Io {
            what: format!("creating {}", dir.display()),
            reason: e.to_string(),
        };
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(io)?;
        let stamp = self.now().format("%Y%m%dT%H%M%S%.6fZ");
        let path = dir.join(format!("{BACKUP_PREFIX}{stamp}-{}.db", &uuid::Uuid::new_v4().simple().to_string()[..8]));
        self.backup_to(&path).await?;
        Ok(path)
    }
}

/// How managed backups' file names start.
const BACKUP_PREFIX: &str = "perspectief-backup-";
