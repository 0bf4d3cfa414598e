//! Effective dates: records entered after the day they happened are dated that day, the rules
//! are checked against those days, and a late entry that contradicts a later fact is refused,
//! naming it.

use perspectief_core::*;

use crate::support::*;

/// The day the worker catches up on their records.
fn may() -> chrono::NaiveDate {
    day(2026, 5, 11)
}

fn refused_field(err: &DomainError, field: &str) -> FieldViolation {
    err.violations()
        .and_then(|v| v.iter().find(|f| f.field == field).cloned())
        .unwrap_or_else(|| panic!("expected a violation of {field}, got {err}"))
}

fn revise_on(on: chrono::NaiveDate) -> CaseCommand {
    CaseCommand::RevisePlan { personal_situation: text("Situatie."), perspective: text("Perspectief."), on: Some(on) }
}

fn goal_set_on(id: u128, set_on: chrono::NaiveDate, deadline: chrono::NaiveDate) -> CaseCommand {
    match goal(id, deadline) {
        CaseCommand::SetGoal(g) => CaseCommand::SetGoal(NewGoal { set_on: Some(set_on), ..g }),
        _ => unreachable!(),
    }
}

#[test]
fn a_plan_drawn_up_in_march_and_entered_in_may_is_dated_march_and_agreed_from_then() {
    let (mut case, mut log) = registered();
    let events = run(&mut case, &mut log, revise_on(day(2026, 3, 3)), may());
    let CaseChange::PlanRevised(r) = &events[0].change else { panic!("not a revision") };
    assert_eq!(r.drawn_up_on, day(2026, 3, 3));
    assert_eq!(r.drawn_up_at, noon(may()), "the recorded moment stays apart");
    let err = case.execute(CaseCommand::AgreePlan { revision: 1, on: day(2026, 3, 2) }, &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "on").code, ViolationCode::BeforeDrawnUp);
    run(&mut case, &mut log, CaseCommand::AgreePlan { revision: 1, on: day(2026, 3, 5) }, may());
    assert_eq!(case.phase(), Phase::PlanExecution);
    // A revision dated before the latest one would not be the latest: refused, naming it.
    let err = case.execute(revise_on(day(2026, 3, 2)), &ctx_on(may())).unwrap_err();
    let v = refused_field(&err, "on");
    assert_eq!(v.code, ViolationCode::ContradictsLaterFact);
    assert_eq!(LaterFact::from_message(&v.message), Some(("plan_revised".to_owned(), day(2026, 3, 3))));
}

#[test]
fn nothing_in_the_future_and_nothing_before_registration() {
    let (mut case, _) = registered();
    let err = case.execute(revise_on(later(may(), 1)), &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "on").code, ViolationCode::DateInFuture);
    let err = case.execute(revise_on(day(2026, 3, 1)), &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "on").code, ViolationCode::DateBeforeRegistration);
    let propose = CaseCommand::ProposeReferral {
        id: ReferralId::from_u128(5),
        partner: IOM,
        domain: PartnerDomain::Return,
        reason: text("Verkenning."),
        on: Some(day(2026, 2, 27)),
    };
    let err = case.execute(propose, &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "on").code, ViolationCode::DateBeforeRegistration);
}

#[test]
fn a_goal_set_in_march_with_an_april_deadline_can_be_entered_in_may() {
    let (mut case, mut log) = registered();
    run(&mut case, &mut log, revise_on(start()), may());
    let events = run(&mut case, &mut log, goal_set_on(1, day(2026, 3, 10), day(2026, 4, 1)), may());
    let CaseChange::GoalSet(g) = &events[0].change else { panic!("not a goal") };
    assert_eq!((g.set_on, g.plan_revision), (day(2026, 3, 10), 1));
    // The deadline is measured from the day the goal was set, not from today.
    let err = case.execute(goal_set_on(2, day(2026, 3, 10), day(2026, 3, 9)), &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "deadline").code, ViolationCode::InPast);
    // A goal belongs to the plan as it stood: none was drawn up before 2 March.
    let (mut early, mut early_log) = registered();
    run(&mut early, &mut early_log, revise_on(day(2026, 3, 20)), may());
    let err = early.execute(goal_set_on(3, day(2026, 3, 10), day(2026, 4, 1)), &ctx_on(may())).unwrap_err();
    assert_eq!(err.code(), "plan_required");
}

