//! Rules whose edges are easy to get wrong: dates in order, categories that follow their
//! content, what remains after the outflow, and the return codes on contacts.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use perspectief_core::returns::ExplorationFindings;
use perspectief_core::*;

use crate::support::*;

#[test]
fn the_stance_on_return_comes_out_of_orientation_talks() {
    let (mut case, _) = registered();
    let cmd = CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: start(), note: None };
    assert_eq!(case.execute(cmd, &ctx_on(start())).unwrap_err().code(), "orientation_required");
}

#[test]
fn return_codes_on_a_contact_follow_the_return_track() {
    let (mut case, mut log) = oriented();
    let explore = contact(1, start(), ContactKind::IndividualTalk, &[ActivityCode::ExploreReturn]);
    let err = case.execute(CaseCommand::LogContact(explore.clone()), &ctx_on(start())).unwrap_err();
    assert_eq!(
        err.violations().unwrap().iter().next().unwrap().code,
        perspectief_core::ViolationCode::ReturnNotConsidered
    );
    run(
        &mut case,
        &mut log,
        CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: start(), note: None },
        start(),
    );
    run(&mut case, &mut log, CaseCommand::LogContact(explore), start());
    let remove = contact(2, start(), ContactKind::IndividualTalk, &[ActivityCode::RemoveObstacles]);
    let err = case.execute(CaseCommand::LogContact(remove), &ctx_on(start())).unwrap_err();
    assert_eq!(
        err.violations().unwrap().iter().next().unwrap().code,
        perspectief_core::ViolationCode::ReturnNotDecided
    );
}

#[test]
fn a_contact_just_after_midnight_in_amsterdam_counts_on_the_amsterdam_day() {
    let (mut case, mut log) = registered();
    // 23:30 UTC on 1 March is 00:30 on 2 March in Amsterdam: the registration day.
    let mut c = contact(1, start(), ContactKind::Phone, &[ActivityCode::SocialGuidance]);
    c.at = Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap();
    run(&mut case, &mut log, CaseCommand::LogContact(c), start());
    assert_eq!(case.days_without_contact(later(start(), 3)), 3);
}

#[test]
fn agreements_and_referrals_carry_the_category_of_their_content() {
    let (mut case, mut log) = registered();
    let mut c = contact(1, start(), ContactKind::IndividualTalk, &[ActivityCode::SocialGuidance]);
    c.category = DataCategory::MedicalPsychosocial;
    c.agreements = vec![NewAgreement {
        id: AgreementId::from_u128(1),
        description: text("Afspraak bij de huisarts maken"),
        due_on: later(start(), 7),
        who_acts: Responsible::Participant,
    }];
    let events = run(&mut case, &mut log, CaseCommand::LogContact(c), start());
    assert_eq!(events[1].change.category(), DataCategory::MedicalPsychosocial);
    let id = ReferralId::from_u128(1);
    let events = run(
        &mut case,
        &mut log,
        CaseCommand::ProposeReferral {
            id,
            partner: GEMEENTE,
            domain: PartnerDomain::Medical,
            reason: text("GGD"),
            on: None,
        },
        start(),
    );
    assert_eq!(events[0].change.category(), DataCategory::MedicalPsychosocial);
    let settle = CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(1), fulfilled: true, on: start() };
    assert_eq!(service::command_access(&case, &settle), (Action::Update, DataCategory::MedicalPsychosocial));
    let advance = CaseCommand::AdvanceReferral {
        referral: id,
        to: ReferralStatus::Sent,
        on: start(),
        note: None,
        consent_override: None,
    };
    assert_eq!(service::command_access(&case, &advance), (Action::Update, DataCategory::MedicalPsychosocial));
}

