//! Retiring keys: re-sealing everything sealed under an older foundation key with the current
//! one, so the older key can leave the key file.
//!
//! Only what is sealed with the foundation's keyring is re-sealed: the secrets in `meta` (the
//! key check, the access log's key, the checkpoint signing key), the participants' wrapped
//! data keys, and the values sealed with a foundation key directly (sessions, meetings and their
//! events, break-glass and consent-override reasons and reviews, and case files and events
//! written before participant keys). What a participant's own data key sealed stays as it is:
//! only that key's wrapping changes. Every value is sealed again with exactly the place (AAD)
//! it was sealed with, so a version-bound row stays bound to the same version.
//!
//! The work goes in batches, each one job of the writer (one transaction with its audit
//! record): an interrupted rotation leaves every row either as it was or re-sealed, and running
//! it again carries on where it stopped. A row changed meanwhile is left to the next batch
//! (each update checks that the row still holds what was read).

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use perspectief_core::access::{Action, Resource};
use perspectief_core::service::Caller;
use perspectief_core::{BreakGlassId, ConsentOverrideId, DomainError, ErasureRequestId, LegalHoldId, ParticipantId};
use sea_orm::{ConnectionTrait, QueryResult, Value};

use crate::Store;
use crate::crypto::Keyring;
use crate::error::{db, internal};
use crate::open::{AUDIT_KEY, AUDIT_KEY_AAD, CHECKPOINT_KEY, CHECKPOINT_KEY_AAD, KEY_CHECK, KEY_CHECK_AAD, KEY_IDS};
use crate::repo::{self, ERASED_KEY_ID, PARTICIPANT_KEY_ID};
use crate::sql::{self, get};
use crate::writer::{Output, Work};

/// How many rows one batch of a rotation re-seals at most, unless told otherwise.
pub const DEFAULT_ROTATION_BATCH: usize = 500;

/// How much one key still seals in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUse {
    /// The key's id (derived from the key; not secret).
    pub key_id: String,
    /// Values still sealed under it.
    pub values: u64,
    /// Whether it is the key new values are sealed with.
    pub current: bool,
    /// Whether the keyring the store was opened with holds it.
    pub in_keyring: bool,
    /// Whether the database records it as one it needs to open (until a rotation retires it).
    pub recorded: bool,
    /// Whether the key file must keep it: the current key, a key that still seals values, or
    /// one the database still asks for.
    pub needed: bool,
}

/// Which keys a database still needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// The id of the current key.
    pub current: String,
    /// Every key the database recorded, still uses or the keyring holds, current first.
    pub keys: Vec<KeyUse>,
}

/// How far a rotation is, after each batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationProgress {
    /// Values re-sealed so far.
    pub resealed: u64,
    /// Values to re-seal, as counted at the start (at least `resealed`).
    pub total: u64,
}

/// The outcome of a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The key everything is now sealed with.
    pub current: String,
    /// Values re-sealed by this run.
    pub resealed: u64,
    /// Whether every value is sealed with the current key (false when stopped early).
    pub complete: bool,
    /// Keys the database no longer needs, retired by this run.
    pub retired: Vec<String>,
}

/// How a row is named in its table.
#[derive(Clone, Copy)]
enum Pk {
    Text(&'static str),
    Int(&'static str),
}

impl Pk {
    fn name(self) -> &'static str {
        match self {
            Self::Text(n) | Self::Int(n) => n,
        }
    }

    fn value(self, r: &QueryResult) -> Result<Value, DomainError> {
        Ok(match self {
            Self::Text(n) => get::<String>(r, n).map_err(db)?.into(),
            Self::Int(n) => get::<i64>(r, n).map_err(db)?.into(),
        })
    }
}

/// Sealed columns under one key-id column.
struct Column {
    table: &'static str,
    pk: &'static [Pk],
    /// Further columns the place is made of (a row's version binding).
    extra: &'static [&'static str],
    key: &'static str,
    /// The sealed columns under that key id (a case file's state and name share one).
    blobs: &'static [&'static str],
    /// The place (AAD) the value in a sealed column was sealed with.
    aad: fn(&QueryResult, &str) -> Result<String, DomainError>,
}

