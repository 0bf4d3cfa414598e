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
        drop_audit_triggers(&store).await;
        raw_execute(&store, "UPDATE audit_log SET outcome = 'denied' WHERE seq = 5").await.unwrap();
        assert_eq!(broken_at(store.verify_chain().await.unwrap()), 5);
        drop(store);

        // A record deleted from the middle.
        let backend = fresh(backend).await;
        let (store, _) = log_with_records(&backend).await;
        drop_audit_triggers(&store).await;
        raw_execute(&store, "DELETE FROM audit_log WHERE seq = 7").await.unwrap();
        assert_eq!(broken_at(store.verify_chain().await.unwrap()), 7);
        drop(store);

        // The tail cut off.
        let backend = fresh(backend).await;
        let (store, n) = log_with_records(&backend).await;
        drop_audit_triggers(&store).await;
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
        drop_audit_triggers(&store).await;
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
        drop_audit_triggers(&store).await;
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

/// The checkpoint triggers too, for an attacker who also removes the checkpoints kept in the
/// database.
async fn drop_checkpoint_triggers(store: &Store) {
    if is_postgres(store) {
        raw_execute(store, "DROP TRIGGER audit_checkpoints_no_update ON audit_checkpoints").await.unwrap();
        raw_execute(store, "DROP TRIGGER audit_checkpoints_no_truncate ON audit_checkpoints").await.unwrap();
    } else {
        raw_execute(store, "DROP TRIGGER audit_checkpoints_no_update").await.unwrap();
        raw_execute(store, "DROP TRIGGER audit_checkpoints_no_delete").await.unwrap();
    }
}

async fn drop_head_triggers(store: &Store) {
    if is_postgres(store) {
        raw_execute(store, "DROP TRIGGER audit_head_forward ON audit_head").await.unwrap();
    } else {
        raw_execute(store, "DROP TRIGGER audit_head_forward").await.unwrap();
        raw_execute(store, "DROP TRIGGER audit_head_no_delete").await.unwrap();
    }
}

