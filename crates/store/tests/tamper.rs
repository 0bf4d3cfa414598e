//! The access log is tamper-evident: any change made directly in the database is found by
//! `verify` at the right sequence number, and the triggers refuse ordinary changes.

use perspectief_core::service::{ChainVerification, PerspectiefService};
use perspectief_store::Store;
use perspectief_store::testing::{is_postgres, raw_execute};

use crate::support::*;

/// A store with a few dozen access-log records, its triggers dropped as an attacker with full
/// database rights would.
async fn log_with_records(backend: &Backend) -> (Store, u64) {
    let c = clock();
    let store = open(&backend.url(), new_keys(), c.clone()).await;
    let lead = lead(&store);
    let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
    for i in 0..6 {
        let case =
            store.register_participant(&lead, registration(&format!("P{i}"), lead.actor.user, today)).await.unwrap();
        store.get_case(&lead, case.id()).await.unwrap();
    }
    let records = match store.verify_chain().await.unwrap() {
        ChainVerification::Intact { records, .. } => records,
        broken => panic!("{broken}"),
    };
    assert!(records >= 12);
    (store, records)
}

async fn drop_triggers(store: &Store) {
    if is_postgres(store) {
        raw_execute(store, "DROP TRIGGER audit_log_no_update ON audit_log").await.unwrap();
        raw_execute(store, "DROP TRIGGER audit_log_no_truncate ON audit_log").await.unwrap();
    } else {
        raw_execute(store, "DROP TRIGGER audit_log_no_update").await.unwrap();
        raw_execute(store, "DROP TRIGGER audit_log_no_delete").await.unwrap();
    }
}

fn broken_at(v: ChainVerification) -> u64 {
    match v {
        ChainVerification::Broken { first_broken_seq, .. } => first_broken_seq,
        intact => panic!("tampering went unnoticed: {intact}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_refuse_update_and_delete() {
    for backend in all_backends().await {
        let (store, _) = log_with_records(&backend).await;
        assert!(raw_execute(&store, "UPDATE audit_log SET operation = 'x' WHERE seq = 2").await.is_err());
        assert!(raw_execute(&store, "DELETE FROM audit_log WHERE seq = 2").await.is_err());
        assert!(
            raw_execute(&store, "UPDATE audit_head SET seq = seq - 1").await.is_err(),
            "the head only moves forward"
        );
        assert!(raw_execute(&store, "DELETE FROM audit_head").await.is_err());
        assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn altering_deleting_inserting_or_reordering_is_found_at_the_right_place() {
    for backend in all_backends().await {
        // Altered content.
        let (store, _) = log_with_records(&backend).await;
        drop_triggers(&store).await;
        raw_execute(&store, "UPDATE audit_log SET outcome = 'denied' WHERE seq = 5").await.unwrap();
        assert_eq!(broken_at(store.verify_chain().await.unwrap()), 5);
        drop(store);

        // A record deleted from the middle.
        let backend = fresh(backend).await;
        let (store, _) = log_with_records(&backend).await;
        drop_triggers(&store).await;
        raw_execute(&store, "DELETE FROM audit_log WHERE seq = 7").await.unwrap();
        assert_eq!(broken_at(store.verify_chain().await.unwrap()), 7);
        drop(store);

        // The tail cut off.
        let backend = fresh(backend).await;
        let (store, n) = log_with_records(&backend).await;
        drop_triggers(&store).await;
        raw_execute(&store, &format!("DELETE FROM audit_log WHERE seq = {n}")).await.unwrap();
        assert_eq!(broken_at(store.verify_chain().await.unwrap()), n);
        drop(store);

        // A forged record appended.
        let backend = fresh(backend).await;
        let (store, n) = log_with_records(&backend).await;
        raw_execute(
            &store,
            &format!(
                "INSERT INTO audit_log (seq, at, user_id, organisation_id, role, action, operation, purpose, outcome, client, prev_hash, hash) \
                 SELECT {next}, at, user_id, organisation_id, role, action, operation, purpose, outcome, client, hash, hash FROM audit_log WHERE seq = {n}",
                next = n + 1
            ),
        )
        .await
        .unwrap();
        assert_eq!(broken_at(store.verify_chain().await.unwrap()), n + 1);
        drop(store);

        // A forged record inserted in the middle, the later ones renumbered to make room.
        let backend = fresh(backend).await;
        let (store, _) = log_with_records(&backend).await;
        drop_triggers(&store).await;
        raw_execute(&store, "UPDATE audit_log SET seq = seq + 100000 WHERE seq > 5").await.unwrap();
        raw_execute(&store, "UPDATE audit_log SET seq = seq - 99999 WHERE seq > 100000").await.unwrap();
        raw_execute(
            &store,
            "INSERT INTO audit_log (seq, at, user_id, organisation_id, role, action, operation, purpose, outcome, client, prev_hash, hash) \
             SELECT 6, at, user_id, organisation_id, role, action, operation, purpose, outcome, client, hash, hash FROM audit_log WHERE seq = 5",
        )
        .await
        .unwrap();
        assert_eq!(broken_at(store.verify_chain().await.unwrap()), 6);
        drop(store);

        // Two records swapped (their content exchanged, numbers kept).
        let backend = fresh(backend).await;
        let (store, _) = log_with_records(&backend).await;
        drop_triggers(&store).await;
        for (from, to) in [(3, 1000), (4, 3), (1000, 4)] {
            raw_execute(&store, &format!("UPDATE audit_log SET seq = {to} WHERE seq = {from}")).await.unwrap();
        }
        assert_eq!(broken_at(store.verify_chain().await.unwrap()), 3);
    }
}

/// A new database of the same kind (a fresh PostgreSQL database, a fresh file).
async fn fresh(old: Backend) -> Backend {
    match old {
        Backend::Memory => Backend::Memory,
        Backend::File(_) => Backend::File(TempDir::new()),
        Backend::Postgres(_) => {
            Backend::Postgres(perspectief_store::testing::TestDatabase::postgres_from_env().await.unwrap())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_log_verifies_clean_while_it_grows() {
    for backend in all_backends().await {
        let (store, _) = log_with_records(&backend).await;
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                let lead = lead(&store);
                // The store's clock stands at 2 November 2026 (see support::clock).
                let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
                for i in 0..60 {
                    let r = registration(&format!("Groei{i}"), lead.actor.user, day);
                    let case = store.register_participant(&lead, r).await.unwrap();
                    store.get_case(&lead, case.id()).await.unwrap();
                }
            })
        };
        for _ in 0..20 {
            match store.verify_chain().await.unwrap() {
                ChainVerification::Intact { .. } => {}
                broken => panic!("a growing log must verify clean: {broken}"),
            }
        }
        writer.await.unwrap();
    }
}
