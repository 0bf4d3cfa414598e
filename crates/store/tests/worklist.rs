//! The worklist's "without a self-reliance assessment" list reads the latest assessment day
//! kept on the participants row (`last_assessed_on`): it must equal the core's rule after each
//! assessment (also one recorded with an earlier day), after an outflow, after the migration
//! that fills the column on a database that already had assessments, and after a retention run
//! that moves a person's activity log to a pseudonym.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use perspectief_core::case::CaseCommand;
use perspectief_core::retention::{RetentionPeriod, RetentionPolicy};
use perspectief_core::service::{Caller, PerspectiefService, WorkItem, WorkSubject, WorklistQuery};
use perspectief_core::*;
use perspectief_store::Store;
use perspectief_store::testing::{raw_execute, raw_query_text, undo_migration_23};

use crate::support::*;

fn assess(on: NaiveDate) -> CaseCommand {
    CaseCommand::RecordSelfReliance {
        assessed_on: on,
        scores: BTreeMap::from([(ZrmDomain::Housing, ZrmScore::new(3).unwrap())]),
    }
}

/// The list as the store gives it, whole and walked one item a page (the same items).
async fn without_assessment(store: &Store, caller: &Caller, today: NaiveDate) -> Vec<WorkItem> {
    let whole = store.worklist(caller, WorklistQuery::for_day(today)).await.unwrap().without_assessment;
    let mut paged = Vec::new();
    let mut token = None;
    loop {
        let mut q = WorklistQuery::for_day(today);
        q.page_size = 1;
        q.page_token = token;
        let page = store.worklist(caller, q).await.unwrap();
        paged.extend(page.without_assessment);
        token = page.next_page_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(paged, whole, "the pages together are the whole list");
    whole
}

/// The list the core's rule gives for these cases, in the list's order (date, participant).
async fn expected(store: &Store, caller: &Caller, ids: &[ParticipantId], today: NaiveDate) -> Vec<WorkItem> {
    let mut v = Vec::new();
    for id in ids {
        let case = store.get_case(caller, *id).await.unwrap();
        if let Some(date) = case.without_assessment_since(today, perspectief_core::service::DEFAULT_ASSESSMENT_MONTHS) {
            v.push(WorkItem { participant: *id, subject: WorkSubject::Participant, date });
        }
    }
    v.sort_by_key(|i| (i.date, i.participant.to_string()));
    v
}

/// Rows whose kept day differs from the latest assessment in the activity log (none).
async fn stale_rows(store: &Store) -> String {
    raw_query_text(
        store,
        "SELECT CAST(COUNT(*) AS TEXT) FROM participants p WHERE COALESCE(p.last_assessed_on, '-') <> \
         COALESCE((SELECT MAX(l.on_date) FROM activity_log l WHERE l.participant_id = p.id AND l.code = '5.2.d' \
         AND l.contact_id IS NULL), '-')",
    )
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worklist_without_assessment_follows_each_assessment() {
    for backend in all_backends().await {
        let clock = clock();
        let store = open(&backend.url(), new_keys(), clock.clone()).await;
        let lead = lead(&store);
        let registered = day(2026, 3, 2);
        clock.set(noon(registered));
        let worker = UserId::from_u128(0x77);
        let mut ids = Vec::new();
        for name in ["Aster", "Berk", "Ceder", "Duin"] {
            ids.push(store.register_participant(&lead, registration(name, worker, registered)).await.unwrap().id());
        }
        store.execute(&lead, ids[0], None, assess(registered)).await.unwrap();
        let today = day(2026, 10, 1);
        clock.set(noon(today));
        let all = without_assessment(&store, &lead, today).await;
        assert_eq!(all.len(), 4, "nobody assessed since April");
        assert_eq!(all, expected(&store, &lead, &ids, today).await);
        // A recent assessment takes a person off the list; an older one recorded later does not
        // put them back (the latest day counts, not the latest recorded).
        store.execute(&lead, ids[1], None, assess(day(2026, 9, 30))).await.unwrap();
        store.execute(&lead, ids[2], None, assess(day(2026, 9, 1))).await.unwrap();
        store.execute(&lead, ids[2], None, assess(day(2026, 3, 5))).await.unwrap();
        // An assessment older than the cutoff moves the person's date, not off the list.
        store.execute(&lead, ids[3], None, assess(day(2026, 3, 20))).await.unwrap();
        let now = without_assessment(&store, &lead, today).await;
        assert_eq!(now, expected(&store, &lead, &ids, today).await);
        assert_eq!(
            now.iter().map(|i| (i.participant, i.date)).collect::<Vec<_>>(),
            [(ids[0], registered), (ids[3], day(2026, 3, 20))]
        );
        // An outflow ends the trajectory: off the list.
        store
            .execute(
                &lead,
                ids[0],
                None,
                CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: today, note: None },
            )
            .await
            .unwrap();
        let now = without_assessment(&store, &lead, today).await;
        assert_eq!(now, expected(&store, &lead, &ids, today).await);
        assert_eq!(now.iter().map(|i| i.participant).collect::<Vec<_>>(), [ids[3]]);
        // The project worker's own list is the same list (all four are theirs).
        let own = staff_as(&store, worker, Role::ProjectWorker);
        assert_eq!(without_assessment(&store, &own, today).await, now);
        assert_eq!(stale_rows(&store).await, "0");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worklist_without_assessment_after_the_migration_that_fills_it() {
    for backend in durable_backends().await {
        let clock = clock();
        let keys = new_keys();
        let registered = day(2026, 3, 2);
        let today = day(2026, 10, 1);
        let ids = {
            let store = open(&backend.url(), keys.clone(), clock.clone()).await;
            let lead = lead(&store);
            clock.set(noon(registered));
            let mut ids = Vec::new();
            for name in ["Es", "Fuut", "Gaai"] {
                let id = store
                    .register_participant(&lead, registration(name, lead.actor.user, registered))
                    .await
                    .unwrap()
                    .id();
                ids.push(id);
            }
            clock.set(noon(day(2026, 3, 10)));
            store.execute(&lead, ids[0], None, assess(day(2026, 3, 10))).await.unwrap();
            store.execute(&lead, ids[1], None, assess(day(2026, 3, 10))).await.unwrap();
            clock.set(noon(today));
            store.execute(&lead, ids[1], None, assess(day(2026, 9, 10))).await.unwrap();
            // Back to the schema before the column: the database of an older version, with
            // assessments in its activity log (and without the later per-worker indexes, one
            // of which reads the column).
            for sql in [
                "DROP INDEX participants_worker_contact",
                "DROP INDEX participants_worker_limit",
                "DROP INDEX participants_worker_assessed",
                "DELETE FROM perspectief_migrations WHERE version = 'm0027_worklist_per_worker'",
                "DROP INDEX participants_active_assessed",
                "ALTER TABLE participants DROP COLUMN last_assessed_on",
                "DELETE FROM perspectief_migrations WHERE version = 'm0019_last_assessed'",
            ] {
                raw_execute(&store, sql).await.unwrap();
            }
            ids
        };
        let store = open(&backend.url(), keys, clock.clone()).await;
        let lead = lead(&store);
        assert_eq!(stale_rows(&store).await, "0", "the migration filled the column");
        let list = without_assessment(&store, &lead, today).await;
        assert_eq!(list, expected(&store, &lead, &ids, today).await);
        assert_eq!(
            list.iter().map(|i| (i.participant, i.date)).collect::<Vec<_>>(),
            [(ids[2], registered), (ids[0], day(2026, 3, 10))]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worklist_without_assessment_after_retention() {
    for backend in durable_backends().await {
        let clock = clock();
        let store = open(&backend.url(), new_keys(), clock.clone()).await;
        let lead = lead(&store);
        let registered = day(2026, 3, 2);
        clock.set(noon(registered));
        let gone =
            store.register_participant(&lead, registration("Hazel", lead.actor.user, registered)).await.unwrap().id();
        let stays =
            store.register_participant(&lead, registration("Iep", lead.actor.user, registered)).await.unwrap().id();
        clock.set(noon(day(2026, 3, 3)));
        for id in [gone, stays] {
            store.execute(&lead, id, None, assess(day(2026, 3, 3))).await.unwrap();
        }
        store
            .execute(
                &lead,
                gone,
                None,
                // Not before the assessment of the 3rd: an outflow ends the trajectory.
                CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: day(2026, 3, 3), note: None },
            )
            .await
            .unwrap();
        // Past the identity's retention after the outflow; the other person, without an
        // outflow, is kept by a long grace period.
        let today = day(2028, 6, 1);
        clock.set(noon(today));
        let before = without_assessment(&store, &lead, today).await;
        assert_eq!(before.iter().map(|i| (i.participant, i.date)).collect::<Vec<_>>(), [(stays, day(2026, 3, 3))]);
        let policy = RetentionPolicy::defaults().with_grace(RetentionPeriod::Months(60)).unwrap();
        let report = store.run_retention(&lead, &policy, false).await.unwrap();
        assert_eq!(report.participants.len(), 1);
        assert!(report.participants[0].erase_person);
        // The pseudonym's row keeps the day of the activity-log rows it took over.
        assert_eq!(stale_rows(&store).await, "0");
        assert_eq!(without_assessment(&store, &lead, today).await, before);
    }
}

/// A database of before migration 23: the upgrade fills the reporting stretches from the
/// registrations and the reports in the activity log (the end of a month clamped as the core
/// does), and the first open with the keys projects the judgments recorded before; the lists
/// then equal the core's rules.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worklist_reports_and_judgments_after_the_migration_that_fills_them() {
    for backend in durable_backends().await {
        let clock = clock();
        let keys = new_keys();
        // The end of November: three months on is the end of February, not early March (a
        // week ahead of 21 February reaches the one, not the other).
        let registered = day(2025, 11, 30);
        let today = day(2026, 2, 21);
        let ids = {
            let store = open(&backend.url(), keys.clone(), clock.clone()).await;
            let lead = lead(&store);
            clock.set(noon(registered));
            let mut ids = Vec::new();
            for name in ["Hop", "IJsvogel"] {
                let id = store
                    .register_participant(&lead, registration(name, lead.actor.user, registered))
                    .await
                    .unwrap()
                    .id();
                ids.push(id);
            }
            let run = |id, cmd| {
                let (store, lead) = (&store, &lead);
                async move { store.execute(lead, id, None, cmd).await.unwrap() }
            };
            run(ids[1], CaseCommand::RevisePlan { personal_situation: text("s"), perspective: text("p"), on: None })
                .await;
            run(ids[1], CaseCommand::AgreePlan { revision: 1, on: registered }).await;
            run(
                ids[1],
                CaseCommand::RecordJudgment {
                    id: JudgmentId::from_u128(1),
                    verdict: Verdict::ReturnNotPossible,
                    finality: Finality::Final,
                    reasoning: text("Geen reisdocument."),
                    formed_on: registered,
                },
            )
            .await;
            clock.set(noon(day(2026, 1, 31)));
            let gemeente = OrganisationId::from_u128(uuid::Uuid::new_v4().as_u128());
            register(&store, gemeente, "GEM").await;
            run(
                ids[1],
                CaseCommand::GiveConsent {
                    id: ConsentId::from_u128(2),
                    organisation: gemeente,
                    categories: [DataCategory::Reports].into(),
                    purpose: text("Rapportage"),
                    given_on: registered,
                },
            )
            .await;
            run(
                ids[1],
                CaseCommand::RecordProgressReport {
                    id: ReportId::from_u128(3),
                    period_from: registered,
                    period_to: day(2026, 1, 31),
                    sent_to: gemeente,
                    sent_on: None,
                },
            )
            .await;
            undo_migration_23(&store).await.unwrap();
            ids
        };
        clock.set(noon(today));
        let store = open(&backend.url(), keys, clock.clone()).await;
        let lead = lead(&store);
        let list = store.worklist(&lead, WorklistQuery::for_day(today)).await.unwrap();
        let mut reports = Vec::new();
        let mut judgments = Vec::new();
        for id in &ids {
            let case = store.get_case(&lead, *id).await.unwrap();
            if let Some(due) = case.progress_report_due(today, 7) {
                reports.push(WorkItem { participant: *id, subject: WorkSubject::Participant, date: due });
            }
            for e in case.uncommunicated_judgments(today) {
                let subject = WorkSubject::Communication { judgment: e.judgment, to: e.to };
                judgments.push(WorkItem { participant: *id, subject, date: e.from });
            }
        }
        assert_eq!(list.reports_due, reports);
        assert_eq!(
            reports,
            [WorkItem { participant: ids[0], subject: WorkSubject::Participant, date: day(2026, 2, 28) }]
        );
        assert_eq!(list.uncommunicated_judgments.len(), 2, "the person and the municipality");
        assert_eq!(
            list.uncommunicated_judgments.iter().copied().collect::<std::collections::BTreeSet<_>>(),
            judgments.into_iter().collect()
        );
    }
}
