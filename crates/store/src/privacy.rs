//! The store's implementation of the core's [`PrivacyService`]: the subject access export,
//! signed checkpoints of the access log's head, and break-glass access.
//!
//! The checkpoint signing key is an Ed25519 key made at random when a database is first
//! opened, sealed with the encryption key in `meta` (like the access log's HMAC key): it lives
//! wherever the key file and the database live, survives backups and key rotation, and is
//! never written in plain. Its public key ([`Store::checkpoint_public_key`]) is what the
//! foundation publishes for outside parties to pin.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use perspectief_core::access::Actor;
use perspectief_core::access::{Action, Resource};
use perspectief_core::app::review_once;
use perspectief_core::case::Case;
use perspectief_core::meeting::MeetingEvent;
use perspectief_core::privacy::{
    BREAK_GLASS_OPERATION, BreakGlassRecord, BreakGlassReview, CHECKPOINT_FORMAT, Checkpoint, ConsentOverrideRecord,
    ConsentOverrideRequest, ConsentOverrideReview, ExportSources, ParticipantExport, PrivacyService, ReviewedAccess,
    SignedCheckpoint, hex_encode,
};
use perspectief_core::service::{AuditRecord, Caller, Purpose, page_limit};
use perspectief_core::session::SessionEvent;
use perspectief_core::time::amsterdam_date;
use perspectief_core::{
    BreakGlassId, ConsentOverrideId, DomainError, EntityKind, MeetingId, ParticipantId, ReferralId, SessionId, Text,
};

use sea_orm::ConnectionTrait;

use crate::Store;
use crate::error::{db, internal};
use crate::repo;
use crate::sql::{self, get};
use crate::writer::{Output, Work};

/// The checkpoint signing key (never printed).
#[derive(Clone)]
pub(crate) struct CheckpointKey(pub(crate) SigningKey);

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckpointKey(..)")
    }
}

impl CheckpointKey {
    pub(crate) fn public_hex(&self) -> String {
        hex_encode(self.0.verifying_key().as_bytes())
    }

    pub(crate) fn sign(&self, checkpoint: Checkpoint) -> SignedCheckpoint {
        let signature = self.0.sign(&checkpoint.signed_message());
        SignedCheckpoint {
            format: CHECKPOINT_FORMAT.to_owned(),
            checkpoint,
            public_key: self.public_hex(),
            signature: hex_encode(&signature.to_bytes()),
        }
    }
}

pub(crate) fn break_glass_aad(id: BreakGlassId) -> String {
    format!("break-glass:{id}")
}

const BREAK_GLASS_COLUMNS: &str = "id, at, user_id, organisation_id, role, participant_id, key_id, reason, \
     reviewed_at, reviewed_by, review_key_id, review_note, kind";

/// Record an access outside the everyday matrix (a break-glass read, a subject export) with its
/// reason sealed, in the transaction of its access-log record.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_reviewed_access<C: ConnectionTrait>(
    txn: &C,
    keys: &crate::Keyring,
    id: BreakGlassId,
    at: DateTime<Utc>,
    actor: &perspectief_core::Actor,
    participant: ParticipantId,
    access: ReviewedAccess,
    reason: &Text,
) -> Result<(), DomainError> {
    let (key_id, sealed) = repo::seal(keys, &break_glass_aad(id), reason)?;
    sql::exec(
        txn,
        "INSERT INTO break_glass (id, at, user_id, organisation_id, role, participant_id, key_id, reason, kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            id.to_string().into(),
            sql::micros(at).into(),
            actor.user.to_string().into(),
            actor.organisation.to_string().into(),
            actor.role.as_str().to_owned().into(),
            participant.to_string().into(),
            key_id.into(),
            sealed.into(),
            access.as_str().to_owned().into(),
        ],
    )
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) fn review_aad(id: BreakGlassId) -> String {
    format!("break-glass-review:{id}")
}

