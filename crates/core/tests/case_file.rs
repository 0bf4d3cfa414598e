//! The case file: registration, phases, plan, goals, agreements, contacts, referrals, outflow.

use perspectief_core::*;

use crate::support::*;

#[test]
fn registration_starts_an_eighteen_month_trajectory_in_intake() {
    let (case, log) = registered();
    assert_eq!(case.phase(), Phase::Intake);
    assert_eq!(case.version(), 1);
    assert_eq!(case.trajectory().limit(), day(2027, 9, 1));
    assert_eq!(log[0].change.kind(), "registered");
    assert_eq!(case.limit_status(day(2027, 6, 9), 84), Some(LimitStatus::Approaching { days_left: 84 }));
    assert_eq!(case.limit_status(day(2027, 9, 2), 84), Some(LimitStatus::Exceeded { days_over: 1 }));
}

#[test]
fn registration_in_the_future_is_refused_naming_the_field() {
    let err = Case::register(
        RegisterParticipant { id: ParticipantId::from_u128(1), profile: profile(), registered_on: later(start(), 1) },
        &ctx_on(start()),
    )
    .unwrap_err();
    assert!(err.violations().unwrap().has("registered_on"), "{err}");
}

#[test]
fn an_orientation_talk_moves_intake_to_orientation_and_other_contacts_do_not() {
    let (mut case, mut log) = registered();
    run(
        &mut case,
        &mut log,
        CaseCommand::LogContact(contact(1, start(), ContactKind::Phone, &[ActivityCode::SocialGuidance])),
        start(),
    );
    assert_eq!(case.phase(), Phase::Intake);
    let events = run(
        &mut case,
        &mut log,
        CaseCommand::LogContact(contact(2, start(), ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks])),
        start(),
    );
    assert_eq!(case.phase(), Phase::Orientation);
    assert_eq!(
        events.last().unwrap().change,
        CaseChange::PhaseChanged { from: Phase::Intake, to: Phase::Orientation, reason: None, on: Some(start()) }
    );
}

#[test]
fn agreeing_the_plan_starts_plan_execution() {
    let (mut case, mut log) = registered();
    let err = case.execute(CaseCommand::AgreePlan { revision: 1, on: start() }, &ctx_on(start())).unwrap_err();
    assert_eq!(err.code(), "plan_required");
    run(&mut case, &mut log, revise(), start());
    run(&mut case, &mut log, revise(), start());
    let err = case.execute(CaseCommand::AgreePlan { revision: 1, on: start() }, &ctx_on(start())).unwrap_err();
    assert_eq!(err.code(), "plan_revision_superseded");
    run(&mut case, &mut log, CaseCommand::AgreePlan { revision: 2, on: start() }, start());
    assert_eq!(case.phase(), Phase::PlanExecution);
    assert_eq!(case.latest_agreed_revision().unwrap().number, 2);
    let err = case.execute(CaseCommand::AgreePlan { revision: 2, on: start() }, &ctx_on(start())).unwrap_err();
    assert_eq!(err.code(), "plan_already_agreed");
}

#[test]
fn an_illegal_phase_change_says_which_and_why_and_changes_nothing() {
    let (mut case, _) = registered();
    let before = case.clone();
    let err = case
        .execute(CaseCommand::ChangePhase { to: Phase::Termination, reason: text("einde"), on: None }, &ctx_on(start()))
        .unwrap_err();
    assert_eq!(err.code(), "illegal_phase_transition");
    assert!(err.to_string().contains("intake") && err.to_string().contains("termination"), "{err}");
    assert_eq!(case, before);
    let err = case
        .execute(CaseCommand::ChangePhase { to: Phase::Closed, reason: text("weg"), on: None }, &ctx_on(start()))
        .unwrap_err();
    assert!(err.to_string().contains("outflow"), "{err}");
}

#[test]
fn termination_and_continuation_go_through_plan_execution() {
    let (mut case, mut log) = with_agreed_plan();
    run(
        &mut case,
        &mut log,
        CaseCommand::ChangePhase { to: Phase::Termination, reason: text("Advies beëindiging"), on: None },
        start(),
    );
    let last = log.last().unwrap();
    assert_eq!(last.change.activities(), vec![ActivityCode::ProposeTermination]);
    run(
        &mut case,
        &mut log,
        CaseCommand::ChangePhase { to: Phase::PlanExecution, reason: text("Ketenoverleg: doorgaan"), on: None },
        start(),
    );
    assert_eq!(case.phase(), Phase::PlanExecution);
}

