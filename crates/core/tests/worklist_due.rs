//! The worklist's and the agenda's rules of #17: goals due soon, final judgments not yet
//! communicated (per recipient), progress reports due by the participant's reporting schedule;
//! each on a given day, so the list of a past day shows what was due that day.

use chrono::NaiveDate;
use perspectief_core::case::DEFAULT_REPORTING_MONTHS;
use perspectief_core::*;

use crate::support::*;

fn report(id: u128, on: NaiveDate) -> CaseCommand {
    CaseCommand::RecordProgressReport {
        id: ReportId::from_u128(id),
        period_from: start(),
        period_to: on,
        sent_to: GEMEENTE,
        sent_on: None,
    }
}

fn consent_for(case: &mut Case, log: &mut Vec<CaseEvent>, org: OrganisationId, category: DataCategory) {
    let id = ConsentId::from_u128(500 + u128::from(log.len() as u64));
    let cmd = CaseCommand::GiveConsent {
        id,
        organisation: org,
        categories: [category].into(),
        purpose: text("Rapportage"),
        given_on: start(),
    };
    run(case, log, cmd, start());
}

#[test]
fn goals_due_soon_are_those_pursued_with_a_deadline_in_the_window() {
    let (mut case, mut log) = registered();
    run(&mut case, &mut log, revise(), start());
    run(&mut case, &mut log, goal(1, later(start(), 10)), start());
    run(&mut case, &mut log, goal(2, later(start(), 20)), start());
    let due: Vec<GoalId> = case.goals_due_within(start(), service::DEFAULT_GOAL_DUE_DAYS).map(|g| g.id).collect();
    assert_eq!(due, vec![GoalId::from_u128(1)]);
    // On a later day the second comes into the window and the first is overdue, not due.
    let on = later(start(), 11);
    let due: Vec<GoalId> = case.goals_due_within(on, 14).map(|g| g.id).collect();
    assert_eq!(due, vec![GoalId::from_u128(2)]);
    assert_eq!(case.overdue_goals(on).map(|g| g.id).collect::<Vec<_>>(), vec![GoalId::from_u128(1)]);
}

#[test]
fn a_progress_report_is_due_three_months_after_registration_then_after_each_report() {
    let (mut case, mut log) = registered();
    let first_due = day(2026, 6, 2);
    assert_eq!(case.reporting_every_months(), DEFAULT_REPORTING_MONTHS);
    assert_eq!(case.progress_report_due(day(2026, 5, 25), 7), None, "nine days ahead: not yet");
    assert_eq!(case.progress_report_due(day(2026, 5, 26), 7), Some(first_due));
    assert_eq!(case.progress_report_due(day(2026, 7, 1), 7), Some(first_due), "overdue stays listed");
    consent_for(&mut case, &mut log, GEMEENTE, DataCategory::Reports);
    let sent = day(2026, 7, 1);
    run(&mut case, &mut log, report(1, sent), sent);
    assert_eq!(case.progress_report_due(sent, 7), None, "the report resets the clock");
    assert_eq!(case.progress_report_due(day(2026, 9, 25), 7), Some(day(2026, 10, 1)));
    // The list of a past day shows what was due then: the report sent later does not count.
    assert_eq!(case.progress_report_due(day(2026, 6, 20), 7), Some(first_due));
    assert_eq!(case.progress_report_due(day(2026, 3, 1), 7), None, "before registration: nothing");
}

#[test]
fn a_report_recorded_late_resets_the_clock_on_the_day_it_was_sent() {
    let (mut case, mut log) = registered();
    consent_for(&mut case, &mut log, GEMEENTE, DataCategory::Reports);
    let sent = day(2026, 6, 1);
    let cmd = CaseCommand::RecordProgressReport {
        id: ReportId::from_u128(1),
        period_from: start(),
        period_to: sent,
        sent_to: GEMEENTE,
        sent_on: Some(sent),
    };
    // Entered two months after it went out: the next is due three months after the sending.
    run(&mut case, &mut log, cmd, day(2026, 8, 3));
    assert_eq!(case.report_periods()[1].from, sent);
    assert_eq!(case.progress_report_due(day(2026, 8, 3), 7), None);
    assert_eq!(case.progress_report_due(day(2026, 8, 25), 7), Some(day(2026, 9, 1)));
}

#[test]
fn the_reporting_schedule_is_set_per_participant_within_a_year() {
    let (mut case, mut log) = registered();
    for bad in [0, 13] {
        let err = case.execute(CaseCommand::SetReportingSchedule { every_months: bad }, &ctx_on(start())).unwrap_err();
        let v = err.violations().unwrap();
        assert!(v.has("every_months"), "{v}");
        assert_eq!(v.iter().next().unwrap().code.code(), "out_of_range");
    }
    let events = run(&mut case, &mut log, CaseCommand::SetReportingSchedule { every_months: 1 }, start());
    assert_eq!(events[0].change.kind(), "reporting_schedule_set");
    assert_eq!(events[0].change.activities(), vec![ActivityCode::RecordKeeping]);
    assert_eq!(case.reporting_schedule(), Some(1));
    assert_eq!(case.progress_report_due(day(2026, 4, 1), 1), Some(day(2026, 4, 2)));
    // The same schedule again changes nothing.
    assert!(run(&mut case, &mut log, CaseCommand::SetReportingSchedule { every_months: 1 }, start()).is_empty());
    assert_eq!(Case::replay(&log).unwrap(), case);
}

