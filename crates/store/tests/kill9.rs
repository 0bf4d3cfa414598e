//! Durability through kill -9: a child process logs contact moments and reports each
//! acknowledged one; the parent kills it with SIGKILL at varying moments, reopens the database
//! and checks that every acknowledged record is there, whole, with its audit record, and that
//! the access log's chain verifies. 50 cycles.

#![allow(clippy::print_stdout)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use perspectief_core::case::{CaseCommand, NewContact};
use perspectief_core::service::{AuditOutcome, Caller, ChainVerification, PerspectiefService};
use perspectief_core::*;
use perspectief_store::{Keyring, Store, StoreOptions};

use crate::support::*;
use perspectief_tests::fixtures::talk;

const CYCLES: u32 = 50;
const VAR_URL: &str = "PERSPECTIEF_KILL9_URL";
const VAR_KEY: &str = "PERSPECTIEF_KILL9_KEY";
const VAR_PARTICIPANT: &str = "PERSPECTIEF_KILL9_PARTICIPANT";

fn caller(store: &Store) -> Caller {
    lead(store)
}

/// The child: log contact moments until killed, printing `ack <id>` after each is acknowledged.
/// Ignored in normal runs; the parent test starts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child half of kill9::acknowledged_writes_survive_sigkill"]
async fn child_writes_until_killed() {
    let (Ok(url), Ok(key), Ok(participant)) =
        (std::env::var(VAR_URL), std::env::var(VAR_KEY), std::env::var(VAR_PARTICIPANT))
    else {
        return;
    };
    let store = Store::open(StoreOptions::new(url, Keyring::from_hex_keys(&[key]).unwrap())).await.unwrap();
    let participant = ParticipantId::parse(&participant).unwrap();
    let caller = caller(&store);
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "ready").unwrap();
        out.flush().unwrap();
    }
    // Several writers at once, so that kills also land in the middle of group commits.
    let mut writers = Vec::new();
    for _ in 0..4 {
        let (store, caller) = (store.clone(), caller.clone());
        writers.push(tokio::spawn(async move { write_forever(&store, &caller, participant).await }));
    }
    for w in writers {
        w.await.unwrap();
    }
}

async fn write_forever(store: &Store, caller: &Caller, participant: ParticipantId) {
    loop {
        let id = ContactId::from_uuid(uuid::Uuid::new_v4());
        let cmd = CaseCommand::LogContact(NewContact {
            id,
            kind: ContactKind::Phone,
            location: ContactLocation::Remote,
            activities: BTreeSet::from([ActivityCode::SocialGuidance]),
            duration_minutes: Some(5),
            ..talk(
                Utc::now() - chrono::Duration::minutes(1),
                DataCategory::Guidance,
                "Telefonisch contact (synthetisch).",
            )
        });
        store.execute(caller, participant, None, cmd).await.unwrap();
        let mut out = std::io::stdout().lock();
        writeln!(out, "ack {id}").unwrap();
        out.flush().unwrap();
    }
}

/// A small deterministic generator, so a failing cycle can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = TempDir::new();
    let url = dir.url("kill9.db");
    let key = Keyring::generate_hex_key().unwrap();
    let keys = || Keyring::from_hex_keys(std::slice::from_ref(&key)).unwrap();
    let participant = {
        let store = Store::open(StoreOptions::new(url.clone(), keys())).await.unwrap();
        let lead = caller(&store);
        let today = perspectief_core::time::amsterdam_date(Utc::now());
        store
            .register_participant(&lead, registration("Duurzaam", lead.actor.user, today - chrono::Duration::days(1)))
            .await
            .unwrap()
            .id()
    };
    let exe = std::env::current_exe().unwrap();
    let mut rng = Lcg(0x5eed);
    let mut acknowledged: BTreeSet<String> = BTreeSet::new();
    let mut started = 0u32;
    for cycle in 0..CYCLES {
        let wait_for = rng.next(12) as usize;
        let extra_delay_ms = rng.next(15);
        let before = count_lines(&url, participant).await;
        let mut child = Command::new(&exe)
            .args(["kill9::child_writes_until_killed", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(VAR_URL, &url)
            .env(VAR_KEY, &key)
            .env(VAR_PARTICIPANT, participant.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            // Collect acks until the pipe closes (the child died).
            let mut acks = Vec::new();
            let mut ready = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.ends_with("ready") {
                    ready = true;
                } else if let Some(id) = line.strip_prefix("ack ") {
                    acks.push(id.to_owned());
                }
            }
            (ready, acks)
        });
        // Let it write a varying number of records, then kill it at a varying moment: between
        // writes or in the middle of one.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            std::thread::sleep(Duration::from_millis(2));
            let count = count_lines(&url, participant).await;
            if count >= before + wait_for || std::time::Instant::now() > deadline {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(extra_delay_ms));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        // A kill can land before the child even opened the database: that is a moment too.
        let (ready, acks) = reader.join().unwrap();
        started += u32::from(ready);
        acknowledged.extend(acks);

        // Reopen and check.
        let store = Store::open(StoreOptions::new(url.clone(), keys())).await.unwrap();
        match store.verify_chain().await.unwrap() {
            ChainVerification::Intact { .. } => {}
            broken => panic!("cycle {cycle}: {broken}"),
        }
        let lead = caller(&store);
        let case = store.get_case(&lead, participant).await.unwrap();
        let stored: BTreeSet<String> = case.contacts().map(|(c, _)| c.id.to_string()).collect();
        let missing: Vec<&String> = acknowledged.difference(&stored).collect();
        assert!(missing.is_empty(), "cycle {cycle}: acknowledged but lost: {missing:?}");
        for (c, _) in case.contacts() {
            assert_eq!(c.summary.as_str(), "Telefonisch contact (synthetisch).", "stored whole");
        }
        // Each stored contact has its audit record (same transaction: both or neither).
        let mut logged = 0;
        let mut after = 0;
        loop {
            // Reading someone's access log is itself logged against them, so every page has a
            // newer record; a short page is the end.
            let page = store.audit_log(&lead, Some(participant), after, 500).await.unwrap();
            logged += page
                .iter()
                .filter(|r| r.entry.operation == "log_contact" && r.entry.outcome == AuditOutcome::Success)
                .count();
            match page.last() {
                Some(last) if page.len() == 500 => after = last.seq,
                _ => break,
            }
        }
        assert_eq!(logged, stored.len(), "cycle {cycle}: every stored write has exactly one audit record");
    }
    assert!(started > CYCLES / 2, "most children got to write: {started} of {CYCLES}");
    assert!(acknowledged.len() >= CYCLES as usize, "the test wrote enough to mean something: {}", acknowledged.len());
}

/// How many contacts are stored (read directly, without opening a store in this process).
async fn count_lines(url: &str, participant: ParticipantId) -> usize {
    let Ok(db) = sea_orm::Database::connect(url).await else { return 0 };
    use sea_orm::ConnectionTrait;
    let sql =
        format!("SELECT COUNT(*) FROM case_events WHERE participant_id = '{participant}' AND kind = 'contact_logged'");
    let n = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0);
    let _ = db.close().await;
    usize::try_from(n).unwrap_or(0)
}
