//! Test support: a throw-away PostgreSQL database per test run.
//!
//! `PERSPECTIEF_TEST_DATABASE_URL` names a PostgreSQL server (any database on it, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`). Each [`TestDatabase`] creates its own
//! database with a unique name and drops it again. When the variable is set but the server
//! cannot be reached, creating one fails loudly: a configured PostgreSQL run is never skipped.

use sea_orm::{ConnectionTrait, Database};

/// The environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_URL_VAR: &str = "PERSPECTIEF_TEST_DATABASE_URL";

/// A database created for one test run; dropped when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL of the new database.
    pub url: String,
    admin_url: String,
    name: String,
}

fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let query = tail.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    format!("{scheme}://{authority}/{name}{query}")
}

impl TestDatabase {
    /// A new PostgreSQL database when `PERSPECTIEF_TEST_DATABASE_URL` is set; `None` when it
    /// is not. Panics when it is set and the server refuses.
    pub async fn postgres_from_env() -> Option<Self> {
        let admin_url = std::env::var(TEST_DATABASE_URL_VAR).ok().filter(|u| !u.trim().is_empty())?;
        let name = format!("perspectief_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url.as_str())
            .await
            .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL_VAR} is set but PostgreSQL cannot be reached: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        Some(Self { url: with_database(&admin_url, &name), admin_url, name })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async; use a small runtime of its own on another thread.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Run raw SQL against a store's database, bypassing every rule: for tests that play an
/// attacker with direct database access (tampering with the access log) or that inspect what
/// is stored.
pub async fn raw_execute(store: &crate::Store, sql: &str) -> Result<u64, crate::StoreError> {
    Ok(store.inner.reader.execute_unprepared(sql).await?.rows_affected())
}

/// Take a store's database back to the schema before migration 23 (worklist reports and
/// judgments), as a version before it left it: for tests of that migration and its fill.
pub async fn undo_migration_23(store: &crate::Store) -> Result<(), crate::StoreError> {
    for sql in [
        "DROP TABLE report_periods",
        "DROP TABLE judgment_communications",
        "ALTER TABLE consent_overrides DROP COLUMN judgment_id",
        "DELETE FROM meta WHERE key = 'judgment_communications_filled'",
        "DELETE FROM perspectief_migrations WHERE version = 'm0023_worklist_reports_judgments'",
    ] {
        raw_execute(store, sql).await?;
    }
    Ok(())
}

/// Read one text column of the first row of a raw query (for tests that inspect storage).
pub async fn raw_query_text(store: &crate::Store, sql: &str) -> Result<Option<String>, crate::StoreError> {
    let backend = store.inner.reader.get_database_backend();
    let row = store.inner.reader.query_one_raw(sea_orm::Statement::from_string(backend, sql.to_owned())).await?;
    Ok(row.map(|r| r.try_get_by_index::<String>(0)).transpose()?)
}

/// Whether the store's database is PostgreSQL.
pub fn is_postgres(store: &crate::Store) -> bool {
    store.inner.reader.get_database_backend() == sea_orm::DbBackend::Postgres
}

async fn raw_rows(store: &crate::Store, sql: &str) -> Result<Vec<sea_orm::QueryResult>, crate::StoreError> {
    let backend = store.inner.reader.get_database_backend();
    Ok(store.inner.reader.query_all_raw(sea_orm::Statement::from_string(backend, sql.to_owned())).await?)
}

fn text_col(r: &sea_orm::QueryResult, col: &str) -> Result<String, crate::StoreError> {
    Ok(r.try_get::<String>("", col)?)
}

fn blob_col(r: &sea_orm::QueryResult, col: &str) -> Result<Vec<u8>, crate::StoreError> {
    Ok(r.try_get::<Vec<u8>>("", col)?)
}

/// The raw sealed values about one participant, as stored: the case state, the display name,
/// every event payload, break-glass reasons, and the wrapped data key (for tests that look for
/// these bytes anywhere in the database files after an erasure).
pub async fn participant_sealed_blobs(
    store: &crate::Store,
    participant: perspectief_core::ParticipantId,
) -> Result<Vec<Vec<u8>>, crate::StoreError> {
    let id = participant.to_string();
    let mut blobs = Vec::new();
    for (sql, cols) in [
        (format!("SELECT state, display FROM participants WHERE id = '{id}'"), &["state", "display"][..]),
        (format!("SELECT payload FROM case_events WHERE participant_id = '{id}'"), &["payload"][..]),
        // The record of an erasure on request is kept by design (its reason, for the review).
        (
            format!("SELECT reason FROM break_glass WHERE participant_id = '{id}' AND kind <> 'erasure_on_request'"),
            &["reason"][..],
        ),
        (format!("SELECT wrapped FROM participant_keys WHERE participant_id = '{id}'"), &["wrapped"][..]),
    ] {
        for r in raw_rows(store, &sql).await? {
            for c in cols {
                blobs.push(blob_col(&r, c)?);
            }
        }
    }
    Ok(blobs)
}

/// Decrypt every sealed value left in the database (case state and names, case and aggregate
/// events, sessions and meetings, break-glass and consent-override reasons and reviews) and
/// return the plaintexts, for tests that look for erased content.
pub async fn open_every_sealed_value(store: &crate::Store) -> Result<Vec<Vec<u8>>, crate::StoreError> {
    use perspectief_core::ParticipantId;
    let keys = &store.inner.keys;
    let c = &store.inner.reader;
    let pid = |s: String| ParticipantId::parse(&s).map_err(|e| crate::StoreError::Database(e.to_string()));
    let own = |id: ParticipantId| async move {
        crate::repo::participant_key(c, keys, id)
            .await
            .map_err(|e| crate::StoreError::Database(e.to_string()))?
            .ok_or_else(|| crate::StoreError::Database(format!("no key for {id}")))
    };
    let mut out = Vec::new();
    for r in raw_rows(store, "SELECT id, version, aad_version, key_id, state, display FROM participants").await? {
        let (id, key_id) = (pid(text_col(&r, "id")?)?, text_col(&r, "key_id")?);
        let bound_to = crate::repo::binding(r.try_get::<i64>("", "aad_version")?, r.try_get::<i64>("", "version")?);
        if key_id == crate::repo::ERASED_KEY_ID {
            out.push(blob_col(&r, "state")?);
            out.push(blob_col(&r, "display")?);
            continue;
        }
        for (col, aad) in
            [("state", crate::repo::state_aad(id, bound_to)), ("display", crate::repo::display_aad(id, bound_to))]
        {
            let blob = blob_col(&r, col)?;
            let opened = if key_id == crate::repo::PARTICIPANT_KEY_ID {
                let k = own(id).await?;
                k.open(k.current_id(), aad.as_bytes(), &blob)?
            } else {
                keys.open(&key_id, aad.as_bytes(), &blob)?
            };
            out.push(opened);
        }
    }
    for r in raw_rows(store, "SELECT participant_id, version, key_id, payload FROM case_events").await? {
        let id = pid(text_col(&r, "participant_id")?)?;
        let version = u64::try_from(r.try_get::<i64>("", "version")?).unwrap_or(0);
        let (key_id, blob) = (text_col(&r, "key_id")?, blob_col(&r, "payload")?);
        let aad = crate::repo::event_aad(id, version);
        out.push(if key_id == crate::repo::PARTICIPANT_KEY_ID {
            let k = own(id).await?;
            k.open(k.current_id(), aad.as_bytes(), &blob)?
        } else {
            keys.open(&key_id, aad.as_bytes(), &blob)?
        });
    }
    for r in raw_rows(store, "SELECT aggregate, id, version, key_id, payload FROM aggregate_events").await? {
        let version = u64::try_from(r.try_get::<i64>("", "version")?).unwrap_or(0);
        let aad = crate::repo::aggregate_event_aad(&text_col(&r, "aggregate")?, &text_col(&r, "id")?, version);
        out.push(keys.open(&text_col(&r, "key_id")?, aad.as_bytes(), &blob_col(&r, "payload")?)?);
    }
    for (table, aad_of) in [
        ("sessions", (|id, v| crate::repo::session_aad(id, v)) as fn(String, Option<u64>) -> String),
        ("meetings", |id, v| crate::repo::meeting_aad(id, v)),
    ] {
        for r in raw_rows(store, &format!("SELECT id, version, aad_version, key_id, state FROM {table}")).await? {
            let bound_to = crate::repo::binding(r.try_get::<i64>("", "aad_version")?, r.try_get::<i64>("", "version")?);
            let aad = aad_of(text_col(&r, "id")?, bound_to);
            out.push(keys.open(&text_col(&r, "key_id")?, aad.as_bytes(), &blob_col(&r, "state")?)?);
        }
    }
    for (table, prefix) in [("break_glass", "break-glass"), ("consent_overrides", "consent-override")] {
        let sql = format!("SELECT id, key_id, reason, review_key_id, review_note FROM {table}");
        for r in raw_rows(store, &sql).await? {
            let id = text_col(&r, "id")?;
            let aad = format!("{prefix}:{id}");
            out.push(keys.open(&text_col(&r, "key_id")?, aad.as_bytes(), &blob_col(&r, "reason")?)?);
            let review: Option<String> = r.try_get("", "review_key_id")?;
            if let Some(review_key) = review {
                let note: Vec<u8> = r.try_get::<Option<Vec<u8>>>("", "review_note")?.unwrap_or_default();
                out.push(keys.open(&review_key, format!("{prefix}-review:{id}").as_bytes(), &note)?);
            }
        }
    }
    for r in raw_rows(store, "SELECT id, key_id, reason FROM erasure_requests").await? {
        let aad = format!("erasure-request:{}", text_col(&r, "id")?);
        out.push(keys.open(&text_col(&r, "key_id")?, aad.as_bytes(), &blob_col(&r, "reason")?)?);
    }
    for r in raw_rows(store, "SELECT id, key_id, reason, lift_key_id, lift_reason FROM legal_holds").await? {
        let id = text_col(&r, "id")?;
        out.push(keys.open(
            &text_col(&r, "key_id")?,
            format!("legal-hold:{id}").as_bytes(),
            &blob_col(&r, "reason")?,
        )?);
        let lift: Option<String> = r.try_get("", "lift_key_id")?;
        if let Some(lift_key) = lift {
            let sealed: Vec<u8> = r.try_get::<Option<Vec<u8>>>("", "lift_reason")?.unwrap_or_default();
            out.push(keys.open(&lift_key, format!("legal-hold-lift:{id}").as_bytes(), &sealed)?);
        }
    }
    Ok(out)
}

/// Make a participant's stored values look as a database from before participant keys holds
/// them: every sealed value sealed with the foundation's current key, no data key. For upgrade
/// tests.
pub async fn reseal_with_foundation_key(
    store: &crate::Store,
    participant: perspectief_core::ParticipantId,
) -> Result<(), crate::StoreError> {
    let keys = &store.inner.keys;
    let c = &store.inner.reader;
    let err = |e: perspectief_core::DomainError| crate::StoreError::Database(e.to_string());
    let k = crate::repo::participant_key(c, keys, participant)
        .await
        .map_err(err)?
        .ok_or_else(|| crate::StoreError::Database("no participant key".to_owned()))?;
    let id = participant.to_string();
    let reseal = |aad: String, blob: Vec<u8>| -> Result<crate::Sealed, crate::StoreError> {
        let plain = k.open(k.current_id(), aad.as_bytes(), &blob)?;
        keys.seal(aad.as_bytes(), &plain)
    };
    let r =
        raw_rows(store, &format!("SELECT version, aad_version, state, display FROM participants WHERE id = '{id}'"))
            .await?
            .pop()
            .ok_or_else(|| crate::StoreError::Database("no participant".to_owned()))?;
    let bound_to = crate::repo::binding(r.try_get::<i64>("", "aad_version")?, r.try_get::<i64>("", "version")?);
    let state = reseal(crate::repo::state_aad(participant, bound_to), blob_col(&r, "state")?)?;
    let display = reseal(crate::repo::display_aad(participant, bound_to), blob_col(&r, "display")?)?;
    crate::sql::exec(
        c,
        "UPDATE participants SET key_id = $2, state = $3, display = $4 WHERE id = $1",
        [id.clone().into(), state.key_id.into(), state.blob.into(), display.blob.into()],
    )
    .await?;
    for r in raw_rows(store, &format!("SELECT version, payload FROM case_events WHERE participant_id = '{id}'")).await?
    {
        let version = r.try_get::<i64>("", "version")?;
        let sealed =
            reseal(crate::repo::event_aad(participant, u64::try_from(version).unwrap_or(0)), blob_col(&r, "payload")?)?;
        crate::sql::exec(
            c,
            "UPDATE case_events SET key_id = $3, payload = $4 WHERE participant_id = $1 AND version = $2",
            [id.clone().into(), version.into(), sealed.key_id.into(), sealed.blob.into()],
        )
        .await?;
    }
    crate::sql::exec(c, "DELETE FROM participant_keys WHERE participant_id = $1", [id.into()]).await?;
    Ok(())
}

/// An active account as the administrator would enter it (whether it must still be confirmed
/// is the store's to decide when it is created): for tests that make accounts.
pub fn active_account(
    id: perspectief_core::UserId,
    organisation: perspectief_core::OrganisationId,
    role: perspectief_core::Role,
    name: &str,
) -> perspectief_core::accounts::UserAccount {
    perspectief_core::accounts::UserAccount {
        id,
        organisation,
        role,
        name: perspectief_core::Label::parse(name).expect("a valid account name"),
        disabled: false,
        awaiting_confirmation: false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_name_is_replaced_and_parameters_kept() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://u@h/", "t2"), "postgres://u@h/t2");
    }
}
