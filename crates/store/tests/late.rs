//! Late entries: an entry recorded more than the threshold after the day it took effect is
//! allowed, marked late in the history, and listed for the project lead (and only for the
//! lead); the threshold is a stored setting the lead changes.

use chrono::Duration;
use perspectief_core::access::{DataCategory, Role};
use perspectief_core::case::CaseCommand;
use perspectief_core::late::{LateEntryPolicy, LateEntryQuery};
use perspectief_core::report::ReportingService;
use perspectief_core::service::{AuditOutcome, PageRequest, PerspectiefService};
use perspectief_tests::fixtures::talk;

use crate::support::*;

fn query(from: chrono::NaiveDate, to: chrono::NaiveDate) -> LateEntryQuery {
    LateEntryQuery { from, to, recorded_by: None, page: PageRequest::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_recorded_late_are_marked_and_listed_for_the_project_lead_only() {
    for backend in all_backends().await {
        let store = open(&backend.url(), new_keys(), clock()).await;
        let lead = lead(&store);
        let worker = staff(&store, Role::ProjectWorker);
        // The clock stands at 2 November 2026, noon.
        let today = day(2026, 11, 2);
        let reg = registration("Laat", worker.actor.user, day(2026, 10, 1));
        let id = reg.id;
        store.register_participant(&worker, reg).await.unwrap();
        // Talks held 20, 14 and 0 days before they were recorded: only the first is past the
        // default threshold of 14 days.
        for days_ago in [20, 14, 0] {
            let at = noon(today - Duration::days(days_ago));
            let cmd = CaseCommand::LogContact(talk(at, DataCategory::Guidance, "Gesprek"));
            store.execute(&worker, id, None, cmd).await.unwrap();
        }

        let found = store.late_entries(&lead, query(today, today)).await.unwrap();
        // The registration (trajectory started 1 October), the talk of 13 October and the
        // orientation phase it began that day.
        let listed: Vec<_> =
            found.items.iter().map(|e| (e.version, e.kind.as_str(), e.effective_on, e.days_late)).collect();
        assert_eq!(
            listed,
            [
                (1, "registered", day(2026, 10, 1), 32),
                (2, "contact_logged", day(2026, 10, 13), 20),
                (3, "phase_changed", day(2026, 10, 13), 20)
            ],
            "{found:?}"
        );
        assert!(found.items.iter().all(|e| e.participant == id && e.recorded_by == worker.actor.user));
        assert_eq!(found.next_page_token, None);

        // The history marks the same entries.
        let marked = |events: Vec<perspectief_core::CaseEvent>| {
            events.iter().filter(|e| e.late).map(|e| e.version).collect::<Vec<_>>()
        };
        assert_eq!(marked(store.case_events(&worker, id, 0, 10).await.unwrap()), [1, 2, 3]);

        // Another period, another recorder: nothing.
        let yesterday = today.pred_opt().unwrap();
        assert!(store.late_entries(&lead, query(yesterday, yesterday)).await.unwrap().items.is_empty());
        let by_lead = LateEntryQuery { recorded_by: Some(lead.actor.user), ..query(today, today) };
        assert!(store.late_entries(&lead, by_lead).await.unwrap().items.is_empty());
        let by_worker = LateEntryQuery { recorded_by: Some(worker.actor.user), ..query(today, today) };
        assert_eq!(store.late_entries(&lead, by_worker).await.unwrap().items.len(), 3);

        // A page at a time.
        let one = LateEntryQuery { page: PageRequest { page_size: 2, page_token: None }, ..query(today, today) };
        let first = store.late_entries(&lead, one.clone()).await.unwrap();
        assert_eq!(first.items.iter().map(|e| e.version).collect::<Vec<_>>(), [1, 2]);
        let token = first.next_page_token.expect("a next page");
        let next = LateEntryQuery { page: PageRequest { page_size: 2, page_token: Some(token.clone()) }, ..one };
        let second = store.late_entries(&lead, next).await.unwrap();
        assert_eq!(second.items.iter().map(|e| e.version).collect::<Vec<_>>(), [3]);
        assert_eq!(second.next_page_token, None);
        // The token continues only its own listing.
        let other =
            LateEntryQuery { page: PageRequest { page_size: 2, page_token: Some(token) }, ..query(yesterday, today) };
        let e = store.late_entries(&lead, other).await.unwrap_err();
        assert_eq!(e.violations().unwrap().iter().next().unwrap().field, "page_token");

        // A period that ends before it starts names the field.
        let e = store.late_entries(&lead, query(today, yesterday)).await.unwrap_err();
        assert_eq!(e.violations().unwrap().iter().next().unwrap().field, "to");

        // Nobody but the lead lists them, or reads or sets the threshold.
        for role in [Role::ProjectWorker, Role::Auditor, Role::Administrator] {
            let other = staff(&store, role);
            assert_eq!(store.late_entries(&other, query(today, today)).await.unwrap_err().code(), "access_denied");
            assert_eq!(store.late_entry_policy(&other).await.unwrap_err().code(), "access_denied");
            let set = store.set_late_entry_policy(&other, LateEntryPolicy::new(3).unwrap()).await;
            assert_eq!(set.unwrap_err().code(), "access_denied");
        }
        assert_eq!(store.late_entry_policy(&lead).await.unwrap(), LateEntryPolicy::default());

        // The lead lowers the threshold to ten days: the talk of 14 days ago is late now too,
        // in the listing and in the history alike.
        let ten = LateEntryPolicy::new(10).unwrap();
        assert_eq!(store.set_late_entry_policy(&lead, ten).await.unwrap(), ten);
        assert_eq!(store.late_entry_policy(&lead).await.unwrap(), ten);
        let found = store.late_entries(&lead, query(today, today)).await.unwrap();
        let listed: Vec<_> = found.items.iter().map(|e| (e.kind.as_str(), e.days_late)).collect();
        assert_eq!(listed, [("registered", 32), ("contact_logged", 20), ("phase_changed", 20), ("contact_logged", 14)]);
        let versions: Vec<_> = found.items.iter().map(|e| e.version).collect();
        assert_eq!(marked(store.case_events(&worker, id, 0, 10).await.unwrap()), versions);
        // Every listing and change is on record.
        let log = store.audit_log(&staff(&store, Role::Auditor), None, 0, 1000).await.unwrap();
        for operation in ["late_entries", "late_entry_policy", "set_late_entry_policy"] {
            let outcomes: Vec<_> =
                log.iter().filter(|r| r.entry.operation == operation).map(|r| r.entry.outcome).collect();
            assert!(outcomes.contains(&AuditOutcome::Success), "{operation}: {outcomes:?}");
            assert!(outcomes.iter().any(|o| *o != AuditOutcome::Success), "{operation}'s refusals: {outcomes:?}");
        }
    }
}