#[test]
fn goals_need_a_plan_and_surface_when_overdue() {
    let (mut case, mut log) = registered();
    let deadline = later(start(), 14);
    assert_eq!(case.execute(goal(1, deadline), &ctx_on(start())).unwrap_err().code(), "plan_required");
    run(&mut case, &mut log, revise(), start());
    run(&mut case, &mut log, goal(1, deadline), start());
    assert_eq!(case.goals().next().unwrap().plan_revision, 1);
    assert_eq!(case.overdue_goals(deadline).count(), 0);
    assert_eq!(case.goals_due_within(later(start(), 7), 7).count(), 1);
    assert_eq!(case.goals_due_within(later(start(), 6), 7).count(), 0);
    assert_eq!(case.overdue_goals(later(deadline, 1)).count(), 1);
    // An achieved goal no longer surfaces.
    run(
        &mut case,
        &mut log,
        CaseCommand::ChangeGoalStatus {
            goal: GoalId::from_u128(1),
            to: GoalStatus::Achieved,
            new_deadline: None,
            on: start(),
        },
        start(),
    );
    assert_eq!(case.overdue_goals(later(deadline, 1)).count(), 0);
}

#[test]
fn a_new_goal_cannot_start_overdue_and_ids_are_unique() {
    let (mut case, mut log) = registered();
    run(&mut case, &mut log, revise(), start());
    let err = case.execute(goal(1, day(2026, 3, 1)), &ctx_on(start())).unwrap_err();
    assert!(err.violations().unwrap().has("deadline"));
    run(&mut case, &mut log, goal(1, later(start(), 3)), start());
    assert_eq!(case.execute(goal(1, later(start(), 3)), &ctx_on(start())).unwrap_err().code(), "already_exists");
}

#[test]
fn a_missed_goal_resumes_only_with_a_later_deadline_and_achieved_is_final() {
    let (mut case, mut log) = registered();
    run(&mut case, &mut log, revise(), start());
    let deadline = later(start(), 5);
    run(&mut case, &mut log, goal(1, deadline), start());
    let id = GoalId::from_u128(1);
    let on = later(deadline, 2);
    run(
        &mut case,
        &mut log,
        CaseCommand::ChangeGoalStatus { goal: id, to: GoalStatus::Missed, new_deadline: None, on },
        on,
    );
    let resume = |d| CaseCommand::ChangeGoalStatus { goal: id, to: GoalStatus::InProgress, new_deadline: d, on };
    assert_eq!(case.execute(resume(None), &ctx_on(on)).unwrap_err().code(), "deadline_not_moved");
    assert_eq!(case.execute(resume(Some(deadline)), &ctx_on(on)).unwrap_err().code(), "deadline_not_moved");
    run(&mut case, &mut log, resume(Some(later(on, 30))), on);
    assert_eq!(case.goals().next().unwrap().deadline, later(on, 30));
    run(
        &mut case,
        &mut log,
        CaseCommand::ChangeGoalStatus { goal: id, to: GoalStatus::Achieved, new_deadline: None, on },
        on,
    );
    let err = case
        .execute(
            CaseCommand::ChangeGoalStatus { goal: id, to: GoalStatus::InProgress, new_deadline: None, on },
            &ctx_on(on),
        )
        .unwrap_err();
    assert_eq!(err.code(), "illegal_status_transition");
    assert!(err.to_string().contains("achieved"), "{err}");
}

