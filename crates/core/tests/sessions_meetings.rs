//! Information sessions with attendance and reach; chain meetings with termination advice.

use std::collections::BTreeSet;

use perspectief_core::meeting::ChainDecision;
use perspectief_core::*;

use crate::support::*;

fn session(date: chrono::NaiveDate) -> InformationSession {
    InformationSession::plan(
        PlanSession {
            id: SessionId::from_u128(1),
            date,
            topic: SessionTopic::Theme(Label::parse("Terugkeer en herintegratie").unwrap()),
            venue: Label::parse("WereldHuis").unwrap(),
            languages: BTreeSet::from([LanguageCode::parse("ar").unwrap(), LanguageCode::parse("ti").unwrap()]),
            facilitators: BTreeSet::new(),
            partner: Some(IOM),
        },
        &ctx_on(start()),
    )
    .unwrap()
    .0
}

#[test]
fn attendance_is_registered_once_the_session_took_place_and_reach_counts_everyone() {
    let day_of = later(start(), 7);
    let mut s = session(day_of);
    assert!(s.facilitators().contains(&WORKER));
    let attend = |p| SessionCommand::RegisterAttendance { participant: ParticipantId::from_u128(p) };
    assert_eq!(s.execute(attend(1), &ctx_on(start())).unwrap_err().code(), "session_not_yet_held");
    s.execute(attend(1), &ctx_on(day_of)).unwrap();
    s.execute(attend(2), &ctx_on(day_of)).unwrap();
    assert_eq!(s.execute(attend(2), &ctx_on(day_of)).unwrap_err().code(), "already_registered");
    s.execute(SessionCommand::SetUnregisteredHeadCount { count: 9 }, &ctx_on(day_of)).unwrap();
    assert_eq!(s.reach(), 11);
    s.execute(SessionCommand::RemoveAttendance { participant: ParticipantId::from_u128(2) }, &ctx_on(day_of)).unwrap();
    assert_eq!(s.reach(), 10);
    let err = s.execute(SessionCommand::Cancel { reason: text("ziek") }, &ctx_on(day_of)).unwrap_err();
    assert!(err.violations().unwrap().has("session"));
    assert_eq!(s.version(), 5);
}

#[test]
fn a_session_needs_a_language_and_a_cancelled_one_takes_nothing() {
    let err = InformationSession::plan(
        PlanSession {
            id: SessionId::from_u128(1),
            date: start(),
            topic: SessionTopic::Country(CountryCode::parse("AF").unwrap()),
            venue: Label::parse("Kantoor").unwrap(),
            languages: BTreeSet::new(),
            facilitators: BTreeSet::new(),
            partner: None,
        },
        &ctx_on(start()),
    )
    .unwrap_err();
    assert!(err.violations().unwrap().has("languages"));
    let mut s = session(later(start(), 7));
    s.execute(SessionCommand::Cancel { reason: text("Zaal niet beschikbaar") }, &ctx_on(start())).unwrap();
    assert!(s.is_cancelled());
    let err = s.execute(SessionCommand::Reschedule { date: later(start(), 14) }, &ctx_on(start())).unwrap_err();
    assert!(err.violations().unwrap().has("session"));
}

