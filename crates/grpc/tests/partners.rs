//! Who sees what, over gRPC: a table of roles × methods × consent states, written from the
//! access matrix in the core's `access` module docs, checked call by call through a real
//! server with real tokens. Every cell is compared, so an unexpected allow fails the test.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::case::{CaseCommand, NewContact};
use perspectief_core::returns::ExplorationFindings;
use perspectief_core::service::{Caller, PageRequest, ParticipantFilter, PerspectiefService, Purpose};
use perspectief_core::*;
use perspectief_grpc::client::{RemoteService, StaticToken};
use perspectief_store::Store;
use perspectief_tests::fixtures::talk;

use crate::support::{Consents, MUNICIPALITY, PARTNER, Served, Who, authed};

const EVERYONE: [Who; 7] = [
    Who::AssignedWorker,
    Who::OtherWorker,
    Who::Lead,
    Who::CaseManager,
    Who::Partner,
    Who::Auditor,
    Who::Administrator,
];

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

struct World {
    store: Store,
    address: std::net::SocketAddr,
    tokens: BTreeMap<Who, String>,
    clients: BTreeMap<Who, (Caller, RemoteService<StaticToken>)>,
    cases: BTreeMap<Consents, ParticipantId>,
    today: NaiveDate,
}

async fn world(now: chrono::DateTime<Utc>) -> World {
    let served = Served::at(now).await;
    let foundation = served.foundation();
    let mut clients = BTreeMap::new();
    let mut tokens = BTreeMap::new();
    for (n, who) in EVERYONE.into_iter().enumerate() {
        let (role, org) = who.role_in(foundation);
        let purpose = match who {
            Who::AssignedWorker | Who::OtherWorker | Who::Lead => Purpose::CaseWork,
            Who::CaseManager | Who::Partner | Who::UngrantedPartner => Purpose::ChainCooperation,
            Who::Auditor => Purpose::Audit,
            Who::Administrator => Purpose::Administration,
        };
        let grant = served.full_grant_outside_the_foundation(org);
        let account = served.account(UserId::from_u128(100 + n as u128), org, role, grant).await;
        tokens.insert(who, account.token);
        clients.insert(who, (Caller { purpose, ..account.caller }, account.remote));
    }
    let Served { store, address, .. } = served;
    let today = perspectief_core::time::amsterdam_date(now);
    let mut w = World { store, address, tokens, clients, cases: BTreeMap::new(), today };
    for state in [Consents::None, Consents::ReturnOnly, Consents::Everything, Consents::Withdrawn] {
        let id = w.case_with(state).await;
        w.cases.insert(state, id);
    }
    w
}

impl World {
    fn client(&self, who: Who) -> (&Caller, &RemoteService<StaticToken>) {
        let (c, r) = &self.clients[&who];
        (c, r)
    }

    /// A participant of the assigned worker with guidance, legal, medical and return events,
    /// and the consents of the state for both the partner and the municipality.
    async fn case_with(&self, state: Consents) -> ParticipantId {
        let (worker, svc) = self.client(Who::AssignedWorker);
        let id = crate::support::register(svc, worker, "Matrix", self.today).await;
        let run = |cmd: CaseCommand| async move { svc.execute(worker, id, None, cmd).await.unwrap() };
        let categories = state.categories();
        let mut consents = vec![];
        if !categories.is_empty() {
            for org in [PARTNER, MUNICIPALITY] {
                let (id, give) =
                    crate::support::consent(OrganisationId::from_u128(org), categories.clone(), self.today);
                consents.push(id);
                run(give).await;
            }
        }
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
        for (category, codes) in [
            (DataCategory::Guidance, vec![ActivityCode::OrientationTalks]),
            (DataCategory::Legal, vec![ActivityCode::OrientationTalks]),
            (DataCategory::MedicalPsychosocial, vec![ActivityCode::OrientationTalks]),
        ] {
            run(CaseCommand::LogContact(NewContact {
                activities: codes.into_iter().collect(),
                ..talk(at, category, "Synthetisch gesprek.")
            }))
            .await;
        }
        run(CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: self.today, note: None }).await;
        run(CaseCommand::StartReturnExploration { on: self.today, findings: ExplorationFindings::default() }).await;
        if state == Consents::Withdrawn {
            for consent in consents {
                run(CaseCommand::WithdrawConsent { consent, on: self.today }).await;
            }
        }
        id
    }

    /// The data categories of `participant`'s events that `who` sees in the feed.
    async fn feed_categories(&self, who: Who, participant: ParticipantId) -> BTreeSet<DataCategory> {
        let (caller, svc) = self.client(who);
        let mut cursor = 0;
        let mut seen = BTreeSet::new();
        loop {
            let page = svc.watch_events(caller, cursor, 500).await.unwrap();
            // Consent events follow their own rule (the organisation named sees its own), which
            // the disclosure tests check; here the categories of case data are compared.
            seen.extend(
                page.events
                    .iter()
                    .filter(|e| e.event.participant == participant)
                    .filter(|e| !matches!(e.event.change.kind(), "consent_given" | "consent_withdrawn"))
                    .map(|e| e.event.change.category()),
            );
            if page.cursor == cursor {
                return seen;
            }
            cursor = page.cursor;
        }
    }
}

