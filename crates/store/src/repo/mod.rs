//! Loading and saving aggregates: sealed state and events, plus the plain projection rows
//! (ids, statuses, dates) that indexed queries use.

use perspectief_core::case::{Case, CaseChange, CaseEvent};
use perspectief_core::late::LateEntryPolicy;
use perspectief_core::meeting::{ChainMeeting, MeetingEvent};
use perspectief_core::participant::Nationality;
use perspectief_core::session::{InformationSession, SessionChange, SessionEvent};
use perspectief_core::time::amsterdam_date;
use perspectief_core::{DomainError, EntityKind, MeetingId, ParticipantId, SessionId};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cache::{Cached, CaseCache, HEAD_LEN};
use crate::crypto::Keyring;
use crate::deferred::{ActivityRow, Deferred, EventRow};
use crate::error::{db, internal};
use crate::sql::{self, get};

mod shared;

pub(crate) use shared::*;

fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub(crate) fn seal<T: Serialize>(keys: &Keyring, aad: &str, value: &T) -> Result<(String, Vec<u8>), DomainError> {
    let json = serde_json::to_vec(value).map_err(internal)?;
    let sealed = keys.seal(aad.as_bytes(), &json).map_err(internal)?;
    Ok((sealed.key_id, sealed.blob))
}

pub(crate) fn unseal<T: DeserializeOwned>(
    keys: &Keyring,
    aad: &str,
    key_id: &str,
    blob: &[u8],
) -> Result<T, DomainError> {
    let json = keys.open(key_id, aad.as_bytes(), blob).map_err(internal)?;
    // serde's messages quote the offending value, which is personal data: log only where.
    serde_json::from_slice(&json).map_err(|e| {
        internal(format!("stored value at {aad} does not decode (line {}, column {})", e.line(), e.column()))
    })
}

// ---- Sealed state bound to its version ---------------------------------------------------
//
// A row's sealed state (a case file and its display name, a session, a meeting) is bound to
// the row *and its version*: an older state put back into the row, with or without its old
// version number, does not open (for a case file, the version must also be the one of its
// latest event). The `aad_version` column says how a row was sealed: rows written before this
// binding (1) open with the row alone, and are bound at their next change.

/// `aad_version` of a row sealed bound to its version.
pub(crate) const BOUND_TO_VERSION: i64 = 2;

/// The version a row's seal is bound to, from its `aad_version` and `version` columns.
pub(crate) fn binding(aad_version: i64, version: i64) -> Option<u64> {
    (aad_version >= BOUND_TO_VERSION).then(|| u64::try_from(version).unwrap_or(0))
}

fn bound(place: String, version: Option<u64>) -> String {
    match version {
        Some(v) => format!("{place}@{v}"),
        None => place,
    }
}

pub(crate) fn state_aad(id: ParticipantId, version: Option<u64>) -> String {
    bound(format!("participant:{id}"), version)
}

pub(crate) fn display_aad(id: ParticipantId, version: Option<u64>) -> String {
    bound(format!("participant-display:{id}"), version)
}

pub(crate) fn session_aad(id: impl std::fmt::Display, version: Option<u64>) -> String {
    bound(format!("session:{id}"), version)
}

pub(crate) fn meeting_aad(id: impl std::fmt::Display, version: Option<u64>) -> String {
    bound(format!("meeting:{id}"), version)
}

pub(crate) fn event_aad(id: ParticipantId, version: u64) -> String {
    format!("case-event:{id}:{version}")
}

// ---- Per-participant keys ----------------------------------------------------------------
//
// Everything sealed about one participant (the case state, the display name, the case events'
// payloads) is sealed with a random data key of that participant, stored wrapped (sealed under
// the foundation's keyring, bound to the participant) in `participant_keys`. Destroying that
// row makes every stray copy of those values in this database unreadable (a freed page, a WAL
// frame). A backup holds its own wrapped copy of the key: only the managed backups, which the
// retention run processes too, lose it; copies made by other means do not. Such values carry the
// marker `PARTICIPANT_KEY_ID` in their `key_id` column; values sealed before (with a foundation
// key, whose id is in the column) stay readable.

/// The `key_id` of a value sealed with its participant's own key.
pub(crate) const PARTICIPANT_KEY_ID: &str = "participant";

/// The `key_id` of a participant row that only holds the pseudonymised reporting attributes of
/// an erased person (no case file, no name): see `retention.rs`.
pub(crate) const ERASED_KEY_ID: &str = "erased";

pub(crate) fn participant_key_aad(id: ParticipantId) -> String {
    format!("participant-key:{id}")
}

/// A participant's data key (unwrapped, wiped when dropped) as a one-key keyring.
fn key_ring(key: &[u8]) -> Result<Keyring, DomainError> {
    let key: &[u8; 32] = key.try_into().map_err(|_| internal("a participant key is not 32 bytes"))?;
    Ok(Keyring::from_key(key))
}

