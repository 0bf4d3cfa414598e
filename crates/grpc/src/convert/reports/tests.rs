use chrono::{TimeZone, Utc};
use perspectief_core::meeting::{ChainDecision, TerminationAdvice};
use perspectief_core::outflow::ProgressReportRecord;
use perspectief_core::plan::DirectionChange;
use perspectief_core::report::{OutflowCell, PersonCell, SubsidyFacts};
use perspectief_core::returns::Communication;
use perspectief_core::*;

use super::*;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn round_trip<T, P>(value: &T) -> T
where
    T: ToProto<Proto = P> + FromProto<P>,
{
    T::from_proto(value.to_proto(), &Field::root()).unwrap()
}

fn subsidy_report() -> SubsidyReport {
    let period = SubsidyPeriod::new(
        SubsidyPeriodId::from_u128(4),
        "2026",
        d(1, 1),
        d(12, 31),
        vec![
            Target { measure: TargetMeasure::Activity(ActivityCode::OrientationTalks), persons: 200 },
            Target { measure: TargetMeasure::Theme(Theme::Guide), persons: 50 },
        ],
    )
    .unwrap();
    let month = |m| YearMonth::new(2026, m).unwrap();
    let cell = |measure, m, nationality: Option<&str>, location: Option<&str>, persons| PersonCell {
        measure,
        month: month(m),
        nationality: nationality.map(|c| CountryCode::parse(c).unwrap()),
        location: location.map(str::to_owned),
        project_worker: UserId::from_u128(m.into()),
        persons,
    };
    let talks = Measure::Activity(ActivityCode::OrientationTalks);
    let facts = SubsidyFacts {
        cells: vec![
            cell(talks, 1, Some("ER"), Some("Jan Evertsenstraat"), 3),
            cell(talks, 2, None, None, 2),
            cell(Measure::Theme(Theme::Inform), 2, Some("SY"), None, 4),
            cell(Measure::Reached, 3, None, Some("Willem Dreeshuis"), 9),
        ],
        sessions: vec![SessionMonth { month: month(2), sessions: 2, unregistered_head_count: 17 }],
        outflows: vec![OutflowCell {
            outcome: OutflowOutcome::ResidencePermitGranted,
            month: month(3),
            nationality: Some(CountryCode::parse("ER").unwrap()),
            location: None,
            project_worker: UserId::from_u128(2),
            persons: 1,
        }],
    };
    SubsidyReport::compute(&period, d(3, 31), &facts)
}

#[test]
fn subsidy_reports_round_trip() {
    let report = subsidy_report();
    assert!(report.outflow.total > 0 && report.sessions.sessions > 0);
    assert_eq!(round_trip(&report), report);
    // Before the period: nothing counted, no projection.
    let mut before = report.clone();
    before.counted_to = None;
    assert_eq!(round_trip(&before), before);
}

#[test]
fn figure_queries_and_drilldowns_round_trip() {
    let measures = [Measure::Activity(ActivityCode::ExploreReturn), Measure::Theme(Theme::Evaluate), Measure::Reached];
    let figures = measures.into_iter().map(Figure::Measure).chain([
        Figure::Outflow(OutflowOutcome::DepartedForced),
        Figure::Durability(Durability::SemiDurable),
        Figure::Departed,
    ]);
    let slices = [
        Slice::All,
        Slice::Month(YearMonth::new(2026, 5).unwrap()),
        Slice::Nationality(None),
        Slice::Nationality(Some(CountryCode::parse("MA").unwrap())),
        Slice::Location(None),
        Slice::Location(Some("Amstel".into())),
        Slice::ProjectWorker(UserId::from_u128(3)),
    ];
    for figure in figures {
        for slice in slices.clone() {
            let query = FigureQuery { figure, slice };
            let (f, s) = query.to_proto();
            assert_eq!(FigureQuery::from_proto((Some(f), Some(s)), &Field::root()).unwrap(), query);
        }
    }
    let all = FigureQuery::from_proto((Some(Figure::Departed.to_proto()), None), &Field::root()).unwrap();
    assert_eq!(all.slice, Slice::All);
    let e = FigureQuery::from_proto((None, None), &Field::root()).unwrap_err();
    assert!(e.violations().unwrap().has("figure"));
    let drilldown = Drilldown {
        participants: vec![ParticipantId::from_u128(1), ParticipantId::from_u128(2)],
        contacts: vec![ContactId::from_u128(3)],
        sessions: vec![SessionId::from_u128(4)],
        unregistered_head_count: 12,
    };
    assert_eq!(round_trip(&drilldown), drilldown);
}

