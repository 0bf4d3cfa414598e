//! The access log: append-only, hash-chained.
//!
//! Every record holds the hash of its predecessor; its own hash covers its sequence number,
//! every column and that predecessor hash. The hash is an HMAC-SHA-256 under a key of the
//! database's own (random, sealed in `meta` with the encryption key): someone with write access
//! to the database but without the key file cannot recompute the chain after changing it. `audit_head` holds the last sequence number and
//! hash, updated in the same transaction, so that a cut-off tail is detected too. [`verify_with`]
//! walks the chain and reports the first sequence number that does not verify, and compares
//! the result with the latest signed checkpoints (see [`crate::checkpoints`]), which catch a
//! tail cut off together with a head reset to match.

use perspectief_core::service::{AuditEntry, AuditRecord, ChainVerification};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::sql::{self, get};

/// The hash before the first record.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The key of the chain's HMAC, wiped from memory when dropped.
#[derive(Clone)]
pub(crate) struct AuditKey(pub(crate) [u8; 32]);

impl Drop for AuditKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl zeroize::ZeroizeOnDrop for AuditKey {}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

impl AuditKey {
    /// HMAC-SHA-256 (RFC 2104) over the concatenated parts. Other uses than the chain put
    /// their own domain label first (see the participant page tokens).
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut block = zeroize::Zeroizing::new([0u8; 64]);
        block[..32].copy_from_slice(&self.0);
        let mut inner = Sha256::new();
        inner.update(zeroize::Zeroizing::new(block.map(|b| b ^ 0x36)).as_ref());
        for p in parts {
            inner.update(p);
        }
        let mut outer = Sha256::new();
        outer.update(zeroize::Zeroizing::new(block.map(|b| b ^ 0x5c)).as_ref());
        outer.update(inner.finalize());
        outer.finalize().into()
    }
}

/// A record as stored: every column as text or number, exactly what is hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub seq: i64,
    pub at: i64,
    pub user_id: String,
    pub organisation_id: String,
    pub role: String,
    pub on_behalf_of: Option<String>,
    pub action: String,
    pub participant_id: Option<String>,
    pub category: Option<String>,
    pub operation: String,
    pub purpose: String,
    pub basis: Option<String>,
    pub outcome: String,
    pub error_code: Option<String>,
    pub client: String,
    pub prev_hash: String,
    pub hash: String,
}

fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn parse<T: DeserializeOwned>(s: &str) -> Result<T, DbErr> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| DbErr::Type(e.to_string()))
}