#[test]
fn a_chain_decision_needs_a_termination_advice() {
    let date = later(start(), 14);
    let (mut m, _) = ChainMeeting::schedule(MeetingId::from_u128(1), date, &ctx_on(start()));
    let p = ParticipantId::from_u128(7);
    m.execute(
        MeetingCommand::AddToAgenda { participant: p, reasons: vec![AgendaReason::LimitApproaching { days_left: 60 }] },
        &ctx_on(start()),
    )
    .unwrap();
    let advise = MeetingCommand::AdviseTermination {
        participant: p,
        advice: Advice::EndGuidance,
        reasoning: text("Geen medewerking"),
    };
    assert_eq!(
        m.execute(advise.clone(), &ctx_on(start())).unwrap_err().code(),
        "invalid_input",
        "not before the meeting"
    );
    let decision =
        MeetingCommand::RecordChainDecision { participant: p, decision: ChainDecision { adopted: true, note: None } };
    assert_eq!(m.execute(decision.clone(), &ctx_on(date)).unwrap_err().code(), "advice_required");
    m.execute(advise, &ctx_on(date)).unwrap();
    m.execute(decision, &ctx_on(date)).unwrap();
    m.execute(MeetingCommand::RecordTerminationTalk { participant: p, on: date }, &ctx_on(date)).unwrap();
    let item = m.items().next().unwrap();
    let t = item.termination.as_ref().unwrap();
    assert_eq!(
        (t.advice, t.decision.as_ref().unwrap().adopted, t.termination_talk_on),
        (Advice::EndGuidance, true, Some(date))
    );
    let unknown = MeetingCommand::RecordDiscussion {
        participant: ParticipantId::from_u128(99),
        information_supplied: None,
        decision: None,
    };
    assert_eq!(m.execute(unknown, &ctx_on(date)).unwrap_err().code(), "not_found");
}

#[test]
fn sessions_and_meetings_rebuild_from_their_events_and_carry_activity_codes() {
    let day_of = later(start(), 7);
    let (mut s, first) = InformationSession::plan(
        PlanSession {
            id: SessionId::from_u128(3),
            date: day_of,
            topic: SessionTopic::Country(CountryCode::parse("ER").unwrap()),
            venue: Label::parse("LVV West").unwrap(),
            languages: BTreeSet::from([LanguageCode::parse("ti").unwrap()]),
            facilitators: BTreeSet::new(),
            partner: None,
        },
        &ctx_on(start()),
    )
    .unwrap();
    let mut log = vec![first];
    log.push(s.execute(SessionCommand::Reschedule { date: later(start(), 9) }, &ctx_on(start())).unwrap());
    let err = s.execute(SessionCommand::Reschedule { date: start() }, &ctx_on(later(start(), 9))).unwrap_err();
    assert!(err.violations().unwrap().has("date"), "a session that took place is not moved");
    log.push(
        s.execute(
            SessionCommand::RegisterAttendance { participant: ParticipantId::from_u128(1) },
            &ctx_on(later(start(), 9)),
        )
        .unwrap(),
    );
    assert_eq!(s.date(), later(start(), 9));
    assert_eq!(InformationSession::replay(&log).unwrap(), s);
    assert!(log.iter().all(|e| e.change.activities() == vec![ActivityCode::InformationSessions]));

    let date = later(start(), 14);
    let (mut m, first) = ChainMeeting::schedule(MeetingId::from_u128(1), date, &ctx_on(start()));
    let p = ParticipantId::from_u128(7);
    let mut log = vec![first];
    log.push(
        m.execute(
            MeetingCommand::AddToAgenda { participant: p, reasons: vec![AgendaReason::TerminationAdviceDue] },
            &ctx_on(start()),
        )
        .unwrap(),
    );
    log.push(
        m.execute(
            MeetingCommand::AdviseTermination {
                participant: p,
                advice: Advice::Continue,
                reasoning: text("Werkt mee"),
            },
            &ctx_on(date),
        )
        .unwrap(),
    );
    assert_eq!(log[2].change.activities(), vec![ActivityCode::ProposeTermination]);
    assert_eq!(log[1].change.activities(), vec![ActivityCode::Evaluation]);
    assert_eq!(log[2].change.participant(), Some(p));
    log.push(
        m.execute(
            MeetingCommand::RecordChainDecision {
                participant: p,
                decision: ChainDecision { adopted: true, note: None },
            },
            &ctx_on(date),
        )
        .unwrap(),
    );
    let again = MeetingCommand::AdviseTermination { participant: p, advice: Advice::EndGuidance, reasoning: text("x") };
    assert_eq!(
        m.execute(again, &ctx_on(date)).unwrap_err().code(),
        "already_decided",
        "a decision is not wiped by new advice"
    );
    let early = MeetingCommand::RecordTerminationTalk { participant: p, on: start() };
    assert!(m.execute(early, &ctx_on(date)).unwrap_err().violations().unwrap().has("on"));
    assert_eq!(ChainMeeting::replay(&log).unwrap(), m);
}