fn progress_report() -> ProgressReport {
    let worker = UserId::from_u128(7);
    ProgressReport {
        participant: ParticipantId::from_u128(1),
        display_name: Some("Sara A.".into()),
        period_from: d(1, 1),
        period_to: d(3, 31),
        project_worker: Some(worker),
        registered_on: Some(d(1, 5)),
        limit_on: NaiveDate::from_ymd_opt(2027, 7, 5),
        days_to_limit: Some(-3),
        phase: Some(Phase::PlanExecution),
        direction: Some(Direction::ReturnToOrigin),
        direction_history: vec![DirectionChange {
            from: Direction::Undecided,
            to: Direction::ReturnToOrigin,
            on: d(2, 1),
            reasoning: Text::parse("Wil terug.").unwrap(),
            by: worker,
        }],
        return_stance: Some(ReturnStance::Decided),
        plan: Some(PlanLine {
            revision: 2,
            direction: Direction::ReturnToOrigin,
            perspective: "Terugkeer voorbereiden.".into(),
            drawn_up_on: d(2, 2),
            agreed_on: Some(d(2, 3)),
        }),
        goals: vec![GoalLine {
            id: GoalId::from_u128(2),
            description: "Paspoort aanvragen".into(),
            deadline: d(3, 1),
            status: GoalStatus::InProgress,
            overdue: true,
            next_steps: Some("Afspraak ambassade".into()),
        }],
        agreements: vec![
            AgreementLine {
                id: AgreementId::from_u128(3),
                description: "Documenten meenemen".into(),
                due_on: d(2, 10),
                status: AgreementStatus::Fulfilled(d(2, 9)),
                kept: Some(true),
                overdue: false,
            },
            AgreementLine {
                id: AgreementId::from_u128(4),
                description: "Bellen".into(),
                due_on: d(3, 10),
                status: AgreementStatus::Open,
                kept: None,
                overdue: true,
            },
        ],
        contacts: vec![ContactLine {
            id: ContactId::from_u128(5),
            on: d(2, 1),
            kind: ContactKind::IndividualTalk,
            activities: vec![ActivityCode::OrientationTalks, ActivityCode::ExploreReturn],
            summary: "Gesprek over terugkeer.".into(),
        }],
        referrals: vec![ReferralLine {
            id: ReferralId::from_u128(6),
            partner: OrganisationId::from_u128(10),
            domain: PartnerDomain::Return,
            reason: "Vertrekbegeleiding".into(),
            status: ReferralStatus::Sent,
            sent_on: Some(d(2, 15)),
        }],
        obstacles: vec![ObstacleLine {
            id: ObstacleId::from_u128(7),
            kind: ObstacleKind::MissingDocuments,
            description: "Geen paspoort".into(),
            status: ObstacleStatus::Removed,
            identified_on: d(2, 1),
            removed_on: Some(d(3, 20)),
            actions_in_period: 2,
        }],
        judgments: vec![JudgmentLine {
            id: JudgmentId::from_u128(8),
            verdict: Verdict::ReturnRealistic,
            finality: Finality::Provisional,
            reasoning: "Documenten bijna rond.".into(),
            formed_on: d(3, 1),
            communications: vec![
                Communication { to: Recipient::Municipality, on: d(3, 2) },
                Communication { to: Recipient::Partner(OrganisationId::from_u128(10)), on: d(3, 3) },
            ],
            consequences_explained_on: Some(d(3, 4)),
        }],
        outflow: Some((OutflowOutcome::DepartedIndependentlySupervised, d(3, 30))),
        reports_sent: vec![ProgressReportRecord {
            id: ReportId::from_u128(9),
            period_from: NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
            period_to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            sent_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            sent_at: Utc.with_ymd_and_hms(2026, 1, 2, 9, 0, 0).unwrap(),
            sent_to: OrganisationId::from_u128(11),
            sent_by: worker,
        }],
        self_reliance: vec![perspectief_core::outflow::ZrmAssessment {
            assessed_on: d(2, 1),
            scores: [(perspectief_core::ZrmDomain::Housing, perspectief_core::ZrmScore::new(3).unwrap())].into(),
            by: worker,
        }],
        handed_over: vec![HandoverLine {
            on: d(2, 1),
            contact: ContactId::from_u128(5),
            document: perspectief_core::document::HandedDocument {
                kind: perspectief_core::document::DocumentKind::InformationSheet,
                language: perspectief_core::document::DocumentLanguage::Fa,
                version: perspectief_core::document::DocumentVersion::parse("2026.1").unwrap(),
            },
        }],
        withheld: vec![DataCategory::Legal, DataCategory::MedicalPsychosocial],
    }
}