impl Row {
    fn from_entry(seq: i64, entry: &AuditEntry, prev_hash: &str, key: &AuditKey) -> Self {
        let mut row = Self {
            seq,
            at: sql::micros(entry.at),
            user_id: entry.user.to_string(),
            organisation_id: entry.organisation.to_string(),
            role: name(&entry.role),
            on_behalf_of: entry.on_behalf_of.map(|u| u.to_string()),
            action: name(&entry.action),
            participant_id: entry.participant.map(|p| p.to_string()),
            category: entry.category.map(|c| name(&c)),
            operation: entry.operation.clone(),
            purpose: name(&entry.purpose),
            basis: entry.basis.and_then(|b| serde_json::to_string(&b).ok()),
            outcome: name(&entry.outcome),
            error_code: entry.error_code.clone(),
            client: entry.client.clone(),
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        row.hash = row.compute_hash(key);
        row
    }

    /// The keyed hash over every column but `hash`, in a fixed order with explicit absent
    /// markers and length prefixes.
    pub(crate) fn compute_hash(&self, key: &AuditKey) -> String {
        // A tag keeps an absent value apart from any present one.
        let opt = |v: &Option<String>| v.as_ref().map_or_else(|| "0".to_owned(), |s| format!("1{s}"));
        let fields = [
            self.seq.to_string(),
            self.at.to_string(),
            self.user_id.clone(),
            self.organisation_id.clone(),
            self.role.clone(),
            opt(&self.on_behalf_of),
            self.action.clone(),
            opt(&self.participant_id),
            opt(&self.category),
            self.operation.clone(),
            self.purpose.clone(),
            opt(&self.basis),
            self.outcome.clone(),
            opt(&self.error_code),
            self.client.clone(),
            self.prev_hash.clone(),
        ];
        let mut message = b"perspectief audit v2\n".to_vec();
        for f in &fields {
            message.extend_from_slice(&(f.len() as u64).to_be_bytes());
            message.extend_from_slice(f.as_bytes());
        }
        hex::encode(key.mac(&[&message]))
    }

    fn read(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(Self {
            seq: get(r, "seq")?,
            at: get(r, "at")?,
            user_id: get(r, "user_id")?,
            organisation_id: get(r, "organisation_id")?,
            role: get(r, "role")?,
            on_behalf_of: get(r, "on_behalf_of")?,
            action: get(r, "action")?,
            participant_id: get(r, "participant_id")?,
            category: get(r, "category")?,
            operation: get(r, "operation")?,
            purpose: get(r, "purpose")?,
            basis: get(r, "basis")?,
            outcome: get(r, "outcome")?,
            error_code: get(r, "error_code")?,
            client: get(r, "client")?,
            prev_hash: get(r, "prev_hash")?,
            hash: get(r, "hash")?,
        })
    }

    pub(crate) fn into_record(self) -> Result<AuditRecord, DbErr> {
        let id = |s: &str| uuid::Uuid::parse_str(s).map_err(|e| DbErr::Type(e.to_string()));
        let entry = AuditEntry {
            at: sql::from_micros(self.at)?,
            user: perspectief_core::UserId::from_uuid(id(&self.user_id)?),
            organisation: perspectief_core::OrganisationId::from_uuid(id(&self.organisation_id)?),
            role: parse(&self.role)?,
            on_behalf_of: self.on_behalf_of.as_deref().map(id).transpose()?.map(perspectief_core::UserId::from_uuid),
            action: parse(&self.action)?,
            participant: self
                .participant_id
                .as_deref()
                .map(id)
                .transpose()?
                .map(perspectief_core::ParticipantId::from_uuid),
            category: self.category.as_deref().map(parse).transpose()?,
            operation: self.operation,
            purpose: parse(&self.purpose)?,
            basis: self
                .basis
                .as_deref()
                .map(|b| serde_json::from_str(b).map_err(|e| DbErr::Type(e.to_string())))
                .transpose()?,
            outcome: parse(&self.outcome)?,
            error_code: self.error_code,
            client: self.client,
        };
        Ok(AuditRecord { seq: u64::try_from(self.seq).unwrap_or(0), entry, prev_hash: self.prev_hash, hash: self.hash })
    }
}

const COLUMNS: &str = "seq, at, user_id, organisation_id, role, on_behalf_of, action, participant_id, category, \
     operation, purpose, basis, outcome, error_code, client, prev_hash, hash";

/// The head of the chain, held for the length of one write transaction. Records appended are
/// written together by [`Chain::save`], in multi-row inserts (one round trip for a whole
/// group instead of one per record).
#[derive(Debug)]
pub(crate) struct Chain {
    seq: i64,
    hash: String,
    pending: Vec<Row>,
    key: AuditKey,
}

/// Rows per INSERT statement (17 parameters each, well under every backend's limit).
const ROWS_PER_INSERT: usize = 200;

impl Chain {
    /// Lock and read the head. The no-op UPDATE takes the write lock first (SQLite) or the row
    /// lock (PostgreSQL), so concurrent writers, even in other processes, queue here.
    pub(crate) async fn lock<C: ConnectionTrait>(c: &C, key: AuditKey) -> Result<Self, DbErr> {
        sql::exec(c, "UPDATE audit_head SET seq = seq WHERE id = 1", []).await?;
        let row = sql::one(c, "SELECT seq, hash FROM audit_head WHERE id = 1", [])
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("audit_head".to_owned()))?;
        Ok(Self { seq: get(&row, "seq")?, hash: get(&row, "hash")?, pending: Vec::new(), key })
    }

    /// Append one record (written on [`Chain::save`]).
    pub(crate) fn append(&mut self, entry: &AuditEntry) {
        let row = Row::from_entry(self.seq + 1, entry, &self.hash, &self.key);
        self.seq = row.seq;
        self.hash = row.hash.clone();
        self.pending.push(row);
    }