/// A meeting on `date` with participant 7 on its agenda.
fn meeting_with_seven(date: chrono::NaiveDate) -> ChainMeeting {
    let (mut m, _) = ChainMeeting::schedule(MeetingId::from_u128(5), date, &ctx_on(start()));
    let p = ParticipantId::from_u128(7);
    m.execute(MeetingCommand::AddToAgenda { participant: p, reasons: vec![] }, &ctx_on(start())).unwrap();
    m
}

/// Execute a meeting command and hand its records to the case, as the application service does.
fn meet(m: &mut ChainMeeting, case: &mut Case, cmd: MeetingCommand, on: chrono::NaiveDate) -> Vec<CaseEvent> {
    m.execute(cmd.clone(), &ctx_on(on)).unwrap();
    let records = m.case_records(&cmd).map(|(_, r)| r).unwrap_or_default();
    case.record_chain_meeting(records, &ctx_on(on)).unwrap()
}

#[test]
fn a_discussion_reaches_the_case_once_per_meeting_under_3_2_f_on_the_meetings_day() {
    let (mut case, mut log) = oriented();
    let date = later(start(), 14);
    let mut m = meeting_with_seven(date);
    let p = ParticipantId::from_u128(7);
    let discuss = MeetingCommand::RecordDiscussion { participant: p, information_supplied: None, decision: None };
    let first = meet(&mut m, &mut case, discuss.clone(), later(date, 2));
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].change.activities(), vec![ActivityCode::Evaluation]);
    let CaseChange::ChainMeetingRecorded(r) = &first[0].change else { panic!("{:?}", first[0].change) };
    assert_eq!((r.meeting, r.on, r.step), (m.id(), date, ChainStep::Discussed), "booked on the meeting's day");
    assert!(meet(&mut m, &mut case, discuss, later(date, 2)).is_empty(), "discussed twice in one meeting: once");
    // An advice is a discussion too, already booked; the advice itself is 3.2.g.
    let advise = MeetingCommand::AdviseTermination { participant: p, advice: Advice::Continue, reasoning: text("x") };
    let advised = meet(&mut m, &mut case, advise, date);
    assert_eq!(
        advised.iter().map(|e| e.change.activities()).collect::<Vec<_>>(),
        vec![vec![ActivityCode::ProposeTermination]]
    );
    assert!(case.termination_advised());
    log.extend(first);
    log.extend(advised);
    assert_eq!(Case::replay(&log).unwrap(), case, "replay equals the live state");
}

#[test]
fn an_adopted_advice_to_end_guidance_moves_the_trajectory_to_termination_and_allows_the_chain_outflow() {
    let (mut case, mut log) = with_agreed_plan();
    let date = later(start(), 14);
    let mut m = meeting_with_seven(date);
    let p = ParticipantId::from_u128(7);
    let chain_outflow =
        || CaseCommand::RecordOutflow { outcome: OutflowOutcome::EndedByChainDecision, on: later(date, 3), note: None };
    assert_eq!(case.decide(chain_outflow(), &ctx_on(later(date, 3))).unwrap_err().code(), "adopted_advice_required");
    let advise =
        MeetingCommand::AdviseTermination { participant: p, advice: Advice::EndGuidance, reasoning: text("x") };
    log.extend(meet(&mut m, &mut case, advise, date));
    let talk = MeetingCommand::RecordTerminationTalk { participant: p, on: later(date, 1) };
    assert_eq!(
        m.execute(talk.clone(), &ctx_on(later(date, 1))).unwrap_err().code(),
        "adopted_advice_required",
        "no termination talk before the meeting adopted the advice"
    );
    assert_eq!(case.phase(), Phase::PlanExecution, "an advice alone moves nothing");
    let decide = |adopted| MeetingCommand::RecordChainDecision {
        participant: p,
        decision: ChainDecision { adopted, note: None },
    };
    let decided = meet(&mut m, &mut case, decide(true), date);
    let kinds: Vec<_> = decided.iter().map(|e| e.change.kind()).collect();
    assert_eq!(kinds, ["chain_meeting_recorded", "phase_changed"]);
    assert_eq!(case.phase(), Phase::Termination);
    assert!(case.adopted_termination().is_some_and(|r| r.meeting == m.id()));
    log.extend(decided);
    log.extend(meet(&mut m, &mut case, talk, later(date, 1)));
    assert_eq!(
        case.chain_meetings().last().map(|r| (r.step, r.on)),
        Some((ChainStep::TerminationTalkHeld, later(date, 1)))
    );
    run(&mut case, &mut log, chain_outflow(), later(date, 3));
    assert_eq!(Case::replay(&log).unwrap(), case);
}