#[test]
fn the_profile_is_corrected_but_the_worker_changes_only_by_assignment() {
    let (mut case, mut log) = registered();
    let mut p = case.profile().clone();
    p.v_number = Some(VNumber::parse("1234567890").unwrap());
    run(&mut case, &mut log, CaseCommand::UpdateProfile { profile: p.clone() }, start());
    assert_eq!(case.profile().v_number.as_ref().unwrap().as_str(), "1234567890");
    // The old value stays in the history (rectification, art. 16).
    assert!(matches!(&log[0].change, CaseChange::Registered { profile, .. } if profile.v_number.is_none()));
    let mut other = p.clone();
    other.project_worker = UserId::from_u128(2);
    let err = case.execute(CaseCommand::UpdateProfile { profile: other }, &ctx_on(start())).unwrap_err();
    assert!(err.violations().unwrap().has("project_worker"));
    let mut implausible = p;
    implausible.date_of_birth = Some(DateOfBirth::Month { year: 2030, month: 13 });
    let err = case.execute(CaseCommand::UpdateProfile { profile: implausible.clone() }, &ctx_on(start())).unwrap_err();
    assert!(err.violations().unwrap().has("date_of_birth"));
    let err = Case::register(
        RegisterParticipant { id: ParticipantId::from_u128(2), profile: implausible, registered_on: start() },
        &ctx_on(start()),
    )
    .unwrap_err();
    assert!(err.violations().unwrap().has("date_of_birth"));
}

#[test]
fn dates_must_follow_each_other() {
    let (mut case, mut log) = registered();
    let on = later(start(), 10);
    run(&mut case, &mut log, revise(), on);
    let err = case.execute(CaseCommand::AgreePlan { revision: 1, on: start() }, &ctx_on(on)).unwrap_err();
    assert!(err.violations().unwrap().has("on"), "agreed before drawn up");
    run(&mut case, &mut log, CaseCommand::AgreePlan { revision: 1, on: later(on, 5) }, later(on, 5));
    // A final judgment dated before the agreement has no agreed plan to rest on.
    let judgment = |d| CaseCommand::RecordJudgment {
        id: JudgmentId::from_u128(1),
        verdict: Verdict::ReturnNotPossible,
        finality: Finality::Final,
        reasoning: text("Geen documenten te verkrijgen."),
        formed_on: d,
    };
    assert_eq!(case.execute(judgment(on), &ctx_on(later(on, 5))).unwrap_err().code(), "agreed_plan_required");
    run(&mut case, &mut log, judgment(later(on, 5)), later(on, 5));
    // Goals: not missed before the deadline; no status change before the goal was set.
    let deadline = later(on, 20);
    run(&mut case, &mut log, goal(1, deadline), later(on, 5));
    let status = |to, d| CaseCommand::ChangeGoalStatus { goal: GoalId::from_u128(1), to, new_deadline: None, on: d };
    let err = case.execute(status(GoalStatus::Missed, deadline), &ctx_on(deadline)).unwrap_err();
    assert!(err.violations().unwrap().has("on"), "missed on the deadline itself");
    let err = case.execute(status(GoalStatus::InProgress, on), &ctx_on(deadline)).unwrap_err();
    assert!(err.violations().unwrap().has("on"), "changed before it was set");
    // Consent: not withdrawn before it was given, not given before registration.
    let give = |d| CaseCommand::GiveConsent {
        id: ConsentId::from_u128(1),
        organisation: IOM,
        categories: [DataCategory::Return].into(),
        purpose: text("Terugkeer"),
        given_on: d,
    };
    assert!(case.execute(give(day(2026, 1, 1)), &ctx_on(on)).unwrap_err().violations().unwrap().has("given_on"));
    run(&mut case, &mut log, give(on), on);
    let err = case
        .execute(CaseCommand::WithdrawConsent { consent: ConsentId::from_u128(1), on: start() }, &ctx_on(on))
        .unwrap_err();
    assert!(err.violations().unwrap().has("on"));
}