#[test]
fn a_missed_goal_resumes_with_a_deadline_after_the_old_one_and_not_before_the_status_day() {
    let (mut case, mut log) = registered();
    run(&mut case, &mut log, revise_on(start()), may());
    run(&mut case, &mut log, goal_set_on(1, day(2026, 3, 10), day(2026, 4, 1)), may());
    let goal = GoalId::from_u128(1);
    let missed =
        CaseCommand::ChangeGoalStatus { goal, to: GoalStatus::Missed, new_deadline: None, on: day(2026, 4, 5) };
    run(&mut case, &mut log, missed, may());
    let resume = |d| CaseCommand::ChangeGoalStatus {
        goal,
        to: GoalStatus::InProgress,
        new_deadline: Some(d),
        on: day(2026, 4, 10),
    };
    // After the old deadline but before the day it resumed: refused.
    assert_eq!(case.execute(resume(day(2026, 4, 8)), &ctx_on(may())).unwrap_err().code(), "deadline_not_moved");
    // In the past by now, but after the day it resumed: fine.
    run(&mut case, &mut log, resume(day(2026, 4, 20)), may());
    assert_eq!(case.goals().next().unwrap().deadline, day(2026, 4, 20));
}

#[test]
fn a_final_judgment_rests_on_the_plan_as_it_stood_that_day() {
    let (mut case, mut log) = registered();
    run(&mut case, &mut log, revise_on(day(2026, 3, 3)), may());
    run(&mut case, &mut log, CaseCommand::AgreePlan { revision: 1, on: day(2026, 3, 5) }, may());
    let judgment = |id, formed_on| CaseCommand::RecordJudgment {
        id: JudgmentId::from_u128(id),
        verdict: Verdict::ReturnNotRealisticNow,
        finality: Finality::Final,
        reasoning: text("Onderbouwing."),
        formed_on,
    };
    let err = case.execute(judgment(1, day(2026, 3, 4)), &ctx_on(may())).unwrap_err();
    assert_eq!(err.code(), "agreed_plan_required");
    let events = run(&mut case, &mut log, judgment(2, day(2026, 3, 6)), may());
    let CaseChange::JudgmentRecorded(j) = &events[0].change else { panic!("not a judgment") };
    assert_eq!(j.plan_revision, Some(1));
}

#[test]
fn a_referral_proposed_on_10_march_can_be_sent_on_10_march() {
    let (mut case, mut log) = registered();
    let referral = ReferralId::from_u128(5);
    run(
        &mut case,
        &mut log,
        CaseCommand::GiveConsent {
            id: ConsentId::from_u128(6),
            organisation: IOM,
            categories: [DataCategory::Return].into(),
            purpose: text("Terugkeerbegeleiding."),
            given_on: day(2026, 3, 9),
        },
        may(),
    );
    let propose = CaseCommand::ProposeReferral {
        id: referral,
        partner: IOM,
        domain: PartnerDomain::Return,
        reason: text("Verkenning."),
        on: Some(day(2026, 3, 10)),
    };
    run(&mut case, &mut log, propose, may());
    assert_eq!(case.referrals().next().unwrap().history[0].on, day(2026, 3, 10));
    let advance = |to, on| CaseCommand::AdvanceReferral { referral, to, on, note: None, consent_override: None };
    run(&mut case, &mut log, advance(ReferralStatus::Sent, day(2026, 3, 10)), may());
    let err = case.execute(advance(ReferralStatus::Accepted, day(2026, 3, 9)), &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "on").code, ViolationCode::BeforePreviousStep);
}

#[test]
fn a_departure_planned_in_the_past_can_be_recorded_afterwards_but_not_before_registration() {
    let (mut case, mut log) = registered();
    run(
        &mut case,
        &mut log,
        CaseCommand::LogContact(contact(1, start(), ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks])),
        start(),
    );
    let stance = CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: day(2026, 3, 4), note: None };
    run(&mut case, &mut log, stance, may());
    let plan = |on| CaseCommand::PlanDeparture { on: Some(on), accompany_to_schiphol: true };
    run(&mut case, &mut log, plan(day(2026, 4, 2)), may());
    assert_eq!(case.departure().unwrap().departure_on, Some(day(2026, 4, 2)));
    let err = case.execute(plan(day(2026, 2, 1)), &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "on").code, ViolationCode::DateBeforeRegistration);
}

