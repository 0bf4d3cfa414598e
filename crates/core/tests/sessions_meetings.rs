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