#[test]
fn contacts_record_agreements_and_carry_their_activity_codes() {
    let (mut case, mut log) = registered();
    let mut c = contact(
        1,
        start(),
        ContactKind::IndividualTalk,
        &[ActivityCode::OrientationTalks, ActivityCode::Communication],
    );
    c.agreements = vec![NewAgreement {
        id: AgreementId::from_u128(1),
        description: text("Meenemen geboorteakte"),
        due_on: later(start(), 7),
        who_acts: Responsible::Participant,
    }];
    let events = run(&mut case, &mut log, CaseCommand::LogContact(c), start());
    assert_eq!(events[0].change.activities(), vec![ActivityCode::OrientationTalks, ActivityCode::Communication]);
    let a = case.agreements().next().unwrap().clone();
    assert_eq!(a.made_in, Some(ContactId::from_u128(1)));
    assert_eq!(case.agreements_due_within(start(), 7).count(), 1);
    assert_eq!(case.overdue_agreements(later(start(), 8)).count(), 1);
    let (contact_moment, _) = case.contacts().next().unwrap();
    assert!(contact_moment.staff.contains(&WORKER), "the acting user is recorded as present");
    run(&mut case, &mut log, CaseCommand::SettleAgreement { agreement: a.id, fulfilled: true, on: start() }, start());
    assert_eq!(case.overdue_agreements(later(start(), 8)).count(), 0);
    let err = case
        .execute(
            CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(1), fulfilled: false, on: start() },
            &ctx_on(start()),
        )
        .unwrap_err();
    assert_eq!(err.code(), "illegal_status_transition");
}

#[test]
fn a_bad_contact_reports_every_field_and_writes_nothing() {
    let (mut case, _) = registered();
    let before = case.clone();
    let mut c = contact(1, later(start(), 1), ContactKind::Monitoring, &[]);
    c.duration_minutes = Some(0);
    c.agreements = vec![NewAgreement {
        id: AgreementId::from_u128(1),
        description: text("x"),
        due_on: day(2026, 1, 1),
        who_acts: Responsible::Participant,
    }];
    let err = case.execute(CaseCommand::LogContact(c), &ctx_on(start())).unwrap_err();
    let v = err.violations().unwrap();
    for field in ["at", "activities", "kind", "duration_minutes", "agreements[0].due_on"] {
        assert!(v.has(field), "{field} missing in {v}");
    }
    assert_eq!(case, before);
}

#[test]
fn referrals_follow_their_lifecycle_and_unanswered_ones_surface() {
    let (mut case, mut log) = registered();
    let id = ReferralId::from_u128(1);
    run(
        &mut case,
        &mut log,
        CaseCommand::ProposeReferral {
            id,
            partner: IOM,
            domain: PartnerDomain::Return,
            reason: text("Vertrekondersteuning"),
            on: None,
        },
        start(),
    );
    let err = case
        .execute(
            CaseCommand::AdvanceReferral {
                referral: id,
                to: ReferralStatus::Completed,
                on: start(),
                note: None,
                consent_override: None,
            },
            &ctx_on(start()),
        )
        .unwrap_err();
    assert_eq!(err.code(), "illegal_status_transition");
    let consent = CaseCommand::GiveConsent {
        id: ConsentId::from_u128(5),
        organisation: IOM,
        categories: [DataCategory::Return].into(),
        purpose: text("Vertrekondersteuning"),
        given_on: start(),
    };
    run(&mut case, &mut log, consent, start());
    run(
        &mut case,
        &mut log,
        CaseCommand::AdvanceReferral {
            referral: id,
            to: ReferralStatus::Sent,
            on: start(),
            note: None,
            consent_override: None,
        },
        start(),
    );
    assert_eq!(case.unanswered_referrals(later(start(), 14), 14).count(), 0);
    assert_eq!(case.unanswered_referrals(later(start(), 15), 14).count(), 1);
    let on = later(start(), 15);
    run(
        &mut case,
        &mut log,
        CaseCommand::AdvanceReferral {
            referral: id,
            to: ReferralStatus::Accepted,
            on,
            note: None,
            consent_override: None,
        },
        on,
    );
    assert_eq!(case.unanswered_referrals(later(start(), 30), 14).count(), 0);
    let r = case.referrals().next().unwrap();
    assert_eq!(
        r.history.iter().map(|s| s.status).collect::<Vec<_>>(),
        [ReferralStatus::Proposed, ReferralStatus::Sent, ReferralStatus::Accepted]
    );
}

