//! Retiring a key (issue 19, point 3): after `rotate_keys` everything is sealed under the new
//! key, the database opens with the new key alone and reads back exactly what it held; before
//! (or halfway), it refuses to open without the old one. An interrupted rotation leaves whole
//! rows and carries on.

use std::ops::ControlFlow;

use perspectief_core::case::{Case, CaseCommand, NewContact};
use perspectief_core::meeting::MeetingCommand;
use perspectief_core::privacy::PrivacyService;
use perspectief_core::service::{AuditOutcome, Caller, ChainVerification, PerspectiefService};
use perspectief_core::*;
use perspectief_store::testing::{open_every_sealed_value, reseal_with_foundation_key};
use perspectief_store::{Keyring, Store, StoreError, StoreOptions};

use crate::support::*;
use perspectief_tests::fixtures::talk;

fn ring(keys: &[&String]) -> Keyring {
    Keyring::from_hex_keys(keys).unwrap()
}

/// What the seeded database shows its readers.
#[derive(Debug, PartialEq)]
struct Seen {
    cases: Vec<Case>,
    session: perspectief_core::session::InformationSession,
    meeting: perspectief_core::meeting::ChainMeeting,
    break_glass: Vec<perspectief_core::privacy::BreakGlassRecord>,
    overrides: Vec<perspectief_core::privacy::ConsentOverrideRecord>,
    holds: Vec<perspectief_core::erasure::LegalHold>,
    erasures: Vec<perspectief_core::erasure::ErasureRequest>,
    checkpoint_key: String,
}

struct Seeded {
    lead: Caller,
    auditor: Caller,
    cases: Vec<ParticipantId>,
    session: SessionId,
    meeting: MeetingId,
}

/// One of every kind of value sealed with the foundation's key: participants (one with its own
/// data key, one sealed as before participant keys), a contact, a break-glass read and its
/// review, a consent override and its review, a session, a meeting, legal holds (one lifted),
/// an erasure request, a signed checkpoint.
async fn seed(store: &Store) -> Seeded {
    let now = perspectief_store::Clock::now(clock().as_ref());
    let today = perspectief_core::time::amsterdam_date(now);
    let lead = lead(store);
    let worker = staff(store, Role::ProjectWorker);
    let auditor = staff(store, Role::Auditor);
    let a = store.register_participant(&lead, registration("Amani", worker.actor.user, today)).await.unwrap().id();
    let b = store.register_participant(&lead, registration("Berhane", worker.actor.user, today)).await.unwrap().id();
    for p in [a, b] {
        let contact = CaseCommand::LogContact(NewContact {
            duration_minutes: Some(30),
            ..talk(now, DataCategory::Guidance, "Gesprek over de toekomst (synthetisch).")
        });
        store.execute(&worker, p, None, contact).await.unwrap();
    }
    // B as a database from before participant keys holds it: sealed with the foundation key.
    reseal_with_foundation_key(store, b).await.unwrap();

    let colleague = staff(store, Role::ProjectWorker);
    store.break_glass_case(&colleague, a, text("Spoed: onwel op locatie (synthetisch).")).await.unwrap();
    let epoch = chrono::DateTime::<chrono::Utc>::MIN_UTC;
    let access = store.break_glass_log(&auditor, epoch, 50).await.unwrap()[0].id;
    store.review_break_glass(&auditor, access, text("Terecht (synthetisch).")).await.unwrap();

    let ggd = OrganisationId::from_uuid(uuid::Uuid::new_v4());
    register(store, ggd, "GGD").await;
    let referral = ReferralId::from_uuid(uuid::Uuid::new_v4());
    let propose = CaseCommand::ProposeReferral {
        id: referral,
        partner: ggd,
        domain: PartnerDomain::Medical,
        reason: text("GGD"),
        on: None,
    };
    store.execute(&lead, a, None, propose).await.unwrap();
    let send = CaseCommand::AdvanceReferral {
        referral,
        to: perspectief_core::contact::ReferralStatus::Sent,
        on: today,
        note: None,
        consent_override: Some(text("Acute zorg, deelnemer onbereikbaar (synthetisch).")),
    };
    store.execute(&lead, a, None, send).await.unwrap();
    let override_id = store.consent_override_log(&auditor, epoch, 50).await.unwrap()[0].id;
    store.review_consent_override(&auditor, override_id, text("Gezien (synthetisch).")).await.unwrap();

    let session = session_attended_by(store, &worker, today, &[a]).await;
    let meeting = MeetingId::from_uuid(uuid::Uuid::new_v4());
    store.schedule_meeting(&worker, meeting, today).await.unwrap();
    store
        .execute_meeting(&worker, meeting, None, MeetingCommand::AddToAgenda { participant: b, reasons: vec![] })
        .await
        .unwrap();
    // A legal hold set and lifted, one still set, and a pending erasure request.
    store.set_legal_hold(&lead, a, text("Lopende klacht (synthetisch).")).await.unwrap();
    store.lift_legal_hold(&lead, a, text("Klacht afgehandeld (synthetisch).")).await.unwrap();
    store.set_legal_hold(&lead, b, text("Rechtszaak (synthetisch).")).await.unwrap();
    let c = store.register_participant(&lead, registration("Chaltu", worker.actor.user, today)).await.unwrap().id();
    let outflow =
        CaseCommand::RecordOutflow { outcome: perspectief_core::outflow::OutflowOutcome::Other, on: today, note: None };
    store.execute(&lead, c, None, outflow).await.unwrap();
    store.request_erasure(&lead, c, text("Verzoek van de deelnemer (synthetisch).")).await.unwrap();
    store.export_checkpoint(&auditor).await.unwrap();
    Seeded { lead, auditor, cases: vec![a, b, c], session, meeting }
}