#[test]
fn an_advice_not_adopted_or_to_continue_leaves_the_phase_and_refuses_the_chain_outflow() {
    for (advice, adopted) in [(Advice::EndGuidanceAndShelter, false), (Advice::Continue, true)] {
        let (mut case, _) = oriented();
        let date = later(start(), 14);
        let mut m = meeting_with_seven(date);
        let p = ParticipantId::from_u128(7);
        meet(
            &mut m,
            &mut case,
            MeetingCommand::AdviseTermination { participant: p, advice, reasoning: text("x") },
            date,
        );
        let decision = ChainDecision { adopted, note: None };
        let events = meet(&mut m, &mut case, MeetingCommand::RecordChainDecision { participant: p, decision }, date);
        assert_eq!(events.len(), 1, "{advice:?} {adopted}");
        assert_eq!(case.phase(), Phase::Orientation);
        assert!(case.adopted_termination().is_none());
        let talk = MeetingCommand::RecordTerminationTalk { participant: p, on: date };
        assert_eq!(m.execute(talk, &ctx_on(date)).unwrap_err().code(), "adopted_advice_required");
        let outflow =
            CaseCommand::RecordOutflow { outcome: OutflowOutcome::EndedByChainDecision, on: date, note: None };
        assert_eq!(case.decide(outflow, &ctx_on(date)).unwrap_err().code(), "adopted_advice_required");
    }
}

#[test]
fn an_adopted_advice_cannot_skip_intake_and_nothing_reaches_a_closed_case() {
    let (mut case, _) = registered();
    let date = later(start(), 14);
    let mut m = meeting_with_seven(date);
    let p = ParticipantId::from_u128(7);
    let advise =
        MeetingCommand::AdviseTermination { participant: p, advice: Advice::EndGuidance, reasoning: text("x") };
    meet(&mut m, &mut case, advise, date);
    let decide =
        MeetingCommand::RecordChainDecision { participant: p, decision: ChainDecision { adopted: true, note: None } };
    m.execute(decide.clone(), &ctx_on(date)).unwrap();
    let (_, records) = m.case_records(&decide).unwrap();
    let before = case.clone();
    assert_eq!(
        case.record_chain_meeting(records.clone(), &ctx_on(date)).unwrap_err().code(),
        "illegal_phase_transition"
    );
    assert_eq!(case, before, "nothing changes on a refusal");
    let outflow = CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: date, note: None };
    case.execute(outflow, &ctx_on(date)).unwrap();
    assert_eq!(case.record_chain_meeting(records, &ctx_on(date)).unwrap_err().code(), "trajectory_closed");
}

