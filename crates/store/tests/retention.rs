//! Retention and erasure: a canary planted in everything held about a person is, after the
//! retention run, nowhere in the database file, its WAL or the managed backups (raw bytes, and
//! every sealed value that remains, decrypted), nor in the log output; the subsidy figures are
//! unchanged and the access log still verifies. A partial expiry erases one category only.
//! A database from before participant keys still opens and reads.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use perspectief_core::case::{CaseCommand, NewAgreement, NewContact};
use perspectief_core::privacy::PrivacyService;
use perspectief_core::report::{Figure, FigureQuery, Measure, ReportingService, Slice};
use perspectief_core::retention::{ERASED, RetentionPeriod, RetentionPolicy};
use perspectief_core::service::{ChainVerification, PageRequest, ParticipantFilter, PerspectiefService};
use perspectief_core::*;
use perspectief_store::testing::{
    open_every_sealed_value, participant_sealed_blobs, raw_execute, reseal_with_foundation_key,
};
use perspectief_store::{ManualClock, Store};

use crate::support::*;
use perspectief_tests::fixtures::talk;

/// A unique canary of letters (it goes into a name too).
fn canary() -> String {
    let letters: String = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .map(|c| (b'a' + (c.to_digit(16).unwrap() as u8)) as char)
        .collect();
    format!("Kanarie{}", &letters[..16])
}

fn contact(summary: &str, at: chrono::DateTime<Utc>, category: DataCategory) -> NewContact {
    NewContact { duration_minutes: Some(30), ..talk(at, category, summary) }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The bytes of a SQLite database file and its WAL (when there is one).
fn file_bytes(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(path.display().to_string(), std::fs::read(path).unwrap())];
    let wal = path.with_file_name(format!("{}-wal", path.file_name().unwrap().to_string_lossy()));
    if let Ok(bytes) = std::fs::read(&wal) {
        out.push((wal.display().to_string(), bytes));
    }
    out
}

/// A tracing subscriber that keeps every event's fields as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<String>>);

