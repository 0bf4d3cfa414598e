//! Erasure on request (GDPR art. 17) and legal holds; the rules are the core's
//! ([`perspectief_core::erasure`]).
//!
//! - [`Store::request_erasure`] records a pending request (reason sealed); nothing is erased.
//! - [`Store::confirm_erasure`], by a second person, re-checks the hold and the outflow and
//!   erases the whole person with the retention run's own code (`retention::erase_person`),
//!   in one transaction with its access-log record, the request's new status and its entry in
//!   the review listing (`break_glass`, kind `erasure_on_request`, same id as the request).
//!   Then, like the retention run, the database is compacted and the managed backups get the
//!   same erasure.
//! - Legal holds ([`Store::set_legal_hold`], [`Store::lift_legal_hold`]) keep a person from
//!   any erasure while set; the retention run skips them and says so.
//!
//! What stays after an erasure on request: what the retention run leaves (the subsidy counts
//! under an unlinked pseudonym, the access log's ids and codes), and the request row (the
//! participant's former id, who requested and confirmed, when, and the reason, sealed with the
//! foundation's key) with its review entry: the record that the erasure was asked for and
//! carried out (art. 5(2)).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use perspectief_core::erasure::{ErasureRequest, ErasureStatus, HoldLift, LegalHold, check_erasable};
use perspectief_core::privacy::ReviewedAccess;
use perspectief_core::retention::RetentionPlan;
use perspectief_core::service::{Caller, Purpose, page_limit};
use perspectief_core::time::amsterdam_date;
use perspectief_core::{
    Action, BreakGlassId, DataCategory, DomainError, EntityKind, ErasureRequestId, LegalHoldId, ParticipantId, Text,
    UserId,
};
use sea_orm::ConnectionTrait;

use crate::Store;
use crate::error::{db, internal};
use crate::repo;
use crate::sql::{self, get};
use crate::writer::{Output, Work};

pub(crate) fn request_aad(id: ErasureRequestId) -> String {
    format!("erasure-request:{id}")
}

pub(crate) fn hold_aad(id: LegalHoldId) -> String {
    format!("legal-hold:{id}")
}

pub(crate) fn lift_aad(id: LegalHoldId) -> String {
    format!("legal-hold-lift:{id}")
}

const REQUEST_COLUMNS: &str =
    "id, participant_id, requested_at, requested_by, key_id, reason, status, decided_at, decided_by";

const HOLD_COLUMNS: &str =
    "id, participant_id, set_at, set_by, key_id, reason, lifted_at, lifted_by, lift_key_id, lift_reason";

fn user(r: &sea_orm::QueryResult, column: &str) -> Result<UserId, DomainError> {
    UserId::parse(&get::<String>(r, column).map_err(db)?).map_err(internal)
}

fn optional_time(r: &sea_orm::QueryResult, column: &str) -> Result<Option<DateTime<Utc>>, DomainError> {
    get::<Option<i64>>(r, column).map_err(db)?.map(sql::from_micros).transpose().map_err(db)
}

/// An `erasure_requests` row ([`REQUEST_COLUMNS`]) with its reason unsealed.
fn request_record(r: &sea_orm::QueryResult, keys: &crate::Keyring) -> Result<ErasureRequest, DomainError> {
    let id = ErasureRequestId::parse(&get::<String>(r, "id").map_err(db)?).map_err(internal)?;
    let key_id: String = get(r, "key_id").map_err(db)?;
    let sealed: Vec<u8> = get(r, "reason").map_err(db)?;
    let decided_by: Option<String> = get(r, "decided_by").map_err(db)?;
    Ok(ErasureRequest {
        id,
        participant: ParticipantId::parse(&get::<String>(r, "participant_id").map_err(db)?).map_err(internal)?,
        requested_at: sql::from_micros(get(r, "requested_at").map_err(db)?).map_err(db)?,
        requested_by: user(r, "requested_by")?,
        reason: repo::unseal(keys, &request_aad(id), &key_id, &sealed)?,
        status: ErasureStatus::parse(&get::<String>(r, "status").map_err(db)?)
            .ok_or_else(|| internal("unknown erasure request status"))?,
        decided_at: optional_time(r, "decided_at")?,
        decided_by: decided_by.map(|u| UserId::parse(&u)).transpose().map_err(internal)?,
    })
}

