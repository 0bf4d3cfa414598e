//! Reports over gRPC: the subsidy report, a drill-down, a progress report and a meeting agenda
//! read through [`RemoteService`] equal what the store computes locally for the same caller,
//! and the access policy's refusals come back as the same errors.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use perspectief_core::case::{CaseCommand, NewContact};
use perspectief_core::report::{AgendaQuery, Figure, FigureQuery, Measure, ReportingService, Slice};
use perspectief_core::service::{Caller, PerspectiefService, Purpose};
use perspectief_core::*;
use perspectief_grpc::client::{RemoteService, StaticToken};
use perspectief_grpc::pb;
use perspectief_grpc::pb::report_service_client::ReportServiceClient;
use perspectief_store::Store;
use perspectief_tests::fixtures::talk;

use crate::support::{Served, authed};

const PARTNER_ORG: u128 = 0xA;
const MUNICIPALITY: u128 = 0xB;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Worker,
    Lead,
    CaseManager,
    Partner,
    Auditor,
}

struct World {
    address: std::net::SocketAddr,
    store: Store,
    tokens: BTreeMap<Who, String>,
    clients: BTreeMap<Who, (Caller, RemoteService<StaticToken>)>,
    today: NaiveDate,
    /// Two participants: the first with the partner's and the municipality's consent for
    /// everything, the second without any consent.
    consenting: ParticipantId,
    unconsenting: ParticipantId,
    period: SubsidyPeriodId,
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

async fn world() -> World {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let today = perspectief_core::time::amsterdam_date(now);
    let served = Served::at(now).await;
    let foundation = served.foundation();
    let mut clients = BTreeMap::new();
    let mut tokens = BTreeMap::new();
    for (n, who) in [Who::Worker, Who::Lead, Who::CaseManager, Who::Partner, Who::Auditor].into_iter().enumerate() {
        let (role, org, purpose) = match who {
            Who::Worker => (Role::ProjectWorker, foundation, Purpose::CaseWork),
            Who::Lead => (Role::ProjectLead, foundation, Purpose::CaseWork),
            Who::CaseManager => {
                (Role::MunicipalCaseManager, OrganisationId::from_u128(MUNICIPALITY), Purpose::Reporting)
            }
            Who::Partner => (Role::ChainPartner, OrganisationId::from_u128(PARTNER_ORG), Purpose::ChainCooperation),
            Who::Auditor => (Role::Auditor, foundation, Purpose::Audit),
        };
        let grant = served.full_grant_outside_the_foundation(org);
        let account = served.account(UserId::from_u128(100 + n as u128), org, role, grant).await;
        tokens.insert(who, account.token);
        clients.insert(who, (Caller { purpose, ..account.caller }, account.remote));
    }
    let Served { store, address, .. } = served;
    let mut w = World {
        address,
        store,
        tokens,
        clients,
        today,
        consenting: ParticipantId::from_u128(0),
        unconsenting: ParticipantId::from_u128(0),
        period: SubsidyPeriodId::from_u128(0x5),
    };
    w.consenting = w.participant(true).await;
    w.unconsenting = w.participant(false).await;
    let (lead, svc) = w.client(Who::Lead);
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let period = SubsidyPeriod::new(
        w.period,
        "2026",
        d(1, 1),
        d(12, 31),
        vec![
            Target { measure: TargetMeasure::Activity(ActivityCode::OrientationTalks), persons: 40 },
            Target { measure: TargetMeasure::Theme(Theme::Guide), persons: 20 },
        ],
    )
    .unwrap();
    svc.define_subsidy_period(lead, period).await.unwrap();
    // A meeting today that discussed the consenting participant: the previous meeting of
    // the agenda two weeks on.
    let meeting = MeetingId::from_u128(0x33);
    svc.schedule_meeting(lead, meeting, today).await.unwrap();
    for cmd in [
        MeetingCommand::AddToAgenda { participant: w.consenting, reasons: vec![AgendaReason::DeadlinePassed] },
        MeetingCommand::RecordDiscussion {
            participant: w.consenting,
            information_supplied: None,
            decision: Some(text("Verder met terugkeeronderzoek.")),
        },
    ] {
        svc.execute_meeting(lead, meeting, None, cmd).await.unwrap();
    }
    w
}

impl World {
    fn client(&self, who: Who) -> (&Caller, &RemoteService<StaticToken>) {
        let (c, r) = &self.clients[&who];
        (c, r)
    }