#[test]
fn an_outflow_dated_before_a_later_judgment_is_refused_naming_it() {
    let december = day(2026, 12, 10);
    let (mut case, mut log) = registered();
    let judgment = CaseCommand::RecordJudgment {
        id: JudgmentId::from_u128(1),
        verdict: Verdict::ReturnNotRealisticNow,
        finality: Finality::Provisional,
        reasoning: text("Onderbouwing."),
        formed_on: day(2026, 12, 1),
    };
    run(&mut case, &mut log, judgment, december);
    let outflow = |on| CaseCommand::RecordOutflow { outcome: OutflowOutcome::NewAsylumApplication, on, note: None };
    let err = case.execute(outflow(day(2026, 6, 1)), &ctx_on(december)).unwrap_err();
    let v = refused_field(&err, "on");
    assert_eq!(v.code, ViolationCode::ContradictsLaterFact);
    assert!(v.message.contains("judgment_recorded on 2026-12-01"), "{}", v.message);
    run(&mut case, &mut log, outflow(day(2026, 12, 2)), december);
    assert_eq!(case.phase(), Phase::Closed);
}

#[test]
fn monitoring_is_not_dated_before_the_outflow() {
    let (mut case, mut log) = registered();
    let outflow = CaseCommand::RecordOutflow {
        outcome: OutflowOutcome::DepartedIndependentlySupervised,
        on: day(2026, 4, 1),
        note: None,
    };
    run(&mut case, &mut log, outflow, may());
    let monitoring =
        |on| CaseCommand::LogContact(contact(2, on, ContactKind::Monitoring, &[ActivityCode::RecordKeeping]));
    let err = case.execute(monitoring(day(2026, 3, 20)), &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "at").code, ViolationCode::ContradictsLaterFact);
    run(&mut case, &mut log, monitoring(day(2026, 4, 20)), may());
}

#[test]
fn a_late_stance_that_takes_away_the_basis_of_a_later_direction_is_refused_naming_it() {
    let (mut case, mut log) = oriented();
    let stance = |stance, on| CaseCommand::RecordReturnStance { stance, on, note: None };
    run(&mut case, &mut log, stance(ReturnStance::Considering, day(2026, 3, 5)), may());
    // A direction toward return needs the person to consider it: not before they said so.
    let direction =
        |on| CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on, reasoning: text("Wil terug.") };
    let err = case.execute(direction(day(2026, 3, 4)), &ctx_on(may())).unwrap_err();
    let v = refused_field(&err, "on");
    assert_eq!(LaterFact::from_message(&v.message), Some(("return_stance_recorded".to_owned(), day(2026, 3, 5))));
    run(&mut case, &mut log, direction(day(2026, 3, 10)), may());
    // Entered late: on 8 March they rejected return. The direction of 10 March rested on
    // considering it, so this contradicts it.
    let err = case.execute(stance(ReturnStance::NotConsidering, day(2026, 3, 8)), &ctx_on(may())).unwrap_err();
    let v = refused_field(&err, "stance");
    assert_eq!(v.code, ViolationCode::ContradictsLaterFact);
    assert_eq!(LaterFact::from_message(&v.message), Some(("direction_changed".to_owned(), day(2026, 3, 10))));
    // A stance dated before the current one would not be current: refused, naming it.
    let err = case.execute(stance(ReturnStance::Decided, day(2026, 3, 4)), &ctx_on(may())).unwrap_err();
    assert_eq!(
        LaterFact::from_message(&refused_field(&err, "on").message),
        Some(("return_stance_recorded".to_owned(), day(2026, 3, 5)))
    );
    assert_eq!(case.return_stance_on(), Some(day(2026, 3, 5)));
}

#[test]
fn agreements_reports_and_other_records_keep_their_day() {
    let (mut case, mut log) = registered();
    let add = |id, on, due_on| CaseCommand::AddAgreement {
        agreement: NewAgreement {
            id: AgreementId::from_u128(id),
            description: text("Paspoortfoto's laten maken."),
            due_on,
            who_acts: Responsible::Participant,
        },
        category: DataCategory::Guidance,
        on: Some(on),
    };
    run(&mut case, &mut log, add(1, day(2026, 3, 10), day(2026, 3, 20)), may());
    assert_eq!(case.agreements().next().unwrap().made_on, Some(day(2026, 3, 10)));
    let err = case.execute(add(2, day(2026, 3, 10), day(2026, 3, 9)), &ctx_on(may())).unwrap_err();
    assert_eq!(refused_field(&err, "due_on").code, ViolationCode::BeforeMade);
    let events = run(
        &mut case,
        &mut log,
        CaseCommand::ChangePhase { to: Phase::Orientation, reason: text("Start."), on: Some(day(2026, 3, 11)) },
        may(),
    );
    assert!(matches!(events[0].change, CaseChange::PhaseChanged { on: Some(d), .. } if d == day(2026, 3, 11)));
    let events = run(
        &mut case,
        &mut log,
        CaseCommand::AssignProjectWorker { worker: UserId::from_u128(2), on: Some(day(2026, 3, 12)) },
        may(),
    );
    assert!(matches!(events[0].change, CaseChange::ProjectWorkerAssigned { on: Some(d), .. } if d == day(2026, 3, 12)));
    // Replaying gives the same case.
    assert_eq!(Case::replay(&log).unwrap(), case);
}