    /// Write the appended records and the new head.
    pub(crate) async fn save<C: ConnectionTrait>(&mut self, c: &C) -> Result<(), DbErr> {
        for chunk in self.pending.chunks(ROWS_PER_INSERT) {
            let mut sql_text = format!("INSERT INTO audit_log ({COLUMNS}) VALUES ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 17);
            for (i, row) in chunk.iter().enumerate() {
                if i > 0 {
                    sql_text.push_str(", ");
                }
                let base = i * 17;
                let placeholders: Vec<String> = (1..=17).map(|k| format!("${}", base + k)).collect();
                sql_text.push('(');
                sql_text.push_str(&placeholders.join(", "));
                sql_text.push(')');
                values.extend([
                    row.seq.into(),
                    row.at.into(),
                    row.user_id.clone().into(),
                    row.organisation_id.clone().into(),
                    row.role.clone().into(),
                    row.on_behalf_of.clone().into(),
                    row.action.clone().into(),
                    row.participant_id.clone().into(),
                    row.category.clone().into(),
                    row.operation.clone().into(),
                    row.purpose.clone().into(),
                    row.basis.clone().into(),
                    row.outcome.clone().into(),
                    row.error_code.clone().into(),
                    row.client.clone().into(),
                    row.prev_hash.clone().into(),
                    row.hash.clone().into(),
                ]);
            }
            sql::exec(c, &sql_text, values).await?;
        }
        self.pending.clear();
        sql::exec(
            c,
            "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
            [self.seq.into(), self.hash.clone().into()],
        )
        .await?;
        Ok(())
    }
}

/// Records after `after_seq`, oldest first, optionally for one participant.
pub(crate) async fn records<C: ConnectionTrait>(
    c: &C,
    participant: Option<String>,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, DbErr> {
    let rows = match participant {
        Some(p) => {
            sql::all(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE participant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
                ),
                [p.into(), after_seq.into(), limit.into()],
            )
            .await?
        }
        None => {
            sql::all(
                c,
                &format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"),
                [after_seq.into(), limit.into()],
            )
            .await?
        }
    };
    rows.iter().map(|r| Row::read(r).and_then(Row::into_record)).collect()
}

/// Walk the whole chain, in one read snapshot so that records committed meanwhile by a live
/// system neither break nor extend the walk.
#[cfg(test)]
pub(crate) async fn verify(db: &sea_orm::DatabaseConnection, key: &AuditKey) -> Result<ChainVerification, DbErr> {
    verify_snapshot(db, key, None).await
}

/// [`verify`], and then compare the chain with the latest signed checkpoints (in the database
/// and the checkpoint file): a log shorter than a checkpoint was cut off or rolled back.
pub(crate) async fn verify_with(
    db: &sea_orm::DatabaseConnection,
    key: &AuditKey,
    guard: &crate::checkpoints::Guard,
) -> Result<ChainVerification, DbErr> {
    verify_snapshot(db, key, Some(guard)).await
}

async fn verify_snapshot(
    db: &sea_orm::DatabaseConnection,
    key: &AuditKey,
    guard: Option<&crate::checkpoints::Guard>,
) -> Result<ChainVerification, DbErr> {
    let txn = crate::sql::read_snapshot(db).await?;
    let result = match verify_in(&txn, key).await {
        Ok(ChainVerification::Intact { records, head }) => match guard {
            Some(guard) => crate::checkpoints::compare(&txn, guard, records)
                .await
                .map(|broken| broken.unwrap_or(ChainVerification::Intact { records, head })),
            None => Ok(ChainVerification::Intact { records, head }),
        },
        other => other,
    };
    txn.rollback().await?;
    result
}

async fn verify_in<C: ConnectionTrait>(c: &C, key: &AuditKey) -> Result<ChainVerification, DbErr> {
    const PAGE: i64 = 2000;
    let mut expected = 1i64;
    let mut prev = GENESIS.to_owned();
    loop {
        let rows = sql::all(
            c,
            &format!("SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2"),
            [expected.into(), PAGE.into()],
        )
        .await?;
        let n = rows.len();
        for r in &rows {
            let row = Row::read(r)?;
            let broken = |reason: &str| {
                Ok(ChainVerification::Broken {
                    first_broken_seq: u64::try_from(expected).unwrap_or(0),
                    reason: reason.to_owned(),
                })
            };
            if row.seq != expected {
                return broken(&format!("record {expected} is missing (the next record is {})", row.seq));
            }
            if row.prev_hash != prev {
                return broken("the record does not link to its predecessor (altered, inserted or reordered)");
            }
            if row.compute_hash(key) != row.hash {
                return broken("the record's content does not match its hash (altered)");
            }
            prev = row.hash;
            expected += 1;
        }
        if n < PAGE as usize {
            break;
        }
    }
    // Anything below sequence 1, or duplicated numbering, shows up here too.
    let count = sql::one(c, "SELECT COUNT(*) AS n FROM audit_log", [])
        .await?
        .map(|r| get::<i64>(&r, "n"))
        .transpose()?
        .unwrap_or(0);
    let last = expected - 1;
    if count != last {
        return Ok(ChainVerification::Broken {
            first_broken_seq: 1,
            reason: format!("{count} records stored but the chain from 1 has {last}"),
        });
    }
    let head = sql::one(c, "SELECT seq, hash FROM audit_head WHERE id = 1", []).await?;
    if let Some(head) = head {
        let (seq, hash): (i64, String) = (get(&head, "seq")?, get(&head, "hash")?);
        if seq != last || hash != prev {
            return Ok(ChainVerification::Broken {
                first_broken_seq: u64::try_from(last.min(seq) + 1).unwrap_or(0),
                reason: format!("the chain ends at {last} but its head says {seq}: records were cut off or added"),
            });
        }
    }
    Ok(ChainVerification::Intact { records: u64::try_from(last).unwrap_or(0), head: prev })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2_shape_and_depends_on_the_key() {
        // RFC 4231 test case with a 32-byte key of 0x0b..: compare against a known value.
        let key = AuditKey([0x0b; 32]);
        let mac = hex::encode(key.mac(&[b"Hi There"]));
        assert_eq!(mac, "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7");
        let other = AuditKey([0x0c; 32]);
        assert_ne!(hex::encode(other.mac(&[b"Hi There"])), mac);
    }
}
