//! Privacy by design: the subject access export holds every record about a person (checked
//! against the store, not against the export's own code), signed checkpoints expose a
//! rewritten access log, and break-glass reads are logged with their reason and listed.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use perspectief_core::case::{CaseCommand, NewContact};
use perspectief_core::privacy::{BREAK_GLASS_OPERATION, CheckpointError, PrivacyService, verify_checkpoint};
use perspectief_core::returns::ExplorationFindings;
use perspectief_core::service::{AuditOutcome, AuditRecord, Caller, PerspectiefService, Purpose};
use perspectief_core::session::SessionCommand;
use perspectief_core::*;
use perspectief_store::Store;
use perspectief_store::testing::{raw_execute, raw_query_text};

use crate::support::*;
use perspectief_tests::fixtures::talk;

fn fresh() -> u128 {
    uuid::Uuid::new_v4().as_u128()
}

fn partner(org: OrganisationId) -> Caller {
    Caller {
        actor: Actor {
            user: UserId::from_u128(fresh()),
            organisation: org,
            role: Role::ChainPartner,
            grant: perspectief_core::access::Grant::all_categories(
                perspectief_core::access::ConfidentialityLevel::ZeerGeheim,
            ),
        },
        on_behalf_of: None,
        purpose: Purpose::ChainCooperation,
        client: "10.1.2.3:4567".to_owned(),
    }
}

async fn count(store: &Store, sql: &str) -> usize {
    raw_query_text(store, sql).await.unwrap().unwrap().parse().unwrap()
}

fn contact(summary: &str, at: chrono::DateTime<Utc>) -> CaseCommand {
    CaseCommand::LogContact(NewContact { duration_minutes: Some(30), ..talk(at, DataCategory::Guidance, summary) })
}