/// The participant's data key, unwrapped; `None` when they have none (yet).
pub(crate) async fn participant_key<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
) -> Result<Option<Keyring>, DomainError> {
    let row =
        sql::one(c, "SELECT key_id, wrapped FROM participant_keys WHERE participant_id = $1", [id.to_string().into()])
            .await
            .map_err(db)?;
    let Some(row) = row else { return Ok(None) };
    let key_id: String = get(&row, "key_id").map_err(db)?;
    let wrapped: Vec<u8> = get(&row, "wrapped").map_err(db)?;
    unwrap_key(keys, id, &key_id, &wrapped).map(Some)
}

/// A participant's data key from its wrapped form.
fn unwrap_key(keys: &Keyring, id: ParticipantId, key_id: &str, wrapped: &[u8]) -> Result<Keyring, DomainError> {
    let key =
        zeroize::Zeroizing::new(keys.open(key_id, participant_key_aad(id).as_bytes(), wrapped).map_err(internal)?);
    key_ring(&key)
}

/// The participant's data key, made (random, wrapped under the current foundation key) when
/// they have none yet: a new participant, or one registered before participant keys.
pub(crate) async fn participant_key_or_new<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
) -> Result<Keyring, DomainError> {
    if let Some(ring) = participant_key(c, keys, id).await? {
        return Ok(ring);
    }
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(key.as_mut()).map_err(|e| internal(format!("generating a participant key: {e}")))?;
    let wrapped = keys.seal(participant_key_aad(id).as_bytes(), key.as_ref()).map_err(internal)?;
    sql::exec(
        c,
        "INSERT INTO participant_keys (participant_id, key_id, wrapped) VALUES ($1, $2, $3)",
        [id.to_string().into(), wrapped.key_id.into(), wrapped.blob.into()],
    )
    .await
    .map_err(db)?;
    key_ring(key.as_ref())
}

/// A new data key for the participant, replacing the one they had (which is destroyed: the
/// row is overwritten, and SQLite's `secure_delete` overwrites the old bytes). Everything
/// sealed with the old key must be sealed anew in the same transaction.
pub(crate) async fn renew_participant_key<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
) -> Result<Keyring, DomainError> {
    sql::exec(c, "DELETE FROM participant_keys WHERE participant_id = $1", [id.to_string().into()])
        .await
        .map_err(db)?;
    participant_key_or_new(c, keys, id).await
}

/// Seal a value about a participant with their key: (`PARTICIPANT_KEY_ID`, blob).
pub(crate) fn seal_own<T: Serialize>(key: &Keyring, aad: &str, value: &T) -> Result<(String, Vec<u8>), DomainError> {
    let (_, blob) = seal(key, aad, value)?;
    Ok((PARTICIPANT_KEY_ID.to_owned(), blob))
}

/// Participant keys met during one read, so a page of events or names unwraps each key once.
pub(crate) struct KeyCache<'k> {
    keys: &'k Keyring,
    found: std::collections::HashMap<ParticipantId, Option<Keyring>>,
}

impl<'k> KeyCache<'k> {
    pub(crate) fn new(keys: &'k Keyring) -> Self {
        Self { keys, found: std::collections::HashMap::new() }
    }

    /// Open a value about participant `id`, sealed with their key or (older values) with a
    /// foundation key.
    pub(crate) async fn unseal<C: ConnectionTrait, T: DeserializeOwned>(
        &mut self,
        c: &C,
        id: ParticipantId,
        aad: &str,
        key_id: &str,
        blob: &[u8],
    ) -> Result<T, DomainError> {
        if key_id != PARTICIPANT_KEY_ID {
            return unseal(self.keys, aad, key_id, blob);
        }
        if !self.found.contains_key(&id) {
            let key = participant_key(c, self.keys, id).await?;
            self.found.insert(id, key);
        }
        match self.found.get(&id) {
            Some(Some(key)) => unseal(key, aad, key.current_id(), blob),
            _ => Err(internal(format!("participant {id}: the data key is gone"))),
        }
    }
}

fn i64v(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Load a case; `None` when there is no such participant.
pub(crate) async fn load_case<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
) -> Result<Option<Case>, DomainError> {
    Ok(load_case_keyed(c, keys, id).await?.map(|(case, _)| case))
}

/// Load a case with its participant's data key (unwrapped; `None` when they have none yet),
/// both in one query; `None` when there is no such participant.
pub(crate) async fn load_case_keyed<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
) -> Result<Option<(Case, Option<Keyring>)>, DomainError> {
    Ok(load_case_from(c, keys, id, None).await?.map(|(case, own, _)| (case, own)))
}

/// How a cached load may use the cache: in the writer's transaction it only reads from it
/// (what it loads may be uncommitted); on the read pool it also keeps what it loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheUse {
    /// Read from the cache, add nothing (inside the writer's transaction).
    ReadOnly,
    /// Read from the cache and keep what was loaded (committed data only: the read pool).
    Fill,
}

