//! Late entries over gRPC: the project lead lists them (and reads the threshold), nobody else
//! does, and a case's events carry the late mark.

use chrono::Duration;
use perspectief_core::access::{DataCategory, Role};
use perspectief_core::case::CaseCommand;
use perspectief_core::late::{LateEntryPolicy, LateEntryQuery};
use perspectief_core::report::ReportingService;
use perspectief_core::service::{PageRequest, PerspectiefService};
use perspectief_core::{OrganisationId, UserId};
use perspectief_grpc::pb;
use perspectief_grpc::pb::report_service_client::ReportServiceClient;
use perspectief_tests::fixtures::talk;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lead_lists_late_entries_others_are_refused_and_events_carry_the_mark() {
    let w = Served::at(noon()).await;
    let foundation = w.foundation();
    let lead = w.account(UserId::from_u128(10), foundation, Role::ProjectLead, None).await;
    let worker = w.account(UserId::from_u128(11), foundation, Role::ProjectWorker, None).await;
    let today = perspectief_core::time::amsterdam_date(noon());
    // Registered and talked to three weeks ago, both entered today through the server.
    let id = register(&worker.remote, &worker.caller, "Laat", today - Duration::days(21)).await;
    let at = noon() - Duration::days(21);
    let cmd = CaseCommand::LogContact(talk(at, DataCategory::Guidance, "Gesprek"));
    let done = worker.remote.execute(&worker.caller, id, None, cmd).await.unwrap();
    let version = done.events.iter().find(|e| e.change.kind() == "contact_logged").unwrap().version;

    let query = LateEntryQuery { from: today, to: today, recorded_by: None, page: PageRequest::default() };
    let page = lead.remote.late_entries(&lead.caller, query.clone()).await.unwrap();
    assert_eq!(page, w.store.late_entries(&lead.caller, query.clone()).await.unwrap());
    let listed: Vec<_> = page.items.iter().map(|e| (e.participant, e.version, e.kind.as_str(), e.days_late)).collect();
    // The talk began the orientation phase that day: entered late as well.
    assert_eq!(
        listed,
        [(id, 1, "registered", 21), (id, version, "contact_logged", 21), (id, version + 1, "phase_changed", 21)]
    );
    assert!(page.items.iter().all(|e| e.recorded_by == worker.caller.actor.user));
    assert_eq!(lead.remote.late_entry_policy(&lead.caller).await.unwrap(), LateEntryPolicy::default());

    // The events carry the mark through the server.
    let events = worker.remote.case_events(&worker.caller, id, 0, 50).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.late).map(|e| e.version).collect::<Vec<_>>(), [1, version, version + 1]);

    // A worker, a partner, the municipality, an auditor: refused.
    let partner_org = OrganisationId::from_u128(0x9a47);
    let partner = w.account(UserId::from_u128(12), partner_org, Role::ChainPartner, None).await;
    let manager =
        w.account(UserId::from_u128(13), OrganisationId::from_u128(0x6e3), Role::MunicipalCaseManager, None).await;
    let auditor = w.account(UserId::from_u128(14), foundation, Role::Auditor, None).await;
    for who in [&worker, &partner, &manager, &auditor] {
        let e = who.remote.late_entries(&who.caller, query.clone()).await.unwrap_err();
        assert_eq!(e.code(), "access_denied", "{:?}", who.caller.actor.role);
        let e = who.remote.late_entry_policy(&who.caller).await.unwrap_err();
        assert_eq!(e.code(), "access_denied", "{:?}", who.caller.actor.role);
    }

    // Raw: a period that ends before it starts names the field; a missing one is required.
    let mut raw = ReportServiceClient::connect(format!("http://{}", w.address)).await.unwrap();
    let date = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        pb::Date { year: d.year(), month: i32::try_from(d.month()).unwrap(), day: i32::try_from(d.day()).unwrap() }
    };
    let backwards = pb::ListLateEntriesRequest {
        period_from: Some(date(today)),
        period_to: Some(date(today - Duration::days(1))),
        ..Default::default()
    };
    let status = raw.list_late_entries(authed(&lead.token, backwards)).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    let missing = pb::ListLateEntriesRequest { period_from: Some(date(today)), ..Default::default() };
    let status = raw.list_late_entries(authed(&lead.token, missing)).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    assert!(status.message().contains("period_to"), "{status:?}");
}