struct Visitor<'a>(&'a mut String);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl tracing::Subscriber for Captured {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut s = self.0.lock().unwrap();
        span.record(&mut Visitor(&mut s));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Visitor(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut s = self.0.lock().unwrap();
        event.record(&mut Visitor(&mut s));
        s.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn period() -> perspectief_core::activity::SubsidyPeriod {
    perspectief_core::activity::SubsidyPeriod::new(
        SubsidyPeriodId::from_u128(2026),
        "2026",
        day(2026, 1, 1),
        day(2026, 12, 31),
        vec![],
    )
    .unwrap()
}

/// Everything the canary test plants about one person.
struct Planted {
    person: ParticipantId,
    other: ParticipantId,
    canary: String,
}

/// The canary tests' scene: a store on a SQLite file with the planted people, and everything
/// the store logs captured (the runtime is the test's one thread).
struct Scene {
    logs: Captured,
    _guard: tracing::subscriber::DefaultGuard,
    /// Removed when dropped.
    dir: TempDir,
    db_path: std::path::PathBuf,
    clock: std::sync::Arc<ManualClock>,
    keys: perspectief_store::Keyring,
    store: Store,
    lead: perspectief_core::service::Caller,
    planted: Planted,
}

async fn scene() -> Scene {
    let logs = Captured::default();
    let _guard = tracing::subscriber::set_default(logs.clone());
    let dir = TempDir::new();
    let db_path = dir.0.join("p.db");
    let clock = clock();
    let keys = new_keys();
    let store = open(&dir.url("p.db"), keys.clone(), clock.clone()).await;
    let lead = lead(&store);
    let planted = plant(&store, &clock).await;
    Scene { logs, _guard, dir, db_path, clock, keys, store, lead, planted }
}

/// No sealed value that remains holds `canary`, none of `person`'s is left, and there is
/// nothing of them to export.
async fn nothing_of_them_opens(
    store: &Store,
    lead: &perspectief_core::service::Caller,
    person: ParticipantId,
    canary: &str,
) {
    for value in open_every_sealed_value(store).await.unwrap() {
        assert!(!contains(&value, canary.as_bytes()), "canary in a sealed value");
    }
    assert!(participant_sealed_blobs(store, person).await.unwrap().is_empty());
    assert_eq!(
        store
            .export_participant(lead, person, Text::parse("Verzoek van de deelnemer").unwrap())
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
}

async fn plant(store: &Store, clock: &ManualClock) -> Planted {
    let lead = lead(store);
    let canary = canary();
    let today = day(2026, 3, 2);
    clock.set(noon(today));
    store.define_subsidy_period(&lead, period()).await.unwrap();
    let p = store.register_participant(&lead, registration(&canary, lead.actor.user, today)).await.unwrap().id();
    let q = store.register_participant(&lead, registration("Blijft", lead.actor.user, today)).await.unwrap().id();
    let at = noon(today) - Duration::hours(2);
    register(store, OrganisationId::from_u128(555), "ASKV").await;
    let agreement = NewAgreement {
        id: AgreementId::from_uuid(uuid::Uuid::new_v4()),
        description: text(&format!("Afspraak {canary}")),
        due_on: day(2026, 4, 1),
        who_acts: Responsible::Participant,
    };
    for cmd in [
        CaseCommand::LogContact(contact(&format!("Gesprek {canary}"), at, DataCategory::Guidance)),
        CaseCommand::LogContact(contact(&format!("Medisch {canary}"), at, DataCategory::MedicalPsychosocial)),
        CaseCommand::AddAgreement { agreement, category: DataCategory::Guidance, on: None },
        CaseCommand::ProposeReferral {
            id: ReferralId::from_uuid(uuid::Uuid::new_v4()),
            partner: OrganisationId::from_u128(555),
            domain: PartnerDomain::Legal,
            reason: text(&format!("Verwijzing {canary}")),
            on: None,
        },
    ] {
        store.execute(&lead, p, None, cmd).await.unwrap();
    }
    store
        .execute(&lead, q, None, CaseCommand::LogContact(contact("Gesprek Q", at, DataCategory::Guidance)))
        .await
        .unwrap();
    // A chain meeting that discussed the person, and a session both attended.
    let meeting = MeetingId::from_uuid(uuid::Uuid::new_v4());
    store.schedule_meeting(&lead, meeting, today).await.unwrap();
    for cmd in [
        MeetingCommand::AddToAgenda { participant: p, reasons: vec![] },
        MeetingCommand::RecordDiscussion {
            participant: p,
            information_supplied: Some(text(&format!("Besproken {canary}"))),
            decision: Some(text("Doorgaan.")),
        },
        MeetingCommand::AddToAgenda { participant: q, reasons: vec![] },
    ] {
        store.execute_meeting(&lead, meeting, None, cmd).await.unwrap();
    }
    session_attended_by(store, &lead, today, &[p, q]).await;
    // An emergency read with a reason.
    let colleague = staff(store, Role::ProjectWorker);
    store.break_glass_case(&colleague, p, text(&format!("Spoed {canary}"))).await.unwrap();
    let outflow = CaseCommand::RecordOutflow {
        outcome: OutflowOutcome::DepartedIndependentlySupervised,
        on: today,
        note: Some(text(&format!("Vertrokken {canary}"))),
    };
    store.execute(&lead, p, None, outflow).await.unwrap();
    Planted { person: p, other: q, canary }
}

async fn figures(store: &Store) -> (perspectief_core::report::SubsidyReport, Vec<(usize, usize, usize, u32)>) {
    let lead = lead(store);
    let pid = SubsidyPeriodId::from_u128(2026);
    let as_of = day(2026, 12, 31);
    let report = store.subsidy_report(&lead, pid, as_of).await.unwrap();
    let mut drills = Vec::new();
    for figure in [
        Figure::Measure(Measure::Reached),
        Figure::Measure(Measure::Activity(ActivityCode::OrientationTalks)),
        Figure::Measure(Measure::Activity(ActivityCode::InformationSessions)),
        Figure::Departed,
    ] {
        let d = store.subsidy_drilldown(&lead, pid, as_of, FigureQuery { figure, slice: Slice::All }).await.unwrap();
        drills.push((d.participants.len(), d.contacts.len(), d.sessions.len(), d.unregistered_head_count));
    }
    (report, drills)
}

#[tokio::test(flavor = "current_thread")]
async fn an_erased_person_leaves_no_trace_in_the_database_its_wal_or_the_managed_backups() {
    let Scene { logs, _guard, dir: _dir, db_path, clock, keys, store, lead, planted } = scene().await;
    let Planted { person, other, canary } = planted;

    let backup = store.managed_backup().await.unwrap();
    assert!(backup.starts_with(store.backup_dir().unwrap()));
    assert_eq!(store.managed_backups().unwrap(), std::slice::from_ref(&backup));
    let export = serde_json::to_string(
        &store.export_participant(&lead, person, Text::parse("Verzoek van de deelnemer").unwrap()).await.unwrap(),
    )
    .unwrap();
    assert!(export.contains(&canary), "the export before holds the planted values");
    let blobs = participant_sealed_blobs(&store, person).await.unwrap();
    assert!(blobs.len() >= 9, "state, name, events, break-glass reason, wrapped key: {}", blobs.len());
    assert!(blobs.iter().all(|b| b.len() >= 32));

    // Past every period (outflow 2 March 2026; identity is kept 24 months by default).
    clock.set(noon(day(2028, 6, 1)));
    let before = figures(&store).await;
    // The other person never got an outflow: a long grace period after their limit keeps
    // them out of this run (trajectories without an outflow are the last test's).
    let policy = RetentionPolicy::defaults().with_grace(RetentionPeriod::Months(60)).unwrap();
    let dry = store.run_retention(&lead, &policy, true).await.unwrap();
    assert_eq!(dry.participants.len(), 1);
    assert!(dry.dry_run && dry.participants[0].erase_person);
    assert!(store.get_case(&lead, person).await.is_ok(), "a dry run changes nothing");
    // Only the project lead erases.
    let worker = staff(&store, Role::ProjectWorker);
    assert_eq!(store.run_retention(&worker, &policy, false).await.unwrap_err().code(), "access_denied");
    assert!(store.get_case(&lead, person).await.is_ok());

    let report = store.run_retention(&lead, &policy, false).await.unwrap();
    assert_eq!(report.participants.len(), 1);
    assert_eq!(report.participants[0].participant, person);
    assert_eq!(report.participants[0].categories.len(), DataCategory::ALL.len());
    assert!(report.participants[0].erase_person);
    assert_eq!(report.backups.len(), 1);

    // Raw bytes: the database, its WAL, the backup and its WAL.
    let mut files = file_bytes(&db_path);
    files.extend(file_bytes(&backup));
    for (name, bytes) in &files {
        assert!(!contains(bytes, canary.as_bytes()), "canary in {name}");
        for (i, blob) in blobs.iter().enumerate() {
            assert!(!contains(bytes, blob), "sealed value {i} of the person still in {name}");
        }
    }
    // Every sealed value that remains, decrypted.
    nothing_of_them_opens(&store, &lead, person, &canary).await;
    assert_eq!(store.get_case(&lead, person).await.unwrap_err().code(), "not_found");
    // The subsidy figures and their drill-downs' totals are unchanged; the access log verifies.
    assert_eq!(figures(&store).await, before);
    assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    // The other person is untouched, on the session and the meeting too.
    assert_eq!(store.get_case(&lead, other).await.unwrap().profile().display_name(), "Blijft");
    let listed = store
        .list_participants(
            &lead,
            ParticipantFilter { include_closed: true, ..Default::default() },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert!(listed.items.iter().all(|s| s.id != person));
    // The pseudonymous row that keeps the counts is no one to find: it is not listed.
    assert!(listed.items.iter().all(|s| s.display_name != ERASED), "an erased person is not in the directory");
    assert_eq!(listed.items.len(), 1, "only the other person");
    // Nothing to do a second time.
    assert!(store.run_retention(&lead, &policy, false).await.unwrap().participants.is_empty());

    // The backup: no canary in any sealed value either, and its own access log verifies.
    let restored = open(&format!("sqlite://{}", backup.display()), keys, clock.clone()).await;
    for value in open_every_sealed_value(&restored).await.unwrap() {
        assert!(!contains(&value, canary.as_bytes()), "canary in a sealed value of the backup");
    }
    assert_eq!(restored.get_case(&lead, person).await.unwrap_err().code(), "not_found");
    assert!(restored.get_case(&lead, other).await.is_ok());
    assert!(matches!(restored.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    let logged = logs.0.lock().unwrap().clone();
    assert!(!logged.contains(&canary), "canary in the log output");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_expired_category_is_erased_from_the_case_and_its_events() {
    for backend in durable_backends().await {
        let clock = clock();
        let store = open(&backend.url(), new_keys(), clock.clone()).await;
        let lead = lead(&store);
        // Medical content is read by the person's own project worker only (need to know).
        let worker = staff(&store, Role::ProjectWorker);
        let canary = canary();
        let today = day(2026, 3, 2);
        clock.set(noon(today));
        let p = store
            .register_participant(&lead, registration("Gedeeltelijk", worker.actor.user, today))
            .await
            .unwrap()
            .id();
        let at = noon(today) - Duration::hours(2);
        let medical = contact(&format!("Medisch {canary}"), at, DataCategory::MedicalPsychosocial);
        let guidance = contact("Begeleiding blijft", at, DataCategory::Guidance);
        let (medical_id, guidance_id) = (medical.id, guidance.id);
        for cmd in [
            CaseCommand::LogContact(medical),
            CaseCommand::LogContact(guidance),
            CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: today, note: None },
        ] {
            store.execute(&worker, p, None, cmd).await.unwrap();
        }
        let blobs_before = participant_sealed_blobs(&store, p).await.unwrap();
        let version = store.get_case(&worker, p).await.unwrap().version();
        let policy =
            RetentionPolicy::defaults().with(DataCategory::MedicalPsychosocial, RetentionPeriod::Days(10)).unwrap();
        clock.set(noon(day(2026, 3, 11)));
        assert!(store.run_retention(&lead, &policy, false).await.unwrap().participants.is_empty(), "not yet");
        clock.set(noon(day(2026, 3, 12)));
        let report = store.run_retention(&lead, &policy, false).await.unwrap();
        assert_eq!(report.participants.len(), 1);
        assert_eq!(report.participants[0].categories, [DataCategory::MedicalPsychosocial].into());
        assert!(!report.participants[0].erase_person);

        let case = store.get_case(&worker, p).await.unwrap();
        assert_eq!(case.contact(medical_id).unwrap().0.summary.as_str(), ERASED);
        assert_eq!(case.contact(guidance_id).unwrap().0.summary.as_str(), "Begeleiding blijft");
        assert_eq!(case.version(), version, "the structure stays");
        assert_eq!(case.profile().display_name(), "Gedeeltelijk");
        let events = store.case_events(&worker, p, 0, 100).await.unwrap();
        let summary = |id: ContactId| {
            events.iter().find_map(|e| match &e.change {
                CaseChange::ContactLogged { contact, .. } if contact.id == id => Some(contact.summary.to_string()),
                _ => None,
            })
        };
        assert_eq!(summary(medical_id).as_deref(), Some(ERASED));
        assert_eq!(summary(guidance_id).as_deref(), Some("Begeleiding blijft"));
        assert_eq!(Case::replay(&events).unwrap(), case, "the redacted history replays to the redacted case");
        for value in open_every_sealed_value(&store).await.unwrap() {
            assert!(!contains(&value, canary.as_bytes()), "canary in a sealed value");
        }
        if let Backend::File(dir) = &backend {
            let after = participant_sealed_blobs(&store, p).await.unwrap();
            let replaced: Vec<&Vec<u8>> = blobs_before.iter().filter(|b| !after.contains(b)).collect();
            assert!(replaced.len() >= 2, "the state and the medical event were sealed anew");
            for (name, bytes) in file_bytes(&dir.0.join("p.db")) {
                for blob in &replaced {
                    assert!(!contains(&bytes, blob), "a replaced sealed value is still in {name}");
                }
            }
        }
        assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    }
}

/// A partial erasure gives the person a new data key: a copy of their case file or events
/// from before it, put back in its place, no longer opens, not even the events of categories
/// that were not erased.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_erasure_renews_the_data_key_so_stray_copies_do_not_open() {
    for backend in all_backends().await {
        let clock = clock();
        let store = open(&backend.url(), new_keys(), clock.clone()).await;
        let lead = lead(&store);
        let worker = staff(&store, Role::ProjectWorker);
        let today = day(2026, 3, 2);
        clock.set(noon(today));
        let p = store.register_participant(&lead, registration("Kopie", worker.actor.user, today)).await.unwrap().id();
        let at = noon(today) - Duration::hours(2);
        for cmd in [
            CaseCommand::LogContact(contact("Medisch", at, DataCategory::MedicalPsychosocial)),
            CaseCommand::LogContact(contact("Begeleiding blijft", at, DataCategory::Guidance)),
            CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: today, note: None },
        ] {
            store.execute(&worker, p, None, cmd).await.unwrap();
        }
        raw_execute(&store, &format!("CREATE TABLE stray_state AS SELECT * FROM participants WHERE id = '{p}'"))
            .await
            .unwrap();
        raw_execute(
            &store,
            &format!("CREATE TABLE stray_events AS SELECT * FROM case_events WHERE participant_id = '{p}'"),
        )
        .await
        .unwrap();
        let policy =
            RetentionPolicy::defaults().with(DataCategory::MedicalPsychosocial, RetentionPeriod::Days(10)).unwrap();
        clock.set(noon(day(2026, 3, 12)));
        let report = store.run_retention(&lead, &policy, false).await.unwrap();
        assert!(!report.participants[0].erase_person);
        // The redacted case reads as before, under the new key.
        assert_eq!(store.get_case(&worker, p).await.unwrap().profile().display_name(), "Kopie");
        assert!(store.case_events(&worker, p, 0, 100).await.is_ok());

        // The erasure gave the person a new data key: the stray copies, put back (same
        // version, same place), no longer open, not even the events that were not erased.
        raw_execute(
            &store,
            &format!(
                "UPDATE case_events SET \
                 payload = (SELECT s.payload FROM stray_events s WHERE s.version = case_events.version), \
                 key_id = (SELECT s.key_id FROM stray_events s WHERE s.version = case_events.version) \
                 WHERE participant_id = '{p}'"
            ),
        )
        .await
        .unwrap();
        assert_eq!(store.case_events(&worker, p, 0, 100).await.unwrap_err().code(), "internal", "stray events opened");
        raw_execute(
            &store,
            &format!(
                "UPDATE participants SET state = (SELECT state FROM stray_state), key_id = (SELECT key_id FROM stray_state) \
                 WHERE id = '{p}'"
            ),
        )
        .await
        .unwrap();
        assert_eq!(store.get_case(&worker, p).await.unwrap_err().code(), "internal", "the stray case file opened");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_sealed_before_participant_keys_stay_readable_and_move_to_a_key_on_the_next_write() {
    let dir = TempDir::new();
    let clock = clock();
    let store = open(&dir.url("old.db"), new_keys(), clock.clone()).await;
    let lead = lead(&store);
    let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(clock.as_ref()));
    let p = store.register_participant(&lead, registration("Oudesleutel", lead.actor.user, today)).await.unwrap().id();
    let at = noon(today) - Duration::hours(2);
    store
        .execute(&lead, p, None, CaseCommand::LogContact(contact("Oud gesprek", at, DataCategory::Guidance)))
        .await
        .unwrap();
    let case = store.get_case(&lead, p).await.unwrap();
    let events = store.case_events(&lead, p, 0, 10).await.unwrap();
    let stored = participant_sealed_blobs(&store, p).await.unwrap().len();
    assert_eq!(stored, 2 + events.len() + 1, "state, name, events, the data key");
    reseal_with_foundation_key(&store, p).await.unwrap();
    assert_eq!(participant_sealed_blobs(&store, p).await.unwrap().len(), stored - 1, "no data key");
    assert_eq!(store.get_case(&lead, p).await.unwrap(), case);
    assert_eq!(store.case_events(&lead, p, 0, 10).await.unwrap(), events);
    let listed = store.list_participants(&lead, ParticipantFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(listed.items[0].display_name, "Oudesleutel");
    let later = contact("Nieuw gesprek", at + Duration::minutes(30), DataCategory::Guidance);
    let new = store.execute(&lead, p, None, CaseCommand::LogContact(later)).await.unwrap();
    let all = store.case_events(&lead, p, 0, 10).await.unwrap();
    assert_eq!(all.len(), events.len() + new.events.len(), "old and new events read together");
    assert_eq!(participant_sealed_blobs(&store, p).await.unwrap().len(), 2 + all.len() + 1, "a data key again");
    assert_eq!(
        store.watch_events(&lead, 0, 10).await.unwrap().events,
        all.iter()
            .enumerate()
            .map(|(i, e)| perspectief_core::service::FeedEvent { position: i as u64 + 1, event: e.clone() })
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_erasure_holds_on_postgresql_too() {
    let Some(db) = perspectief_store::testing::TestDatabase::postgres_from_env().await else {
        eprintln!("PERSPECTIEF_TEST_DATABASE_URL is not set: the PostgreSQL erasure did not run");
        return;
    };
    let clock = clock();
    let store = open(&db.url, new_keys(), clock.clone()).await;
    let lead = lead(&store);
    let Planted { person, other, canary } = plant(&store, &clock).await;
    clock.set(noon(day(2028, 6, 1)));
    let before = figures(&store).await;
    // The other person never got an outflow: a long grace keeps them out of this run.
    let policy = RetentionPolicy::defaults().with_grace(RetentionPeriod::Months(60)).unwrap();
    let report = store.run_retention(&lead, &policy, false).await.unwrap();
    assert_eq!(
        report.participants.iter().map(|p| (p.participant, p.erase_person)).collect::<Vec<_>>(),
        [(person, true)]
    );
    nothing_of_them_opens(&store, &lead, person, &canary).await;
    assert!(store.get_case(&lead, other).await.is_ok());
    assert_eq!(figures(&store).await, before);
    assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
}

/// The canary test for the two other ways out: a person erased on request (a project lead's
/// request, confirmed by the auditor) and a person whose trajectory never got an outflow
/// (erased by the retention run once the limit, the grace period and every period passed)
/// leave their planted values nowhere: not in the database file, its WAL or the managed
/// backup, not in any sealed value left, not in the log output.
#[tokio::test(flavor = "current_thread")]
async fn people_erased_on_request_or_without_an_outflow_leave_no_trace_either() {
    let Scene { logs, _guard, dir: _dir, db_path, clock, keys, store, lead, planted } = scene().await;
    let auditor = staff(&store, Role::Auditor);
    let Planted { person, other, canary } = planted;
    // A person who never gets an outflow, with a canary of their own.
    let lost = self::canary();
    let today = day(2026, 3, 2);
    let never = store.register_participant(&lead, registration(&lost, lead.actor.user, today)).await.unwrap().id();
    let at = noon(today) - Duration::hours(1);
    let cmd = CaseCommand::LogContact(contact(&format!("Gesprek {lost}"), at, DataCategory::Guidance));
    store.execute(&lead, never, None, cmd).await.unwrap();
    let backup = store.managed_backup().await.unwrap();
    let blobs = participant_sealed_blobs(&store, person).await.unwrap();
    let never_blobs = participant_sealed_blobs(&store, never).await.unwrap();
    let before = figures(&store).await;

    // Erasure on request, the day after the outflow: long before any period ends.
    clock.set(noon(day(2026, 3, 3)));
    let request = store.request_erasure(&lead, person, text("Verzoek van de deelnemer (art. 17)")).await.unwrap();
    assert!(store.get_case(&lead, person).await.is_ok(), "a request erases nothing");
    store.confirm_erasure(&auditor, request.id).await.unwrap();
    let scan = |needle: &str, blobs: &[Vec<u8>]| {
        let mut files = file_bytes(&db_path);
        files.extend(file_bytes(&backup));
        for (name, bytes) in &files {
            assert!(!contains(bytes, needle.as_bytes()), "canary in {name}");
            for (i, blob) in blobs.iter().enumerate() {
                assert!(!contains(bytes, blob), "sealed value {i} of the person still in {name}");
            }
        }
    };
    scan(&canary, &blobs);
    for value in open_every_sealed_value(&store).await.unwrap() {
        assert!(!contains(&value, canary.as_bytes()), "canary in a sealed value");
    }
    assert!(participant_sealed_blobs(&store, person).await.unwrap().is_empty());
    assert_eq!(store.get_case(&lead, person).await.unwrap_err().code(), "not_found");
    assert!(store.get_case(&lead, other).await.is_ok());
    assert!(store.get_case(&lead, never).await.is_ok());
    assert_eq!(figures(&store).await, before, "the subsidy figures stay");
    let restored = open(&format!("sqlite://{}", backup.display()), keys.clone(), clock.clone()).await;
    assert_eq!(restored.get_case(&lead, person).await.unwrap_err().code(), "not_found", "erased from the backup");
    assert!(restored.get_case(&lead, never).await.is_ok());
    drop(restored);

    // The trajectory without an outflow: listed after its limit, erased once the limit, the
    // grace period and identity's period have passed.
    let policy = RetentionPolicy::defaults();
    let limit = store.get_case(&lead, never).await.unwrap().trajectory().limit();
    clock.set(noon(limit.succ_opt().unwrap()));
    let report = store.run_retention(&lead, &policy, true).await.unwrap();
    assert!(report.overdue.iter().any(|o| o.participant == never && !o.under_retention));
    let due = policy.retention_start(None, limit).unwrap().checked_add_months(chrono::Months::new(24)).unwrap();
    clock.set(noon(due));
    let report = store.run_retention(&lead, &policy, false).await.unwrap();
    assert!(report.participants.iter().any(|p| p.participant == never && p.erase_person), "{report:?}");
    scan(&lost, &never_blobs);
    for value in open_every_sealed_value(&store).await.unwrap() {
        assert!(!contains(&value, lost.as_bytes()), "canary in a sealed value");
        assert!(!contains(&value, canary.as_bytes()), "canary in a sealed value");
    }
    let restored = open(&format!("sqlite://{}", backup.display()), keys, clock.clone()).await;
    for value in open_every_sealed_value(&restored).await.unwrap() {
        assert!(!contains(&value, lost.as_bytes()) && !contains(&value, canary.as_bytes()), "canary in the backup");
    }
    assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    assert!(matches!(restored.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    let logged = logs.0.lock().unwrap().clone();
    assert!(!logged.contains(&canary) && !logged.contains(&lost), "canary in the log output");
}