#[test]
fn a_progress_report_is_dated_the_day_it_was_sent_and_needs_the_consent_of_that_day() {
    let (mut case, mut log) = registered();
    run(
        &mut case,
        &mut log,
        CaseCommand::GiveConsent {
            id: ConsentId::from_u128(6),
            organisation: GEMEENTE,
            categories: [DataCategory::Reports].into(),
            purpose: text("Voortgangsrapportage."),
            given_on: day(2026, 4, 1),
        },
        may(),
    );
    let report = |id, sent_on| CaseCommand::RecordProgressReport {
        id: ReportId::from_u128(id),
        period_from: start(),
        period_to: day(2026, 3, 31),
        sent_to: GEMEENTE,
        sent_on: Some(sent_on),
    };
    // On 31 March the consent had not been given yet.
    assert_eq!(case.execute(report(1, day(2026, 3, 31)), &ctx_on(may())).unwrap_err().code(), "consent_required");
    let events = run(&mut case, &mut log, report(2, day(2026, 4, 2)), may());
    let CaseChange::ProgressReportSent(r) = &events[0].change else { panic!("not a report") };
    assert_eq!((r.sent_on, r.sent_at), (day(2026, 4, 2), noon(may())));
}

#[test]
fn events_stored_before_effective_dates_read_with_the_day_they_were_recorded() {
    // Late in the evening (UTC) is the next day in Amsterdam.
    let recorded = chrono::DateTime::parse_from_rfc3339("2026-03-02T23:30:00Z").unwrap().to_utc();
    let (mut case, mut log) = registered();
    let ctx = CommandContext::at(WORKER, recorded);
    for cmd in [revise(), goal(1, day(2026, 4, 1))] {
        log.extend(case.execute(cmd, &ctx).unwrap());
    }
    let add = CaseCommand::AddAgreement {
        agreement: NewAgreement {
            id: AgreementId::from_u128(3),
            description: text("Afspraak."),
            due_on: day(2026, 4, 1),
            who_acts: Responsible::Participant,
        },
        category: DataCategory::Guidance,
        on: None,
    };
    log.extend(case.execute(add, &ctx).unwrap());
    // Stored as before: without the effective dates.
    let old: Vec<CaseEvent> = log
        .iter()
        .map(|e| {
            let mut json = serde_json::to_value(e).unwrap();
            let change = json["change"].as_object_mut().unwrap();
            change.remove("drawn_up_on");
            change.remove("set_on");
            if let Some(a) = change.get_mut("agreement").and_then(|a| a.as_object_mut()) {
                a.remove("made_on");
            }
            serde_json::from_value(json).unwrap()
        })
        .collect();
    let replayed = Case::replay(&old).unwrap();
    let amsterdam = day(2026, 3, 3);
    assert_eq!(replayed.plan_revisions()[0].drawn_up_on, amsterdam);
    assert_eq!(replayed.goals().next().unwrap().set_on, amsterdam);
    assert_eq!(replayed.agreements().next().unwrap().made_on, Some(amsterdam));
    let report = serde_json::json!({
        "id": ReportId::from_u128(1), "period_from": "2026-01-01", "period_to": "2026-03-01",
        "sent_at": "2026-03-02T23:30:00Z", "sent_to": GEMEENTE, "sent_by": WORKER,
    });
    let report: outflow::ProgressReportRecord = serde_json::from_value(report).unwrap();
    assert_eq!(report.sent_on, amsterdam);
}