#[test]
fn after_an_outflow_without_departure_there_is_no_aftercare_and_no_worklist() {
    let (mut case, mut log) = with_agreed_plan();
    run(&mut case, &mut log, goal(1, later(start(), 5)), start());
    run(
        &mut case,
        &mut log,
        CaseCommand::LogContact(contact(1, later(start(), 3), ContactKind::Phone, &[ActivityCode::SocialGuidance])),
        later(start(), 3),
    );
    let err = case
        .execute(
            CaseCommand::RecordOutflow { outcome: OutflowOutcome::MovedToOtherShelter, on: start(), note: None },
            &ctx_on(later(start(), 3)),
        )
        .unwrap_err();
    assert!(err.violations().unwrap().has("on"), "outflow before the last contact");
    let on = later(start(), 30);
    assert_eq!(case.overdue_goals(on).count(), 1);
    run(
        &mut case,
        &mut log,
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::MovedToOtherShelter, on, note: None },
        on,
    );
    assert_eq!(case.overdue_goals(on).count(), 0, "a closed case is off the worklist");
    assert!(!case.is_active());
    let err = case
        .execute(
            CaseCommand::LogContact(contact(2, on, ContactKind::Monitoring, &[ActivityCode::RecordKeeping])),
            &ctx_on(on),
        )
        .unwrap_err();
    assert!(err.violations().unwrap().has("kind"), "aftercare follows a departure");
}

/// Aftercare (monitoring) follows a demonstrable departure only: a departure without
/// supervision (formerly "left with unknown destination") is not one, nor is it "departed".
#[test]
fn aftercare_follows_a_demonstrable_departure_not_one_without_supervision() {
    let on = later(start(), 30);
    for (outcome, aftercare) in [
        (OutflowOutcome::DepartedIndependentlySupervised, true),
        (OutflowOutcome::DepartedForced, true),
        (OutflowOutcome::OnwardMigration, true),
        (OutflowOutcome::DepartedWithoutSupervision, false),
    ] {
        let (mut case, mut log) = with_agreed_plan();
        run(&mut case, &mut log, CaseCommand::RecordOutflow { outcome, on, note: None }, on);
        assert_eq!(outcome.is_departure(), aftercare, "{outcome:?}");
        let monitoring =
            CaseCommand::LogContact(contact(2, on, ContactKind::Monitoring, &[ActivityCode::RecordKeeping]));
        match case.execute(monitoring, &ctx_on(on)) {
            Ok(_) => assert!(aftercare, "{outcome:?}: monitoring was accepted"),
            Err(e) => {
                assert!(!aftercare, "{outcome:?}: {e:?}");
                assert!(e.violations().unwrap().has("kind"), "{outcome:?}: {e:?}");
            }
        }
    }
}

#[test]
fn aftercare_contacts_make_no_new_agreements() {
    let (mut case, mut log) = with_agreed_plan();
    let on = later(start(), 30);
    run(
        &mut case,
        &mut log,
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::OnwardMigration, on, note: None },
        on,
    );
    let mut c = contact(2, on, ContactKind::Monitoring, &[ActivityCode::RecordKeeping]);
    c.agreements = vec![NewAgreement {
        id: AgreementId::from_u128(1),
        description: text("x"),
        due_on: later(on, 3),
        who_acts: Responsible::Participant,
    }];
    let err = case.execute(CaseCommand::LogContact(c), &ctx_on(on)).unwrap_err();
    assert!(err.violations().unwrap().has("agreements"));
}