/// A `legal_holds` row ([`HOLD_COLUMNS`]) with its reasons unsealed.
fn hold_record(r: &sea_orm::QueryResult, keys: &crate::Keyring) -> Result<LegalHold, DomainError> {
    let id = LegalHoldId::parse(&get::<String>(r, "id").map_err(db)?).map_err(internal)?;
    let key_id: String = get(r, "key_id").map_err(db)?;
    let sealed: Vec<u8> = get(r, "reason").map_err(db)?;
    let lifted = match optional_time(r, "lifted_at")? {
        None => None,
        Some(at) => {
            let key_id: Option<String> = get(r, "lift_key_id").map_err(db)?;
            let sealed: Option<Vec<u8>> = get(r, "lift_reason").map_err(db)?;
            let (Some(key_id), Some(sealed)) = (key_id, sealed) else {
                return Err(internal("a lifted hold is incomplete"));
            };
            Some(HoldLift {
                at,
                by: user(r, "lifted_by")?,
                reason: repo::unseal(keys, &lift_aad(id), &key_id, &sealed)?,
            })
        }
    };
    Ok(LegalHold {
        id,
        participant: ParticipantId::parse(&get::<String>(r, "participant_id").map_err(db)?).map_err(internal)?,
        set_at: sql::from_micros(get(r, "set_at").map_err(db)?).map_err(db)?,
        set_by: user(r, "set_by")?,
        reason: repo::unseal(keys, &hold_aad(id), &key_id, &sealed)?,
        lifted,
    })
}

/// The people with a legal hold set.
pub(crate) async fn held<C: ConnectionTrait>(c: &C) -> Result<BTreeSet<ParticipantId>, DomainError> {
    sql::all(c, "SELECT participant_id FROM legal_holds WHERE lifted_at IS NULL", [])
        .await
        .map_err(db)?
        .iter()
        .map(|r| ParticipantId::parse(&get::<String>(r, "participant_id").map_err(db)?).map_err(internal))
        .collect()
}

/// Whether a legal hold is set on the person.
pub(crate) async fn is_held<C: ConnectionTrait>(c: &C, participant: ParticipantId) -> Result<bool, DomainError> {
    Ok(sql::one(
        c,
        "SELECT id FROM legal_holds WHERE participant_id = $1 AND lifted_at IS NULL",
        [participant.to_string().into()],
    )
    .await
    .map_err(db)?
    .is_some())
}

/// The people erased on request (their former ids): a managed backup made before an erasure
/// still holds them, and every retention run erases them from it again.
pub(crate) async fn erased_on_request<C: ConnectionTrait>(c: &C) -> Result<BTreeSet<ParticipantId>, DomainError> {
    sql::all(c, "SELECT participant_id FROM erasure_requests WHERE status = 'erased'", [])
        .await
        .map_err(db)?
        .iter()
        .map(|r| ParticipantId::parse(&get::<String>(r, "participant_id").map_err(db)?).map_err(internal))
        .collect()
}

/// Who requested the erasure that the review entry `id` records (same id), if it is one.
pub(crate) async fn requester_of<C: ConnectionTrait>(c: &C, id: BreakGlassId) -> Result<Option<UserId>, DomainError> {
    let row = sql::one(c, "SELECT requested_by FROM erasure_requests WHERE id = $1", [id.to_string().into()])
        .await
        .map_err(db)?;
    row.map(|r| user(&r, "requested_by")).transpose()
}

/// A person may have one open record of each kind (a pending erasure request, a hold not
/// lifted): `query` finds it by `$1` (the participant), and a second is refused, naming it.
async fn refuse_second<C: ConnectionTrait>(
    c: &C,
    query: &str,
    participant: ParticipantId,
    entity: EntityKind,
) -> Result<(), DomainError> {
    match sql::one(c, query, [participant.to_string().into()]).await.map_err(db)? {
        Some(r) => Err(DomainError::AlreadyExists { entity, id: get(&r, "id").map_err(db)? }),
        None => Ok(()),
    }
}

/// A new record about a person with its reason sealed: id, participant, when, by whom.
struct Reasoned {
    id: String,
    participant: ParticipantId,
    at: DateTime<Utc>,
    by: UserId,
}