    /// A participant of the worker with talks under two codes a month apart, and (when
    /// `consent`) the partner's and the municipality's consent for every category.
    async fn participant(&self, consent: bool) -> ParticipantId {
        let (worker, svc) = self.client(Who::Worker);
        let id = crate::support::register(svc, worker, "Rapport", self.today - Duration::days(60)).await;
        let run = |cmd: CaseCommand| async move { svc.execute(worker, id, None, cmd).await.unwrap() };
        if consent {
            for org in [PARTNER_ORG, MUNICIPALITY] {
                let (_, give) =
                    crate::support::consent(OrganisationId::from_u128(org), DataCategory::ALL.into(), self.today);
                run(give).await;
            }
        }
        for (at, codes) in [
            (Utc.with_ymd_and_hms(2026, 9, 14, 10, 0, 0).unwrap(), vec![ActivityCode::OrientationTalks]),
            (
                Utc.with_ymd_and_hms(2026, 10, 5, 10, 0, 0).unwrap(),
                vec![ActivityCode::OrientationTalks, ActivityCode::ExploreReturn],
            ),
        ] {
            let codes_are_orientation = codes == [ActivityCode::OrientationTalks];
            run(CaseCommand::LogContact(NewContact {
                activities: codes.into_iter().collect(),
                ..talk(at, DataCategory::Guidance, "Synthetisch gesprek.")
            }))
            .await;
            if codes_are_orientation {
                // Return is explored only after the person said they consider it.
                let on = NaiveDate::from_ymd_opt(2026, 9, 20).unwrap();
                run(CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on, note: None }).await;
            }
        }
        id
    }
}