#[test]
fn a_referral_sent_before_the_consent_was_given_needs_the_override_though_a_consent_covers_it_now() {
    let (mut case, mut log) = registered();
    let referral = ReferralId::from_u128(5);
    let propose = CaseCommand::ProposeReferral {
        id: referral,
        partner: IOM,
        domain: PartnerDomain::Return,
        reason: text("Verkenning."),
        on: Some(day(2026, 3, 10)),
    };
    run(&mut case, &mut log, propose, may());
    let consent = CaseCommand::GiveConsent {
        id: ConsentId::from_u128(6),
        organisation: IOM,
        categories: [DataCategory::Return].into(),
        purpose: text("Terugkeerbegeleiding."),
        given_on: day(2026, 3, 20),
    };
    run(&mut case, &mut log, consent, may());
    let send = CaseCommand::AdvanceReferral {
        referral,
        to: ReferralStatus::Sent,
        on: day(2026, 3, 12),
        note: None,
        consent_override: Some(text("Spoed.")),
    };
    // Sent on 12 March, before the consent of 20 March: on the override alone, so the adapter
    // must check that the caller may override, and record it for review.
    assert!(case.consent_override_request(&send).is_some());
    let events = run(&mut case, &mut log, send, may());
    assert!(matches!(&events[0].change, CaseChange::ReferralAdvanced { consent: None, consent_override: Some(_), .. }));
}

/// Monday 1 June, Wednesday 3 June (the outflow), Thursday 4, Friday 5 June (the day the
/// worker records).
fn week() -> [chrono::NaiveDate; 4] {
    [day(2026, 6, 1), day(2026, 6, 3), day(2026, 6, 4), day(2026, 6, 5)]
}

fn closed(action: &'static str, outflow_on: chrono::NaiveDate, dated: Option<chrono::NaiveDate>) -> DomainError {
    DomainError::TrajectoryClosed { action: action.into(), outflow_on: Some(outflow_on), dated }
}

#[test]
fn a_talk_of_monday_entered_on_friday_after_wednesdays_outflow_is_recorded_and_the_case_stays_closed() {
    let [monday, wednesday, thursday, friday] = week();
    // Still in intake: an orientation talk and an agreed plan would each move the phase.
    let (mut case, mut log) = registered();
    let outflow =
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::NewAsylumApplication, on: wednesday, note: None };
    run(&mut case, &mut log, outflow, wednesday);
    assert_eq!(case.phase(), Phase::Closed);

    let talk = |id, on| {
        CaseCommand::LogContact(contact(id, on, ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks]))
    };
    let events = run(&mut case, &mut log, talk(1, monday), friday);
    assert_eq!(events.len(), 1, "the talk only, no phase change: {events:?}");
    assert_eq!(case.phase(), Phase::Closed);
    // A plan of Monday, agreed on Monday: recorded, the phase stays closed.
    run(&mut case, &mut log, revise_on(monday), friday);
    let events = run(&mut case, &mut log, CaseCommand::AgreePlan { revision: 1, on: monday }, friday);
    assert!(events.iter().all(|e| !matches!(e.change, CaseChange::PhaseChanged { .. })), "{events:?}");
    assert_eq!(case.plan_revisions()[0].agreed_on, Some(monday));
    // On the outflow day itself: still the trajectory's.
    run(&mut case, &mut log, talk(2, wednesday), friday);
    run(&mut case, &mut log, goal_set_on(3, wednesday, later(wednesday, 14)), friday);
    assert_eq!(case.phase(), Phase::Closed);
    assert_eq!(case.outflow().unwrap().on, wednesday);
    assert!(case.latest_fact().is_some_and(|f| f.on <= wednesday), "nothing of the trajectory after its end");
    assert_eq!(case.overdue_goals(later(wednesday, 60)).count(), 0, "a closed case stays off the worklist");
    assert_eq!(Case::replay(&log).unwrap(), case, "replay equals the live state");

    // The activity counts by its day: in a report over that week, on Monday, as 5.2.a(2).
    let report = report::ProgressReport::generate(&view::CaseView::whole(&case), monday, friday);
    let line = report.contacts.iter().find(|c| c.id == ContactId::from_u128(1)).unwrap();
    assert_eq!((line.on, line.activities.clone()), (monday, vec![ActivityCode::OrientationTalks]));

    // Dated after the outflow: refused, naming the outflow and the date given.
    let before = case.clone();
    let err = case.execute(talk(4, thursday), &ctx_on(friday)).unwrap_err();
    assert_eq!(err, closed("log_contact", wednesday, Some(thursday)));
    assert!(err.to_string().contains("2026-06-03") && err.to_string().contains("2026-06-04"), "{err}");
    // Without a date a command is dated today, after the outflow.
    let err = case.execute(goal(5, later(friday, 7)), &ctx_on(friday)).unwrap_err();
    assert_eq!(err, closed("set_goal", wednesday, Some(friday)));
    // What steers the trajectory ends with it, whatever its date.
    for (cmd, dated) in [
        (CaseCommand::ChangePhase { to: Phase::Orientation, reason: text("Heropend."), on: Some(monday) }, monday),
        (CaseCommand::AssignProjectWorker { worker: UserId::from_u128(2), on: Some(monday) }, monday),
        (CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: monday, note: None }, monday),
    ] {
        let name = cmd.name();
        assert_eq!(case.execute(cmd, &ctx_on(friday)).unwrap_err(), closed(name, wednesday, Some(dated)));
    }
    // An act of recording without a date of its own keeps the rule of before.
    let err = case.execute(CaseCommand::SetReportingSchedule { every_months: 2 }, &ctx_on(friday)).unwrap_err();
    assert_eq!(err, closed("set_reporting_schedule", wednesday, None));
    assert_eq!(case, before, "a refusal changes nothing");
}

