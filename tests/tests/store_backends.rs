//! The conformance suite against the store on every backend: one test per check per backend
//! (`store_backends::sqlite_in_memory::case_round_trip`, ...), each on a fresh store.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use perspectief_core::access::Grant;
use perspectief_core::organisation::OrganisationRef;
use perspectief_core::service::Caller;
use perspectief_core::{Actor, Role, UserId};
use perspectief_store::testing::TestDatabase;
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};
use perspectief_tests::conformance::{Check, Env, Kept};

async fn run_against(url: &str, check: Check) {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap()));
    let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
    let mut options = StoreOptions::new(url, keys);
    options.clock = clock.clone();
    let store = Store::open(options).await.unwrap();
    let advance = |d| clock.advance(d);
    let now = || perspectief_store::Clock::now(clock.as_ref());
    // The register is kept by the administrator, on the store itself (a local caller: the
    // store trusts who works on it directly).
    let admin = Caller::local(Actor {
        user: UserId::from_u128(0xad),
        organisation: store.policy().foundation,
        role: Role::Administrator,
        grant: Grant::NONE,
    });
    let add = |o| -> Kept<'_> { Box::pin(store.add_organisation(&admin, o)) };
    let update =
        |id, changes| -> Kept<'_> { Box::pin(store.update_organisation(&admin, OrganisationRef::Id(id), changes)) };
    let env = Env {
        foundation: store.policy().foundation,
        advance: &advance,
        now: &now,
        remote: false,
        add_organisation: &add,
        update_organisation: &update,
    };
    check.run(&store, &env).await;
}

async fn in_memory(check: Check) {
    run_against("sqlite::memory:", check).await;
}

async fn on_a_file(check: Check) {
    let dir = std::env::temp_dir().join(format!("perspectief-conformance-{}", uuid::Uuid::new_v4()));
    run_against(&format!("sqlite://{}", dir.join("p.db").display()), check).await;
    let _ = std::fs::remove_dir_all(dir);
}

async fn on_postgresql(check: Check) {
    let Some(db) = TestDatabase::postgres_from_env().await else {
        eprintln!("PERSPECTIEF_TEST_DATABASE_URL is not set: the PostgreSQL half of the suite did not run");
        return;
    };
    run_against(&db.url, check).await;
}

mod sqlite_in_memory {
    perspectief_tests::conformance_tests!(super::in_memory);
}

mod sqlite_file {
    perspectief_tests::conformance_tests!(super::on_a_file);
}

mod postgresql {
    perspectief_tests::conformance_tests!(super::on_postgresql);
}