/// [`load_case_keyed`] through `cache` (see cache.rs): the state is transferred, opened and
/// parsed only when the row holds another seal than the cached one. Still one query, and
/// every check of an uncached load (erased, data key present, versions) is made.
pub(crate) async fn load_case_keyed_cached<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    cache: &CaseCache,
    mode: CacheUse,
    id: ParticipantId,
) -> Result<Option<(Case, Option<Keyring>)>, DomainError> {
    let cached = cache.get(id);
    let loaded = load_case_from(c, keys, id, cached.as_deref()).await;
    match loaded {
        Ok(Some((case, own, Some(state)))) => {
            // Loaded from the row: the cached entry (if any) is stale.
            match (mode, Cached::new(&state, case.clone(), own.clone())) {
                (CacheUse::Fill, Some(entry)) => cache.put(id, entry),
                _ if cached.is_some() => cache.forget(id),
                _ => {}
            }
            Ok(Some((case, own)))
        }
        Ok(Some((case, own, None))) => Ok(Some((case, own))),
        Ok(None) => {
            cache.forget(id);
            Ok(None)
        }
        Err(e) => {
            cache.forget(id);
            Err(e)
        }
    }
}

/// Load a case (and its data key); with `cached`, the state is taken from it when the row still
/// holds the same seal. The third value is the sealed state when it was read from the row.
async fn load_case_from<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
    cached: Option<&Cached>,
) -> Result<Option<(Case, Option<Keyring>, Option<Vec<u8>>)>, DomainError> {
    // Without a cached entry the comparison is with NULL, never true: the state is read.
    let head: Option<Vec<u8>> = cached.map(|c| c.head.clone());
    let row = sql::one(
        c,
        &format!(
            "SELECT p.version, p.key_id, p.aad_version, k.key_id AS own_key_id, k.wrapped AS own_wrapped, \
             (SELECT MAX(e.version) FROM case_events e WHERE e.participant_id = p.id) AS latest, \
             CASE WHEN substr(p.state, 1, {HEAD_LEN}) = $2 THEN NULL ELSE p.state END AS state \
             FROM participants p LEFT JOIN participant_keys k ON k.participant_id = p.id WHERE p.id = $1"
        ),
        [id.to_string().into(), head.into()],
    )
    .await
    .map_err(db)?;
    let Some(row) = row else { return Ok(None) };
    let key_id: String = get(&row, "key_id").map_err(db)?;
    if key_id == ERASED_KEY_ID {
        return Ok(None);
    }
    let state: Option<Vec<u8>> = get(&row, "state").map_err(db)?;
    let version: i64 = get(&row, "version").map_err(db)?;
    let own_key_id: Option<String> = get(&row, "own_key_id").map_err(db)?;
    let own_wrapped: Option<Vec<u8>> = get(&row, "own_wrapped").map_err(db)?;
    let (case, own, state) = match (state, cached) {
        (Some(state), _) => {
            let aad = state_aad(id, binding(get(&row, "aad_version").map_err(db)?, version));
            let own = match (own_key_id, own_wrapped) {
                (Some(key_id), Some(wrapped)) => Some(unwrap_key(keys, id, &key_id, &wrapped)?),
                _ => None,
            };
            let case: Case = if key_id == PARTICIPANT_KEY_ID {
                let Some(own) = &own else { return Err(internal(format!("participant {id}: the data key is gone"))) };
                unseal(own, &aad, own.current_id(), &state)?
            } else {
                unseal(keys, &aad, &key_id, &state)?
            };
            (case, own, Some(state))
        }
        (None, Some(cached)) => {
            // The same seal as cached. Its data key must still be there (an uncached load
            // could not open the state otherwise), and be the one the entry holds.
            if (key_id == PARTICIPANT_KEY_ID) != cached.own.is_some()
                || (key_id == PARTICIPANT_KEY_ID && own_wrapped.is_none())
            {
                return Err(internal(format!("participant {id}: the data key is gone")));
            }
            (cached.case.clone(), cached.own.clone(), None)
        }
        (None, None) => return Err(internal(format!("participant {id}: the stored state is missing"))),
    };
    if i64v(case.version()) != version {
        return Err(internal(format!(
            "participant {id}: state version {} differs from row version {version}",
            case.version()
        )));
    }
    // The state is not older than the latest event: an older row put back is refused.
    let latest: Option<i64> = get(&row, "latest").map_err(db)?;
    if latest.is_some_and(|latest| latest > version) {
        return Err(internal(format!(
            "participant {id}: the stored state is version {version} but the case's latest event is {}",
            latest.unwrap_or_default()
        )));
    }
    Ok(Some((case, own, state)))
}