#[test]
fn a_late_entry_before_the_outflow_is_decided_like_any_late_entry() {
    let [monday, wednesday, _, friday] = week();
    let (mut case, mut log) = with_agreed_plan();
    run(&mut case, &mut log, goal_set_on(1, monday, later(monday, 30)), monday);
    let outflow =
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::MovedToOtherShelter, on: wednesday, note: None };
    run(&mut case, &mut log, outflow, wednesday);
    // The rules of the day apply: a status change before the goal was set is still refused ...
    let status = |on| CaseCommand::ChangeGoalStatus {
        goal: GoalId::from_u128(1),
        to: GoalStatus::Achieved,
        new_deadline: None,
        on,
    };
    let err = case.execute(status(monday.pred_opt().unwrap()), &ctx_on(friday)).unwrap_err();
    assert_eq!(refused_field(&err, "on").code, ViolationCode::BeforeSet);
    // ... and on Tuesday it is recorded.
    run(&mut case, &mut log, status(later(monday, 1)), friday);
    assert_eq!(case.goal(GoalId::from_u128(1)).unwrap().status, GoalStatus::Achieved);
    // The return track's rules too: no direction toward return the person did not consider.
    let direction =
        CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on: monday, reasoning: text("Terug.") };
    assert_eq!(case.execute(direction, &ctx_on(friday)).unwrap_err().code(), "return_direction_without_consideration");
    assert_eq!(case.phase(), Phase::Closed);
    assert_eq!(Case::replay(&log).unwrap(), case);
}

/// A refusal discloses no more than a read: the closed trajectory's outflow day (and the date
/// refused beside it) is named only to a reader whose view shows the outflow. A chain partner
/// without consent, or a reader of a medical outflow without the medical category, learns only
/// that the trajectory has ended.
#[test]
fn a_closed_trajectorys_refusal_names_the_outflow_only_to_a_reader_who_may_see_it() {
    let [_, wednesday, thursday, friday] = week();
    let (mut case, mut log) = registered();
    let outflow =
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::DeparturePostponedMedical, on: wednesday, note: None };
    run(&mut case, &mut log, outflow, wednesday);
    let talk =
        CaseCommand::LogContact(contact(9, thursday, ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks]));
    let err = case.execute(talk, &ctx_on(friday)).unwrap_err();
    assert_eq!(err, closed("log_contact", wednesday, Some(thursday)));

    let staff = Actor { user: WORKER, organisation: FOUNDATION, role: Role::ProjectWorker, grant: Grant::NONE };
    assert_eq!(app::refusal_for(&POLICY, &staff, &case, friday, err.clone()), err, "the worker sees the outflow");
    let partner =
        Actor { user: UserId::from_u128(0x10), organisation: IOM, role: Role::ChainPartner, grant: Grant::NONE };
    assert_eq!(
        app::refusal_for(&POLICY, &partner, &case, friday, err.clone()),
        DomainError::TrajectoryClosed { action: "log_contact".into(), outflow_on: None, dated: None },
        "a partner who may not read the case learns no date"
    );
    // Other refusals pass unchanged.
    let other = DomainError::RuleViolated { rule: Rule::PlanRequired };
    assert_eq!(app::refusal_for(&POLICY, &partner, &case, friday, other.clone()), other);
}