fn denied<T: std::fmt::Debug>(result: Result<T, DomainError>) -> bool {
    matches!(result, Err(DomainError::AccessDenied(_)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subsidy_reports_and_drilldowns_equal_the_local_ones() {
    let w = world().await;
    for who in [Who::Worker, Who::Lead, Who::CaseManager, Who::Auditor] {
        let (caller, remote) = w.client(who);
        let local = w.store.subsidy_report(caller, w.period, w.today).await.unwrap();
        let talks = local.figures(Measure::Activity(ActivityCode::OrientationTalks)).unwrap();
        assert_eq!((talks.registered_persons, talks.target), (2, Some(40)), "{who:?}");
        assert_eq!(remote.subsidy_report(caller, w.period, w.today).await.unwrap(), local, "{who:?}");
    }
    let (caller, remote) = w.client(Who::Lead);
    let worker = w.client(Who::Worker).0.actor.user;
    let queries = [
        FigureQuery { figure: Figure::Measure(Measure::Activity(ActivityCode::OrientationTalks)), slice: Slice::All },
        FigureQuery {
            figure: Figure::Measure(Measure::Activity(ActivityCode::ExploreReturn)),
            slice: Slice::Month("2026-10".parse().unwrap()),
        },
        FigureQuery { figure: Figure::Measure(Measure::Reached), slice: Slice::ProjectWorker(worker) },
        FigureQuery { figure: Figure::Departed, slice: Slice::Nationality(None) },
    ];
    for query in queries {
        let local = w.store.subsidy_drilldown(caller, w.period, w.today, query.clone()).await.unwrap();
        let remote = remote.subsidy_drilldown(caller, w.period, w.today, query.clone()).await.unwrap();
        assert_eq!(remote, local, "{query:?}");
    }
    let all = FigureQuery { figure: Figure::Measure(Measure::Reached), slice: Slice::All };
    let drilldown = remote.subsidy_drilldown(caller, w.period, w.today, all).await.unwrap();
    let expected: BTreeSet<ParticipantId> = [w.consenting, w.unconsenting].into();
    assert_eq!(drilldown.participants.iter().copied().collect::<BTreeSet<_>>(), expected);
    assert_eq!(drilldown.contacts.len(), 4);

    // A partner may not read subsidy reports; an unknown period is not found.
    let (partner, remote) = w.client(Who::Partner);
    assert!(denied(remote.subsidy_report(partner, w.period, w.today).await));
    let (lead, remote) = w.client(Who::Lead);
    let unknown = remote.subsidy_report(lead, SubsidyPeriodId::from_u128(0x99), w.today).await.unwrap_err();
    assert!(matches!(unknown, DomainError::NotFound { .. }), "{unknown:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_reports_equal_the_local_ones_and_need_consent() {
    let w = world().await;
    let from = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    for who in [Who::Worker, Who::Lead, Who::CaseManager, Who::Partner] {
        let (caller, remote) = w.client(who);
        let local = w.store.progress_report(caller, w.consenting, from, w.today).await.unwrap();
        let over_grpc = remote.progress_report(caller, w.consenting, from, w.today).await.unwrap();
        assert_eq!(over_grpc, local, "{who:?}");
        assert_eq!(over_grpc.to_markdown(), local.to_markdown());
    }
    let (worker, remote) = w.client(Who::Worker);
    let report = remote.progress_report(worker, w.consenting, from, w.today).await.unwrap();
    assert_eq!(report.contacts.len(), 2);
    assert_eq!(report.display_name.as_deref(), Some("Rapport"));

    // Without the participant's consent a partner and the municipality are refused, locally
    // and over gRPC alike.
    for who in [Who::Partner, Who::CaseManager] {
        let (caller, remote) = w.client(who);
        assert!(denied(w.store.progress_report(caller, w.unconsenting, from, w.today).await), "{who:?}");
        assert!(denied(remote.progress_report(caller, w.unconsenting, from, w.today).await), "{who:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_agendas_equal_the_local_ones() {
    let w = world().await;
    let query = AgendaQuery::for_meeting(w.today + Duration::days(14));
    for who in [Who::Worker, Who::Lead] {
        let (caller, remote) = w.client(who);
        let local = w.store.meeting_agenda(caller, query.clone()).await.unwrap();
        assert_eq!(local.entries.len(), 2, "both had no contact for more than three weeks");
        assert_eq!(local.previous_meeting, Some((MeetingId::from_u128(0x33), w.today)));
        assert_eq!(local.previous_decisions.len(), 1);
        let over_grpc = remote.meeting_agenda(caller, query.clone()).await.unwrap();
        assert_eq!(over_grpc, local, "{who:?}");
    }
    let (partner, remote) = w.client(Who::Partner);
    assert!(denied(remote.meeting_agenda(partner, query).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_requests_get_defaults_renderings_and_field_errors() {
    let w = world().await;
    let mut client = ReportServiceClient::connect(format!("http://{}", w.address)).await.unwrap();
    let token = w.tokens[&Who::Lead].clone();
    let date = |d: NaiveDate| pb::Date {
        year: chrono::Datelike::year(&d),
        month: chrono::Datelike::month(&d) as i32,
        day: chrono::Datelike::day(&d) as i32,
    };

    // Absent thresholds take the defaults; the answer carries the Markdown rendering.
    let meeting_date = w.today + Duration::days(14);
    let agenda = client
        .get_meeting_agenda(authed(
            &token,
            pb::GetMeetingAgendaRequest { meeting_date: Some(date(meeting_date)), ..Default::default() },
        ))
        .await
        .unwrap()
        .into_inner();
    let (lead, _) = w.client(Who::Lead);
    let local = w.store.meeting_agenda(lead, AgendaQuery::for_meeting(meeting_date)).await.unwrap();
    assert_eq!(agenda.entries.len(), local.entries.len());
    assert_eq!(agenda.markdown, local.to_markdown());

    let report = client
        .get_progress_report(authed(
            &token,
            pb::GetProgressReportRequest {
                participant: format!("participants/{}", w.consenting),
                period_from: Some(date(w.today - Duration::days(90))),
                period_to: Some(date(w.today)),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(report.markdown.contains("Synthetisch gesprek"), "{}", report.markdown);

    // Without as_of the report is for today.
    let subsidy = client
        .get_subsidy_report(authed(
            &token,
            pb::GetSubsidyReportRequest { subsidy_period: format!("subsidyPeriods/{}", w.period), as_of: None },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(subsidy.period, format!("subsidyPeriods/{}", w.period));
    assert!(subsidy.as_of.is_some());

    // Nonsense is refused naming the field.
    let field_of = |status: tonic::Status| {
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
        match perspectief_grpc::status::from_status(&status) {
            DomainError::InvalidInput(v) => v.iter().map(|v| v.field.clone()).collect::<Vec<_>>(),
            other => panic!("not invalid input: {other:?}"),
        }
    };
    let bad_name = client
        .get_subsidy_report(authed(
            &token,
            pb::GetSubsidyReportRequest { subsidy_period: "periods/1".into(), as_of: None },
        ))
        .await
        .unwrap_err();
    assert_eq!(field_of(bad_name), ["subsidy_period"]);
    let no_figure = client
        .drill_down_subsidy_figure(authed(
            &token,
            pb::DrillDownSubsidyFigureRequest {
                subsidy_period: format!("subsidyPeriods/{}", w.period),
                ..Default::default()
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(field_of(no_figure), ["figure"]);
    let no_period_end = client
        .get_progress_report(authed(
            &token,
            pb::GetProgressReportRequest {
                participant: format!("participants/{}", w.consenting),
                period_from: Some(date(w.today)),
                period_to: None,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(field_of(no_period_end), ["period_to"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zrm_cohort_and_the_case_managers_view_of_self_reliance_and_handovers() {
    use perspectief_core::document::{DocumentKind, DocumentLanguage, DocumentVersion, HandedDocument};
    let w = world().await;
    let (worker, svc) = w.client(Who::Worker);
    for (p, (first, latest)) in [(w.consenting, (1, 3)), (w.unconsenting, (2, 3))] {
        for (days, housing) in [(30, first), (10, latest)] {
            let scores = BTreeMap::from([
                (ZrmDomain::Housing, ZrmScore::new(housing).unwrap()),
                (ZrmDomain::MentalHealth, ZrmScore::new(2).unwrap()),
            ]);
            let assessed_on = w.today - Duration::days(days);
            svc.execute(worker, p, None, CaseCommand::RecordSelfReliance { assessed_on, scores }).await.unwrap();
        }
    }
    // The plan in Tigrinya handed over to the consenting participant (5.2.c).
    svc.execute(
        worker,
        w.consenting,
        None,
        CaseCommand::RevisePlan { personal_situation: text("Situatie."), perspective: text("Perspectief."), on: None },
    )
    .await
    .unwrap();
    let document = HandedDocument {
        kind: DocumentKind::PerspectivePlan,
        language: DocumentLanguage::Ti,
        version: DocumentVersion::parse("1").unwrap(),
    };
    let handover = NewContact {
        activities: BTreeSet::new(),
        documents: vec![document.clone()],
        ..talk(
            Utc.from_utc_datetime(&(w.today - Duration::days(1)).and_hms_opt(12, 0, 0).unwrap()),
            DataCategory::Guidance,
            "Plan overhandigd.",
        )
    };
    svc.execute(worker, w.consenting, None, CaseCommand::LogContact(handover)).await.unwrap();

    // Inside the foundation: every domain; two participants, housing +2 and +1.
    for who in [Who::Worker, Who::Lead] {
        let (caller, remote) = w.client(who);
        let local = w.store.zrm_cohort(caller, w.period).await.unwrap();
        assert_eq!(remote.zrm_cohort(caller, w.period).await.unwrap(), local, "{who:?}");
        assert_eq!(local.participants, Some(2));
        let housing = local.domains.iter().find(|d| d.domain == ZrmDomain::Housing).unwrap();
        assert_eq!((housing.participants, housing.average_change), (Some(2), Some(1.5)));
        assert_eq!(local.domains.len(), 13);
    }
    // The municipality: guidance domains only, and two persons are a small cell.
    let (manager, remote) = w.client(Who::CaseManager);
    let cohort = remote.zrm_cohort(manager, w.period).await.unwrap();
    assert_eq!(cohort, w.store.zrm_cohort(manager, w.period).await.unwrap());
    assert!(cohort.domains.iter().all(|d| d.domain.category() == DataCategory::Guidance));
    assert!(cohort.participants.is_none() && cohort.domains.iter().all(|d| d.suppressed && d.average_change.is_none()));
    let (partner, remote_partner) = w.client(Who::Partner);
    assert!(denied(remote_partner.zrm_cohort(partner, w.period).await));

    // The case manager's progress report (with consent): the scores it may see (no mental
    // health: medical data never reaches the municipality) and the handover.
    let from = w.today - Duration::days(40);
    let report = remote.progress_report(manager, w.consenting, from, w.today).await.unwrap();
    assert_eq!(report, w.store.progress_report(manager, w.consenting, from, w.today).await.unwrap());
    assert_eq!(report.self_reliance.len(), 2);
    assert!(report.self_reliance.iter().all(|a| a.scores.keys().eq([ZrmDomain::Housing].iter())));
    assert_eq!(report.handed_over.iter().map(|h| &h.document).collect::<Vec<_>>(), vec![&document]);
    let worker_report = w.client(Who::Worker).1.progress_report(worker, w.consenting, from, w.today).await.unwrap();
    assert!(worker_report.self_reliance.iter().all(|a| a.scores.contains_key(&ZrmDomain::MentalHealth)));

    // Raw: GetZrmCohort with a malformed period is a field error.
    let mut raw = ReportServiceClient::connect(format!("http://{}", w.address)).await.unwrap();
    let status = raw
        .get_zrm_cohort(authed(&w.tokens[&Who::Lead], pb::GetZrmCohortRequest { subsidy_period: "nope".into() }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
}