// ---- Accesses listed for review (`break_glass`, `consent_overrides`) --------------------------
//
// Both tables carry the same review columns (reviewed_at, reviewed_by, review_key_id,
// review_note, the note sealed under `aad`); these read and write them for either.

/// The review stored on a row, unsealed, if there is one.
fn review_of(
    r: &sea_orm::QueryResult,
    keys: &crate::Keyring,
    aad: &str,
) -> Result<Option<BreakGlassReview>, DomainError> {
    let Some(at) = get::<Option<i64>>(r, "reviewed_at").map_err(db)? else { return Ok(None) };
    let by: Option<String> = get(r, "reviewed_by").map_err(db)?;
    let key_id: Option<String> = get(r, "review_key_id").map_err(db)?;
    let note: Option<Vec<u8>> = get(r, "review_note").map_err(db)?;
    let (Some(by), Some(key_id), Some(note)) = (by, key_id, note) else {
        return Err(internal("a review is incomplete"));
    };
    Ok(Some(BreakGlassReview {
        at: sql::from_micros(at).map_err(db)?,
        by: perspectief_core::UserId::parse(&by).map_err(internal)?,
        note: repo::unseal(keys, aad, &key_id, &note)?,
    }))
}

/// One of the listings of reviewed accesses: its operation in the access log, its table and
/// the columns its records are read from.
struct ReviewListing {
    operation: &'static str,
    table: &'static str,
    columns: &'static str,
}

impl Store {
    /// A listing of reviewed accesses (break-glass reads, consent overrides), for whoever may
    /// search the access log; the listing itself is logged.
    async fn review_listing<T>(
        &self,
        caller: &Caller,
        listing: ReviewListing,
        from: DateTime<Utc>,
        limit: u32,
        record: fn(&sea_orm::QueryResult, &crate::Keyring) -> Result<T, DomainError>,
    ) -> Result<Vec<T>, DomainError> {
        let entry = self.entry(caller, Action::Search, listing.operation);
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::AuditLog)?;
            let rows = rows_from(&self.inner.reader, listing.table, listing.columns, from, limit).await?;
            let records = rows.iter().map(|r| record(r, &self.inner.keys)).collect::<Result<Vec<_>, DomainError>>()?;
            Ok((records, basis))
        })
        .await
    }
}

