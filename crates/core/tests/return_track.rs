//! The return track: exploration after consideration, obstacle removal after decision, the
//! judgment on a plan with reasoning, and its communication.

use perspectief_core::returns::{DepartureStep, DepartureStepKind, ExplorationFindings, ReintegrationPlan};
use perspectief_core::*;

use crate::support::*;

fn stance(case: &mut Case, log: &mut Vec<CaseEvent>, s: ReturnStance) {
    run(case, log, CaseCommand::RecordReturnStance { stance: s, on: start(), note: None }, start());
}

fn explore() -> CaseCommand {
    CaseCommand::StartReturnExploration {
        on: start(),
        findings: ExplorationFindings { documents: Some(text("Geen paspoort")), ..Default::default() },
    }
}

fn obstacle(id: u128) -> CaseCommand {
    CaseCommand::IdentifyObstacle {
        id: ObstacleId::from_u128(id),
        kind: ObstacleKind::MissingDocuments,
        description: text("Paspoort ontbreekt"),
        partner: Some(IOM),
        on: start(),
    }
}

fn act(id: u128, status: ObstacleStatus) -> CaseCommand {
    CaseCommand::ActOnObstacle {
        obstacle: ObstacleId::from_u128(id),
        description: text("Ambassade gebeld"),
        status,
        on: start(),
    }
}

#[test]
fn exploration_starts_only_after_the_person_considers_return() {
    let (mut case, mut log) = oriented();
    assert_eq!(case.execute(explore(), &ctx_on(start())).unwrap_err().code(), "return_not_considered");
    stance(&mut case, &mut log, ReturnStance::NotConsidering);
    assert_eq!(case.execute(explore(), &ctx_on(start())).unwrap_err().code(), "return_not_considered");
    stance(&mut case, &mut log, ReturnStance::Considering);
    let events = run(&mut case, &mut log, explore(), start());
    assert_eq!(events[0].change.activities(), vec![ActivityCode::ExploreReturn]);
    assert_eq!(case.execute(explore(), &ctx_on(start())).unwrap_err().code(), "return_exploration_already_started");
}

#[test]
fn obstacles_are_listed_in_an_exploration_and_removed_only_after_a_decision() {
    let (mut case, mut log) = oriented();
    stance(&mut case, &mut log, ReturnStance::Considering);
    assert_eq!(case.execute(obstacle(1), &ctx_on(start())).unwrap_err().code(), "return_exploration_required");
    run(&mut case, &mut log, explore(), start());
    run(&mut case, &mut log, obstacle(1), start());
    assert_eq!(
        case.execute(act(1, ObstacleStatus::BeingAddressed), &ctx_on(start())).unwrap_err().code(),
        "return_not_decided"
    );
    let plan = ReintegrationPlan { housing: Some(text("Bij familie")), ..Default::default() };
    assert_eq!(
        case.execute(CaseCommand::UpdateReintegrationPlan(plan.clone()), &ctx_on(start())).unwrap_err().code(),
        "return_not_decided"
    );
    stance(&mut case, &mut log, ReturnStance::Decided);
    let events = run(&mut case, &mut log, act(1, ObstacleStatus::BeingAddressed), start());
    assert_eq!(events[0].change.activities(), vec![ActivityCode::RemoveObstacles]);
    run(&mut case, &mut log, act(1, ObstacleStatus::Removed), start());
    let o = case.obstacles().next().unwrap();
    assert_eq!((o.status, o.removed_on()), (ObstacleStatus::Removed, Some(start())));
    assert_eq!(
        case.execute(act(1, ObstacleStatus::BeingAddressed), &ctx_on(start())).unwrap_err().code(),
        "illegal_status_transition"
    );
    run(&mut case, &mut log, CaseCommand::UpdateReintegrationPlan(plan), start());
    run(
        &mut case,
        &mut log,
        CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
            income_work: Some(text("Winkel")),
            ..Default::default()
        }),
        start(),
    );
    let r = case.reintegration_plan().unwrap();
    assert_eq!(
        (r.housing.as_ref().unwrap().as_str(), r.income_work.as_ref().unwrap().as_str()),
        ("Bij familie", "Winkel")
    );
}