#[test]
fn the_direction_changes_are_dated_and_reasoned_and_return_is_voluntary() {
    let (mut case, mut log) = oriented();
    let on = start();
    let err = case
        .execute(CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on, reasoning: text("r") }, &ctx_on(on))
        .unwrap_err();
    assert_eq!(err.code(), "return_direction_without_consideration");
    run(
        &mut case,
        &mut log,
        CaseCommand::ChangeDirection { to: Direction::LegalProcedureNl, on, reasoning: text("Nieuwe feiten") },
        on,
    );
    assert_eq!(
        case.execute(
            CaseCommand::ChangeDirection { to: Direction::LegalProcedureNl, on, reasoning: text("x") },
            &ctx_on(on)
        )
        .unwrap_err()
        .code(),
        "direction_unchanged"
    );
    run(&mut case, &mut log, CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on, note: None }, on);
    run(
        &mut case,
        &mut log,
        CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on, reasoning: text("Procedure kansloos") },
        on,
    );
    let history = case.direction_history();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[1].from, history[1].to, history[1].on),
        (Direction::LegalProcedureNl, Direction::ReturnToOrigin, on)
    );
    assert_eq!(history[1].reasoning.as_str(), "Procedure kansloos");
    // The person cannot be recorded as rejecting return while the plan aims at it.
    let err = case
        .execute(CaseCommand::RecordReturnStance { stance: ReturnStance::NotConsidering, on, note: None }, &ctx_on(on))
        .unwrap_err();
    assert_eq!(err.code(), "return_direction_without_consideration");
    // A plan revision records the direction in force.
    run(&mut case, &mut log, revise(), on);
    assert_eq!(case.plan_revisions()[0].direction, Direction::ReturnToOrigin);
}

#[test]
fn an_outflow_ends_the_trajectory_and_only_aftercare_remains() {
    let (mut case, mut log) = with_agreed_plan();
    run(
        &mut case,
        &mut log,
        CaseCommand::GiveConsent {
            id: ConsentId::from_u128(1),
            organisation: IOM,
            categories: [DataCategory::Return].into(),
            purpose: text("Terugkeer"),
            given_on: start(),
        },
        start(),
    );
    let on = later(start(), 60);
    let events = run(
        &mut case,
        &mut log,
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::DepartedIndependentlySupervised, on, note: None },
        on,
    );
    assert_eq!(events.len(), 2);
    assert_eq!(case.phase(), Phase::Closed);
    assert_eq!(case.limit_status(on, 84), None);
    let after = later(on, 30);
    let before = case.clone();
    for refused in [
        goal(9, later(after, 10)),
        revise(),
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: after, note: None },
        CaseCommand::LogContact(contact(5, after, ContactKind::IndividualTalk, &[ActivityCode::SocialGuidance])),
    ] {
        let name = refused.name();
        let err = case.execute(refused, &ctx_on(after)).unwrap_err();
        assert_eq!(
            err,
            DomainError::TrajectoryClosed { action: name.into(), outflow_on: Some(on), dated: Some(after) }
        );
    }
    assert_eq!(case, before);
    // Aftercare and the person's rights still work.
    run(
        &mut case,
        &mut log,
        CaseCommand::LogContact(contact(6, after, ContactKind::Monitoring, &[ActivityCode::RecordKeeping])),
        after,
    );
    run(&mut case, &mut log, CaseCommand::WithdrawConsent { consent: ConsentId::from_u128(1), on: after }, after);
    assert!(!case.consents()[0].is_active_on(after));
    assert_eq!(case.outflow().unwrap().outcome.durability(), Durability::Durable);
}

#[test]
fn a_progress_report_is_recorded_with_its_period() {
    let (mut case, mut log) = registered();
    let on = later(start(), 40);
    let cmd = |from, to| CaseCommand::RecordProgressReport {
        id: ReportId::from_u128(1),
        period_from: from,
        period_to: to,
        sent_to: GEMEENTE,
        sent_on: None,
    };
    let err = case.execute(cmd(on, start()), &ctx_on(on)).unwrap_err();
    assert!(err.violations().unwrap().has("period_to"));
    // The report shares the case with the municipality: not without its consent for reports.
    let err = case.execute(cmd(start(), on), &ctx_on(on)).unwrap_err();
    assert_eq!(err, DomainError::ConsentRequired { organisation: GEMEENTE, category: DataCategory::Reports });
    assert!(case.reports().is_empty());
    let consent = |id, categories: &[DataCategory]| CaseCommand::GiveConsent {
        id: ConsentId::from_u128(id),
        organisation: GEMEENTE,
        categories: categories.iter().copied().collect(),
        purpose: text("Voortgangsrapportage"),
        given_on: start(),
    };
    run(&mut case, &mut log, consent(7, &[DataCategory::Guidance]), on);
    let err = case.execute(cmd(start(), on), &ctx_on(on)).unwrap_err();
    assert_eq!(err.code(), "consent_required", "a consent for other categories does not cover reports");
    run(&mut case, &mut log, consent(8, &[DataCategory::Reports]), on);
    let events = run(&mut case, &mut log, cmd(start(), on), on);
    assert_eq!(events[0].change.activities(), vec![ActivityCode::Reporting]);
    assert_eq!(events[0].change.category(), DataCategory::Reports);
    assert_eq!(case.reports()[0].sent_to, GEMEENTE);
}