/// The rows of `table` (its `columns`) recorded at or after `from`, oldest first.
async fn rows_from(
    reader: &sea_orm::DatabaseConnection,
    table: &str,
    columns: &str,
    from: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<sea_orm::QueryResult>, DomainError> {
    sql::all(
        reader,
        &format!("SELECT {columns} FROM {table} WHERE at >= $1 ORDER BY at, id LIMIT $2"),
        [sql::micros(from).into(), i64::from(page_limit(limit)).into()],
    )
    .await
    .map_err(db)
}

/// One access listed for review, as its review reads and writes it: the table and its
/// columns, the row, the AAD its note is sealed under, and the kinds named in errors.
struct UnderReview {
    table: &'static str,
    columns: &'static str,
    id: String,
    aad: String,
    /// The access's kind, when there is no such row.
    access: EntityKind,
    /// The review's kind, when it was reviewed already.
    review: EntityKind,
}

impl UnderReview {
    fn break_glass(access: BreakGlassId) -> Self {
        Self {
            table: "break_glass",
            columns: BREAK_GLASS_COLUMNS,
            id: access.to_string(),
            aad: review_aad(access),
            access: EntityKind::BreakGlassAccess,
            review: EntityKind::BreakGlassReview,
        }
    }

    fn consent_override(id: ConsentOverrideId) -> Self {
        Self {
            table: "consent_overrides",
            columns: CONSENT_OVERRIDE_COLUMNS,
            id: id.to_string(),
            aad: consent_override_review_aad(id),
            access: EntityKind::ConsentOverride,
            review: EntityKind::ConsentOverrideReview,
        }
    }

    /// The access's row, or not found; only for a reviewer (anyone else does not learn
    /// whether the access exists).
    async fn row<C: ConnectionTrait>(
        &self,
        txn: &C,
        policy: &perspectief_core::AccessPolicy,
        actor: &Actor,
        today: chrono::NaiveDate,
    ) -> Result<sea_orm::QueryResult, DomainError> {
        policy.decide(actor, Action::Search, &Resource::AuditLog, today).into_result()?;
        let select = format!("SELECT {} FROM {} WHERE id = $1", self.columns, self.table);
        sql::found(txn, &select, self.access, self.id.clone()).await
    }

    /// Record the review, once (the core's rule, asked again as the row is written, where a
    /// concurrent review may have come first).
    async fn record<C: ConnectionTrait>(
        &self,
        txn: &C,
        keys: &crate::Keyring,
        reviewed: bool,
        at: DateTime<Utc>,
        by: perspectief_core::UserId,
        note: &Text,
    ) -> Result<(), DomainError> {
        review_once(reviewed, self.review, &self.id)?;
        let (key_id, sealed) = repo::seal(keys, &self.aad, note)?;
        let n = sql::exec(
            txn,
            &format!(
                "UPDATE {} SET reviewed_at = $2, reviewed_by = $3, review_key_id = $4, review_note = $5 \
                 WHERE id = $1 AND reviewed_at IS NULL",
                self.table
            ),
            [self.id.clone().into(), sql::micros(at).into(), by.to_string().into(), key_id.into(), sealed.into()],
        )
        .await
        .map_err(db)?;
        review_once(n != 1, self.review, &self.id)
    }
}

/// A `break_glass` row (columns [`BREAK_GLASS_COLUMNS`]) with its reason unsealed.
fn break_glass_record(r: &sea_orm::QueryResult, keys: &crate::Keyring) -> Result<BreakGlassRecord, DomainError> {
    let id = BreakGlassId::parse(&get::<String>(r, "id").map_err(db)?).map_err(internal)?;
    let key_id: String = get(r, "key_id").map_err(db)?;
    let sealed: Vec<u8> = get(r, "reason").map_err(db)?;
    let role: String = get(r, "role").map_err(db)?;
    let review = review_of(r, keys, &review_aad(id))?;
    Ok(BreakGlassRecord {
        id,
        at: sql::from_micros(get(r, "at").map_err(db)?).map_err(db)?,
        user: perspectief_core::UserId::parse(&get::<String>(r, "user_id").map_err(db)?).map_err(internal)?,
        organisation: perspectief_core::OrganisationId::parse(&get::<String>(r, "organisation_id").map_err(db)?)
            .map_err(internal)?,
        role: serde_json::from_value(serde_json::Value::String(role)).map_err(internal)?,
        participant: ParticipantId::parse(&get::<String>(r, "participant_id").map_err(db)?).map_err(internal)?,
        reason: repo::unseal(keys, &break_glass_aad(id), &key_id, &sealed)?,
        review,
        access: ReviewedAccess::parse(&get::<String>(r, "kind").map_err(db)?)
            .ok_or_else(|| internal("unknown kind of reviewed access"))?,
    })
}

pub(crate) fn consent_override_aad(id: ConsentOverrideId) -> String {
    format!("consent-override:{id}")
}

pub(crate) fn consent_override_review_aad(id: ConsentOverrideId) -> String {
    format!("consent-override-review:{id}")
}

pub(crate) const CONSENT_OVERRIDE_COLUMNS: &str = "id, at, user_id, organisation_id, role, participant_id, referral_id, \
     partner_id, category, key_id, reason, reviewed_at, reviewed_by, review_key_id, review_note, judgment_id";

/// Record a consent override (a referral sent without a covering consent, on the project
/// lead's reason) with its reason sealed, in the transaction that stores the case's event.
pub(crate) async fn record_consent_override<C: ConnectionTrait>(
    c: &C,
    keys: &crate::Keyring,
    at: DateTime<Utc>,
    actor: &Actor,
    participant: ParticipantId,
    request: &ConsentOverrideRequest,
) -> Result<ConsentOverrideId, DomainError> {
    let id = ConsentOverrideId::from_uuid(uuid::Uuid::now_v7());
    let (key_id, sealed) = repo::seal(keys, &consent_override_aad(id), &request.reason)?;
    sql::exec(
        c,
        "INSERT INTO consent_overrides (id, at, user_id, organisation_id, role, participant_id, referral_id, \
         partner_id, category, key_id, reason, judgment_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        [
            id.to_string().into(),
            sql::micros(at).into(),
            actor.user.to_string().into(),
            actor.organisation.to_string().into(),
            actor.role.as_str().to_owned().into(),
            participant.to_string().into(),
            request.referral.map(|r| r.to_string()).into(),
            request.partner.map(|o| o.to_string()).into(),
            request.category.as_str().to_owned().into(),
            key_id.into(),
            sealed.into(),
            request.judgment.map(|j| j.to_string()).into(),
        ],
    )
    .await
    .map_err(db)?;
    Ok(id)
}