fn text(r: &QueryResult, col: &str) -> Result<String, DomainError> {
    get::<String>(r, col).map_err(db)
}

fn version(r: &QueryResult) -> Result<u64, DomainError> {
    Ok(u64::try_from(get::<i64>(r, "version").map_err(db)?).unwrap_or(0))
}

fn participant(r: &QueryResult, col: &str) -> Result<ParticipantId, DomainError> {
    ParticipantId::parse(&text(r, col)?).map_err(internal)
}

/// The version a row's seal is bound to (`aad_version`, see `repo::binding`).
fn bound_to(r: &QueryResult) -> Result<Option<u64>, DomainError> {
    Ok(repo::binding(get(r, "aad_version").map_err(db)?, get(r, "version").map_err(db)?))
}

const VERSIONED: &[&str] = &["version", "aad_version"];

/// Everything in the database sealed with a foundation key, beside `meta`'s secrets: wrapped
/// participant keys, old-style sealed cases, sessions, meetings, aggregate events, the reasons
/// and reviews of break-glass reads and consent overrides, erasure requests and legal holds.
const COLUMNS: &[Column] = &[
    Column {
        table: "participant_keys",
        pk: &[Pk::Text("participant_id")],
        extra: &[],
        key: "key_id",
        blobs: &["wrapped"],
        aad: |r, _| Ok(repo::participant_key_aad(participant(r, "participant_id")?)),
    },
    Column {
        table: "participants",
        pk: &[Pk::Text("id")],
        extra: VERSIONED,
        key: "key_id",
        blobs: &["state", "display"],
        aad: |r, col| {
            let (id, bound) = (participant(r, "id")?, bound_to(r)?);
            Ok(if col == "state" { repo::state_aad(id, bound) } else { repo::display_aad(id, bound) })
        },
    },
    Column {
        table: "case_events",
        pk: &[Pk::Text("participant_id"), Pk::Int("version")],
        extra: &[],
        key: "key_id",
        blobs: &["payload"],
        aad: |r, _| Ok(repo::event_aad(participant(r, "participant_id")?, version(r)?)),
    },
    Column {
        table: "sessions",
        pk: &[Pk::Text("id")],
        extra: VERSIONED,
        key: "key_id",
        blobs: &["state"],
        aad: |r, _| Ok(repo::session_aad(text(r, "id")?, bound_to(r)?)),
    },
    Column {
        table: "meetings",
        pk: &[Pk::Text("id")],
        extra: VERSIONED,
        key: "key_id",
        blobs: &["state"],
        aad: |r, _| Ok(repo::meeting_aad(text(r, "id")?, bound_to(r)?)),
    },
    Column {
        table: "aggregate_events",
        pk: &[Pk::Text("aggregate"), Pk::Text("id"), Pk::Int("version")],
        extra: &[],
        key: "key_id",
        blobs: &["payload"],
        aad: |r, _| Ok(repo::aggregate_event_aad(&text(r, "aggregate")?, &text(r, "id")?, version(r)?)),
    },
    Column {
        table: "break_glass",
        pk: &[Pk::Text("id")],
        extra: &[],
        key: "key_id",
        blobs: &["reason"],
        aad: |r, _| Ok(crate::privacy::break_glass_aad(BreakGlassId::parse(&text(r, "id")?).map_err(internal)?)),
    },
    Column {
        table: "break_glass",
        pk: &[Pk::Text("id")],
        extra: &[],
        key: "review_key_id",
        blobs: &["review_note"],
        aad: |r, _| Ok(crate::privacy::review_aad(BreakGlassId::parse(&text(r, "id")?).map_err(internal)?)),
    },
    Column {
        table: "consent_overrides",
        pk: &[Pk::Text("id")],
        extra: &[],
        key: "key_id",
        blobs: &["reason"],
        aad: |r, _| {
            Ok(crate::privacy::consent_override_aad(ConsentOverrideId::parse(&text(r, "id")?).map_err(internal)?))
        },
    },
    Column {
        table: "consent_overrides",
        pk: &[Pk::Text("id")],
        extra: &[],
        key: "review_key_id",
        blobs: &["review_note"],
        aad: |r, _| {
            Ok(crate::privacy::consent_override_review_aad(
                ConsentOverrideId::parse(&text(r, "id")?).map_err(internal)?,
            ))
        },
    },
    Column {
        table: "erasure_requests",
        pk: &[Pk::Text("id")],
        extra: &[],
        key: "key_id",
        blobs: &["reason"],
        aad: |r, _| Ok(crate::erasure::request_aad(ErasureRequestId::parse(&text(r, "id")?).map_err(internal)?)),
    },
    Column {
        table: "legal_holds",
        pk: &[Pk::Text("id")],
        extra: &[],
        key: "key_id",
        blobs: &["reason"],
        aad: |r, _| Ok(crate::erasure::hold_aad(LegalHoldId::parse(&text(r, "id")?).map_err(internal)?)),
    },
    Column {
        table: "legal_holds",
        pk: &[Pk::Text("id")],
        extra: &[],
        key: "lift_key_id",
        blobs: &["lift_reason"],
        aad: |r, _| Ok(crate::erasure::lift_aad(LegalHoldId::parse(&text(r, "id")?).map_err(internal)?)),
    },
];