#[test]
fn findings_steps_and_self_reliance_are_kept_and_stalled_obstacles_surface() {
    let (mut case, mut log) = oriented();
    run(&mut case, &mut log, revise(), start());
    run(&mut case, &mut log, goal(1, later(start(), 10)), start());
    run(
        &mut case,
        &mut log,
        CaseCommand::UpdateGoalSteps { goal: GoalId::from_u128(1), next_steps: text("Bellen met IOM"), on: None },
        start(),
    );
    assert_eq!(case.goal(GoalId::from_u128(1)).unwrap().next_steps.as_ref().unwrap().as_str(), "Bellen met IOM");

    run(
        &mut case,
        &mut log,
        CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: start(), note: None },
        start(),
    );
    run(
        &mut case,
        &mut log,
        CaseCommand::StartReturnExploration {
            on: start(),
            findings: ExplorationFindings { motivation: Some(text("Wil naar familie")), ..Default::default() },
        },
        start(),
    );
    run(
        &mut case,
        &mut log,
        CaseCommand::UpdateReturnExploration {
            findings: ExplorationFindings { documents: Some(text("Geboorteakte aanwezig")), ..Default::default() },
            on: None,
        },
        start(),
    );
    let x = case.return_exploration().unwrap();
    assert_eq!(
        (x.motivation.as_ref().unwrap().as_str(), x.documents.as_ref().unwrap().as_str()),
        ("Wil naar familie", "Geboorteakte aanwezig")
    );

    run(
        &mut case,
        &mut log,
        CaseCommand::IdentifyObstacle {
            id: ObstacleId::from_u128(1),
            kind: ObstacleKind::Finances,
            description: text("Geen startkapitaal"),
            partner: None,
            on: start(),
        },
        start(),
    );
    assert_eq!(case.stalled_obstacles(later(start(), 21), 21).count(), 0);
    assert_eq!(case.stalled_obstacles(later(start(), 22), 21).count(), 1);

    let scores = BTreeMap::from([(ZrmDomain::Housing, ZrmScore::new(2).unwrap())]);
    let err = case
        .execute(CaseCommand::RecordSelfReliance { assessed_on: start(), scores: BTreeMap::new() }, &ctx_on(start()))
        .unwrap_err();
    assert!(err.violations().unwrap().has("scores"));
    let events = run(&mut case, &mut log, CaseCommand::RecordSelfReliance { assessed_on: start(), scores }, start());
    assert_eq!(events[0].change.activities(), vec![ActivityCode::SelfReliance]);
    assert_eq!(case.self_reliance().len(), 1);
    assert_eq!(Case::replay(&log).unwrap(), case);
}

/// The contact rules after the outflow go by the contact's day: a normal contact of before the
/// outflow is a late entry (with its agreements), one of after it is refused; monitoring is
/// from the outflow day on.
#[test]
fn after_the_outflow_a_contact_is_judged_by_its_day() {
    let (mut case, mut log) = with_agreed_plan();
    let out = later(start(), 30);
    run(
        &mut case,
        &mut log,
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::OnwardMigration, on: out, note: None },
        out,
    );
    let recorded = later(out, 4);
    let mut before = contact(1, out.pred_opt().unwrap(), ContactKind::Phone, &[ActivityCode::SocialGuidance]);
    before.agreements = vec![NewAgreement {
        id: AgreementId::from_u128(1),
        description: text("Papieren meenemen"),
        due_on: later(out, 10),
        who_acts: Responsible::Participant,
    }];
    let events = run(&mut case, &mut log, CaseCommand::LogContact(before), recorded);
    assert_eq!(events.len(), 2, "the contact and its agreement");
    assert_eq!(case.overdue_agreements(later(out, 60)).count(), 0, "a closed case stays off the worklist");
    // Normal, dated after the outflow: refused as the trajectory closed.
    let after = CaseCommand::LogContact(contact(2, later(out, 1), ContactKind::Phone, &[ActivityCode::SocialGuidance]));
    let err = case.execute(after, &ctx_on(recorded)).unwrap_err();
    assert_eq!(
        err,
        DomainError::TrajectoryClosed {
            action: "log_contact".into(),
            outflow_on: Some(out),
            dated: Some(later(out, 1))
        }
    );
    // Monitoring on the outflow day and after it.
    let monitoring =
        |id, on| CaseCommand::LogContact(contact(id, on, ContactKind::Monitoring, &[ActivityCode::RecordKeeping]));
    run(&mut case, &mut log, monitoring(3, out), recorded);
    run(&mut case, &mut log, monitoring(4, later(out, 2)), recorded);
    assert_eq!(case.phase(), Phase::Closed);
    assert_eq!(Case::replay(&log).unwrap(), case);
}

/// A refusal for the case's present state says which rule, in a text the adapters can read
/// back ([`NotNow`]).
#[test]
fn not_allowed_now_carries_its_reason() {
    let (mut case, _) = with_agreed_plan();
    let monitoring =
        CaseCommand::LogContact(contact(1, start(), ContactKind::Monitoring, &[ActivityCode::RecordKeeping]));
    let err = case.execute(monitoring, &ctx_on(start())).unwrap_err();
    let v = err.violations().unwrap().iter().find(|v| v.field == "kind").unwrap().clone();
    assert_eq!(v.code, ViolationCode::NotAllowedNow);
    assert_eq!(NotNow::from_message(&v.message), Some(NotNow::MonitoringBeforeOutflow));
}