/// A `consent_overrides` row (columns [`CONSENT_OVERRIDE_COLUMNS`]) with its reason unsealed.
pub(crate) fn consent_override_record(
    r: &sea_orm::QueryResult,
    keys: &crate::Keyring,
) -> Result<ConsentOverrideRecord, DomainError> {
    let id = ConsentOverrideId::parse(&get::<String>(r, "id").map_err(db)?).map_err(internal)?;
    let key_id: String = get(r, "key_id").map_err(db)?;
    let sealed: Vec<u8> = get(r, "reason").map_err(db)?;
    let named = |column: &str| -> Result<serde_json::Value, DomainError> {
        Ok(serde_json::Value::String(get::<String>(r, column).map_err(db)?))
    };
    let review = review_of(r, keys, &consent_override_review_aad(id))?;
    let org = |column: &str| -> Result<perspectief_core::OrganisationId, DomainError> {
        perspectief_core::OrganisationId::parse(&get::<String>(r, column).map_err(db)?).map_err(internal)
    };
    Ok(ConsentOverrideRecord {
        id,
        at: sql::from_micros(get(r, "at").map_err(db)?).map_err(db)?,
        user: perspectief_core::UserId::parse(&get::<String>(r, "user_id").map_err(db)?).map_err(internal)?,
        organisation: org("organisation_id")?,
        role: serde_json::from_value(named("role")?).map_err(internal)?,
        participant: ParticipantId::parse(&get::<String>(r, "participant_id").map_err(db)?).map_err(internal)?,
        referral: get::<Option<String>>(r, "referral_id")
            .map_err(db)?
            .map(|id| ReferralId::parse(&id).map_err(internal))
            .transpose()?,
        judgment: get::<Option<String>>(r, "judgment_id")
            .map_err(db)?
            .map(|id| perspectief_core::JudgmentId::parse(&id).map_err(internal))
            .transpose()?,
        partner: get::<Option<String>>(r, "partner_id")
            .map_err(db)?
            .map(|id| perspectief_core::OrganisationId::parse(&id).map_err(internal))
            .transpose()?,
        category: serde_json::from_value(named("category")?).map_err(internal)?,
        reason: repo::unseal(keys, &consent_override_aad(id), &key_id, &sealed)?,
        review,
    })
}