/// The minutes of Monday's chain meeting entered on Friday, after Wednesday's outflow: the
/// discussion and the advice are late entries and recorded, and the case stays closed; an
/// adopted advice to end guidance would move the trajectory and is refused, as is a meeting
/// held after the outflow.
#[test]
fn mondays_meeting_entered_on_friday_after_wednesdays_outflow_is_recorded_and_the_case_stays_closed() {
    let (mut case, _) = oriented();
    let monday = later(start(), 14);
    let (wednesday, friday) = (later(monday, 2), later(monday, 4));
    let outflow = CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: wednesday, note: None };
    case.execute(outflow, &ctx_on(wednesday)).unwrap();
    let p = ParticipantId::from_u128(7);
    let mut m = meeting_with_seven(monday);
    let discuss = MeetingCommand::RecordDiscussion { participant: p, information_supplied: None, decision: None };
    let events = meet(&mut m, &mut case, discuss, friday);
    assert_eq!(events.len(), 1);
    let CaseChange::ChainMeetingRecorded(r) = &events[0].change else { panic!("{:?}", events[0].change) };
    assert_eq!((r.on, r.step), (monday, ChainStep::Discussed));
    assert_eq!(events[0].change.effective_on(events[0].at), monday);
    let advise =
        MeetingCommand::AdviseTermination { participant: p, advice: Advice::EndGuidance, reasoning: text("x") };
    let events = meet(&mut m, &mut case, advise, friday);
    assert_eq!(events.len(), 1, "the discussion is booked already; the advice is new");
    assert_eq!(case.phase(), Phase::Closed);
    let decide =
        MeetingCommand::RecordChainDecision { participant: p, decision: ChainDecision { adopted: true, note: None } };
    m.execute(decide.clone(), &ctx_on(friday)).unwrap();
    let (_, records) = m.case_records(&decide).unwrap();
    let before = case.clone();
    let err = case.record_chain_meeting(records, &ctx_on(friday)).unwrap_err();
    assert_eq!(err.code(), "trajectory_closed", "an adopted advice would move a closed trajectory");
    assert_eq!(case, before, "nothing changes on a refusal");
    // Friday's own meeting comes after the outflow.
    let mut later_meeting = meeting_with_seven(friday);
    let discuss = MeetingCommand::RecordDiscussion { participant: p, information_supplied: None, decision: None };
    later_meeting.execute(discuss.clone(), &ctx_on(friday)).unwrap();
    let (_, records) = later_meeting.case_records(&discuss).unwrap();
    let err = case.record_chain_meeting(records, &ctx_on(friday)).unwrap_err();
    assert_eq!(err.code(), "trajectory_closed");
    assert_eq!(case, before);
}

#[test]
fn a_trajectory_past_its_limit_without_a_termination_advice_is_signalled_until_one_is_given() {
    use perspectief_core::report::{AgendaQuery, agenda_reasons};
    let (mut case, _) = oriented();
    let limit = case.trajectory().limit();
    assert_eq!(case.past_limit_without_advice(limit), None, "the limit day itself is still within it");
    let day = later(limit, 10);
    assert_eq!(case.past_limit_without_advice(day), Some(limit));
    let reasons = agenda_reasons(&case, &AgendaQuery::for_meeting(day), None);
    assert!(reasons.contains(&AgendaReason::PastLimitWithoutAdvice { days_over: 10 }), "{reasons:?}");
    // Advised to continue: an advice was given, so the signal ends (the limit itself stays).
    let mut m = meeting_with_seven(day);
    let p = ParticipantId::from_u128(7);
    meet(
        &mut m,
        &mut case,
        MeetingCommand::AdviseTermination { participant: p, advice: Advice::Continue, reasoning: text("x") },
        day,
    );
    assert_eq!(case.termination_advised_on(), Some(day));
    assert_eq!(case.past_limit_without_advice(later(day, 1)), None);
    let reasons = agenda_reasons(&case, &AgendaQuery::for_meeting(later(day, 1)), None);
    assert!(!reasons.iter().any(|r| matches!(r, AgendaReason::PastLimitWithoutAdvice { .. })), "{reasons:?}");
    assert!(reasons.iter().any(|r| matches!(r, AgendaReason::LimitApproaching { .. })));
}