/// The display name of a participant (for listings), decrypted; an erased person's
/// pseudonymous row shows the erasure marker.
pub(crate) async fn display_name<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
    key_id: &str,
    blob: &[u8],
    bound_to: Option<u64>,
) -> Result<String, DomainError> {
    if key_id == ERASED_KEY_ID {
        return Ok(perspectief_core::retention::ERASED.to_owned());
    }
    KeyCache::new(keys).unseal(c, id, &display_aad(id, bound_to), key_id, blob).await
}

/// Save a case after `events` were applied to it. `previous` is the version it was loaded at
/// (`None` for a new case); the update only succeeds if that is still the stored version.
pub(crate) async fn save_case<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    case: &Case,
    previous: Option<u64>,
    events: &[CaseEvent],
) -> Result<(), DomainError> {
    let mut rows = Deferred::default();
    save_case_deferred(c, keys, None, case, previous, events, &mut rows).await?;
    rows.flush(c).await.map_err(db)
}

/// [`save_case`], with the rows that nothing reads back before the commit (events, feed
/// positions, activity log, report projection) put in `rows` for the writer to write with its
/// group. `own` is the participant's data key when the caller has it ([`load_case_keyed`]).
pub(crate) async fn save_case_deferred<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    own: Option<Keyring>,
    case: &Case,
    previous: Option<u64>,
    events: &[CaseEvent],
    rows: &mut Deferred,
) -> Result<(), DomainError> {
    rows.writing = true;
    let id = case.id();
    let own = match own {
        Some(own) => own,
        None => participant_key_or_new(c, keys, id).await?,
    };
    let (key_id, state) = seal_own(&own, &state_aad(id, Some(case.version())), case)?;
    let sealed_head = state.get(..HEAD_LEN).unwrap_or_default().to_vec();
    let (_, display) = seal_own(&own, &display_aad(id, Some(case.version())), &case.profile().display_name())?;
    let p = case.profile();
    let nationality = p.nationalities.iter().find_map(|n| match n {
        Nationality::Country(c) => Some(c.to_string()),
        _ => None,
    });
    let last_contact_on = case.last_contact_at().map(|at| sql::date(amsterdam_date(at)));
    let outflow = case.outflow();
    let updated_at = events.last().map_or(0, |e| sql::micros(e.at));
    let values: Vec<sea_orm::Value> = vec![
        id.to_string().into(),
        i64v(case.version()).into(),
        key_id.clone().into(),
        state.into(),
        display.into(),
        p.project_worker.to_string().into(),
        case.phase().as_str().to_owned().into(),
        case.direction().as_str().to_owned().into(),
        sql::date(case.registered_on()).into(),
        sql::date(case.trajectory().limit()).into(),
        last_contact_on.into(),
        nationality.clone().into(),
        outflow.map(|o| name(&o.outcome)).into(),
        outflow.map(|o| sql::date(o.on)).into(),
        updated_at.into(),
        p.lvv_location.as_ref().map(ToString::to_string).into(),
        case.last_assessed_on().map(sql::date).into(),
        case.termination_advised_on().map(sql::date).into(),
    ];
    match previous {
        None => {
            let inserted = sql::exec(
                c,
                "INSERT INTO participants (id, version, key_id, state, display, project_worker, phase, direction, \
                 registered_on, limit_on, last_contact_on, nationality, outflow_outcome, outflow_on, updated_at, lvv_location, \
                 last_assessed_on, termination_advised_on, aad_version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 2)",
                values,
            )
            .await;
            match inserted {
                Ok(_) => {}
                Err(e) if sql::is_unique_violation(&e) => {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::Participant, id: id.to_string() });
                }
                Err(e) => return Err(db(e)),
            }
        }
        Some(previous) => {
            let mut values = values;
            values.push(i64v(previous).into());
            let n = sql::exec(
                c,
                "UPDATE participants SET version = $2, key_id = $3, state = $4, display = $5, project_worker = $6, \
                 phase = $7, direction = $8, registered_on = $9, limit_on = $10, last_contact_on = $11, \
                 nationality = $12, outflow_outcome = $13, outflow_on = $14, updated_at = $15, lvv_location = $16, \
                 last_assessed_on = $17, termination_advised_on = $18, aad_version = 2 WHERE id = $1 AND version = $19",
                values,
            )
            .await
            .map_err(db)?;
            if n != 1 {
                let current = current_version(c, id).await?;
                return Err(DomainError::VersionConflict { expected: previous, current });
            }
        }
    }
    if previous.is_some() {
        // The row's breakdown attributes, copied onto the report projection's rows.
        rows.sync(&id.to_string());
    }
    for e in events {
        save_case_event(c, &own, case, e, rows).await?;
    }
    // Kept in the cache only if the group commits (see writer.rs).
    if let Some(entry) = Cached::new(&sealed_head, case.clone(), Some(own)) {
        rows.fills.push(id, entry);
    }
    Ok(())
}