/// Every stored change of the sessions (`session`) or the meetings (`meeting`), unsealed: id,
/// version, time, actor, change.
async fn aggregate_history<C: ConnectionTrait, T: serde::de::DeserializeOwned>(
    c: &C,
    keys: &crate::Keyring,
    aggregate: &str,
) -> Result<Vec<(String, u64, DateTime<Utc>, perspectief_core::UserId, T)>, DomainError> {
    let rows = sql::all(
        c,
        "SELECT id, version, at, actor, key_id, payload FROM aggregate_events WHERE aggregate = $1 \
         ORDER BY at, id, version",
        [aggregate.to_owned().into()],
    )
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            let id: String = get(r, "id").map_err(db)?;
            let version = u64::try_from(get::<i64>(r, "version").map_err(db)?).map_err(internal)?;
            let key_id: String = get(r, "key_id").map_err(db)?;
            let payload: Vec<u8> = get(r, "payload").map_err(db)?;
            let change = repo::unseal(keys, &repo::aggregate_event_aad(aggregate, &id, version), &key_id, &payload)?;
            let at = sql::from_micros(get(r, "at").map_err(db)?).map_err(db)?;
            let actor = perspectief_core::UserId::parse(&get::<String>(r, "actor").map_err(db)?).map_err(internal)?;
            Ok((id, version, at, actor, change))
        })
        .collect()
}

/// Access-log records are read in pages of this many.
const LOG_PAGE: i64 = 2000;

impl Store {
    /// The public key checkpoints are signed with (64 hex characters): publish it, so that an
    /// outside party can pin it and check checkpoints with
    /// [`perspectief_core::privacy::verify_checkpoint`].
    pub fn checkpoint_public_key(&self) -> String {
        self.inner.checkpoint_key.public_hex()
    }

    /// Every access-log record naming a participant, oldest first.
    async fn participant_log<C: ConnectionTrait>(
        c: &C,
        participant: ParticipantId,
    ) -> Result<Vec<AuditRecord>, DomainError> {
        let mut all = Vec::new();
        let mut after = 0i64;
        loop {
            let page = crate::audit::records(c, Some(participant.to_string()), after, LOG_PAGE).await.map_err(db)?;
            let n = page.len();
            after = page.last().map_or(after, |r| i64::try_from(r.seq).unwrap_or(i64::MAX));
            all.extend(page);
            if n < LOG_PAGE as usize {
                return Ok(all);
            }
        }
    }
}