#[test]
fn replaying_the_events_rebuilds_the_same_case_and_gaps_are_refused() {
    let (mut case, mut log) = with_agreed_plan();
    run(&mut case, &mut log, goal(1, later(start(), 20)), start());
    run(
        &mut case,
        &mut log,
        CaseCommand::LogContact(contact(1, start(), ContactKind::Phone, &[ActivityCode::KeepPlanCurrent])),
        start(),
    );
    assert_eq!(Case::replay(&log).unwrap(), case);
    let mut gap = log.clone();
    gap.remove(2);
    assert_eq!(Case::replay(&gap).unwrap_err().code(), "invalid_input");
    assert!(Case::replay(&log[1..]).is_err(), "a case starts with its registration");
}

#[test]
fn events_serialise_to_json_and_back() {
    let (mut case, mut log) = with_agreed_plan();
    run(&mut case, &mut log, goal(1, later(start(), 20)), start());
    let json = serde_json::to_string(&log).unwrap();
    let back: Vec<CaseEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, log);
    assert_eq!(serde_json::to_value(&log[0].change).unwrap()["change"], "registered");
}

#[test]
fn the_access_scope_follows_assignment_and_consent() {
    let (mut case, mut log) = registered();
    let colleague = Actor {
        user: UserId::from_u128(2),
        organisation: OrganisationId::from_u128(100),
        role: Role::ProjectWorker,
        grant: perspectief_core::access::Grant::NONE,
    };
    fn guidance(case: &Case) -> Resource<'_> {
        Resource::CaseData { scope: case.scope(), category: DataCategory::Guidance }
    }
    assert!(!POLICY.decide(&colleague, Action::Update, &guidance(&case), start()).is_allowed());
    run(&mut case, &mut log, CaseCommand::AssignProjectWorker { worker: colleague.user, on: None }, start());
    assert_eq!(
        POLICY.decide(&colleague, Action::Update, &guidance(&case), start()),
        Decision::Allowed { basis: Basis::Assignment }
    );
}

#[test]
fn a_contact_logged_again_under_its_id_with_the_same_content_changes_nothing() {
    let (mut case, mut log) = registered();
    let mut c = contact(1, start(), ContactKind::IndividualTalk, &[ActivityCode::SocialGuidance]);
    c.agreements = vec![NewAgreement {
        id: AgreementId::from_u128(1),
        description: text("Meenemen geboorteakte"),
        due_on: later(start(), 7),
        who_acts: Responsible::Participant,
    }];
    run(&mut case, &mut log, CaseCommand::LogContact(c.clone()), start());
    let before = case.clone();
    // A retry after a lost answer: the same id and content, answered without a change.
    let again = case.execute(CaseCommand::LogContact(c.clone()), &ctx_on(start())).unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(case, before);
    assert_eq!(case.contacts().count(), 1);
    // The same id with other content is another record: refused, naming the id.
    let mut other = c.clone();
    other.summary = text("Een ander gesprek (synthetisch).");
    let err = case.execute(CaseCommand::LogContact(other), &ctx_on(start())).unwrap_err();
    assert!(err.violations().unwrap().has("id"), "{err}");
    let mut other_agreement = c;
    other_agreement.agreements[0].due_on = later(start(), 8);
    let err = case.execute(CaseCommand::LogContact(other_agreement), &ctx_on(start())).unwrap_err();
    assert!(err.violations().unwrap().has("id"), "{err}");
    assert_eq!(case, before);
}