fn allowed<T>(result: Result<T, DomainError>, what: &str, who: Who) -> bool {
    crate::support::allowed(&result, &format!("{what} as {who:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_sees_exactly_what_the_matrix_and_the_consents_allow() {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let today = perspectief_core::time::amsterdam_date(now);
    let w = world(now).await;

    use DataCategory as C;
    use Who::*;
    // The feed, per consent state: which categories of the person's events each role sees.
    let all: BTreeSet<C> = [C::Identity, C::Guidance, C::Legal, C::MedicalPsychosocial, C::Return].into();
    let none = BTreeSet::new();
    for (state, who, expected) in [
        (Consents::None, AssignedWorker, all.clone()),
        (Consents::None, OtherWorker, [C::Identity].into()),
        // Field-level need-to-know: the lead gets medical events with their content hidden
        // (checked below), as in the case file.
        (Consents::None, Lead, all.clone()),
        (Consents::None, CaseManager, none.clone()),
        (Consents::None, Partner, none.clone()),
        (Consents::None, Auditor, none.clone()),
        (Consents::None, Administrator, none.clone()),
        (Consents::ReturnOnly, CaseManager, [C::Return].into()),
        (Consents::ReturnOnly, Partner, [C::Return].into()),
        (Consents::ReturnOnly, OtherWorker, [C::Identity].into()),
        // Medical content never reaches the municipality; guidance is not a partner's.
        (Consents::Everything, CaseManager, [C::Identity, C::Guidance, C::Legal, C::Return].into()),
        (Consents::Everything, Partner, [C::Identity, C::Legal, C::MedicalPsychosocial, C::Return].into()),
        (Consents::Everything, Auditor, none.clone()),
        (Consents::Everything, Administrator, none.clone()),
        (Consents::Withdrawn, CaseManager, none.clone()),
        (Consents::Withdrawn, Partner, none.clone()),
    ] {
        let seen = w.feed_categories(who, w.cases[&state]).await;
        assert_eq!(seen, expected, "feed of a case with consent {state:?} as {who:?}");
    }

    // Methods × roles, on the case whose consents cover everything (the most permissive state).
    let p = w.cases[&Consents::Everything];
    let mut unexpected = Vec::new();
    for who in EVERYONE {
        let (caller, svc) = w.client(who);
        let expected = |allowed_for: &[Who]| allowed_for.contains(&who);
        let staff_case = [AssignedWorker, Lead];
        let checks: Vec<(&str, bool, bool)> = vec![
            ("get_case", allowed(svc.get_case(caller, p).await, "get_case", who), expected(&staff_case)),
            // The events are filtered like the case file: whoever may see part of it reads
            // that part of its events.
            (
                "case_events",
                allowed(svc.case_events(caller, p, 0, 10).await, "case_events", who),
                expected(&[AssignedWorker, OtherWorker, Lead, CaseManager, Partner]),
            ),
            (
                "case_view",
                allowed(svc.case_view(caller, p).await, "case_view", who),
                expected(&[AssignedWorker, OtherWorker, Lead, CaseManager, Partner]),
            ),
            (
                "log_contact",
                allowed(
                    svc.execute(
                        caller,
                        p,
                        None,
                        CaseCommand::LogContact(NewContact {
                            kind: ContactKind::Phone,
                            location: ContactLocation::Remote,
                            ..talk(
                                Utc.with_ymd_and_hms(2026, 11, 2, 11, 0, 0).unwrap(),
                                C::Guidance,
                                "Synthetisch telefoontje.",
                            )
                        }),
                    )
                    .await,
                    "log_contact",
                    who,
                ),
                expected(&staff_case),
            ),
            (
                "list_participants",
                allowed(
                    svc.list_participants(caller, ParticipantFilter::default(), PageRequest::default()).await,
                    "list_participants",
                    who,
                ),
                expected(&[AssignedWorker, OtherWorker, Lead]),
            ),
            (
                "list_sessions",
                allowed(svc.list_sessions(caller, today, today).await, "list_sessions", who),
                expected(&[AssignedWorker, OtherWorker, Lead]),
            ),
            (
                "subsidy_periods",
                allowed(svc.subsidy_periods(caller).await, "subsidy_periods", who),
                expected(&[AssignedWorker, OtherWorker, Lead, CaseManager, Auditor]),
            ),
            (
                "audit_log",
                allowed(svc.audit_log(caller, Some(p), 0, 10).await, "audit_log", who),
                expected(&[Lead, Auditor]),
            ),
            (
                "verify_audit_log",
                allowed(svc.verify_audit_log(caller).await, "verify_audit_log", who),
                expected(&[Lead, Auditor]),
            ),
        ];
        for (method, got, want) in checks {
            if got != want {
                unexpected.push(format!("{method} as {who:?}: allowed {got}, expected {want}"));
            }
        }
    }
    assert!(unexpected.is_empty(), "differences from the matrix:\n{}", unexpected.join("\n"));

    // Every refusal above is in the access log as denied, with the refused user.
    let (lead, svc) = w.client(Lead);
    let log = svc.audit_log(lead, Some(p), 0, 500).await.unwrap();
    let partner = w.client(Partner).0.actor.user;
    assert!(log.iter().any(|r| r.entry.user == partner
        && r.entry.operation == "get_case"
        && r.entry.outcome == perspectief_core::service::AuditOutcome::Denied));
    drop(w.store);
}

/// The first field violation of an INVALID_ARGUMENT status: (field, reason).
fn violation(status: &tonic::Status) -> (String, String) {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    let details = status.get_error_details();
    let v = details.bad_request().expect("BadRequest details").field_violations[0].clone();
    (v.field, v.reason)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused_naming_the_field_and_the_server_stays_up() {
    use perspectief_grpc::pb;
    use perspectief_grpc::pb::case_service_client::CaseServiceClient;
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let w = world(now).await;
    let address = w.address;
    let token = w.tokens[&Who::AssignedWorker].clone();
    let p = w.cases[&Consents::None];
    let name = format!("participants/{p}");
    let mut c = CaseServiceClient::connect(format!("http://{address}")).await.unwrap();

    // A missing required message.
    let e = c.set_goal(authed(&token, pb::SetGoalRequest { name: name.clone(), ..Default::default() })).await;
    assert_eq!(violation(&e.unwrap_err()), ("goal".into(), "REQUIRED".into()));
    // An enum number no version of the contract has.
    let e = c
        .change_phase(authed(
            &token,
            pb::ChangePhaseRequest { name: name.clone(), to: 999, reason: "x".into(), ..Default::default() },
        ))
        .await;
    assert_eq!(violation(&e.unwrap_err()), ("to".into(), "UNKNOWN_VALUE".into()));
    // The zero value of an enum is "not given".
    let e = c
        .change_phase(authed(
            &token,
            pb::ChangePhaseRequest { name: name.clone(), to: 0, reason: "x".into(), ..Default::default() },
        ))
        .await;
    assert_eq!(violation(&e.unwrap_err()).0, "to");
    // Not a resource name, and a stale or foreign etag.
    let e = c.get_case_file(authed(&token, pb::GetCaseFileRequest { name: "people/1".into() })).await;
    assert_eq!(violation(&e.unwrap_err()), ("name".into(), "NOT_A_RESOURCE_NAME".into()));
    let e = c
        .revise_plan(authed(
            &token,
            pb::RevisePlanRequest {
                name: name.clone(),
                etag: "W/abc".into(),
                personal_situation: "a".into(),
                perspective: "b".into(),
                on: None,
            },
        ))
        .await;
    assert_eq!(violation(&e.unwrap_err()), ("etag".into(), "NOT_AN_ETAG".into()));
    let e = c
        .revise_plan(authed(
            &token,
            pb::RevisePlanRequest {
                name: name.clone(),
                etag: "1".into(),
                personal_situation: "a".into(),
                perspective: "b".into(),
                on: None,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::Aborted);
    {
        use tonic_types::StatusExt;
        assert!(e.get_error_details().precondition_failure().is_some(), "a stale etag carries PreconditionFailure");
    }
    // Nested paths are named in full, and nothing of a refused request is written.
    let before = c.get_case_file(authed(&token, pb::GetCaseFileRequest { name: name.clone() })).await.unwrap();
    let e = c.create_participant(authed(&token, pb::CreateParticipantRequest { ..Default::default() })).await;
    assert_eq!(violation(&e.unwrap_err()).0, "profile");
    let after = c.get_case_file(authed(&token, pb::GetCaseFileRequest { name })).await.unwrap();
    assert_eq!(before.into_inner().version, after.into_inner().version);
    // Still up and answering.
    let svc = &w.clients[&Who::AssignedWorker];
    svc.1.get_case(&svc.0, p).await.unwrap();
}

/// A world on a server at `now`, and the partner's WatchEvents stream from the start.
async fn partner_stream(
    now: chrono::DateTime<Utc>,
) -> (World, tonic::Streaming<perspectief_grpc::pb::WatchEventsResponse>) {
    use perspectief_grpc::pb;
    use perspectief_grpc::pb::event_service_client::EventServiceClient;
    let w = world(now).await;
    let address = w.address;
    let token = w.tokens[&Who::Partner].clone();
    let mut events = EventServiceClient::connect(format!("http://{address}")).await.unwrap();
    let stream =
        events.watch_events(authed(&token, pb::WatchEventsRequest { after_position: 0 })).await.unwrap().into_inner();
    (w, stream)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_event_stream_follows_new_events_stops_at_withdrawal_and_resumes_from_its_cursor() {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let today = perspectief_core::time::amsterdam_date(now);
    let (w, mut stream) = partner_stream(now).await;
    let p = w.cases[&Consents::ReturnOnly];

    // The backlog holds the partner's own consent and this person's two return events (the
    // only ones the consent covers).
    let mut last = 0;
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        let m =
            tokio::time::timeout(std::time::Duration::from_secs(5), stream.message()).await.unwrap().unwrap().unwrap();
        last = m.cursor;
        if let Some(e) = m.event.and_then(|f| f.event).filter(|e| e.participant == format!("participants/{p}")) {
            kinds.push(e.kind);
        }
    }
    assert_eq!(kinds, ["consent_given", "return_stance_recorded", "return_exploration_started"]);

    let (worker, svc) = w.client(Who::AssignedWorker);
    let findings = |s: &str| ExplorationFindings { prospects: Some(text(s)), ..Default::default() };
    svc.execute(worker, p, None, CaseCommand::UpdateReturnExploration { findings: findings("Werk."), on: None })
        .await
        .unwrap();
    let m = loop {
        let m = tokio::time::timeout(std::time::Duration::from_secs(5), stream.message())
            .await
            .expect("the new event arrives")
            .unwrap()
            .unwrap();
        if m.event.as_ref().and_then(|f| f.event.as_ref()).is_some_and(|e| e.participant == format!("participants/{p}"))
        {
            break m;
        }
    };
    assert_eq!(m.event.unwrap().event.unwrap().kind, "return_exploration_updated");
    last = last.max(m.cursor);

    // Withdrawal stops the open stream's deliveries at once.
    let case = svc.get_case(worker, p).await.unwrap();
    let consent =
        case.consents().iter().find(|c| c.organisation == OrganisationId::from_u128(PARTNER)).map(|c| c.id).unwrap();
    svc.execute(worker, p, None, CaseCommand::WithdrawConsent { consent, on: today }).await.unwrap();
    svc.execute(worker, p, None, CaseCommand::UpdateReturnExploration { findings: findings("Huis."), on: None })
        .await
        .unwrap();
    // The partner learns of the withdrawal (the consent names it), and of nothing after it.
    let m = loop {
        let m = tokio::time::timeout(std::time::Duration::from_secs(5), stream.message())
            .await
            .expect("the withdrawal arrives")
            .unwrap()
            .unwrap();
        if m.event.as_ref().and_then(|f| f.event.as_ref()).is_some_and(|e| e.participant == format!("participants/{p}"))
        {
            break m;
        }
    };
    assert_eq!(m.event.unwrap().event.unwrap().kind, "consent_withdrawn");
    last = last.max(m.cursor);
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(1500), stream.message()).await;
    assert!(quiet.is_err(), "nothing is delivered after the withdrawal: {quiet:?}");
    drop(stream);

    // Resuming from the cursor gives nothing old again and nothing the consent no longer covers.
    let page = w.client(Who::Partner).1.watch_events(w.client(Who::Partner).0, last, 500).await.unwrap();
    assert!(page.events.iter().all(|e| e.position > last && e.event.participant != p), "{page:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_event_stream_stops_when_the_grant_is_withdrawn_and_ends_when_the_token_is_revoked() {
    use perspectief_grpc::pb;
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let (w, mut stream) = partner_stream(now).await;
    let p = w.cases[&Consents::Everything];
    /// The next message about `p`: `Some` for an event, `None` when the stream ended.
    async fn next_of(
        stream: &mut tonic::Streaming<pb::WatchEventsResponse>,
        p: ParticipantId,
    ) -> Result<Option<()>, tonic::Status> {
        loop {
            let Some(m) = stream.message().await? else { return Ok(None) };
            if m.event.and_then(|f| f.event).is_some_and(|e| e.participant == format!("participants/{p}")) {
                return Ok(Some(()));
            }
        }
    }
    let wait = std::time::Duration::from_secs(5);
    assert!(tokio::time::timeout(wait, next_of(&mut stream, p)).await.unwrap().unwrap().is_some(), "the backlog");

    // The administrator withdraws the partner's grant: the open stream delivers nothing more.
    let admin = Caller::local(Actor {
        user: UserId::from_u128(1),
        organisation: w.store.policy().foundation,
        role: Role::Administrator,
        grant: Grant::NONE,
    });
    let partner = OrganisationId::from_u128(PARTNER);
    while tokio::time::timeout(std::time::Duration::from_millis(300), next_of(&mut stream, p)).await.is_ok() {}
    w.store.set_grant(&admin, partner, None).await.unwrap();
    let (worker, svc) = w.client(Who::AssignedWorker);
    let findings = ExplorationFindings { prospects: Some(text("Na de intrekking.")), ..Default::default() };
    svc.execute(worker, p, None, CaseCommand::UpdateReturnExploration { findings, on: None }).await.unwrap();
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(1500), next_of(&mut stream, p)).await;
    assert!(quiet.is_err(), "nothing is delivered once the grant is gone: {quiet:?}");

    // Revoking the token ends the open stream with UNAUTHENTICATED.
    let user = w.client(Who::Partner).0.actor.user;
    let tokens = w.store.list_tokens(&admin, Some(user)).await.unwrap();
    w.store.revoke_token(&admin, tokens[0].id).await.unwrap();
    let end = tokio::time::timeout(wait, next_of(&mut stream, p)).await.expect("the stream ends");
    assert_eq!(end.unwrap_err().code(), tonic::Code::Unauthenticated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_with_a_field_mask_and_etag_paged_listings_and_fields_named_as_the_request_names_them() {
    use perspectief_grpc::pb;
    use perspectief_grpc::pb::audit_service_client::AuditServiceClient;
    use perspectief_grpc::pb::case_service_client::CaseServiceClient;
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let w = world(now).await;
    let address = w.address;
    let worker = w.tokens[&Who::AssignedWorker].clone();
    let p = w.cases[&Consents::Everything];
    let name = format!("participants/{p}");
    let mut c = CaseServiceClient::connect(format!("http://{address}")).await.unwrap();
    let read = |c: &mut CaseServiceClient<tonic::transport::Channel>| {
        let request = authed(&worker, pb::GetCaseFileRequest { name: name.clone() });
        let mut c = c.clone();
        async move { c.get_case_file(request).await.unwrap().into_inner() }
    };
    let before = read(&mut c).await;
    let profile = before.profile.clone().unwrap();
    assert_eq!(profile.given_names, "Matrix");

    // Only the masked field changes, even though the request carries others.
    let update = |etag: &str, paths: Option<Vec<&str>>, profile: pb::ParticipantProfile| pb::UpdateParticipantRequest {
        case_file: Some(pb::CaseFile {
            name: name.clone(),
            etag: etag.to_owned(),
            profile: Some(profile),
            ..Default::default()
        }),
        update_mask: paths.map(|p| prost_types::FieldMask { paths: p.into_iter().map(str::to_owned).collect() }),
    };
    let given = pb::ParticipantProfile {
        given_names: "Genegeerd".into(),
        lvv_location: "LVV Noord".into(),
        ..Default::default()
    };
    let after = c
        .update_participant(authed(&worker, update(&before.etag, Some(vec!["profile.lvv_location"]), given.clone())))
        .await
        .unwrap()
        .into_inner();
    let changed = after.profile.clone().unwrap();
    assert_eq!(changed.lvv_location, "LVV Noord");
    assert_eq!(changed.given_names, "Matrix", "a field outside the mask is not touched");
    assert_eq!(after.version, before.version + 1);
    assert_ne!(after.etag, before.etag);

    // The old etag is stale now: ABORTED with a PreconditionFailure, nothing written.
    let e = c
        .update_participant(authed(&worker, update(&before.etag, Some(vec!["profile.lvv_location"]), given.clone())))
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::Aborted);
    {
        use tonic_types::StatusExt;
        assert!(e.get_error_details().precondition_failure().is_some());
    }
    // The project worker and unknown paths are not updatable here; an empty mask changes nothing.
    for (paths, field) in [
        (vec!["profile.lvv_location", "profile.project_worker"], "update_mask.paths[1]"),
        (vec!["registered_on"], "update_mask.paths[0]"),
        (vec![], "update_mask"),
    ] {
        let e = c.update_participant(authed(&worker, update("", Some(paths), given.clone()))).await.unwrap_err();
        assert_eq!(violation(&e).0, field);
    }
    // A named field left empty is cleared, and the core's refusal is named in the request's terms.
    let e = c
        .update_participant(authed(
            &worker,
            update("", Some(vec!["profile.given_names"]), pb::ParticipantProfile::default()),
        ))
        .await
        .unwrap_err();
    assert_eq!(violation(&e).0, "case_file.profile.given_names");
    let cleared = c
        .update_participant(authed(
            &worker,
            update("", Some(vec!["profile.lvv_location"]), pb::ParticipantProfile::default()),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cleared.profile.unwrap().lvv_location, "");
    // Without a mask, the fields the request fills in change.
    let implied = c
        .update_participant(authed(
            &worker,
            update("", None, pb::ParticipantProfile { v_number: "1234567890".into(), ..Default::default() }),
        ))
        .await
        .unwrap()
        .into_inner();
    let implied_profile = implied.profile.unwrap();
    assert_eq!((implied_profile.v_number.as_str(), implied_profile.given_names.as_str()), ("1234567890", "Matrix"));
    assert_eq!(read(&mut c).await.version, implied.version, "every refused update wrote nothing");

    // A core refusal of a nested field is named as the request names it.
    let e = c
        .log_contact(authed(
            &worker,
            pb::LogContactRequest {
                name: name.clone(),
                contact: Some(pb::NewContact {
                    at: Some(prost_types::Timestamp { seconds: now.timestamp() + 3 * 86_400, nanos: 0 }),
                    kind: pb::ContactKind::IndividualTalk as i32,
                    location: Some(pb::ContactLocation { kind: Some(pb::contact_location::Kind::Office(())) }),
                    activities: vec!["5.2.a(2)".into()],
                    summary: "Synthetisch.".into(),
                    category: pb::DataCategory::Guidance as i32,
                    ..Default::default()
                }),
                ..Default::default()
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(violation(&e).0, "contact.at");

    // Paged listings: page by page with tokens equals one big page; a token is bound to its listing.
    let all = c
        .list_case_events(authed(
            &worker,
            pb::ListCaseEventsRequest { parent: name.clone(), page_size: 500, ..Default::default() },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(all.events.len() > 4 && all.next_page_token.is_empty());
    let mut paged = Vec::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_case_events(authed(
                &worker,
                pb::ListCaseEventsRequest {
                    parent: name.clone(),
                    page_size: 2,
                    page_token: token.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(page.events.len() <= 2);
        paged.extend(page.events);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(paged, all.events);
    let first = c
        .list_case_events(authed(
            &worker,
            pb::ListCaseEventsRequest { parent: name.clone(), page_size: 1, ..Default::default() },
        ))
        .await
        .unwrap()
        .into_inner();
    let other = format!("participants/{}", w.cases[&Consents::None]);
    let e = c
        .list_case_events(authed(
            &worker,
            pb::ListCaseEventsRequest { parent: other, page_token: first.next_page_token, ..Default::default() },
        ))
        .await
        .unwrap_err();
    assert_eq!(violation(&e).0, "page_token");

    let auditor = w.tokens[&Who::Auditor].clone();
    let mut a = AuditServiceClient::connect(format!("http://{address}")).await.unwrap();
    let list = |page_size: i32, page_token: String| {
        authed(
            &auditor,
            pb::ListAuditRecordsRequest { participant: name.clone(), page_size, page_token, ..Default::default() },
        )
    };
    let whole = a.list_audit_records(list(500, String::new())).await.unwrap().into_inner().audit_records;
    let mut pages = Vec::new();
    let mut token = String::new();
    loop {
        let page = a.list_audit_records(list(3, token)).await.unwrap().into_inner();
        pages.extend(page.audit_records);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    // Reading a participant's log is itself logged about that participant, so later pages also
    // hold the reads made while paging: the whole listing comes first, then only newer records,
    // none twice.
    assert!(whole.len() > 3);
    let seqs: Vec<u64> = pages.iter().map(|r| r.seq).collect();
    assert_eq!(seqs[..whole.len()], whole.iter().map(|r| r.seq).collect::<Vec<_>>()[..]);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert!(pages[whole.len()..].iter().all(|r| r.entry.as_ref().unwrap().operation == "audit_log"));
}

/// Issue #7 over gRPC: sending a referral without a covering consent fails as
/// FAILED_PRECONDITION with reason CONSENT_REQUIRED (naming the partner and the category); the
/// project lead's override with a reason sends it, a worker's override is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_a_referral_needs_a_consent_or_the_leads_override() {
    use perspectief_grpc::pb;
    use perspectief_grpc::pb::case_service_client::CaseServiceClient;
    use tonic_types::StatusExt;
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let today = perspectief_core::time::amsterdam_date(now);
    let w = world(now).await;
    let address = w.address;
    let p = w.cases[&Consents::ReturnOnly];
    let name = format!("participants/{p}");
    let (worker, remote) = w.client(Who::AssignedWorker);
    let referral = ReferralId::from_u128(uuid::Uuid::new_v4().as_u128());
    // The partner's consent covers return only; a medical referral is medical/psychosocial.
    let propose = CaseCommand::ProposeReferral {
        id: referral,
        partner: OrganisationId::from_u128(PARTNER),
        domain: PartnerDomain::Medical,
        reason: text("Huisarts nodig."),
        on: None,
    };
    remote.execute(worker, p, None, propose).await.unwrap();
    let send = |reason: &str| pb::AdvanceReferralRequest {
        name: name.clone(),
        etag: String::new(),
        referral: referral.to_string(),
        to: pb::ReferralStatus::Sent as i32,
        on: Some(pb::Date { year: 2026, month: 11, day: 2 }),
        note: String::new(),
        consent_override_reason: reason.to_owned(),
    };
    let mut c = CaseServiceClient::connect(format!("http://{address}")).await.unwrap();

    let e = c.advance_referral(authed(&w.tokens[&Who::AssignedWorker], send(""))).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{e:?}");
    let info = e.get_error_details().error_info().cloned().expect("ErrorInfo");
    assert_eq!(info.reason, "CONSENT_REQUIRED");
    assert_eq!(info.metadata["category"], "medical_psychosocial");
    assert_eq!(info.metadata["organisation"], OrganisationId::from_u128(PARTNER).to_string());
    // The Rust client rebuilds the same domain error.
    let send_cmd = |reason: Option<&str>| CaseCommand::AdvanceReferral {
        referral,
        to: ReferralStatus::Sent,
        on: today,
        note: None,
        consent_override: reason.map(text),
    };
    assert_eq!(
        remote.execute(worker, p, None, send_cmd(None)).await.unwrap_err(),
        DomainError::ConsentRequired {
            organisation: OrganisationId::from_u128(PARTNER),
            category: DataCategory::MedicalPsychosocial
        }
    );

    let reason = "Spoed: acute zorg nodig (synthetisch).";
    let e = c.advance_referral(authed(&w.tokens[&Who::AssignedWorker], send(reason))).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::PermissionDenied, "only the project lead overrides: {e:?}");

    let ok = c.advance_referral(authed(&w.tokens[&Who::Lead], send(reason))).await.unwrap().into_inner();
    let changes: Vec<_> = ok.events.iter().filter_map(|e| e.change.as_ref()?.change.clone()).collect();
    assert!(
        matches!(
            &changes[..],
            [pb::case_change::Change::ReferralAdvanced(r)] if r.consent_override_reason == reason && r.consent.is_empty()
        ),
        "the event records the override's reason: {changes:?}"
    );
    let case = w.store.get_case(&lead_of(&w), p).await.unwrap();
    assert_eq!(case.referral(referral).unwrap().status(), ReferralStatus::Sent);
    assert_eq!(ok.version, case.version());

    // The trajectory then ends on medical grounds. The partner (consent for return only) answers
    // with a later date: refused as closed, without the outflow's day, which its view does not
    // show; the worker, who may see it, is told the day.
    let outflow =
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::DeparturePostponedMedical, on: today, note: None };
    remote.execute(worker, p, None, outflow).await.unwrap();
    let tomorrow = today.succ_opt().unwrap();
    let answer = CaseCommand::AdvanceReferral {
        referral,
        to: ReferralStatus::Accepted,
        on: tomorrow,
        note: None,
        consent_override: None,
    };
    let (partner, partner_remote) = w.client(Who::Partner);
    assert_eq!(
        partner_remote.execute(partner, p, None, answer.clone()).await.unwrap_err(),
        DomainError::TrajectoryClosed { action: "advance_referral".into(), outflow_on: None, dated: None }
    );
    let note = CaseCommand::LogContact(NewContact {
        at: Utc.from_utc_datetime(&tomorrow.and_hms_opt(9, 0, 0).unwrap()),
        ..talk(now, DataCategory::Guidance, "Synthetisch gesprek.")
    });
    let refused = remote.execute(worker, p, None, note).await.unwrap_err();
    assert!(
        matches!(&refused, DomainError::TrajectoryClosed { outflow_on: Some(day), .. } if *day == today),
        "{refused:?}"
    );
}

fn lead_of(w: &World) -> Caller {
    w.client(Who::Lead).0.clone()
}

/// A client that chose its contact's id can send `LogContact` again after a lost answer: the
/// same request creates one contact (answered with the case as it is), and the same id with
/// other content is refused as already existing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_log_contact_sent_twice_creates_one_contact() {
    use perspectief_grpc::pb;
    use perspectief_grpc::pb::case_service_client::CaseServiceClient;
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let w = world(now).await;
    let worker = w.tokens[&Who::AssignedWorker].clone();
    let name = format!("participants/{}", w.cases[&Consents::Everything]);
    let mut c = CaseServiceClient::connect(format!("http://{}", w.address)).await.unwrap();
    let contacts = |c: &CaseServiceClient<tonic::transport::Channel>| {
        let (mut c, request) = (c.clone(), authed(&worker, pb::GetCaseFileRequest { name: name.clone() }));
        async move { c.get_case_file(request).await.unwrap().into_inner().contacts.len() }
    };
    let before = contacts(&c).await;
    let request = pb::LogContactRequest {
        name: name.clone(),
        contact: Some(pb::NewContact {
            contact_id: "01890a5d-ac96-774b-bcce-b302099a8057".into(),
            at: Some(prost_types::Timestamp { seconds: now.timestamp() - 3600, nanos: 0 }),
            kind: pb::ContactKind::IndividualTalk as i32,
            location: Some(pb::ContactLocation { kind: Some(pb::contact_location::Kind::Office(())) }),
            activities: vec!["5.2.a(2)".into()],
            summary: "Synthetisch gesprek.".into(),
            category: pb::DataCategory::Guidance as i32,
            ..Default::default()
        }),
        ..Default::default()
    };
    let first = c.log_contact(authed(&worker, request.clone())).await.unwrap().into_inner();
    let again = c.log_contact(authed(&worker, request.clone())).await.unwrap().into_inner();
    assert_eq!(again.version, first.version, "the retry changed nothing");
    assert_eq!(contacts(&c).await, before + 1, "one contact");
    let mut other = request;
    other.contact.as_mut().unwrap().summary = "Een ander gesprek.".into();
    let e = c.log_contact(authed(&worker, other)).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e:?}");
    assert!(e.message().contains("exists already") || format!("{e:?}").contains("already_exists"), "{e:?}");
    assert_eq!(contacts(&c).await, before + 1);
}
