//! Erasure on request (GDPR art. 17) and legal holds, on SQLite and PostgreSQL: a request
//! erases nothing; the requester cannot confirm it; a hold or an open trajectory refuses it,
//! also when the hold is set between request and confirmation; a second person's confirmation
//! erases the whole person, listed for review by a third; the retention run skips held people
//! and reaches people whose trajectory never got an outflow.

use chrono::NaiveDate;
use perspectief_core::erasure::ErasureStatus;
use perspectief_core::privacy::{PrivacyService, ReviewedAccess};
use perspectief_core::retention::RetentionPolicy;
use perspectief_core::service::{Caller, ChainVerification, PerspectiefService};
use perspectief_core::*;
use perspectief_store::Store;

use crate::support::*;

async fn outflow(store: &Store, lead: &Caller, p: ParticipantId, on: NaiveDate) {
    let cmd = CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on, note: None };
    store.execute(lead, p, None, cmd).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_on_request_needs_a_second_person_no_hold_and_an_outflow() {
    for backend in durable_backends().await {
        let clock = clock();
        let store = open(&backend.url(), new_keys(), clock.clone()).await;
        let lead = lead(&store);
        let (lead2, auditor) = (
            staff_as(&store, UserId::from_u128(2), Role::ProjectLead),
            staff_as(&store, UserId::from_u128(4), Role::Auditor),
        );
        let worker = staff_as(&store, UserId::from_u128(3), Role::ProjectWorker);
        let today = day(2026, 3, 2);
        clock.set(noon(today));
        let p =
            store.register_participant(&lead, registration("Verzoek", worker.actor.user, today)).await.unwrap().id();
        let reason = text("Verzoek van de deelnemer, schriftelijk");

        // An open trajectory: refused, with what to do instead.
        let err = store.request_erasure(&lead, p, reason.clone()).await.unwrap_err();
        assert_eq!(err.code(), "erasure_needs_outflow");
        outflow(&store, &lead, p, today).await;
        // Only the project lead requests.
        assert_eq!(store.request_erasure(&worker, p, reason.clone()).await.unwrap_err().code(), "access_denied");
        assert_eq!(store.request_erasure(&auditor, p, reason.clone()).await.unwrap_err().code(), "access_denied");
        // A hold refuses the request.
        assert_eq!(
            store.set_legal_hold(&worker, p, text("Lopende procedure")).await.unwrap_err().code(),
            "access_denied"
        );
        store.set_legal_hold(&lead, p, text("Lopende procedure")).await.unwrap();
        assert_eq!(store.set_legal_hold(&lead, p, text("Nog een")).await.unwrap_err().code(), "already_exists");
        assert_eq!(store.request_erasure(&lead, p, reason.clone()).await.unwrap_err().code(), "legal_hold_set");
        let lifted = store.lift_legal_hold(&lead, p, text("Procedure afgerond")).await.unwrap();
        assert!(!lifted.is_active());
        assert_eq!(store.lift_legal_hold(&lead, p, text("Weer")).await.unwrap_err().code(), "not_found");

        // The request erases nothing; one at a time.
        let request = store.request_erasure(&lead, p, reason.clone()).await.unwrap();
        assert_eq!(request.status, ErasureStatus::Pending);
        assert_eq!(store.request_erasure(&lead, p, reason.clone()).await.unwrap_err().code(), "already_exists");
        assert!(store.get_case(&lead, p).await.is_ok());
        // Never by the requester, nor by a worker.
        assert_eq!(store.confirm_erasure(&lead, request.id).await.unwrap_err().code(), "access_denied");
        assert_eq!(store.confirm_erasure(&worker, request.id).await.unwrap_err().code(), "access_denied");
        // A hold set between request and confirmation blocks it.
        store.set_legal_hold(&lead2, p, text("Nieuwe vordering")).await.unwrap();
        assert_eq!(store.confirm_erasure(&auditor, request.id).await.unwrap_err().code(), "legal_hold_set");
        assert!(store.get_case(&lead, p).await.is_ok());
        store.lift_legal_hold(&lead2, p, text("Vordering ingetrokken")).await.unwrap();

        // The auditor confirms: the person is erased.
        let done = store.confirm_erasure(&auditor, request.id).await.unwrap();
        assert_eq!(done.status, ErasureStatus::Erased);
        assert_eq!(done.decided_by, Some(auditor.actor.user));
        assert_eq!(store.get_case(&lead, p).await.unwrap_err().code(), "not_found");
        assert!(perspectief_store::testing::participant_sealed_blobs(&store, p).await.unwrap().is_empty());
        assert_eq!(store.confirm_erasure(&lead2, request.id).await.unwrap_err().code(), "illegal_status_transition");
        let listed = store.erasure_requests(&auditor, 100).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].status, listed[0].reason.as_str()), (ErasureStatus::Erased, reason.as_str()));
        assert_eq!(store.erasure_requests(&worker, 100).await.unwrap_err().code(), "access_denied");
        assert!(store.legal_holds(&lead, 100).await.unwrap().is_empty(), "the holds went with the person");

        // Listed for review with the break-glass reads, reviewed by a third person once.
        let reviews = store.break_glass_log(&lead, noon(day(2026, 1, 1)), 100).await.unwrap();
        let entry = reviews.iter().find(|r| r.access == ReviewedAccess::ErasureOnRequest).unwrap();
        assert_eq!((entry.user, entry.participant), (auditor.actor.user, p));
        assert_eq!(entry.id.as_uuid(), request.id.as_uuid());
        for own in [&lead, &auditor] {
            assert_eq!(
                store.review_break_glass(own, entry.id, text("Gezien")).await.unwrap_err().code(),
                "access_denied"
            );
        }
        store.review_break_glass(&lead2, entry.id, text("Terecht")).await.unwrap();
        assert_eq!(
            store.review_break_glass(&lead2, entry.id, text("Nog eens")).await.unwrap_err().code(),
            "already_exists"
        );
        assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_can_be_cancelled_and_then_erases_nothing() {
    for backend in durable_backends().await {
        let clock = clock();
        let store = open(&backend.url(), new_keys(), clock.clone()).await;
        let lead = lead(&store);
        let lead2 = staff_as(&store, UserId::from_u128(2), Role::ProjectLead);
        let today = day(2026, 3, 2);
        clock.set(noon(today));
        let p =
            store.register_participant(&lead, registration("Ingetrokken", lead.actor.user, today)).await.unwrap().id();
        outflow(&store, &lead, p, today).await;
        let request = store.request_erasure(&lead, p, text("Verzoek")).await.unwrap();
        let cancelled = store.cancel_erasure(&lead, request.id).await.unwrap();
        assert_eq!(cancelled.status, ErasureStatus::Cancelled);
        assert_eq!(store.confirm_erasure(&lead2, request.id).await.unwrap_err().code(), "illegal_status_transition");
        assert!(store.get_case(&lead, p).await.is_ok());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_skips_held_people_and_reaches_trajectories_that_never_got_an_outflow() {
    for backend in durable_backends().await {
        let clock = clock();
        let store = open(&backend.url(), new_keys(), clock.clone()).await;
        let lead = lead(&store);
        let start = day(2026, 3, 2);
        clock.set(noon(start));
        let never =
            store.register_participant(&lead, registration("Nooit", lead.actor.user, start)).await.unwrap().id();
        let held = store.register_participant(&lead, registration("Vast", lead.actor.user, start)).await.unwrap().id();
        outflow(&store, &lead, held, start).await;
        store.set_legal_hold(&lead, held, text("Lopende procedure")).await.unwrap();
        let limit = store.get_case(&lead, never).await.unwrap().trajectory().limit();
        let policy = RetentionPolicy::defaults();

        // The day after the limit: listed, not yet under retention.
        clock.set(noon(limit.succ_opt().unwrap()));
        let report = store.run_retention(&lead, &policy, true).await.unwrap();
        assert_eq!(report.overdue.len(), 1);
        assert_eq!(report.overdue[0].participant, never);
        assert!(!report.overdue[0].under_retention);
        // The held person's criminal history has expired, but they are skipped and reported.
        assert_eq!(report.held, [held]);
        assert!(report.participants.is_empty(), "{report:?}");

        // Limit + 3 months + 24 months: the person without an outflow is erased; the held one stays.
        let erase_day =
            policy.retention_start(None, limit).unwrap().checked_add_months(chrono::Months::new(24)).unwrap();
        clock.set(noon(erase_day.pred_opt().unwrap()));
        let report = store.run_retention(&lead, &policy, false).await.unwrap();
        assert!(report.participants.iter().all(|p| !p.erase_person), "not the day before: {report:?}");
        clock.set(noon(erase_day));
        let report = store.run_retention(&lead, &policy, false).await.unwrap();
        assert_eq!(
            report.participants.iter().map(|p| (p.participant, p.erase_person)).collect::<Vec<_>>(),
            [(never, true)]
        );
        assert_eq!(report.held, [held]);
        assert_eq!(store.get_case(&lead, never).await.unwrap_err().code(), "not_found");
        assert!(store.get_case(&lead, held).await.is_ok(), "held");
        // Lifted: the next run erases them.
        store.lift_legal_hold(&lead, held, text("Afgerond")).await.unwrap();
        let report = store.run_retention(&lead, &policy, false).await.unwrap();
        assert_eq!(report.participants.iter().map(|p| p.participant).collect::<Vec<_>>(), [held]);
        assert!(report.held.is_empty());
        assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    }
}