/// A store that checkpoints every 5 records, also into `file`, with a few dozen records and an
/// automatic checkpoint of at least 10 of them.
async fn checkpointed_log(backend: &Backend, file: &std::path::Path) -> (Store, u64) {
    let c = clock();
    let mut options = perspectief_store::StoreOptions::new(backend.url(), new_keys());
    options.clock = c.clone();
    options.checkpoints = Some(perspectief_store::CheckpointPolicy {
        every_records: 5,
        every: std::time::Duration::from_secs(3600),
        file: Some(file.to_owned()),
    });
    let store = Store::open(options).await.unwrap();
    let lead = lead(&store);
    let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
    for i in 0..8 {
        let case =
            store.register_participant(&lead, registration(&format!("P{i}"), lead.actor.user, today)).await.unwrap();
        store.get_case(&lead, case.id()).await.unwrap();
    }
    // Nobody asked for a checkpoint: the store makes them as the log grows. Wait until the
    // last one due is made (fewer than `every_records` records after it), or one made after
    // the test read its number would certify records the test believes uncertified.
    let mut seq = 0;
    let in_file = |seq: u64| std::fs::read_to_string(file).is_ok_and(|t| t.contains(&format!("\"seq\":{seq},")));
    for _ in 0..400 {
        seq = store.latest_checkpoint().await.unwrap().map_or(0, |cp| cp.checkpoint.seq);
        let records = match store.verify_chain().await.unwrap() {
            perspectief_core::service::ChainVerification::Intact { records, .. } => records,
            broken => panic!("{broken}"),
        };
        if seq >= 10 && records - seq < 5 && in_file(seq) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(seq >= 10, "no automatic checkpoint of the first 10 records (latest: {seq})");
    assert!(in_file(seq), "the checkpoint is in the file too");
    (store, seq)
}

/// Cut the log off after `keep` records and reset the head to match, as someone with full
/// rights on the database would: the chain itself is intact afterwards.
async fn cut_off_after(store: &Store, keep: u64) {
    drop_audit_triggers(store).await;
    drop_head_triggers(store).await;
    raw_execute(store, &format!("DELETE FROM audit_log WHERE seq > {keep}")).await.unwrap();
    raw_execute(
        store,
        &format!(
            "UPDATE audit_head SET seq = {keep}, hash = (SELECT hash FROM audit_log WHERE seq = {keep}) WHERE id = 1"
        ),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_off_tail_with_its_head_reset_is_named_by_the_latest_checkpoint() {
    for backend in all_backends().await {
        let dir = TempDir::new();
        let file = dir.0.join("checkpoints.jsonl");
        let (store, certified) = checkpointed_log(&backend, &file).await;
        let keep = certified - 3;
        cut_off_after(&store, keep).await;
        // What `perspectief audit verify` runs (through the service, for the auditor) and the
        // operator's direct walk both name the missing records.
        let expected = format!("records {} to {certified} were removed", keep + 1);
        for verification in [store.verify_chain().await.unwrap(), {
            let auditor = auditor(&store);
            store.verify_audit_log(&auditor).await.unwrap()
        }] {
            match verification {
                ChainVerification::Broken { first_broken_seq, reason } => {
                    assert_eq!(first_broken_seq, keep + 1);
                    assert!(reason.contains(&expected) && reason.contains("cut off or rolled back"), "{reason}");
                }
                intact => panic!("the truncation went unnoticed: {intact}"),
            }
        }
        // No checkpoint is signed over the shortened log.
        let err = store.checkpoint_now().await.unwrap_err();
        assert_eq!(err.code(), "audit_broken", "{err}");

        // The checkpoints in the database removed as well: the file outside still knows.
        drop_checkpoint_triggers(&store).await;
        raw_execute(&store, "DELETE FROM audit_checkpoints").await.unwrap();
        match store.verify_chain().await.unwrap() {
            ChainVerification::Broken { first_broken_seq, reason } => {
                // The auditor's verification above was logged, as record keep + 1.
                assert_eq!(first_broken_seq, keep + 2);
                assert!(reason.contains("checkpoint file") && reason.contains(&format!("to {certified}")), "{reason}");
            }
            intact => panic!("the truncation went unnoticed: {intact}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_is_signed_only_over_a_log_that_verifies_whole() {
    for backend in all_backends().await {
        let (store, _) = log_with_records(&backend).await;
        let before = store.checkpoint_now().await.unwrap();
        drop_audit_triggers(&store).await;
        // Altered content: the head and its hash still look right, the chain does not.
        raw_execute(&store, "UPDATE audit_log SET outcome = 'denied' WHERE seq = 3").await.unwrap();
        assert_eq!(store.checkpoint_now().await.unwrap_err().code(), "audit_broken");
        let auditor = auditor(&store);
        assert!(
            perspectief_core::privacy::PrivacyService::export_checkpoint(&store, &auditor).await.is_err(),
            "the auditor's export refuses too"
        );
        assert_eq!(store.latest_checkpoint().await.unwrap().unwrap(), before, "nothing new was kept");
    }
}

fn auditor(store: &Store) -> perspectief_core::service::Caller {
    perspectief_core::service::Caller::local(perspectief_core::access::Actor {
        user: perspectief_core::UserId::from_u128(77),
        organisation: store.policy().foundation,
        role: perspectief_core::Role::Auditor,
        grant: perspectief_core::access::Grant::NONE,
    })
}

/// Someone who can write the database (without the key) puts an older sealed state back, for
/// example one from before a withdrawn consent or an outflow: it does not open, whether the
/// old version number comes back with it or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_sealed_state_put_back_does_not_open() {
    use perspectief_core::case::CaseCommand;
    use perspectief_core::session::{PlanSession, SessionCommand, SessionTopic};

    for backend in all_backends().await {
        let c = clock();
        let store = open(&backend.url(), new_keys(), c.clone()).await;
        let lead = lead(&store);
        let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
        let p = store.register_participant(&lead, registration("Terugzet", lead.actor.user, today)).await.unwrap().id();
        raw_execute(&store, &format!("CREATE TABLE old_participant AS SELECT * FROM participants WHERE id = '{p}'"))
            .await
            .unwrap();
        let outflow =
            CaseCommand::RecordOutflow { outcome: perspectief_core::OutflowOutcome::Other, on: today, note: None };
        store.execute(&lead, p, None, outflow).await.unwrap();
        assert!(store.get_case(&lead, p).await.unwrap().version() > 1);

        // The old state alone, under today's version number.
        let put_back = |columns: &str| {
            let sets: Vec<String> =
                columns.split(", ").map(|col| format!("{col} = (SELECT {col} FROM old_participant)")).collect();
            format!("UPDATE participants SET {} WHERE id = '{p}'", sets.join(", "))
        };
        raw_execute(&store, &put_back("state")).await.unwrap();
        assert_eq!(store.get_case(&lead, p).await.unwrap_err().code(), "internal", "old state, new version");
        // The whole old row, its version number included.
        raw_execute(&store, &put_back("state, display, version, key_id, aad_version")).await.unwrap();
        assert_eq!(store.get_case(&lead, p).await.unwrap_err().code(), "internal", "the whole old row");

        // Sessions (and meetings, sealed the same way).
        let s = perspectief_core::SessionId::from_uuid(uuid::Uuid::new_v4());
        let plan = PlanSession {
            id: s,
            date: today,
            topic: SessionTopic::Theme(perspectief_core::Label::parse("Terugkeer").unwrap()),
            venue: perspectief_core::Label::parse("Kantoor").unwrap(),
            languages: std::collections::BTreeSet::from([perspectief_core::LanguageCode::parse("nl").unwrap()]),
            facilitators: std::collections::BTreeSet::new(),
            partner: None,
        };
        store.plan_session(&lead, plan).await.unwrap();
        raw_execute(&store, &format!("CREATE TABLE old_session AS SELECT * FROM sessions WHERE id = '{s}'"))
            .await
            .unwrap();
        store.execute_session(&lead, s, None, SessionCommand::SetUnregisteredHeadCount { count: 7 }).await.unwrap();
        assert_eq!(store.get_session(&lead, s).await.unwrap().unregistered_head_count(), 7);
        raw_execute(&store, &format!("UPDATE sessions SET state = (SELECT state FROM old_session) WHERE id = '{s}'"))
            .await
            .unwrap();
        assert_eq!(store.get_session(&lead, s).await.unwrap_err().code(), "internal", "old session state");
        raw_execute(
            &store,
            &format!(
                "UPDATE sessions SET version = (SELECT version FROM old_session), head_count = \
                 (SELECT head_count FROM old_session) WHERE id = '{s}'"
            ),
        )
        .await
        .unwrap();
        assert_eq!(store.get_session(&lead, s).await.unwrap_err().code(), "internal", "the whole old session row");
    }
}