/// The secrets in `meta`, each stored as `key_id:hex`, with their places.
const META: &[(&str, &[u8])] =
    &[(KEY_CHECK, KEY_CHECK_AAD), (AUDIT_KEY, AUDIT_KEY_AAD), (CHECKPOINT_KEY, CHECKPOINT_KEY_AAD)];

/// Values sealed with a participant's own key, and an erased person's row, carry a marker in
/// the key column instead of a foundation key's id: they are not the keyring's to re-seal.
fn foundation_sealed(key: &str) -> String {
    format!("{key} IS NOT NULL AND {key} NOT IN ('{PARTICIPANT_KEY_ID}', '{ERASED_KEY_ID}')")
}

fn meta_value(value: &str) -> Result<(&str, Vec<u8>), DomainError> {
    let (key_id, blob) = value.split_once(':').ok_or_else(|| internal("a sealed value in meta is malformed"))?;
    Ok((key_id, hex::decode(blob).map_err(|_| internal("a sealed value in meta is malformed"))?))
}

/// Values per key id.
async fn count<C: ConnectionTrait>(c: &C) -> Result<BTreeMap<String, u64>, DomainError> {
    let mut counts = BTreeMap::new();
    for (name, _) in META {
        if let Some(row) = sql::one(c, "SELECT value FROM meta WHERE key = $1", [(*name).into()]).await.map_err(db)? {
            let value = text(&row, "value")?;
            *counts.entry(meta_value(&value)?.0.to_owned()).or_default() += 1;
        }
    }
    for col in COLUMNS {
        let q = format!(
            "SELECT {key} AS key_id, COUNT(*) AS n FROM {table} WHERE {cond} GROUP BY {key}",
            key = col.key,
            table = col.table,
            cond = foundation_sealed(col.key)
        );
        for r in sql::all(c, &q, []).await.map_err(db)? {
            let n = u64::try_from(get::<i64>(&r, "n").map_err(db)?).unwrap_or(0);
            *counts.entry(text(&r, "key_id")?).or_default() += n * col.blobs.len() as u64;
        }
    }
    Ok(counts)
}

/// The key ids the database records as needed to open it (see `open::check_key_ids`).
async fn recorded<C: ConnectionTrait>(c: &C) -> Result<Vec<String>, DomainError> {
    let row = sql::one(c, "SELECT value FROM meta WHERE key = $1", [KEY_IDS.into()]).await.map_err(db)?;
    Ok(match row {
        Some(r) => text(&r, "value")?.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        None => Vec::new(),
    })
}