impl PrivacyService for Store {
    async fn export_participant(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> Result<ParticipantExport, DomainError> {
        let mut entry = self.entry(caller, Action::Export, "export_participant");
        entry.participant = Some(participant);
        entry.purpose = Purpose::SubjectRights;
        let now = self.now();
        let today = amsterdam_date(now);
        let keys = &self.inner.keys;
        let read = async {
            // One read snapshot: the case, its events and its access log agree with each other.
            let txn = sql::read_snapshot(&self.inner.reader).await.map_err(db)?;
            let reader = &txn;
            let case = repo::load_case(reader, keys, participant).await?.ok_or_else(|| DomainError::NotFound {
                entity: EntityKind::Participant,
                id: participant.to_string(),
            })?;
            let basis = self.inner.policy.decide_subject_export(&caller.actor, &case.scope(), today).into_result()?;
            let mut events = Vec::new();
            loop {
                let after = events.last().map_or(0, |e: &perspectief_core::CaseEvent| e.version);
                let page = repo::case_events(reader, keys, participant, after, 1000).await?;
                let n = page.len();
                events.extend(page);
                if n < 1000 {
                    break;
                }
            }
            let attended = sql::all(
                reader,
                "SELECT session_id FROM session_attendance WHERE participant_id = $1 ORDER BY session_id",
                [participant.to_string().into()],
            )
            .await
            .map_err(db)?;
            let mut sessions = Vec::with_capacity(attended.len());
            for row in &attended {
                let id = SessionId::parse(&get::<String>(row, "session_id").map_err(db)?).map_err(internal)?;
                if let Some(s) = repo::load_session(reader, keys, id).await? {
                    sessions.push(s);
                }
            }
            // Meeting items live inside each meeting's sealed state: every meeting is opened and
            // only the items about this person are kept (an export is rare; meetings are few).
            let ids = sql::all(reader, "SELECT id FROM meetings ORDER BY date, id", []).await.map_err(db)?;
            let mut meetings = Vec::new();
            for row in &ids {
                let id = MeetingId::parse(&get::<String>(row, "id").map_err(db)?).map_err(internal)?;
                if let Some(m) = repo::load_meeting(reader, keys, id).await?
                    && m.items().any(|i| i.participant == participant)
                {
                    meetings.push(m);
                }
            }
            let log = Store::participant_log(reader, participant).await?;
            let glass = sql::all(
                reader,
                &format!("SELECT {BREAK_GLASS_COLUMNS} FROM break_glass WHERE participant_id = $1 ORDER BY at, id"),
                [participant.to_string().into()],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| break_glass_record(r, keys))
            .collect::<Result<Vec<_>, DomainError>>()?;
            // Session and meeting changes are sealed without an index on the person: all are
            // opened and the core keeps those that name them.
            let session_history = aggregate_history(reader, keys, "session")
                .await?
                .into_iter()
                .map(|(id, version, at, actor, change)| {
                    Ok(SessionEvent { session: SessionId::parse(&id).map_err(internal)?, version, at, actor, change })
                })
                .collect::<Result<Vec<_>, DomainError>>()?;
            let meeting_history = aggregate_history(reader, keys, "meeting")
                .await?
                .into_iter()
                .map(|(id, version, at, actor, change)| {
                    Ok(MeetingEvent { meeting: MeetingId::parse(&id).map_err(internal)?, version, at, actor, change })
                })
                .collect::<Result<Vec<_>, DomainError>>()?;
            txn.rollback().await.map_err(db)?;
            let export = ParticipantExport::assemble(
                self.inner.policy.foundation,
                now,
                caller.actor.user,
                ExportSources {
                    case,
                    events,
                    sessions,
                    meetings,
                    session_history,
                    meeting_history,
                    access_log: log,
                    break_glass: glass,
                },
            );
            Ok((export, basis))
        };
        let (export, basis) = match read.await {
            Ok(done) => done,
            Err(e) => return self.audited(entry, Err(e)).await,
        };
        // The export holds content its maker may otherwise not read (medical, criminal): like a
        // break-glass read, its reason is recorded with the access-log record and listed for
        // review, or no export is handed out.
        entry.basis = Some(basis);
        let (keys, actor) = (self.inner.keys.clone(), caller.actor);
        let id = BreakGlassId::from_uuid(uuid::Uuid::now_v7());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                let access = ReviewedAccess::SubjectExport;
                insert_reviewed_access(txn, &keys, id, entry.at, &actor, participant, access, &reason).await?;
                Ok(Box::new(()) as Output)
            })
        });
        let () = self.write(entry, work).await?;
        Ok(export)
    }

    async fn export_checkpoint(&self, caller: &Caller) -> Result<SignedCheckpoint, DomainError> {
        let entry = self.entry(caller, Action::Export, "export_checkpoint");
        self.read(entry, async {
            let basis = self.require(caller, Action::Export, &Resource::AuditLog)?;
            // Signed only over a log that verifies whole (else an internal error, logged with
            // where it breaks; `audit verify` names it), and kept like the automatic ones.
            let signed = self.checkpoint_now().await.map_err(internal)?;
            Ok((signed, basis))
        })
        .await
    }

    async fn break_glass_case(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> Result<Case, DomainError> {
        let mut entry = self.entry(caller, Action::Read, BREAK_GLASS_OPERATION);
        entry.participant = Some(participant);
        let (keys, policy, caller) = (self.inner.keys.clone(), self.inner.policy, caller.clone());
        let id = BreakGlassId::from_uuid(uuid::Uuid::now_v7());
        // A write job: the sealed reason and the access-log record commit together, or neither.
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                entry.basis = Some(policy.decide_break_glass(&caller.actor).into_result()?);
                let case = repo::load_case(txn, &keys, participant).await?.ok_or_else(|| DomainError::NotFound {
                    entity: EntityKind::Participant,
                    id: participant.to_string(),
                })?;
                let access = ReviewedAccess::BreakGlassRead;
                insert_reviewed_access(txn, &keys, id, entry.at, &caller.actor, participant, access, &reason).await?;
                Ok(Box::new(case) as Output)
            })
        });
        self.write(entry, work).await
    }

    async fn break_glass_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<BreakGlassRecord>, DomainError> {
        let listing =
            ReviewListing { operation: "break_glass_log", table: "break_glass", columns: BREAK_GLASS_COLUMNS };
        self.review_listing(caller, listing, from, limit, break_glass_record).await
    }

    async fn confirmation_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<perspectief_core::accounts::ConfirmationRecord>, DomainError> {
        self.account_confirmation_log(caller, from, limit).await
    }

    async fn review_break_glass(
        &self,
        caller: &Caller,
        access: BreakGlassId,
        note: Text,
    ) -> Result<BreakGlassRecord, DomainError> {
        let entry = self.entry(caller, Action::Update, "review_break_glass");
        let (keys, policy, caller) = (self.inner.keys.clone(), self.inner.policy, caller.clone());
        let today = amsterdam_date(self.now());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                let under = UnderReview::break_glass(access);
                let row = under.row(txn, &policy, &caller.actor, today).await?;
                let mut record = break_glass_record(&row, &keys)?;
                entry.participant = Some(record.participant);
                let decision = match record.access {
                    // An erasure on request: a third person, neither the requester nor the
                    // confirmer (the record's user).
                    ReviewedAccess::ErasureOnRequest => {
                        let requester = crate::erasure::requester_of(txn, access)
                            .await?
                            .ok_or_else(|| internal("an erasure on request without its request"))?;
                        policy.decide_erasure_review(&caller.actor, requester, record.user, today)
                    }
                    _ => policy.decide_break_glass_review(&caller.actor, record.user, today),
                };
                entry.basis = Some(decision.into_result()?);
                under.record(txn, &keys, record.review.is_some(), entry.at, caller.actor.user, &note).await?;
                record.review = Some(BreakGlassReview { at: entry.at, by: caller.actor.user, note });
                Ok(Box::new(record) as Output)
            })
        });
        self.write(entry, work).await
    }

    async fn consent_override_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ConsentOverrideRecord>, DomainError> {
        let listing = ReviewListing {
            operation: "consent_override_log",
            table: "consent_overrides",
            columns: CONSENT_OVERRIDE_COLUMNS,
        };
        self.review_listing(caller, listing, from, limit, consent_override_record).await
    }

    async fn review_consent_override(
        &self,
        caller: &Caller,
        id: ConsentOverrideId,
        note: Text,
    ) -> Result<ConsentOverrideRecord, DomainError> {
        let entry = self.entry(caller, Action::Update, "review_consent_override");
        let (keys, policy, caller) = (self.inner.keys.clone(), self.inner.policy, caller.clone());
        let today = amsterdam_date(self.now());
        let work: Work = Box::new(move |txn, entry| {
            Box::pin(async move {
                let under = UnderReview::consent_override(id);
                let row = under.row(txn, &policy, &caller.actor, today).await?;
                let mut record = consent_override_record(&row, &keys)?;
                entry.participant = Some(record.participant);
                // The break-glass review rule: a reviewer, never on their own override.
                entry.basis = Some(policy.decide_break_glass_review(&caller.actor, record.user, today).into_result()?);
                under.record(txn, &keys, record.review.is_some(), entry.at, caller.actor.user, &note).await?;
                record.review = Some(ConsentOverrideReview { at: entry.at, by: caller.actor.user, note });
                Ok(Box::new(record) as Output)
            })
        });
        self.write(entry, work).await
    }
}