#[test]
fn zrm_cohorts_round_trip_and_refuse_impossible_averages() {
    let cohort = ZrmCohort {
        from: d(1, 1),
        to: d(3, 31),
        participants: Some(7),
        domains: vec![
            ZrmCohortDomain {
                domain: perspectief_core::ZrmDomain::Housing,
                participants: Some(6),
                average_change: Some(1.25),
                suppressed: false,
            },
            ZrmCohortDomain {
                domain: perspectief_core::ZrmDomain::Finances,
                participants: None,
                average_change: None,
                suppressed: true,
            },
        ],
        min_cell: 5,
    };
    assert_eq!(round_trip(&cohort), cohort);
    let mut bad = cohort.to_proto();
    bad.domains[0].average_change = Some(9.0);
    assert!(ZrmCohort::from_proto(bad, &Field::root()).is_err());
}

#[test]
fn progress_reports_round_trip_with_their_markdown() {
    let report = progress_report();
    let proto = report.to_proto();
    assert_eq!(proto.markdown, report.to_markdown());
    assert_eq!(round_trip(&report), report);
    let bare = ProgressReport {
        display_name: None,
        // Guidance, return and identity withheld: their facts are absent, not defaulted.
        project_worker: None,
        registered_on: None,
        limit_on: None,
        days_to_limit: None,
        phase: None,
        direction: None,
        direction_history: vec![],
        return_stance: None,
        plan: None,
        goals: vec![],
        agreements: vec![],
        contacts: vec![],
        referrals: vec![],
        obstacles: vec![],
        judgments: vec![],
        outflow: None,
        reports_sent: vec![],
        withheld: vec![],
        ..report
    };
    assert_eq!(round_trip(&bare), bare);
}

#[test]
fn meeting_agendas_round_trip() {
    let agenda = MeetingAgenda {
        meeting_date: d(4, 14),
        previous_meeting: Some((MeetingId::from_u128(1), d(3, 31))),
        entries: vec![AgendaEntry {
            participant: ParticipantId::from_u128(2),
            project_worker: UserId::from_u128(3),
            reasons: vec![
                AgendaReason::DeadlinePassed,
                AgendaReason::NoContact { days: 30 },
                AgendaReason::LimitApproaching { days_left: -2 },
            ],
        }],
        previous_decisions: vec![
            PreviousDecision {
                participant: ParticipantId::from_u128(4),
                decision: Some("Doorgaan".into()),
                termination: None,
            },
            PreviousDecision {
                participant: ParticipantId::from_u128(5),
                decision: None,
                termination: Some(TerminationAdvice {
                    advice: Advice::EndGuidance,
                    reasoning: Text::parse("Geen medewerking.").unwrap(),
                    decision: Some(ChainDecision { adopted: true, note: None }),
                    termination_talk_on: Some(d(4, 1)),
                }),
            },
        ],
    };
    assert_eq!(agenda.to_proto().markdown, agenda.to_markdown());
    assert_eq!(round_trip(&agenda), agenda);
    let first = MeetingAgenda { previous_meeting: None, entries: vec![], previous_decisions: vec![], ..agenda };
    assert_eq!(round_trip(&first), first);
}

#[test]
fn agenda_requests_fill_defaults_and_round_trip() {
    let q = AgendaQuery { no_contact_days: 0, ..AgendaQuery::for_meeting(d(4, 14)) };
    assert_eq!(AgendaQuery::from_proto(agenda_request(&q), &Field::root()).unwrap(), q);
    let bare = pb::GetMeetingAgendaRequest { meeting_date: Some(d(4, 14).to_proto()), ..Default::default() };
    assert_eq!(AgendaQuery::from_proto(bare, &Field::root()).unwrap(), AgendaQuery::for_meeting(d(4, 14)));
    let e = AgendaQuery::from_proto(pb::GetMeetingAgendaRequest::default(), &Field::root()).unwrap_err();
    assert!(e.violations().unwrap().has("meeting_date"));
}

#[test]
fn nonsense_names_the_field() {
    let mut p = subsidy_report().to_proto();
    let i = p.activities.iter().position(|a| !a.breakdowns.as_ref().unwrap().by_month.is_empty()).unwrap();
    p.activities[i].breakdowns.as_mut().unwrap().by_month[0].month = "2026-13".into();
    let e = SubsidyReport::from_proto(p.clone(), &Field::root()).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    let v = e.violations().unwrap();
    assert!(v.has(&format!("activities[{i}].breakdowns.by_month[0].month")), "{v:?}");
    let mut p = subsidy_report().to_proto();
    p.funnel[2].stage = 0;
    let e = SubsidyReport::from_proto(p, &Field::root()).unwrap_err();
    assert!(e.violations().unwrap().has("funnel[2].stage"));
    let bad = pb::Slice { slice: Some(pb::slice::Slice::ProjectWorker("x".into())) };
    let e = Slice::from_proto(bad, &Field::root().child("slice")).unwrap_err();
    assert!(e.violations().unwrap().has("slice.project_worker"));
}