async fn status<C: ConnectionTrait>(c: &C, keys: &Keyring) -> Result<KeyStatus, DomainError> {
    let counts = count(c).await?;
    let recorded = recorded(c).await?;
    let current = keys.current_id().to_owned();
    let mut ids = vec![current.clone()];
    for id in recorded.iter().chain(counts.keys()).chain(keys.ids()) {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    let keys = ids
        .into_iter()
        .map(|key_id| {
            let values = counts.get(&key_id).copied().unwrap_or(0);
            let is_current = key_id == current;
            let is_recorded = recorded.contains(&key_id);
            KeyUse {
                in_keyring: keys.has(&key_id),
                needed: is_current || values > 0 || is_recorded,
                current: is_current,
                recorded: is_recorded,
                values,
                key_id,
            }
        })
        .collect();
    Ok(KeyStatus { current, keys })
}

/// Re-seal one value with the current key, at the place it was sealed.
fn reseal(keys: &Keyring, key_id: &str, aad: &str, blob: &[u8]) -> Result<crate::Sealed, DomainError> {
    let plain = zeroize::Zeroizing::new(keys.open(key_id, aad.as_bytes(), blob).map_err(internal)?);
    keys.seal(aad.as_bytes(), &plain).map_err(internal)
}

/// One batch: up to `limit` rows not sealed with the current key, re-sealed. Returns the values
/// re-sealed and the rows found (none found: nothing is left).
async fn reseal_batch<C: ConnectionTrait>(c: &C, keys: &Keyring, limit: usize) -> Result<(u64, usize), DomainError> {
    let current = keys.current_id().to_owned();
    let (mut resealed, mut found) = (0u64, 0usize);
    for (name, aad) in META {
        let Some(row) = sql::one(c, "SELECT value FROM meta WHERE key = $1", [(*name).into()]).await.map_err(db)?
        else {
            continue;
        };
        let old = text(&row, "value")?;
        let (key_id, blob) = meta_value(&old)?;
        if key_id == current {
            continue;
        }
        found += 1;
        let plain = zeroize::Zeroizing::new(keys.open(key_id, aad, &blob).map_err(internal)?);
        let sealed = keys.seal(aad, &plain).map_err(internal)?;
        let new = format!("{}:{}", sealed.key_id, hex::encode(sealed.blob));
        let n = sql::exec(
            c,
            "UPDATE meta SET value = $3 WHERE key = $1 AND value = $2",
            [(*name).into(), old.into(), new.into()],
        )
        .await
        .map_err(db)?;
        resealed += n;
    }
    for col in COLUMNS {
        if found >= limit {
            break;
        }
        let names: Vec<&str> =
            col.pk.iter().map(|p| p.name()).chain(col.extra.iter().copied()).chain(col.blobs.iter().copied()).collect();
        let q = format!(
            "SELECT {cols}, {key} AS sealed_key_id FROM {table} WHERE {cond} AND {key} <> $1 LIMIT $2",
            cols = names.join(", "),
            key = col.key,
            table = col.table,
            cond = foundation_sealed(col.key)
        );
        let limit_left = i64::try_from(limit - found).unwrap_or(i64::MAX);
        for r in sql::all(c, &q, [current.clone().into(), limit_left.into()]).await.map_err(db)? {
            found += 1;
            let key_id = text(&r, "sealed_key_id")?;
            // SET key = $1, blob_i = $(i+2); WHERE key = $k AND the first blob unchanged AND pk.
            let mut values: Vec<Value> = vec![current.clone().into()];
            let mut set = vec![format!("{} = $1", col.key)];
            let mut old_first = None;
            for blob_col in col.blobs {
                let blob: Vec<u8> = get(&r, blob_col).map_err(db)?;
                let sealed = reseal(keys, &key_id, &(col.aad)(&r, blob_col)?, &blob)?;
                values.push(sealed.blob.into());
                set.push(format!("{blob_col} = ${}", values.len()));
                old_first.get_or_insert(blob);
            }
            values.push(key_id.into());
            let mut cond = vec![format!("{} = ${}", col.key, values.len())];
            values.push(old_first.unwrap_or_default().into());
            cond.push(format!("{} = ${}", col.blobs[0], values.len()));
            for pk in col.pk {
                values.push(pk.value(&r)?);
                cond.push(format!("{} = ${}", pk.name(), values.len()));
            }
            let update = format!("UPDATE {} SET {} WHERE {}", col.table, set.join(", "), cond.join(" AND "));
            // Nothing updated: the row changed since it was read; the next batch sees it anew.
            if sql::exec(c, &update, values).await.map_err(db)? == 1 {
                resealed += col.blobs.len() as u64;
            }
        }
    }
    Ok((resealed, found))
}

/// After the last batch: the database records only the keys it still needs, so it opens
/// without the retired ones. Returns those.
async fn retire<C: ConnectionTrait>(c: &C, keys: &Keyring) -> Result<Vec<String>, DomainError> {
    let counts = count(c).await?;
    let current = keys.current_id();
    let recorded = recorded(c).await?;
    let (mut keep, retired): (Vec<String>, Vec<String>) =
        recorded.into_iter().partition(|id| id == current || counts.get(id).is_some_and(|n| *n > 0));
    if !keep.iter().any(|id| id == current) {
        keep.push(current.to_owned());
    }
    sql::exec(c, "DELETE FROM meta WHERE key = $1", [KEY_IDS.into()]).await.map_err(db)?;
    sql::exec(c, "INSERT INTO meta (key, value) VALUES ($1, $2)", [KEY_IDS.into(), keep.join(",").into()])
        .await
        .map_err(db)?;
    Ok(retired)
}

impl Store {
    /// Which keys the database still needs: per key id the values sealed under it, whether the
    /// keyring holds it, and whether it must stay in the key file (administrators; logged).
    pub async fn key_status(&self, caller: &Caller) -> Result<KeyStatus, DomainError> {
        let store = self.clone();
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move { Ok(Box::new(status(txn, &store.inner.keys).await?) as Output) })
        });
        self.admin_job(caller, Action::Read, Resource::EncryptionKeys, "key_status", work).await
    }

    /// Re-seal everything sealed with an older foundation key under the current one, `batch`
    /// rows at a time, each batch in its own transaction with its own access-log record
    /// (administrators). `progress` hears after every batch and may stop the rotation there
    /// (`ControlFlow::Break`); running it again carries on. When nothing is left under an older
    /// key, the database stops asking for those keys: it then opens with the current key alone.
    pub async fn rotate_keys<F>(&self, caller: &Caller, batch: usize, mut progress: F) -> Result<Rotation, DomainError>
    where
        F: FnMut(RotationProgress) -> ControlFlow<()> + Send,
    {
        let current = self.inner.keys.current_id().to_owned();
        let store = self.clone();
        let count_work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                let current = store.inner.keys.current_id();
                let counts = count(txn).await?;
                let total: u64 = counts.iter().filter(|(id, _)| id.as_str() != current).map(|(_, n)| n).sum();
                Ok(Box::new(total) as Output)
            })
        });
        let total: u64 =
            self.admin_job(caller, Action::Update, Resource::EncryptionKeys, "rotate_keys", count_work).await?;
        let mut resealed = 0u64;
        loop {
            let store = self.clone();
            let limit = batch.max(1);
            let work: Work = Box::new(move |txn, _entry| {
                Box::pin(async move {
                    let keys = &store.inner.keys;
                    let (n, found) = reseal_batch(txn, keys, limit).await?;
                    // Nothing was left: retire in the same transaction that saw so.
                    let retired = if found == 0 { Some(retire(txn, keys).await?) } else { None };
                    Ok(Box::new((n, retired)) as Output)
                })
            });
            let (n, retired): (u64, Option<Vec<String>>) =
                self.admin_job(caller, Action::Update, Resource::EncryptionKeys, "rotate_keys", work).await?;
            resealed += n;
            if let Some(retired) = retired {
                return Ok(Rotation { current, resealed, complete: true, retired });
            }
            if progress(RotationProgress { resealed, total: total.max(resealed) }).is_break() {
                return Ok(Rotation { current, resealed, complete: false, retired: Vec::new() });
            }
        }
    }
}