/// Read a partner's feed to the end (each read of events is logged under the consent).
async fn drain_feed(store: &Store, caller: &Caller) -> usize {
    let (mut cursor, mut seen) = (0, 0);
    loop {
        let page = store.watch_events(caller, cursor, 500).await.unwrap();
        seen += page.events.len();
        if page.cursor == cursor {
            return seen;
        }
        cursor = page.cursor;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_holds_every_record_about_the_person_and_nothing_about_others() {
    for backend in all_backends().await {
        let c = clock();
        let store = open(&backend.url(), new_keys(), c.clone()).await;
        let now = perspectief_store::Clock::now(c.as_ref());
        let today = perspectief_core::time::amsterdam_date(now);
        let lead = staff(&store, Role::ProjectLead);
        let worker = staff(&store, Role::ProjectWorker);
        let iom = OrganisationId::from_u128(fresh());
        register(&store, iom, "IOM").await;
        let iom_user = partner(iom);

        // The person, with markup in the name to prove the document escapes it, and someone else.
        let p = store
            .register_participant(&lead, registration("Amina <b>Synthetisch</b>", worker.actor.user, today))
            .await
            .unwrap()
            .id();
        let q = store
            .register_participant(&lead, registration("Quirijn Anderspersoon", worker.actor.user, today))
            .await
            .unwrap()
            .id();
        let consent = ConsentId::from_u128(fresh());
        for cmd in [
            CaseCommand::GiveConsent {
                id: consent,
                organisation: iom,
                categories: BTreeSet::from([DataCategory::Return]),
                purpose: text("Terugkeerbegeleiding (synthetisch)."),
                given_on: today,
            },
            contact("Gesprek over toekomst, canary-export-7f3a (synthetisch).", now - Duration::hours(1)),
            CaseCommand::RevisePlan {
                personal_situation: text("Situatie."),
                perspective: text("Terugkeer."),
                on: None,
            },
            CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: today, note: None },
            CaseCommand::StartReturnExploration {
                on: today,
                findings: ExplorationFindings { motivation: Some(text("Wil terug.")), ..Default::default() },
            },
        ] {
            store.execute(&worker, p, None, cmd).await.unwrap();
        }
        store.execute(&worker, q, None, contact("Iets over Quirijn.", now - Duration::hours(2))).await.unwrap();
        // The partner reads what the consent covers; that is logged under the consent.
        assert!(drain_feed(&store, &iom_user).await >= 2);

        // A session both attended, and one only the other person attended.
        let mut sessions = Vec::new();
        for attendees in [vec![p, q], vec![q]] {
            sessions.push(session_attended_by(&store, &worker, today, &attendees).await);
        }
        // An attendance registered by mistake and removed: no longer current, but still held.
        for cmd in
            [SessionCommand::RegisterAttendance { participant: p }, SessionCommand::RemoveAttendance { participant: p }]
        {
            store.execute_session(&worker, sessions[1], None, cmd).await.unwrap();
        }
        // A meeting that discussed both, and one that discussed only the other person.
        let mut meetings = Vec::new();
        for people in [vec![p, q], vec![q]] {
            let id = MeetingId::from_u128(fresh());
            store.schedule_meeting(&worker, id, today).await.unwrap();
            for person in people {
                store
                    .execute_meeting(
                        &worker,
                        id,
                        None,
                        MeetingCommand::AddToAgenda { participant: person, reasons: vec![] },
                    )
                    .await
                    .unwrap();
                store
                    .execute_meeting(
                        &worker,
                        id,
                        None,
                        MeetingCommand::RecordDiscussion {
                            participant: person,
                            information_supplied: Some(text("Voortgang besproken (synthetisch).")),
                            decision: Some(text("Doorgaan.")),
                        },
                    )
                    .await
                    .unwrap();
            }
            meetings.push(id);
        }
        store.get_case(&worker, p).await.unwrap();
        let colleague = staff(&store, Role::ProjectWorker);
        let emergency = text("Spoed: onwel op locatie (synthetisch).");
        store.break_glass_case(&colleague, p, emergency.clone()).await.unwrap();
        store.break_glass_case(&colleague, q, text("Iets anders (synthetisch).")).await.unwrap();

        // Who may export: the project lead, not the assigned worker, not an auditor or partner.
        for caller in [&worker, &staff(&store, Role::Auditor), &iom_user] {
            assert_eq!(
                store
                    .export_participant(caller, p, Text::parse("Verzoek van de deelnemer").unwrap())
                    .await
                    .unwrap_err()
                    .code(),
                "access_denied"
            );
        }
        assert_eq!(
            store
                .export_participant(
                    &lead,
                    ParticipantId::from_u128(fresh()),
                    Text::parse("Verzoek van de deelnemer").unwrap()
                )
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );

        // The store's own view, read before the export.
        let case = store.get_case(&lead, p).await.unwrap();
        let events = store.case_events(&lead, p, 0, 500).await.unwrap();
        let meeting_items: Vec<_> = {
            let m = store.get_meeting(&lead, meetings[0]).await.unwrap();
            m.items().filter(|i| i.participant == p).cloned().collect()
        };
        let pid = p.to_string();
        let stored_events =
            count(&store, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM case_events WHERE participant_id = '{pid}'"))
                .await;
        let attended = raw_query_text(
            &store,
            &format!("SELECT session_id FROM session_attendance WHERE participant_id = '{pid}'"),
        )
        .await
        .unwrap();
        let logged_before =
            count(&store, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE participant_id = '{pid}'"))
                .await;
        let under_consent = count(
            &store,
            &format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE participant_id = '{pid}' AND outcome = 'success' AND basis LIKE '%{consent}%'"
            ),
        )
        .await;
        let outside = count(
            &store,
            &format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE participant_id = '{pid}' AND outcome = 'success' AND organisation_id <> '{}'",
                store.policy().foundation
            ),
        )
        .await;

        let export =
            store.export_participant(&lead, p, Text::parse("Verzoek van de deelnemer").unwrap()).await.unwrap();
        // The export holds content its maker may otherwise not read: it is listed for review,
        // with its reason, next to the break-glass reads; reviewed by someone else.
        let auditor = staff(&store, Role::Auditor);
        let listed = store.break_glass_log(&auditor, DateTime::<Utc>::MIN_UTC, 500).await.unwrap();
        let exported: Vec<_> = listed
            .iter()
            .filter(|r| r.access == perspectief_core::privacy::ReviewedAccess::SubjectExport && r.participant == p)
            .collect();
        assert_eq!(exported.len(), 1, "{listed:?}");
        assert_eq!((exported[0].user, exported[0].reason.as_str()), (lead.actor.user, "Verzoek van de deelnemer"));
        let reviewed =
            store.review_break_glass(&auditor, exported[0].id, Text::parse("Verzoek gezien").unwrap()).await.unwrap();
        assert_eq!(reviewed.review.unwrap().by, auditor.actor.user);

        assert_eq!(export.participant, p);
        assert_eq!(export.case, case, "the case file as the store holds it");
        assert_eq!(export.events, events, "the full history");
        assert_eq!(export.events.len(), stored_events);
        assert_eq!(export.events.len() as u64, case.version());
        assert_eq!(export.sessions.iter().map(|s| s.session.to_string()).collect::<Vec<_>>(), [attended.unwrap()]);
        assert_eq!(export.sessions[0].session, sessions[0]);
        assert_eq!(export.meetings.len(), 1, "only the meeting that discussed the person");
        assert_eq!(export.meetings[0].meeting, meetings[0]);
        assert_eq!(vec![export.meetings[0].item.clone()], meeting_items);
        // (The test clock stands still, so the order among equal instants is by session.)
        let kind = |e: &perspectief_core::session::SessionEvent| {
            serde_json::to_value(&e.change).unwrap()["change"].as_str().unwrap().to_owned()
        };
        let session_changes: BTreeSet<_> = export.session_history.iter().map(|e| (e.session, kind(e))).collect();
        let expected = BTreeSet::from([
            (sessions[0], "attendance_registered".to_owned()),
            (sessions[1], "attendance_registered".to_owned()),
            (sessions[1], "attendance_removed".to_owned()),
        ]);
        assert_eq!((session_changes, export.session_history.len()), (expected, 3));
        assert_eq!(export.meeting_history.len(), 2, "added to the agenda, discussed");
        assert!(export.meeting_history.iter().all(|e| e.meeting == meetings[0] && e.change.participant() == Some(p)));
        // The access log up to the export (the reads just above included), denials too.
        assert_eq!(export.access_log.len(), logged_before);
        assert!(export.access_log.iter().all(|r| r.entry.participant == Some(p)));
        assert!(export.access_log.iter().any(|r| r.entry.outcome == AuditOutcome::Denied), "denied exports are in it");
        assert!(export.access_log.windows(2).all(|w| w[0].seq < w[1].seq));
        // Consents and what the partner received under each.
        assert_eq!(export.consents.len(), 1);
        assert_eq!(export.consents[0].consent, case.consents()[0]);
        assert!(under_consent > 0);
        assert_eq!(export.consents[0].received.len(), under_consent);
        assert!(
            export.consents[0]
                .received
                .iter()
                .all(|d| d.organisation == iom && d.category == Some(DataCategory::Return))
        );
        assert_eq!(export.outside_recipients.len(), outside);
        // Emergency reads of the person's case, with their reasons (and not the other person's).
        let glass =
            count(&store, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM break_glass WHERE participant_id = '{pid}'"))
                .await;
        // The table also holds this export's own row, written with its access-log record after
        // the export was made.
        assert_eq!((export.break_glass.len(), glass), (1, 2));
        assert_eq!((export.break_glass[0].user, &export.break_glass[0].reason), (colleague.actor.user, &emergency));

        // The export itself is logged: action export, purpose subject rights, by the lead.
        let after = store.audit_log(&lead, Some(p), 0, 500).await.unwrap();
        let record = after.iter().rev().find(|r| r.entry.operation == "export_participant").unwrap();
        assert_eq!(
            (record.entry.action, record.entry.purpose, record.entry.user, record.entry.outcome),
            (Action::Export, Purpose::SubjectRights, lead.actor.user, AuditOutcome::Success)
        );
        assert_eq!(record.entry.basis, Some(Basis::RoleRule));

        // JSON round-trips; neither form holds anything of the other person.
        let json = export.to_json().unwrap();
        assert_eq!(serde_json::from_str::<perspectief_core::privacy::ParticipantExport>(&json).unwrap(), export);
        let html = export.to_html();
        for doc in [&json, &html] {
            assert!(doc.contains("canary-export-7f3a"));
            assert!(!doc.contains(&q.to_string()), "another person's id leaked");
            assert!(!doc.contains("Quirijn"), "another person's name leaked");
        }
        assert!(html.contains("Amina &lt;b&gt;Synthetisch&lt;/b&gt;"), "markup is escaped");
        assert!(!html.contains("<b>Synthetisch"));
    }
}

/// Every access-log record, read by an auditor in one page (the read's own record is written
/// after it, so it is not among them).
async fn all_records(store: &Store, auditor: &Caller) -> Vec<AuditRecord> {
    let records = store.audit_log(auditor, None, 0, 500).await.unwrap();
    assert!(records.len() < 500, "one page holds the whole test log");
    records
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_checkpoint_exposes_a_rewritten_or_cut_log() {
    for backend in all_backends().await {
        let c = clock();
        let keys = new_keys();
        let store = open(&backend.url(), keys.clone(), c.clone()).await;
        let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
        let lead = lead(&store);
        let auditor = staff(&store, Role::Auditor);
        let trusted = store.checkpoint_public_key();
        for i in 0..5 {
            let case = store
                .register_participant(&lead, registration(&format!("P{i}"), lead.actor.user, today))
                .await
                .unwrap();
            store.get_case(&lead, case.id()).await.unwrap();
        }
        for caller in [&lead, &staff(&store, Role::ProjectWorker), &staff(&store, Role::Administrator)] {
            assert_eq!(store.export_checkpoint(caller).await.unwrap_err().code(), "access_denied");
        }
        let cp = store.export_checkpoint(&auditor).await.unwrap();
        assert!(cp.checkpoint.seq >= 13, "{}", cp.checkpoint.seq);
        assert_eq!(cp.public_key, trusted);
        assert_eq!(cp.checkpoint.foundation, store.policy().foundation);
        // JSON is what leaves the building; it verifies as it was parsed.
        let cp: perspectief_core::privacy::SignedCheckpoint =
            serde_json::from_str(&serde_json::to_string(&cp).unwrap()).unwrap();
        let verified = verify_checkpoint(&cp, &trusted, &all_records(&store, &auditor).await).unwrap();
        assert_eq!(verified.seq, cp.checkpoint.seq);
        // The log grows on; the checkpoint still holds for its prefix.
        store.register_participant(&lead, registration("Later", lead.actor.user, today)).await.unwrap();
        let grown = verify_checkpoint(&cp, &trusted, &all_records(&store, &auditor).await).unwrap();
        assert!(grown.records_after >= 2, "{grown:?}");
        // The key survives reopening (same database, same key file).
        if !matches!(backend, Backend::Memory) {
            let again = open(&backend.url(), keys.clone(), c.clone()).await;
            assert_eq!(again.checkpoint_public_key(), trusted);
        }

        // A forged or altered checkpoint, or one under a key the verifier does not trust.
        let records = all_records(&store, &auditor).await;
        let mut altered = cp.clone();
        altered.checkpoint.seq -= 1;
        altered.checkpoint.head_hash = records[altered.checkpoint.seq as usize - 1].hash.clone();
        assert_eq!(verify_checkpoint(&altered, &trusted, &records).unwrap_err(), CheckpointError::BadSignature);
        let other = open("sqlite::memory:", new_keys(), clock()).await;
        assert_eq!(
            verify_checkpoint(&cp, &other.checkpoint_public_key(), &records).unwrap_err(),
            CheckpointError::UntrustedKey
        );

        // Someone with full database rights (and even the HMAC key) rewrites record 3 and
        // every hash after it, so the chain links up again: the checkpoint's head no longer fits.
        drop_audit_triggers(&store).await;
        let head: u64 = count(&store, "SELECT CAST(MAX(seq) AS TEXT) FROM audit_log").await as u64;
        raw_execute(&store, "UPDATE audit_log SET operation = 'nothing_to_see' WHERE seq = 3").await.unwrap();
        for seq in 3..=head {
            let hash = format!("{:064x}", u128::from(seq) * 7919);
            let prev = if seq == 3 { records[1].hash.clone() } else { format!("{:064x}", u128::from(seq - 1) * 7919) };
            raw_execute(
                &store,
                &format!("UPDATE audit_log SET hash = '{hash}', prev_hash = '{prev}' WHERE seq = {seq}"),
            )
            .await
            .unwrap();
        }
        let rewritten = all_records(&store, &auditor).await;
        assert!(rewritten.iter().any(|r| r.entry.operation == "nothing_to_see"));
        assert_eq!(
            verify_checkpoint(&cp, &trusted, &rewritten).unwrap_err(),
            CheckpointError::HeadMismatch { seq: cp.checkpoint.seq }
        );
        // Cutting the log off before the checkpoint's head is found too.
        raw_execute(&store, &format!("DELETE FROM audit_log WHERE seq >= {}", cp.checkpoint.seq - 2)).await.unwrap();
        let cut = all_records(&store, &auditor).await;
        assert_eq!(
            verify_checkpoint(&cp, &trusted, &cut).unwrap_err(),
            CheckpointError::RecordMissing { seq: cp.checkpoint.seq }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn break_glass_reads_are_logged_with_their_reason_and_listed_for_review() {
    for backend in all_backends().await {
        let c = clock();
        let store = open(&backend.url(), new_keys(), c.clone()).await;
        let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
        let lead = lead(&store);
        let assigned = staff(&store, Role::ProjectWorker);
        let colleague = staff(&store, Role::ProjectWorker);
        let case =
            store.register_participant(&lead, registration("Noodgeval", assigned.actor.user, today)).await.unwrap();
        let reason = text("Spoed: deelnemer onwel op locatie, collega afwezig (synthetisch).");

        assert_eq!(store.get_case(&colleague, case.id()).await.unwrap_err().code(), "access_denied");
        let read = store.break_glass_case(&colleague, case.id(), reason.clone()).await.unwrap();
        assert_eq!(read, store.get_case(&lead, case.id()).await.unwrap());

        // Nobody outside the case work breaks the glass, and refusals are logged too.
        let outsiders = [
            staff(&store, Role::Auditor),
            staff(&store, Role::Administrator),
            partner(OrganisationId::from_u128(fresh())),
        ];
        for caller in &outsiders {
            assert_eq!(
                store.break_glass_case(caller, case.id(), reason.clone()).await.unwrap_err().code(),
                "access_denied"
            );
        }
        assert_eq!(
            store
                .break_glass_case(&colleague, ParticipantId::from_u128(fresh()), reason.clone())
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );

        let log = store.audit_log(&lead, Some(case.id()), 0, 500).await.unwrap();
        let glass: Vec<_> = log.iter().filter(|r| r.entry.operation == BREAK_GLASS_OPERATION).collect();
        assert_eq!(glass.len(), 1 + outsiders.len());
        assert_eq!(glass[0].entry.user, colleague.actor.user);
        assert_eq!(glass[0].entry.outcome, AuditOutcome::Success);
        assert_eq!(glass[0].entry.basis, Some(Basis::BreakGlass));
        assert!(glass[1..].iter().all(|r| r.entry.outcome == AuditOutcome::Denied));
        let log_json = serde_json::to_string(&log).unwrap();
        assert!(!log_json.contains("Spoed"), "the reason stays out of the access log");

        // Listed for review, with the reason, to whoever may read the audit log.
        let epoch = Utc.timestamp_opt(0, 0).unwrap();
        assert_eq!(store.break_glass_log(&colleague, epoch, 50).await.unwrap_err().code(), "access_denied");
        for reviewer in [&lead, &staff(&store, Role::Auditor)] {
            let listed = store.break_glass_log(reviewer, epoch, 50).await.unwrap();
            assert_eq!(listed.len(), 1, "only the access that happened");
            let b = &listed[0];
            assert_eq!(
                (b.user, b.participant, b.role, &b.reason),
                (colleague.actor.user, case.id(), Role::ProjectWorker, &reason)
            );
            assert_eq!(b.at, glass[0].entry.at, "the same instant as its access-log record");
        }
        let later = perspectief_store::Clock::now(c.as_ref()) + Duration::seconds(1);
        assert!(store.break_glass_log(&lead, later, 50).await.unwrap().is_empty());

        // The review: once, by the lead or the auditor, never by the one who broke the glass.
        let access = store.break_glass_log(&lead, epoch, 50).await.unwrap()[0].id;
        let finding = text("Terecht: spoedsituatie bevestigd (synthetisch).");
        for caller in [&colleague, &assigned] {
            assert_eq!(
                store.review_break_glass(caller, access, finding.clone()).await.unwrap_err().code(),
                "access_denied"
            );
        }
        let unknown = BreakGlassId::from_u128(fresh());
        assert_eq!(
            store.review_break_glass(&colleague, unknown, finding.clone()).await.unwrap_err().code(),
            "access_denied"
        );
        assert_eq!(store.review_break_glass(&lead, unknown, finding.clone()).await.unwrap_err().code(), "not_found");
        let reviewed = store.review_break_glass(&lead, access, finding.clone()).await.unwrap();
        let review = reviewed.review.clone().unwrap();
        assert_eq!((review.by, &review.note), (lead.actor.user, &finding));
        assert_eq!(store.break_glass_log(&lead, epoch, 50).await.unwrap(), std::slice::from_ref(&reviewed));
        let auditor = staff(&store, Role::Auditor);
        assert_eq!(
            store.review_break_glass(&auditor, access, finding.clone()).await.unwrap_err().code(),
            "already_exists"
        );
        // The lead may break the glass too, but their own access is reviewed by someone else.
        store.break_glass_case(&lead, case.id(), reason.clone()).await.unwrap();
        let own = store.break_glass_log(&lead, epoch, 50).await.unwrap()[1].id;
        assert_eq!(store.review_break_glass(&lead, own, finding.clone()).await.unwrap_err().code(), "access_denied");
        assert!(store.review_break_glass(&auditor, own, finding.clone()).await.unwrap().review.is_some());
        let reviews = store.audit_log(&lead, Some(case.id()), 0, 500).await.unwrap();
        let reviews: Vec<_> = reviews.iter().filter(|r| r.entry.operation == "review_break_glass").collect();
        assert_eq!(reviews.iter().filter(|r| r.entry.outcome == AuditOutcome::Success).count(), 2);
        assert!(reviews.iter().all(|r| r.entry.action == Action::Update));
        assert!(matches!(
            store.verify_chain().await.unwrap(),
            perspectief_core::service::ChainVerification::Intact { .. }
        ));
    }
}

/// Issue #7: a referral goes to a partner only under a covering consent, or on the project
/// lead's override, which is recorded with its reason (sealed, outside the access log) in the
/// same transaction as the event and listed for review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referrals_need_a_consent_or_the_leads_logged_override_which_is_reviewed_once() {
    for backend in all_backends().await {
        let c = clock();
        let store = open(&backend.url(), new_keys(), c.clone()).await;
        let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
        let lead = lead(&store);
        let worker = staff(&store, Role::ProjectWorker);
        let auditor = staff(&store, Role::Auditor);
        let ggd = OrganisationId::from_u128(fresh());
        register(&store, ggd, "GGD").await;
        let case =
            store.register_participant(&lead, registration("Verwijzing", worker.actor.user, today)).await.unwrap();
        let p = case.id();
        let referral = ReferralId::from_u128(fresh());
        let propose = CaseCommand::ProposeReferral {
            id: referral,
            partner: ggd,
            domain: PartnerDomain::Medical,
            reason: text("GGD"),
            on: None,
        };
        store.execute(&worker, p, None, propose).await.unwrap();
        let send = |reason: Option<&str>| CaseCommand::AdvanceReferral {
            referral,
            to: ReferralStatus::Sent,
            on: today,
            note: None,
            consent_override: reason.map(text),
        };
        let reason = "Spoed: acute zorg nodig, deelnemer onbereikbaar (synthetisch).";
        let epoch = Utc.timestamp_opt(0, 0).unwrap();
        let status = |case: &perspectief_core::Case| case.referral(referral).unwrap().status();

        // Without a consent: refused, nothing written.
        let err = store.execute(&worker, p, None, send(None)).await.unwrap_err();
        assert_eq!(
            err,
            DomainError::ConsentRequired { organisation: ggd, category: DataCategory::MedicalPsychosocial }
        );
        // The worker may not override: denied and logged as a denial; nothing written.
        let err = store.execute(&worker, p, None, send(Some(reason))).await.unwrap_err();
        assert_eq!(err.code(), "access_denied");
        let now = store.get_case(&lead, p).await.unwrap();
        assert_eq!((now.version(), status(&now)), (case.version() + 1, ReferralStatus::Proposed));
        assert!(store.consent_override_log(&lead, epoch, 50).await.unwrap().is_empty());
        let log = store.audit_log(&lead, Some(p), 0, 500).await.unwrap();
        let sends: Vec<_> = log.iter().filter(|r| r.entry.operation == "advance_referral").collect();
        assert_eq!(
            sends.iter().map(|r| (r.entry.user, r.entry.outcome)).collect::<Vec<_>>(),
            [(worker.actor.user, AuditOutcome::Failed), (worker.actor.user, AuditOutcome::Denied)]
        );

        // The project lead overrides: sent, the reason in the event and on record for review.
        let done = store.execute(&lead, p, None, send(Some(reason))).await.unwrap();
        assert!(matches!(
            &done.events[..],
            [CaseEvent { change: CaseChange::ReferralAdvanced { consent: None, consent_override: Some(r), .. }, .. }]
                if r.as_str() == reason
        ));
        assert_eq!(status(&store.get_case(&lead, p).await.unwrap()), ReferralStatus::Sent);
        let log_json = serde_json::to_string(&store.audit_log(&lead, Some(p), 0, 500).await.unwrap()).unwrap();
        assert!(!log_json.contains("Spoed"), "the reason stays out of the access log");

        // Listed for review, with its reason, to the lead and the auditor only.
        assert_eq!(store.consent_override_log(&worker, epoch, 50).await.unwrap_err().code(), "access_denied");
        for reviewer in [&lead, &auditor] {
            let listed = store.consent_override_log(reviewer, epoch, 50).await.unwrap();
            assert_eq!(listed.len(), 1);
            let o = &listed[0];
            assert_eq!(
                (o.user, o.role, o.participant, o.referral, o.partner, o.category, o.reason.as_str()),
                (lead.actor.user, Role::ProjectLead, p, referral, ggd, DataCategory::MedicalPsychosocial, reason)
            );
            assert_eq!(o.at, done.events[0].at, "the instant of the event");
            assert!(o.review.is_none());
        }

        // Reviewed once, by someone else than its author.
        let id = store.consent_override_log(&lead, epoch, 50).await.unwrap()[0].id;
        let finding = text("Terecht: acute zorg, toestemming achteraf gevraagd (synthetisch).");
        for caller in [&lead, &worker] {
            assert_eq!(
                store.review_consent_override(caller, id, finding.clone()).await.unwrap_err().code(),
                "access_denied",
                "{:?}",
                caller.actor.role
            );
        }
        let unknown = ConsentOverrideId::from_u128(fresh());
        assert_eq!(
            store.review_consent_override(&auditor, unknown, finding.clone()).await.unwrap_err().code(),
            "not_found"
        );
        let reviewed = store.review_consent_override(&auditor, id, finding.clone()).await.unwrap();
        let review = reviewed.review.clone().unwrap();
        assert_eq!((review.by, &review.note), (auditor.actor.user, &finding));
        assert_eq!(store.consent_override_log(&lead, epoch, 50).await.unwrap(), std::slice::from_ref(&reviewed));
        let other_lead = lead_of(&store);
        assert_eq!(
            store.review_consent_override(&other_lead, id, finding.clone()).await.unwrap_err().code(),
            "already_exists"
        );

        // With a covering consent the worker sends; the event names the consent, no override.
        let second = ReferralId::from_u128(fresh());
        let propose = CaseCommand::ProposeReferral {
            id: second,
            partner: ggd,
            domain: PartnerDomain::Legal,
            reason: text("Juridisch"),
            on: None,
        };
        store.execute(&worker, p, None, propose).await.unwrap();
        let consent = ConsentId::from_u128(fresh());
        let give = CaseCommand::GiveConsent {
            id: consent,
            organisation: ggd,
            categories: [DataCategory::Legal].into(),
            purpose: text("Juridische hulp"),
            given_on: today,
        };
        store.execute(&worker, p, None, give).await.unwrap();
        let send_second = CaseCommand::AdvanceReferral {
            referral: second,
            to: ReferralStatus::Sent,
            on: today,
            note: None,
            consent_override: None,
        };
        let done = store.execute(&worker, p, None, send_second).await.unwrap();
        assert!(matches!(
            &done.events[..],
            [CaseEvent { change: CaseChange::ReferralAdvanced { consent: Some(c), consent_override: None, .. }, .. }]
                if *c == consent
        ));
        assert_eq!(store.consent_override_log(&lead, epoch, 50).await.unwrap().len(), 1, "no new override");
    }
}

/// Another project lead of the foundation.
fn lead_of(store: &Store) -> Caller {
    staff(store, Role::ProjectLead)
}
