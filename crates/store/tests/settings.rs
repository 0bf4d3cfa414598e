//! SQLite settings are set and read back at open.

use crate::support::*;

#[tokio::test]
async fn a_file_database_runs_with_wal_full_sync_foreign_keys_busy_timeout_and_secure_delete() {
    let dir = TempDir::new();
    let store = open(&dir.url("p.db"), new_keys(), clock()).await;
    for (name, expected) in [
        ("journal_mode", "wal"),
        ("synchronous", "2"),
        ("foreign_keys", "1"),
        ("busy_timeout", "10000"),
        ("secure_delete", "1"),
    ] {
        assert_eq!(store.sqlite_setting(name).await.unwrap().to_lowercase(), expected, "{name}");
    }
}

#[tokio::test]
async fn a_missing_directory_is_created_and_unknown_urls_are_refused() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}", dir.0.join("deeper/still/p.db").display());
    open(&url, new_keys(), clock()).await;
    assert!(dir.0.join("deeper/still/p.db").exists());
    let err = perspectief_store::Store::open(perspectief_store::StoreOptions::new("mysql://x", new_keys()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unsupported_url");
}

#[tokio::test]
async fn a_write_that_waits_past_the_busy_timeout_is_unavailable_not_internal() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let dir = TempDir::new();
    let url = dir.url("p.db");
    let mut options = perspectief_store::StoreOptions::new(url.as_str(), new_keys());
    options.clock = clock();
    options.busy_timeout = std::time::Duration::from_millis(200);
    let store = perspectief_store::Store::open(options).await.unwrap();
    assert_eq!(store.sqlite_setting("busy_timeout").await.unwrap(), "200");
    // Another process holds the write lock.
    let other = sea_orm::Database::connect(url.as_str()).await.unwrap();
    let held = other.begin().await.unwrap();
    held.execute_unprepared("CREATE TABLE held_lock (x INTEGER)").await.unwrap();
    let lead = lead(&store);
    let cmd = registration("Synthetisch", lead.actor.user, chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
    let err = perspectief_core::service::PerspectiefService::register_participant(&store, &lead, cmd.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unavailable", "{err}");
    assert!(err.to_string().contains("busy"), "{err}");
    // Once the lock is gone the same write goes through.
    held.rollback().await.unwrap();
    perspectief_core::service::PerspectiefService::register_participant(&store, &lead, cmd).await.unwrap();
}