impl Reasoned {
    /// Insert it with `insert`, whose `$1`..`$6` are the id, the participant, when, by whom,
    /// the key id and the reason sealed under `aad`.
    async fn insert<C: ConnectionTrait>(
        self,
        c: &C,
        insert: &str,
        keys: &crate::Keyring,
        aad: &str,
        reason: &Text,
    ) -> Result<(), DomainError> {
        let (key_id, sealed) = repo::seal(keys, aad, reason)?;
        let values = [
            self.id.into(),
            self.participant.to_string().into(),
            sql::micros(self.at).into(),
            self.by.to_string().into(),
            key_id.into(),
            sealed.into(),
        ];
        sql::exec(c, insert, values).await.map_err(db)?;
        Ok(())
    }
}

async fn load_request<C: ConnectionTrait>(
    c: &C,
    keys: &crate::Keyring,
    id: ErasureRequestId,
) -> Result<ErasureRequest, DomainError> {
    let row =
        sql::one(c, &format!("SELECT {REQUEST_COLUMNS} FROM erasure_requests WHERE id = $1"), [id.to_string().into()])
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::NotFound { entity: EntityKind::ErasureRequest, id: id.to_string() })?;
    request_record(&row, keys)
}

async fn load_case<C: ConnectionTrait>(
    c: &C,
    keys: &crate::Keyring,
    participant: ParticipantId,
) -> Result<perspectief_core::Case, DomainError> {
    repo::load_case(c, keys, participant)
        .await?
        .ok_or_else(|| DomainError::NotFound { entity: EntityKind::Participant, id: participant.to_string() })
}

