//! The cache of decrypted case files (cache.rs) never serves a state the database does not
//! hold: not one whose write was rolled back, not one re-sealed at the same version with another
//! key. Each test reads the case first, so that it is cached, and checks what a store with an
//! empty cache (opened afresh on the same database) reads.

use perspectief_core::case::{Case, CaseCommand};
use perspectief_core::service::{Caller, PerspectiefService};
use perspectief_core::*;
use perspectief_store::Store;
use perspectief_store::testing::{is_postgres, raw_execute, reseal_with_foundation_key};
use perspectief_tests::fixtures::talk;

use crate::support::*;

async fn log(store: &Store, lead: &Caller, p: ParticipantId, summary: &str) -> Result<u64, DomainError> {
    let now = perspectief_store::Clock::now(clock().as_ref());
    let cmd = CaseCommand::LogContact(talk(now, DataCategory::Guidance, summary));
    store.execute(lead, p, None, cmd).await.map(|e| e.version)
}

fn summaries(case: &Case) -> Vec<String> {
    let mut all: Vec<String> = case.contacts().map(|(c, _)| c.summary.as_str().to_owned()).collect();
    all.sort();
    all
}

/// A trigger that makes every insert into `case_events` fail: a contact moment's group then
/// fails after its case file was sealed and updated, and is rolled back whole.
async fn refuse_events(store: &Store, on: bool) {
    let statements: &[&str] = match (is_postgres(store), on) {
        (false, true) => {
            &["CREATE TRIGGER refuse_events BEFORE INSERT ON case_events BEGIN SELECT RAISE(ABORT, 'injected'); END"]
        }
        (false, false) => &["DROP TRIGGER refuse_events"],
        (true, true) => &[
            "CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected'; END $$",
            "CREATE TRIGGER refuse_events BEFORE INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION refuse_events()",
        ],
        (true, false) => &["DROP TRIGGER refuse_events ON case_events", "DROP FUNCTION refuse_events()"],
    };
    for s in statements {
        raw_execute(store, s).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_rolled_back_after_sealing_the_case_is_never_read_back() {
    for backend in durable_backends().await {
        let keys = new_keys();
        let store = open(&backend.url(), keys.clone(), clock()).await;
        let lead = lead(&store);
        let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(clock().as_ref()));
        let p = store.register_participant(&lead, registration("Cache", lead.actor.user, today)).await.unwrap().id();
        let v = log(&store, &lead, p, "Eerste gesprek").await.unwrap();
        // Read, so that version `v` is cached.
        assert_eq!(store.get_case(&lead, p).await.unwrap().version(), v);

        refuse_events(&store, true).await;
        assert!(log(&store, &lead, p, "Teruggedraaid gesprek").await.is_err(), "the group fails");
        refuse_events(&store, false).await;
        let case = store.get_case(&lead, p).await.unwrap();
        assert_eq!((case.version(), summaries(&case)), (v, vec!["Eerste gesprek".to_owned()]));

        // The next write takes the version the rolled-back one had sealed: it is this one's
        // state that is read back, in the writer (a further write) and on the read pool.
        assert_eq!(log(&store, &lead, p, "Tweede gesprek").await.unwrap(), v + 1);
        assert_eq!(log(&store, &lead, p, "Derde gesprek").await.unwrap(), v + 2);
        let case = store.get_case(&lead, p).await.unwrap();
        let expected = ["Derde gesprek", "Eerste gesprek", "Tweede gesprek"].map(str::to_owned).to_vec();
        assert_eq!((case.version(), summaries(&case)), (v + 2, expected));
        drop(store);
        // A store with an empty cache reads the same.
        let fresh = open(&backend.url(), keys, clock()).await;
        assert_eq!(fresh.get_case(&lead, p).await.unwrap(), case);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_resealed_at_the_same_version_is_written_with_the_key_it_has_now() {
    for backend in durable_backends().await {
        let keys = new_keys();
        let store = open(&backend.url(), keys.clone(), clock()).await;
        let lead = lead(&store);
        let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(clock().as_ref()));
        let p = store.register_participant(&lead, registration("Sleutel", lead.actor.user, today)).await.unwrap().id();
        let v = log(&store, &lead, p, "Eerste gesprek").await.unwrap();
        let cached = store.get_case(&lead, p).await.unwrap();
        // Same version, sealed anew under the foundation's key, and the data key the cached
        // entry holds destroyed (as an older database holds it).
        reseal_with_foundation_key(&store, p).await.unwrap();
        assert_eq!(store.get_case(&lead, p).await.unwrap(), cached);
        // A write must not seal with the destroyed key: a store with an empty cache reads it.
        assert_eq!(log(&store, &lead, p, "Tweede gesprek").await.unwrap(), v + 1);
        let case = store.get_case(&lead, p).await.unwrap();
        drop(store);
        let fresh = open(&backend.url(), keys, clock()).await;
        let read = fresh.get_case(&lead, p).await.unwrap();
        assert_eq!(read, case);
        assert_eq!(summaries(&read), ["Eerste gesprek", "Tweede gesprek"].map(str::to_owned).to_vec());
    }
}