#[test]
fn departure_is_prepared_after_the_decision() {
    let (mut case, mut log) = oriented();
    let step =
        DepartureStep { on: start(), kind: DepartureStepKind::EmbassyVisit, note: text("Laissez-passer aangevraagd") };
    assert_eq!(
        case.execute(CaseCommand::RecordDepartureStep(step.clone()), &ctx_on(start())).unwrap_err().code(),
        "return_not_decided"
    );
    stance(&mut case, &mut log, ReturnStance::Considering);
    stance(&mut case, &mut log, ReturnStance::Decided);
    run(&mut case, &mut log, CaseCommand::RecordDepartureStep(step), start());
    let err = case
        .execute(
            CaseCommand::PlanDeparture { on: Some(day(2026, 1, 1)), accompany_to_schiphol: true },
            &ctx_on(start()),
        )
        .unwrap_err();
    assert!(err.violations().unwrap().has("on"));
    run(
        &mut case,
        &mut log,
        CaseCommand::PlanDeparture { on: Some(later(start(), 30)), accompany_to_schiphol: true },
        start(),
    );
    let d = case.departure().unwrap();
    assert_eq!((d.steps.len(), d.departure_on, d.accompany_to_schiphol), (1, Some(later(start(), 30)), true));
}

#[test]
fn a_final_judgment_needs_an_agreed_plan_and_reasoning() {
    let (mut case, mut log) = oriented();
    let judgment = |id, finality| CaseCommand::RecordJudgment {
        id: JudgmentId::from_u128(id),
        verdict: Verdict::ReturnRealistic,
        finality,
        reasoning: text("Documenten beschikbaar, familie bereid tot opvang."),
        formed_on: start(),
    };
    assert_eq!(
        case.execute(judgment(1, Finality::Final), &ctx_on(start())).unwrap_err().code(),
        "agreed_plan_required"
    );
    run(&mut case, &mut log, judgment(1, Finality::Provisional), start());
    run(&mut case, &mut log, revise(), start());
    assert_eq!(
        case.execute(judgment(2, Finality::Final), &ctx_on(start())).unwrap_err().code(),
        "agreed_plan_required"
    );
    run(&mut case, &mut log, CaseCommand::AgreePlan { revision: 1, on: start() }, start());
    run(&mut case, &mut log, judgment(2, Finality::Final), start());
    let j = &case.judgments()[1];
    assert_eq!((j.finality, j.plan_revision), (Finality::Final, Some(1)));

    // Without reasoning there is no judgment: the input layer refuses blank text.
    let blank = input::RecordJudgmentInput {
        verdict: Verdict::ReturnNotPossible,
        finality: Finality::Final,
        reasoning: "   ".into(),
        formed_on: start(),
    };
    let err = blank.into_command(JudgmentId::from_u128(3)).unwrap_err();
    assert_eq!(
        err.violations().unwrap().iter().map(|v| (v.field.as_str(), v.code.code())).collect::<Vec<_>>(),
        [("reasoning", "required")]
    );
}