impl Store {
    /// Request the erasure of a whole person (GDPR art. 17), with a reason: recorded as pending,
    /// nothing erased until a second person confirms it ([`Store::confirm_erasure`]). The
    /// project lead only; refused while a legal hold is set or the trajectory has no outflow
    /// ([`check_erasable`]), and while another request for the person is pending.
    pub async fn request_erasure(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> Result<ErasureRequest, DomainError> {
        let mut entry = self.entry(caller, Action::Erase, "erasure_request");
        entry.participant = Some(participant);
        entry.purpose = Purpose::SubjectRights;
        let (keys, policy, actor) = (self.inner.keys.clone(), self.inner.policy, caller.actor);
        let today = amsterdam_date(self.now());
        let id = ErasureRequestId::from_uuid(uuid::Uuid::now_v7());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                let case = load_case(txn, &keys, participant).await?;
                entry.basis = Some(policy.decide_erasure_request(&actor, &case.scope(), today).into_result()?);
                check_erasable(case.outflow().map(|o| o.on), is_held(txn, participant).await?)?;
                let pending = "SELECT id FROM erasure_requests WHERE participant_id = $1 AND status = 'pending'";
                refuse_second(txn, pending, participant, EntityKind::ErasureRequest).await?;
                let insert = "INSERT INTO erasure_requests (id, participant_id, requested_at, requested_by, key_id, reason, \
                              status) VALUES ($1, $2, $3, $4, $5, $6, 'pending')";
                let record = Reasoned { id: id.to_string(), participant, at: entry.at, by: actor.user };
                record.insert(txn, insert, &keys, &request_aad(id), &reason).await?;
                let request = ErasureRequest {
                    id,
                    participant,
                    requested_at: entry.at,
                    requested_by: actor.user,
                    reason,
                    status: ErasureStatus::Pending,
                    decided_at: None,
                    decided_by: None,
                };
                Ok(Box::new(request) as Output)
            })
        });
        self.write(entry, work).await
    }

    /// Confirm a pending erasure request and carry it out: a second person (another project
    /// lead or the auditor, never the requester). The legal hold and the outflow are checked
    /// again; the whole person is erased as by the retention run, in one transaction with the
    /// access-log record, the request's status and its entry in the review listing; then the
    /// database is compacted (SQLite) and the managed backups get the same erasure.
    pub async fn confirm_erasure(
        &self,
        caller: &Caller,
        request: ErasureRequestId,
    ) -> Result<ErasureRequest, DomainError> {
        let mut entry = self.entry(caller, Action::Erase, "erasure_confirm");
        entry.purpose = Purpose::SubjectRights;
        let (keys, policy, actor) = (self.inner.keys.clone(), self.inner.policy, caller.actor);
        let today = amsterdam_date(self.now());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                // Only someone who may see the requests learns whether one exists.
                policy.decide_erasure_listing(&actor, today).into_result()?;
                let mut record = load_request(txn, &keys, request).await?;
                let participant = record.participant;
                entry.participant = Some(participant);
                record.check_transition(ErasureStatus::Erased)?;
                let case = load_case(txn, &keys, participant).await?;
                let basis = policy.decide_erasure_confirmation(&actor, record.requested_by, &case.scope(), today);
                entry.basis = Some(basis.into_result()?);
                // A hold set, or the outflow undone, since the request: refused now.
                check_erasable(case.outflow().map(|o| o.on), is_held(txn, participant).await?)?;
                let people: BTreeSet<ParticipantId> = [participant].into();
                let touched = crate::retention::scan_aggregates(txn, &keys, &people).await?;
                crate::retention::erase_person(
                    txn,
                    &keys,
                    participant,
                    &touched.get(&participant).cloned().unwrap_or_default(),
                )
                .await?;
                let n = sql::exec(
                    txn,
                    "UPDATE erasure_requests SET status = 'erased', decided_at = $2, decided_by = $3 \
                     WHERE id = $1 AND status = 'pending'",
                    [request.to_string().into(), sql::micros(entry.at).into(), actor.user.to_string().into()],
                )
                .await
                .map_err(db)?;
                if n != 1 {
                    return Err(internal("the erasure request changed during its confirmation"));
                }
                let review = BreakGlassId::from_uuid(request.as_uuid());
                let access = ReviewedAccess::ErasureOnRequest;
                crate::privacy::insert_reviewed_access(
                    txn,
                    &keys,
                    review,
                    entry.at,
                    &actor,
                    participant,
                    access,
                    &record.reason,
                )
                .await?;
                record.status = ErasureStatus::Erased;
                record.decided_at = Some(entry.at);
                record.decided_by = Some(actor.user);
                Ok(Box::new(record) as Output)
            })
        });
        let record: ErasureRequest = self.write(entry, work).await?;
        // The person's decrypted case file should not outlive them in memory either.
        self.inner.writer.cases.forget(record.participant);
        crate::retention::compact(self).await?;
        let plans: BTreeMap<ParticipantId, RetentionPlan> = [(
            record.participant,
            RetentionPlan { expired: DataCategory::ALL.into_iter().collect(), erase_person: true },
        )]
        .into();
        self.erase_in_backups(caller, None, &plans, &BTreeSet::new(), true).await?;
        Ok(record)
    }

    /// Cancel a pending erasure request (nothing was erased): the requester, or whoever may
    /// confirm it.
    pub async fn cancel_erasure(
        &self,
        caller: &Caller,
        request: ErasureRequestId,
    ) -> Result<ErasureRequest, DomainError> {
        let entry = self.entry(caller, Action::Update, "erasure_cancel");
        let (keys, policy, actor) = (self.inner.keys.clone(), self.inner.policy, caller.actor);
        let today = amsterdam_date(self.now());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                policy.decide_erasure_listing(&actor, today).into_result()?;
                let mut record = load_request(txn, &keys, request).await?;
                entry.participant = Some(record.participant);
                record.check_transition(ErasureStatus::Cancelled)?;
                let case = load_case(txn, &keys, record.participant).await?;
                let basis = policy.decide_erasure_cancel(&actor, record.requested_by, &case.scope(), today);
                entry.basis = Some(basis.into_result()?);
                sql::exec(
                    txn,
                    "UPDATE erasure_requests SET status = 'cancelled', decided_at = $2, decided_by = $3 \
                     WHERE id = $1 AND status = 'pending'",
                    [request.to_string().into(), sql::micros(entry.at).into(), actor.user.to_string().into()],
                )
                .await
                .map_err(db)?;
                record.status = ErasureStatus::Cancelled;
                record.decided_at = Some(entry.at);
                record.decided_by = Some(actor.user);
                Ok(Box::new(record) as Output)
            })
        });
        self.write(entry, work).await
    }

    /// The erasure requests, oldest first, at most `limit` (capped like any page): the project
    /// lead and the auditor.
    pub async fn erasure_requests(&self, caller: &Caller, limit: u32) -> Result<Vec<ErasureRequest>, DomainError> {
        let select = format!("SELECT {REQUEST_COLUMNS} FROM erasure_requests ORDER BY requested_at, id LIMIT $1");
        self.erasure_listing(caller, "erasure_requests", &select, limit, request_record).await
    }

    /// A listing of erasure's records (`select`, its limit as `$1`), each read with `record`:
    /// whom the core lets see erasure's records, on record as a search.
    async fn erasure_listing<T>(
        &self,
        caller: &Caller,
        operation: &str,
        select: &str,
        limit: u32,
        record: fn(&sea_orm::QueryResult, &crate::Keyring) -> Result<T, DomainError>,
    ) -> Result<Vec<T>, DomainError> {
        let entry = self.entry(caller, Action::Search, operation);
        self.read(entry, async {
            let basis =
                self.inner.policy.decide_erasure_listing(&caller.actor, amsterdam_date(self.now())).into_result()?;
            let rows = sql::all(&self.inner.reader, select, [i64::from(page_limit(limit)).into()]).await.map_err(db)?;
            let records = rows.iter().map(|r| record(r, &self.inner.keys)).collect::<Result<Vec<_>, DomainError>>()?;
            Ok((records, basis))
        })
        .await
    }

    /// Set a legal hold on a person, with a reason: while it is set, nothing of them is erased
    /// (not on request, not by the retention run). The project lead only; one hold at a time.
    pub async fn set_legal_hold(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> Result<LegalHold, DomainError> {
        let mut entry = self.entry(caller, Action::Update, "legal_hold_set");
        entry.participant = Some(participant);
        let (keys, policy, actor) = (self.inner.keys.clone(), self.inner.policy, caller.actor);
        let id = LegalHoldId::from_uuid(uuid::Uuid::now_v7());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                entry.basis = Some(policy.decide_legal_hold(&actor).into_result()?);
                load_case(txn, &keys, participant).await?;
                let set = "SELECT id FROM legal_holds WHERE participant_id = $1 AND lifted_at IS NULL";
                refuse_second(txn, set, participant, EntityKind::LegalHold).await?;
                let insert = "INSERT INTO legal_holds (id, participant_id, set_at, set_by, key_id, reason) \
                              VALUES ($1, $2, $3, $4, $5, $6)";
                let record = Reasoned { id: id.to_string(), participant, at: entry.at, by: actor.user };
                record.insert(txn, insert, &keys, &hold_aad(id), &reason).await?;
                let hold = LegalHold { id, participant, set_at: entry.at, set_by: actor.user, reason, lifted: None };
                Ok(Box::new(hold) as Output)
            })
        });
        self.write(entry, work).await
    }

    /// Lift the legal hold set on a person, with a reason. The project lead only.
    pub async fn lift_legal_hold(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> Result<LegalHold, DomainError> {
        let mut entry = self.entry(caller, Action::Update, "legal_hold_lift");
        entry.participant = Some(participant);
        let (keys, policy, actor) = (self.inner.keys.clone(), self.inner.policy, caller.actor);
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                entry.basis = Some(policy.decide_legal_hold(&actor).into_result()?);
                let row = sql::one(
                    txn,
                    &format!("SELECT {HOLD_COLUMNS} FROM legal_holds WHERE participant_id = $1 AND lifted_at IS NULL"),
                    [participant.to_string().into()],
                )
                .await
                .map_err(db)?
                .ok_or_else(|| DomainError::NotFound { entity: EntityKind::LegalHold, id: participant.to_string() })?;
                let mut hold = hold_record(&row, &keys)?;
                let (key_id, sealed) = repo::seal(&keys, &lift_aad(hold.id), &reason)?;
                sql::exec(
                    txn,
                    "UPDATE legal_holds SET lifted_at = $2, lifted_by = $3, lift_key_id = $4, lift_reason = $5 \
                     WHERE id = $1 AND lifted_at IS NULL",
                    [
                        hold.id.to_string().into(),
                        sql::micros(entry.at).into(),
                        actor.user.to_string().into(),
                        key_id.into(),
                        sealed.into(),
                    ],
                )
                .await
                .map_err(db)?;
                hold.lifted = Some(HoldLift { at: entry.at, by: actor.user, reason });
                Ok(Box::new(hold) as Output)
            })
        });
        self.write(entry, work).await
    }

    /// The legal holds, set and lifted, oldest first, at most `limit` (capped like any page):
    /// the project lead and the auditor.
    pub async fn legal_holds(&self, caller: &Caller, limit: u32) -> Result<Vec<LegalHold>, DomainError> {
        let select = format!("SELECT {HOLD_COLUMNS} FROM legal_holds ORDER BY set_at, id LIMIT $1");
        self.erasure_listing(caller, "legal_holds", &select, limit, hold_record).await
    }
}