async fn current_version<C: ConnectionTrait>(c: &C, id: ParticipantId) -> Result<u64, DomainError> {
    let row =
        sql::one(c, "SELECT version FROM participants WHERE id = $1", [id.to_string().into()]).await.map_err(db)?;
    let v: i64 = row.map(|r| get(&r, "version")).transpose().map_err(db)?.unwrap_or(0);
    Ok(u64::try_from(v).unwrap_or(0))
}

/// Save one event of a case, its payload sealed with the participant's key `own`: the rows
/// appended go to `rows`, the projections are updated now.
async fn save_case_event<C: ConnectionTrait>(
    c: &C,
    own: &Keyring,
    case: &Case,
    e: &CaseEvent,
    rows: &mut Deferred,
) -> Result<(), DomainError> {
    let id = case.id();
    let (key_id, payload) = seal_own(own, &event_aad(id, e.version), &e.change)?;
    let (effective_on, days_late) = crate::late::event_columns(&e.change, e.at);
    rows.event(EventRow {
        participant_id: id.to_string(),
        version: i64v(e.version),
        at: sql::micros(e.at),
        actor: e.actor.to_string(),
        kind: e.change.kind().to_owned(),
        category: e.change.category().as_str().to_owned(),
        key_id,
        payload,
        effective_on,
        days_late,
    });
    // The day an activity counts on: the day it took effect (a contact on the day it took
    // place, a plan on the day it was drawn up), not the day it was entered.
    let on = e.change.effective_on(e.at);
    let contact_id = match &e.change {
        CaseChange::ContactLogged { contact, .. } => Some(contact.id.to_string()),
        _ => None,
    };
    let codes = e.change.activities();
    for code in &codes {
        rows.activity(ActivityRow {
            participant_id: id.to_string(),
            version: i64v(e.version),
            code: code.code().to_owned(),
            on_date: sql::date(on),
            actor: e.actor.to_string(),
            contact_id: contact_id.clone(),
        });
    }
    rows.first(&id.to_string(), crate::firsts::measures(&codes), &sql::date(on));
    project(c, case, &e.change).await
}

/// Keep the plain projection rows of goals, agreements and referrals current, and the
/// worklist's reporting stretches and expected judgment communications (each rewritten whole
/// for the participant from the core's rule, when a change touches it).
async fn project<C: ConnectionTrait>(c: &C, case: &Case, change: &CaseChange) -> Result<(), DomainError> {
    match change {
        CaseChange::Registered { .. } | CaseChange::ProgressReportSent(_) | CaseChange::ReportingScheduleSet { .. } => {
            project_report_periods(c, case).await?;
        }
        CaseChange::JudgmentRecorded(_) | CaseChange::JudgmentCommunicated { .. } => {
            project_communications(c, case).await?;
        }
        CaseChange::ReferralAdvanced { step, .. } if step.status == perspectief_core::ReferralStatus::Sent => {
            project_communications(c, case).await?;
        }
        _ => {}
    }
    let p = case.id().to_string();
    let row = match change {
        CaseChange::GoalSet(perspectief_core::Goal { id, .. }) | CaseChange::GoalStatusChanged { goal: id, .. } => case
            .goal(*id)
            .map(|g| dated_status("goals", "deadline", g.id.to_string(), p, g.deadline, g.status.as_str())),
        CaseChange::AgreementMade { agreement: perspectief_core::Agreement { id, .. }, .. }
        | CaseChange::AgreementSettled { agreement: id, .. } => case
            .agreement(*id)
            .map(|a| dated_status("agreements", "due_on", a.id.to_string(), p, a.due_on, a.status.as_str())),
        CaseChange::ReferralProposed(perspectief_core::Referral { id, .. })
        | CaseChange::ReferralAdvanced { referral: id, .. } => case.referral(*id).map(|r| {
            let sql = "INSERT INTO referrals (id, participant_id, partner, domain, status, sent_on) \
                       VALUES ($1, $2, $3, $4, $5, $6) \
                       ON CONFLICT (id) DO UPDATE SET status = excluded.status, sent_on = excluded.sent_on";
            let values: Vec<sea_orm::Value> = vec![
                r.id.to_string().into(),
                p.into(),
                r.partner.to_string().into(),
                r.domain.as_str().to_owned().into(),
                r.status().as_str().to_owned().into(),
                r.sent_on().map(sql::date).into(),
            ];
            (sql.to_owned(), values)
        }),
        _ => None,
    };
    if let Some((statement, values)) = row {
        sql::exec(c, &statement, values).await.map_err(db)?;
    }
    Ok(())
}