#[test]
fn a_judgment_is_communicated_to_the_person_the_municipality_and_partners() {
    let (mut case, mut log) = with_agreed_plan();
    let id = JudgmentId::from_u128(1);
    let formed = later(start(), 10);
    run(
        &mut case,
        &mut log,
        CaseCommand::RecordJudgment {
            id,
            verdict: Verdict::ReturnNotRealisticNow,
            finality: Finality::Final,
            reasoning: text("Geen reisdocument te verkrijgen."),
            formed_on: formed,
        },
        formed,
    );
    let communicate = |to, on| CaseCommand::RecordJudgmentCommunicated { judgment: id, to, on, consent_override: None };
    assert_eq!(
        case.execute(communicate(Recipient::Participant, start()), &ctx_on(formed)).unwrap_err().code(),
        "communicated_before_formed"
    );
    // Outside the foundation it needs the consent a progress report needs (reports).
    for to in [Recipient::Municipality, Recipient::Partner(IOM)] {
        let code = case.execute(communicate(to, formed), &ctx_on(formed)).unwrap_err().code();
        assert!(["municipality_consent_required", "consent_required"].contains(&code), "{code}");
    }
    for organisation in [GEMEENTE, IOM] {
        let consent = CaseCommand::GiveConsent {
            id: ConsentId::from_u128(70 + organisation.as_uuid().as_u128()),
            organisation,
            categories: [DataCategory::Reports].into(),
            purpose: text("Rapportage"),
            given_on: start(),
        };
        run(&mut case, &mut log, consent, formed);
    }
    for to in [Recipient::Participant, Recipient::Municipality, Recipient::Partner(IOM)] {
        run(&mut case, &mut log, communicate(to, formed), formed);
    }
    assert!(!case.judgments()[0].fully_communicated(&[IOM]), "consequences not yet explained");
    run(&mut case, &mut log, CaseCommand::RecordConsequencesExplained { judgment: id, on: formed }, formed);
    assert!(case.judgments()[0].fully_communicated(&[IOM]));
    assert!(!case.judgments()[0].fully_communicated(&[GEMEENTE]));
}

#[test]
fn a_judgment_goes_outside_on_a_consent_for_reports_or_the_leads_override() {
    let (mut case, mut log) = with_agreed_plan();
    let id = JudgmentId::from_u128(1);
    let formed = later(start(), 10);
    let judgment = CaseCommand::RecordJudgment {
        id,
        verdict: Verdict::ReturnNotPossible,
        finality: Finality::Final,
        reasoning: text("Geen reisdocument te verkrijgen."),
        formed_on: formed,
    };
    run(&mut case, &mut log, judgment, formed);
    let communicate = |to, reason: Option<&str>| CaseCommand::RecordJudgmentCommunicated {
        judgment: id,
        to,
        on: formed,
        consent_override: reason.map(text),
    };
    // To the person: nothing needed, no override asked for.
    assert_eq!(case.consent_override_request(&communicate(Recipient::Participant, Some("x"))), None);
    run(&mut case, &mut log, communicate(Recipient::Participant, None), formed);
    // A consent for IOM covering return data is not the consent a report needs.
    let consent = |id, organisation, category| CaseCommand::GiveConsent {
        id: ConsentId::from_u128(id),
        organisation,
        categories: [category].into(),
        purpose: text("Delen"),
        given_on: start(),
    };
    run(&mut case, &mut log, consent(80, IOM, DataCategory::Return), formed);
    let err = case.execute(communicate(Recipient::Partner(IOM), None), &ctx_on(formed)).unwrap_err();
    assert_eq!(err, DomainError::ConsentRequired { organisation: IOM, category: DataCategory::Reports });
    let err = case.execute(communicate(Recipient::Municipality, None), &ctx_on(formed)).unwrap_err();
    assert_eq!(err.code(), "municipality_consent_required");
    // The lead's override: what the adapter records for review, and the communication stands.
    let request = case.consent_override_request(&communicate(Recipient::Municipality, Some("Spoed"))).unwrap();
    assert_eq!((request.judgment, request.referral, request.partner), (Some(id), None, None));
    assert_eq!(request.category, DataCategory::Reports);
    run(&mut case, &mut log, communicate(Recipient::Municipality, Some("Spoed")), formed);
    // With a consent covering reports for IOM, no override is needed (nor recorded).
    run(&mut case, &mut log, consent(81, IOM, DataCategory::Reports), formed);
    assert_eq!(case.consent_override_request(&communicate(Recipient::Partner(IOM), Some("Spoed"))), None);
    run(&mut case, &mut log, communicate(Recipient::Partner(IOM), None), formed);
    assert_eq!(case.judgments()[0].communications.len(), 3);
}
