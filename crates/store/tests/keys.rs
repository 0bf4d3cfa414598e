//! Encryption at rest and keys.

use perspectief_core::service::PerspectiefService;
use perspectief_store::testing::raw_query_text;
use perspectief_store::{Keyring, Store, StoreOptions};

use crate::support::*;

fn bytes_of_dir(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        all.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    all
}

#[tokio::test]
async fn names_and_notes_are_not_stored_in_plain_text() {
    let dir = TempDir::new();
    let c = clock();
    let store = open(&dir.url("p.db"), new_keys(), c.clone()).await;
    let lead = lead(&store);
    let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
    store.register_participant(&lead, registration("Qwyzzelnaam", lead.actor.user, today)).await.unwrap();
    drop(store);
    let raw = bytes_of_dir(&dir.0);
    assert!(!raw.is_empty());
    assert!(!raw.windows(11).any(|w| w == b"Qwyzzelnaam"), "the name must not appear in the database files");
}

#[tokio::test]
async fn the_wrong_key_is_a_clear_error_at_open_and_rotation_keeps_old_data_readable() {
    let dir = TempDir::new();
    let url = dir.url("p.db");
    let old = Keyring::generate_hex_key().unwrap();
    let c = clock();
    let store = open(&url, Keyring::from_hex_keys(std::slice::from_ref(&old)).unwrap(), c.clone()).await;
    let lead = lead(&store);
    let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
    let first = store.register_participant(&lead, registration("Een", lead.actor.user, today)).await.unwrap();
    drop(store);

    let stranger = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
    let err = Store::open(StoreOptions::new(url.clone(), stranger)).await.unwrap_err();
    assert_eq!(err.code(), "unknown_key", "{err}");
    assert!(err.to_string().contains("key"), "{err}");

    let new = Keyring::generate_hex_key().unwrap();
    let rotated = Keyring::from_hex_keys(&[new, old]).unwrap();
    let new_id = rotated.current_id().to_owned();
    let store = open(&url, rotated, c).await;
    assert_eq!(store.get_case(&lead, first.id()).await.unwrap(), first, "old values stay readable");
    let second = store.register_participant(&lead, registration("Twee", lead.actor.user, today)).await.unwrap();
    // A participant's values are sealed with their own data key, wrapped with the current key.
    let key_id = raw_query_text(
        &store,
        &format!("SELECT key_id FROM participant_keys WHERE participant_id = '{}'", second.id()),
    )
    .await
    .unwrap();
    assert_eq!(key_id.as_deref(), Some(new_id.as_str()), "new values use the current key");
}

#[test]
fn a_key_file_is_created_private_and_never_overwritten() {
    let dir = TempDir::new();
    let path = dir.0.join("perspectief.key");
    let ring = Keyring::create_file(&path).unwrap();
    assert_eq!(Keyring::load_file(&path).unwrap().current_id(), ring.current_id());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(Keyring::create_file(&path).unwrap_err().code(), "io");
    std::fs::write(dir.0.join("bad.key"), "not a key\n").unwrap();
    assert_eq!(Keyring::load_file(&dir.0.join("bad.key")).unwrap_err().code(), "key_file");
}

#[tokio::test]
async fn a_keyring_missing_any_key_ever_used_is_refused_at_open() {
    let dir = TempDir::new();
    let url = dir.url("p.db");
    let (a, b, c) = (
        Keyring::generate_hex_key().unwrap(),
        Keyring::generate_hex_key().unwrap(),
        Keyring::generate_hex_key().unwrap(),
    );
    drop(open(&url, Keyring::from_hex_keys(std::slice::from_ref(&a)).unwrap(), clock()).await);
    // Rotated to b: values are now sealed with b as well as a.
    let with_b = Keyring::from_hex_keys(&[b.clone(), a.clone()]).unwrap();
    let b_id = with_b.current_id().to_owned();
    drop(open(&url, with_b, clock()).await);
    // A keyring that lost b cannot open the database, even though it has a.
    let err = Store::open(StoreOptions::new(url.clone(), Keyring::from_hex_keys(&[c, a.clone()]).unwrap()))
        .await
        .unwrap_err();
    match err {
        perspectief_store::StoreError::UnknownKey { key_id } => assert_eq!(key_id, b_id),
        other => panic!("{other}"),
    }
    open(&url, Keyring::from_hex_keys(&[b, a]).unwrap(), clock()).await;
}