async fn seen(store: &Store, s: &Seeded) -> Seen {
    let epoch = chrono::DateTime::<chrono::Utc>::MIN_UTC;
    let mut cases = Vec::new();
    for p in &s.cases {
        cases.push(store.get_case(&s.lead, *p).await.unwrap());
    }
    Seen {
        cases,
        session: store.get_session(&s.lead, s.session).await.unwrap(),
        meeting: store.get_meeting(&s.lead, s.meeting).await.unwrap(),
        break_glass: store.break_glass_log(&s.auditor, epoch, 50).await.unwrap(),
        overrides: store.consent_override_log(&s.auditor, epoch, 50).await.unwrap(),
        holds: store.legal_holds(&s.lead, 50).await.unwrap(),
        erasures: store.erasure_requests(&s.lead, 50).await.unwrap(),
        checkpoint_key: store.export_checkpoint(&s.auditor).await.unwrap().public_key,
    }
}

/// Every sealed value's plaintext, in order (a rotation must change none of them).
async fn plaintexts(store: &Store) -> Vec<Vec<u8>> {
    let mut all = open_every_sealed_value(store).await.unwrap();
    all.sort();
    all
}

fn refused_for_want_of(err: StoreError, key_id: &str) {
    match err {
        StoreError::UnknownKey { key_id: missing } => assert_eq!(missing, key_id),
        other => panic!("expected the old key to be missed, got: {other}"),
    }
}

