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