#[test]
fn a_final_judgment_is_listed_for_each_recipient_not_yet_told() {
    let (mut case, mut log) = with_agreed_plan();
    // A referral to IOM sent after the judgment: IOM should hear it from that day.
    run(
        &mut case,
        &mut log,
        CaseCommand::ProposeReferral {
            id: ReferralId::from_u128(3),
            partner: IOM,
            domain: PartnerDomain::Return,
            reason: text("Terugkeer"),
            on: None,
        },
        start(),
    );
    consent_for(&mut case, &mut log, IOM, DataCategory::Return);
    let formed = later(start(), 10);
    let provisional = JudgmentId::from_u128(1);
    let judgment = |id, finality| CaseCommand::RecordJudgment {
        id,
        verdict: Verdict::ReturnNotRealisticNow,
        finality,
        reasoning: text("Geen reisdocument te verkrijgen."),
        formed_on: formed,
    };
    run(&mut case, &mut log, judgment(provisional, Finality::Provisional), formed);
    assert!(case.uncommunicated_judgments(formed).is_empty(), "a provisional judgment is not listed");
    let id = JudgmentId::from_u128(2);
    run(&mut case, &mut log, judgment(id, Finality::Final), formed);
    let missing = |on| case.uncommunicated_judgments(on).iter().map(|e| (e.to, e.from)).collect::<Vec<_>>();
    assert_eq!(missing(formed), vec![(Recipient::Participant, formed), (Recipient::Municipality, formed)]);
    let sent = later(formed, 5);
    let send = CaseCommand::AdvanceReferral {
        referral: ReferralId::from_u128(3),
        to: ReferralStatus::Sent,
        on: sent,
        note: None,
        consent_override: None,
    };
    run(&mut case, &mut log, send, sent);
    let told = later(formed, 7);
    run(
        &mut case,
        &mut log,
        CaseCommand::RecordJudgmentCommunicated {
            judgment: id,
            to: Recipient::Participant,
            on: told,
            consent_override: None,
        },
        told,
    );
    let missing = |on| case.uncommunicated_judgments(on).iter().map(|e| (e.to, e.from)).collect::<Vec<_>>();
    assert_eq!(missing(told), vec![(Recipient::Municipality, formed), (Recipient::Partner(IOM), sent)]);
    // The list of a past day: before the participant was told, before IOM was involved.
    assert_eq!(missing(formed), vec![(Recipient::Participant, formed), (Recipient::Municipality, formed)]);
    assert_eq!(Case::replay(&log).unwrap(), case);
}

#[test]
fn the_agenda_names_goals_due_judgments_not_communicated_and_reports_due() {
    use perspectief_core::report::{AgendaQuery, agenda_reasons};
    let (mut case, mut log) = with_agreed_plan();
    // Contact kept recent, so only the reasons of this test show.
    let meeting = day(2026, 5, 27);
    let talk =
        CaseCommand::LogContact(contact(901, meeting, ContactKind::IndividualTalk, &[ActivityCode::SocialGuidance]));
    run(&mut case, &mut log, talk, meeting);
    let q = AgendaQuery::for_meeting(meeting);
    assert_eq!(agenda_reasons(&case, &q, None), vec![AgendaReason::ProgressReportDue], "due 2 June, within two weeks");
    run(&mut case, &mut log, goal(1, later(meeting, 10)), meeting);
    let judgment = CaseCommand::RecordJudgment {
        id: JudgmentId::from_u128(4),
        verdict: Verdict::ReturnNotRealisticNow,
        finality: Finality::Final,
        reasoning: text("Geen reisdocument te verkrijgen."),
        formed_on: meeting,
    };
    run(&mut case, &mut log, judgment, meeting);
    let reasons = agenda_reasons(&case, &q, None);
    assert!(
        reasons.ends_with(&[
            AgendaReason::GoalDueSoon,
            AgendaReason::JudgmentNotCommunicated,
            AgendaReason::ProgressReportDue
        ]),
        "{reasons:?}"
    );
    // A week earlier the report was not yet within the window, and nothing else was there.
    assert!(
        agenda_reasons(&case, &AgendaQuery::for_meeting(day(2026, 5, 10)), None)
            .iter()
            .all(|r| !matches!(r, AgendaReason::ProgressReportDue | AgendaReason::JudgmentNotCommunicated))
    );
}