#[tokio::test]
async fn after_a_rotation_the_database_opens_with_the_new_key_alone_and_reads_the_same() {
    for backend in durable_backends().await {
        let url = backend.url();
        let (old, new) = (Keyring::generate_hex_key().unwrap(), Keyring::generate_hex_key().unwrap());
        let old_id = ring(&[&old]).current_id().to_owned();
        let new_id = ring(&[&new]).current_id().to_owned();
        let store = open(&url, ring(&[&old]), clock()).await;
        let s = seed(&store).await;
        let before = seen(&store, &s).await;
        let sealed = plaintexts(&store).await;
        drop(store);

        // The new key first: it seals from now on, but the old one is still needed.
        let err = Store::open(StoreOptions::new(url.clone(), ring(&[&new]))).await.unwrap_err();
        refused_for_want_of(err, &old_id);
        let store = open(&url, ring(&[&new, &old]), clock()).await;
        let admin = administrator(&store);
        let status = store.key_status(&admin).await.unwrap();
        assert_eq!(status.current, new_id);
        let old_use = status.keys.iter().find(|k| k.key_id == old_id).unwrap();
        assert!(old_use.needed && old_use.in_keyring && old_use.values > 10, "{status:?}");
        let to_do = old_use.values;

        // Only the administrator rotates and reads the status; a refusal is logged.
        assert_eq!(store.key_status(&s.lead).await.unwrap_err().code(), "access_denied");
        let err = store.rotate_keys(&s.lead, 5, |_| ControlFlow::Continue(())).await.unwrap_err();
        assert_eq!(err.code(), "access_denied");
        let log = store.audit_log(&s.lead, None, 0, 1000).await.unwrap();
        assert!(log.iter().any(|r| r.entry.operation == "rotate_keys" && r.entry.outcome == AuditOutcome::Denied));

        let mut steps = Vec::new();
        let rotation = store
            .rotate_keys(&admin, 5, |p| {
                steps.push(p);
                ControlFlow::Continue(())
            })
            .await
            .unwrap();
        assert!(rotation.complete);
        assert_eq!(rotation.resealed, to_do);
        assert_eq!(rotation.retired, std::slice::from_ref(&old_id));
        assert!(steps.len() > 2, "bounded batches report their progress: {steps:?}");
        assert!(steps.windows(2).all(|w| w[0].resealed < w[1].resealed && w[1].total == to_do), "{steps:?}");
        let log = store.audit_log(&s.lead, None, 0, 1000).await.unwrap();
        let batches = log
            .iter()
            .filter(|r| r.entry.operation == "rotate_keys" && r.entry.outcome == AuditOutcome::Success)
            .count();
        assert!(batches > steps.len(), "every batch is in the access log");

        let status = store.key_status(&admin).await.unwrap();
        let old_use = status.keys.iter().find(|k| k.key_id == old_id).unwrap();
        assert_eq!((old_use.values, old_use.recorded, old_use.needed), (0, false, false), "{status:?}");
        let new_use = status.keys.iter().find(|k| k.key_id == new_id).unwrap();
        assert!(new_use.current && new_use.needed && new_use.values >= to_do);
        // Idempotent: nothing is left to do.
        let again = store.rotate_keys(&admin, 5, |_| ControlFlow::Continue(())).await.unwrap();
        assert_eq!((again.resealed, again.complete, again.retired.len()), (0, true, 0));
        drop(store);

        // The new key alone opens it and every value reads back unchanged; the old alone no longer.
        let store = open(&url, ring(&[&new]), clock()).await;
        assert_eq!(seen(&store, &s).await, before);
        assert_eq!(plaintexts(&store).await, sealed);
        assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
        drop(store);
        let err = Store::open(StoreOptions::new(url.clone(), ring(&[&old]))).await.unwrap_err();
        refused_for_want_of(err, &new_id);
    }
}

#[tokio::test]
async fn an_interrupted_rotation_leaves_whole_rows_and_carries_on_where_it_stopped() {
    for backend in durable_backends().await {
        let url = backend.url();
        let (old, new) = (Keyring::generate_hex_key().unwrap(), Keyring::generate_hex_key().unwrap());
        let old_id = ring(&[&old]).current_id().to_owned();
        let store = open(&url, ring(&[&old]), clock()).await;
        let s = seed(&store).await;
        let before = seen(&store, &s).await;
        let sealed = plaintexts(&store).await;
        drop(store);

        let store = open(&url, ring(&[&new, &old]), clock()).await;
        let admin = administrator(&store);
        let first = store.rotate_keys(&admin, 3, |_| ControlFlow::Break(())).await.unwrap();
        assert!(!first.complete && first.resealed > 0 && first.retired.is_empty(), "{first:?}");
        let status = store.key_status(&admin).await.unwrap();
        let old_use = status.keys.iter().find(|k| k.key_id == old_id).unwrap();
        assert!(old_use.needed && old_use.values > 0, "{status:?}");
        // Halfway, every value still opens with the place it was sealed at.
        assert_eq!(plaintexts(&store).await, sealed);
        assert_eq!(seen(&store, &s).await, before);
        drop(store);
        let err = Store::open(StoreOptions::new(url.clone(), ring(&[&new]))).await.unwrap_err();
        refused_for_want_of(err, &old_id);

        let store = open(&url, ring(&[&new, &old]), clock()).await;
        let rest = store.rotate_keys(&administrator(&store), 3, |_| ControlFlow::Continue(())).await.unwrap();
        assert!(rest.complete);
        assert_eq!(rest.resealed, old_use.values, "the second run did what the first left");
        assert_eq!(rest.retired, std::slice::from_ref(&old_id));
        drop(store);
        let store = open(&url, ring(&[&new]), clock()).await;
        assert_eq!(seen(&store, &s).await, before);
        assert_eq!(plaintexts(&store).await, sealed);
    }
}