/// Replace a participant's rows of `table` (columns `columns`, the participant's id first)
/// with `rows`, in one statement each for the delete and the insert.
async fn replace_rows<C: ConnectionTrait>(
    c: &C,
    table: &str,
    columns: &[&str],
    participant: String,
    rows: Vec<Vec<sea_orm::Value>>,
) -> Result<(), DomainError> {
    sql::exec(c, &format!("DELETE FROM {table} WHERE participant_id = $1"), [participant.clone().into()])
        .await
        .map_err(db)?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mut tuples = Vec::with_capacity(rows.len());
    for row in rows {
        let mut params = vec![format!("${}", values.len() + 1)];
        values.push(participant.clone().into());
        for v in row {
            values.push(v);
            params.push(format!("${}", values.len()));
        }
        tuples.push(format!("({})", params.join(", ")));
    }
    let statement = format!("INSERT INTO {table} ({}) VALUES {}", columns.join(", "), tuples.join(", "));
    sql::exec(c, &statement, values).await.map_err(db)?;
    Ok(())
}

/// The reporting stretches of a case ([`Case::report_periods`]).
async fn project_report_periods<C: ConnectionTrait>(c: &C, case: &Case) -> Result<(), DomainError> {
    let rows = case
        .report_periods()
        .into_iter()
        .map(|r| vec![sql::date(r.from).into(), r.until.map(sql::date).into(), sql::date(r.due_on).into()])
        .collect();
    let columns = ["participant_id", "from_on", "until_on", "due_on"];
    replace_rows(c, "report_periods", &columns, case.id().to_string(), rows).await
}

/// A judgment's recipient as the `judgment_communications` table writes it.
pub(crate) fn recipient_text(to: perspectief_core::Recipient) -> String {
    match to {
        perspectief_core::Recipient::Participant => "participant".to_owned(),
        perspectief_core::Recipient::Municipality => "municipality".to_owned(),
        perspectief_core::Recipient::Partner(o) => format!("partner:{o}"),
    }
}

/// The `meta` key that says the judgments recorded before migration 23 are projected.
const COMMUNICATIONS_FILLED: &str = "judgment_communications_filled";

/// Fill `judgment_communications` for the cases that recorded a judgment before migration 23
/// (their judgments are sealed, so the migration could not), once: on the first open with the
/// keys, in one transaction. Only cases with a `judgment_recorded` event are read.
pub(crate) async fn fill_judgment_communications(
    conn: &sea_orm::DatabaseConnection,
    keys: &Keyring,
) -> Result<(), DomainError> {
    let filled = "SELECT value FROM meta WHERE key = $1";
    if sql::one(conn, filled, [COMMUNICATIONS_FILLED.into()]).await.map_err(db)?.is_some() {
        return Ok(());
    }
    let txn = sql::upgrade_transaction(conn).await.map_err(db)?;
    // Another process may have filled them while this one waited for the lock.
    if sql::one(&txn, filled, [COMMUNICATIONS_FILLED.into()]).await.map_err(db)?.is_some() {
        return txn.rollback().await.map_err(db);
    }
    let rows = sql::all(
        &txn,
        "SELECT DISTINCT participant_id FROM case_events WHERE kind = 'judgment_recorded'",
        Vec::<sea_orm::Value>::new(),
    )
    .await
    .map_err(db)?;
    for r in &rows {
        let id = ParticipantId::parse(&get::<String>(r, "participant_id").map_err(db)?).map_err(internal)?;
        if let Some(case) = load_case(&txn, keys, id).await? {
            project_communications(&txn, &case).await?;
        }
    }
    sql::exec(&txn, "INSERT INTO meta (key, value) VALUES ($1, $2)", [COMMUNICATIONS_FILLED.into(), "1".into()])
        .await
        .map_err(db)?;
    txn.commit().await.map_err(db)
}

/// The communications a case's final judgments call for ([`Case::expected_communications`]).
async fn project_communications<C: ConnectionTrait>(c: &C, case: &Case) -> Result<(), DomainError> {
    let rows = case
        .expected_communications()
        .into_iter()
        .map(|e| {
            vec![
                e.judgment.to_string().into(),
                recipient_text(e.to).into(),
                sql::date(e.from).into(),
                e.communicated_on.map(sql::date).into(),
            ]
        })
        .collect();
    let columns = ["participant_id", "judgment_id", "recipient", "from_on", "communicated_on"];
    replace_rows(c, "judgment_communications", &columns, case.id().to_string(), rows).await
}

/// The upsert of a goal's or agreement's projection row: id, participant, its date column, status.
fn dated_status(
    table: &str,
    date: &str,
    id: String,
    participant: String,
    on: chrono::NaiveDate,
    status: &str,
) -> (String, Vec<sea_orm::Value>) {
    let statement = format!(
        "INSERT INTO {table} (id, participant_id, {date}, status) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET {date} = excluded.{date}, status = excluded.status"
    );
    (statement, vec![id.into(), participant.into(), sql::date(on).into(), status.to_owned().into()])
}

/// A case's events after a version, each marked late by the threshold in force.
pub(crate) async fn case_events<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: ParticipantId,
    after: u64,
    limit: u32,
) -> Result<Vec<CaseEvent>, DomainError> {
    let policy = crate::late::policy(c).await?;
    let rows = sql::all(
        c,
        "SELECT version, at, actor, key_id, payload, days_late FROM case_events \
         WHERE participant_id = $1 AND version > $2 ORDER BY version LIMIT $3",
        [id.to_string().into(), i64v(after).into(), i64::from(limit).into()],
    )
    .await
    .map_err(db)?;
    let mut cache = KeyCache::new(keys);
    let mut events = Vec::with_capacity(rows.len());
    for r in &rows {
        events.push(event_from_row(c, r, &mut cache, id, policy).await?);
    }
    Ok(events)
}

/// A stored case event (columns version, at, actor, key_id, payload, days_late), unsealed and
/// marked late by `policy` (an event stored before migration 20 and not yet filled in is not).
async fn event_from_row<C: ConnectionTrait>(
    c: &C,
    r: &sea_orm::QueryResult,
    cache: &mut KeyCache<'_>,
    id: ParticipantId,
    policy: LateEntryPolicy,
) -> Result<CaseEvent, DomainError> {
    let days_late: Option<i64> = get(r, "days_late").map_err(db)?;
    let version: i64 = get(r, "version").map_err(db)?;
    let version = u64::try_from(version).unwrap_or(0);
    let key_id: String = get(r, "key_id").map_err(db)?;
    let payload: Vec<u8> = get(r, "payload").map_err(db)?;
    let actor: String = get(r, "actor").map_err(db)?;
    Ok(CaseEvent {
        participant: id,
        version,
        at: sql::from_micros(get(r, "at").map_err(db)?).map_err(db)?,
        actor: perspectief_core::UserId::parse(&actor).map_err(internal)?,
        change: cache.unseal(c, id, &event_aad(id, version), &key_id, &payload).await?,
        late: days_late.is_some_and(|d| policy.is_late_by(d)),
    })
}

/// Case events after a feed position, in feed order, at most `limit`: each with its position.
pub(crate) async fn feed<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    after: u64,
    limit: u32,
) -> Result<Vec<(u64, CaseEvent)>, DomainError> {
    let rows = sql::all(
        c,
        "SELECT f.position, e.participant_id, e.version, e.at, e.actor, e.key_id, e.payload, e.days_late \
         FROM event_feed f JOIN case_events e ON e.participant_id = f.participant_id AND e.version = f.version \
         WHERE f.position > $1 ORDER BY f.position LIMIT $2",
        [i64v(after).into(), i64::from(limit).into()],
    )
    .await
    .map_err(db)?;
    let policy = crate::late::policy(c).await?;
    let mut cache = KeyCache::new(keys);
    let mut events = Vec::with_capacity(rows.len());
    for r in &rows {
        let position: i64 = get(r, "position").map_err(db)?;
        let participant: String = get(r, "participant_id").map_err(db)?;
        let id = ParticipantId::parse(&participant).map_err(internal)?;
        let event = event_from_row(c, r, &mut cache, id, policy).await?;
        events.push((u64::try_from(position).unwrap_or(0), event));
    }
    Ok(events)
}

/// Whether a participant exists.
pub(crate) async fn participant_exists<C: ConnectionTrait>(c: &C, id: ParticipantId) -> Result<bool, DomainError> {
    Ok(sql::one(c, "SELECT 1 AS one FROM participants WHERE id = $1 AND key_id <> 'erased'", [id.to_string().into()])
        .await
        .map_err(db)?
        .is_some())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use perspectief_core::case::{Case, CaseCommand, CommandContext, RegisterParticipant};
    use perspectief_core::*;
    use sea_orm::Database;
    use sea_orm_migration::MigratorTrait;

    use super::*;
    use crate::migrations::Migrator;

    /// The UPDATE's own version check (not only the one before it) refuses a stale save.
    #[tokio::test]
    async fn a_stale_save_is_refused_by_the_update_itself() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
        let ctx = CommandContext::at(UserId::from_u128(1), Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap());
        let profile = ParticipantProfile::minimal(Name::parse("Versie").unwrap(), UserId::from_u128(1));
        let (mut case, first) = Case::register(
            RegisterParticipant { id: ParticipantId::from_u128(9), profile, registered_on: ctx.today },
            &ctx,
        )
        .unwrap();
        save_case(&db, &keys, &case, None, &[first]).await.unwrap();
        let revise = CaseCommand::RevisePlan {
            personal_situation: Text::parse("a").unwrap(),
            perspective: Text::parse("b").unwrap(),
            on: None,
        };
        let mut other = case.clone();
        let events = case.execute(revise.clone(), &ctx).unwrap();
        save_case(&db, &keys, &case, Some(1), &events).await.unwrap();
        // A second writer that also loaded version 1.
        let events = other.execute(revise, &ctx).unwrap();
        let err = save_case(&db, &keys, &other, Some(1), &events).await.unwrap_err();
        assert_eq!(err, DomainError::VersionConflict { expected: 1, current: 2 });
        assert_eq!(load_case(&db, &keys, case.id()).await.unwrap().unwrap(), case);
    }

    /// Runs `fill` on one connection of a SQLite file with a registered participant whose
    /// events lack their effective dates (as before migration 20), while another connection
    /// holds the write lock with an uncommitted write and commits it 300 ms later.
    async fn beside_another_writer<F, Fut>(fill: F)
    where
        F: FnOnce(sea_orm::DatabaseConnection, Keyring) -> Fut,
        Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
    {
        use std::time::Duration;
        let dir = std::env::temp_dir().join(format!("perspectief-fill-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("p.db").display());
        let connect = || Database::connect(crate::open::sqlite_options(&url, 1, Duration::from_secs(10)));
        let (filler, other) = (connect().await.unwrap(), connect().await.unwrap());
        Migrator::up(&filler, None).await.unwrap();
        let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
        let ctx = CommandContext::at(UserId::from_u128(1), Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap());
        let profile = ParticipantProfile::minimal(Name::parse("Wachten").unwrap(), UserId::from_u128(1));
        let (case, first) = Case::register(
            RegisterParticipant { id: ParticipantId::from_u128(9), profile, registered_on: ctx.today },
            &ctx,
        )
        .unwrap();
        save_case(&filler, &keys, &case, None, &[first]).await.unwrap();
        sql::exec(&filler, "UPDATE case_events SET effective_on = NULL, days_late = NULL", []).await.unwrap();
        sql::exec(
            &filler,
            "DELETE FROM meta WHERE key IN ('effective_dates_filled', $1)",
            [COMMUNICATIONS_FILLED.into()],
        )
        .await
        .unwrap();
        // The other connection holds the write lock with a write not yet committed.
        let holding = sql::write_transaction(&other).await.unwrap();
        sql::exec(&holding, "INSERT INTO meta (key, value) VALUES ('other', '1')", []).await.unwrap();
        let filling = tokio::spawn(fill(filler.clone(), keys));
        // Long enough for a deferred transaction to have read its snapshot before the commit.
        tokio::time::sleep(Duration::from_millis(300)).await;
        holding.commit().await.unwrap();
        filling.await.unwrap().unwrap();
        let flags = sql::all(&filler, "SELECT key FROM meta WHERE key = 'other'", []).await.unwrap();
        assert_eq!(flags.len(), 1);
        drop((filler, other));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// An open fills what migration 23 could not while another connection (another process on
    /// the same file, or a store being dropped whose checkpoint is still being written) commits:
    /// the fill waits for the write lock instead of failing on a stale snapshot. CI once failed
    /// on exactly this ("projecting the judgments' communications: ... the database is busy").
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn filling_judgment_communications_waits_for_another_writer_instead_of_failing() {
        beside_another_writer(|db, keys| async move {
            fill_judgment_communications(&db, &keys).await.map_err(|e| e.to_string())?;
            let filled = sql::one(&db, "SELECT value FROM meta WHERE key = $1", [COMMUNICATIONS_FILLED.into()])
                .await
                .map_err(|e| e.to_string())?;
            if filled.is_none() { Err("not marked filled".to_owned()) } else { Ok(()) }
        })
        .await;
    }

    /// The same for the effective dates migration 20 could not fill.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn filling_effective_dates_waits_for_another_writer_instead_of_failing() {
        beside_another_writer(|db, keys| async move {
            crate::late::backfill_effective_dates(&db, &keys).await.map_err(|e| e.to_string())?;
            let left = sql::all(&db, "SELECT version FROM case_events WHERE effective_on IS NULL", [])
                .await
                .map_err(|e| e.to_string())?;
            if left.is_empty() { Ok(()) } else { Err(format!("{} events left without a date", left.len())) }
        })
        .await;
    }

    /// Two processes opening a PostgreSQL database at once both fill what migration 23 could
    /// not: they take turns, and the second finds it done (it failed on the "filled" mark the
    /// first had written). Rounds of two concurrent fills, each round from scratch.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_processes_filling_judgment_communications_at_once_on_postgresql_take_turns() {
        let Some(pg) = crate::testing::TestDatabase::postgres_from_env().await else { return };
        let (one, two) =
            (Database::connect(pg.url.as_str()).await.unwrap(), Database::connect(pg.url.as_str()).await.unwrap());
        Migrator::up(&one, None).await.unwrap();
        let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
        for round in 0..20 {
            sql::exec(&one, "DELETE FROM meta WHERE key = $1", [COMMUNICATIONS_FILLED.into()]).await.unwrap();
            let (a, b) =
                tokio::join!(fill_judgment_communications(&one, &keys), fill_judgment_communications(&two, &keys));
            assert_eq!((a, b), (Ok(()), Ok(())), "round {round}");
        }
        let _ = tokio::join!(one.close(), two.close());
    }
}
