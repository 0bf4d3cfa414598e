//! The chain-partner meeting (*ketenoverleg*, 3.2.f/g): every two weeks, people are discussed
//! with their realistic options, and the foundation advises on ending guidance and shelter.

use crate::ViolationCode;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::case::CommandContext;
use crate::error::{DomainError, EntityKind, Rule};
use crate::ids::{MeetingId, ParticipantId, UserId};
use crate::text::{Label, Text};

/// Why a person is on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum AgendaReason {
    /// A goal or agreement deadline passed.
    DeadlinePassed,
    /// No contact for this many days.
    NoContact {
        /// Days.
        days: i64,
    },
    /// The 18-month limit is this many days away (negative: passed).
    LimitApproaching {
        /// Days left.
        days_left: i64,
    },
    /// A return judgment is pending or changed.
    JudgmentPendingOrChanged,
    /// An obstacle has stalled.
    ObstacleStalled,
    /// A termination advice is due.
    TerminationAdviceDue,
    /// A goal still pursued is due soon.
    GoalDueSoon,
    /// A final return judgment has not been communicated to everyone it should reach.
    JudgmentNotCommunicated,
    /// A progress report to the municipality is due (or overdue).
    ProgressReportDue,
    /// The 18-month limit passed this many days ago and the foundation never advised a chain
    /// meeting on ending the trajectory.
    PastLimitWithoutAdvice {
        /// Days past the limit.
        days_over: i64,
    },
    /// Another reason.
    Other {
        /// Which.
        note: Label,
    },
}

/// The foundation's advice on ending guidance (3.2.g).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Advice {
    /// Continue guidance and shelter.
    Continue,
    /// End guidance.
    EndGuidance,
    /// End guidance and shelter.
    EndGuidanceAndShelter,
}

impl Advice {
    /// Whether the advice is to end guidance (with or without shelter): adopted, it moves the
    /// trajectory to termination.
    pub fn ends_guidance(self) -> bool {
        matches!(self, Self::EndGuidance | Self::EndGuidanceAndShelter)
    }
}

/// What a chain meeting did about one participant, as it reaches their case file: the
/// meeting's own record stays with the meeting (its notes and reasoning), the case keeps the
/// facts its rules and the subsidy accounting need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainMeetingRecord {
    /// The meeting.
    pub meeting: MeetingId,
    /// The day it happened: the meeting's date, or the termination talk's.
    pub on: NaiveDate,
    /// What happened.
    pub step: ChainStep,
}

/// One step of the chain meeting's work on a participant (3.2.f, 3.2.g).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ChainStep {
    /// The participant was discussed in the meeting (taking part in it: 3.2.f).
    Discussed,
    /// The foundation advised the meeting on ending guidance (3.2.g).
    TerminationAdvised {
        /// The advice.
        advice: Advice,
    },
    /// The meeting decided on the advice (3.2.g).
    ChainDecided {
        /// The advice decided on.
        advice: Advice,
        /// Whether the meeting adopted it.
        adopted: bool,
    },
    /// The termination talk with the participant took place (3.2.g).
    TerminationTalkHeld,
}

impl ChainMeetingRecord {
    /// An adopted advice to end guidance: what moves the trajectory to termination and what an
    /// outflow "ended by chain decision" rests on.
    pub fn is_adopted_termination(&self) -> bool {
        matches!(self.step, ChainStep::ChainDecided { advice, adopted: true } if advice.ends_guidance())
    }

    /// The activity code the step is accounted under: taking part in the meeting is 3.2.f,
    /// the advice, the decision on it and the termination talk 3.2.g.
    pub fn activity(&self) -> crate::activity::ActivityCode {
        match self.step {
            ChainStep::Discussed => crate::activity::ActivityCode::Evaluation,
            _ => crate::activity::ActivityCode::ProposeTermination,
        }
    }
}

/// The chain meeting's decision on an advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainDecision {
    /// Whether the meeting followed the advice.
    pub adopted: bool,
    /// Note on the decision.
    pub note: Option<Text>,
}

/// A termination advice with its reasoning, the decision and the termination talk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminationAdvice {
    /// The advice.
    pub advice: Advice,
    /// Why.
    pub reasoning: Text,
    /// The meeting's decision.
    pub decision: Option<ChainDecision>,
    /// When the termination talk with the person took place.
    pub termination_talk_on: Option<NaiveDate>,
}

/// One person on the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingItem {
    /// Who.
    pub participant: ParticipantId,
    /// Why on the agenda.
    pub reasons: Vec<AgendaReason>,
    /// What the foundation supplied.
    pub information_supplied: Option<Text>,
    /// What was decided.
    pub decision: Option<Text>,
    /// Termination advice, if given.
    pub termination: Option<TerminationAdvice>,
}

/// Commands on a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum MeetingCommand {
    /// Put a person on the agenda.
    AddToAgenda {
        /// Who.
        participant: ParticipantId,
        /// Why.
        reasons: Vec<AgendaReason>,
    },
    /// Record the discussion of a person (after the meeting started).
    RecordDiscussion {
        /// Who.
        participant: ParticipantId,
        /// Information supplied.
        information_supplied: Option<Text>,
        /// Decision.
        decision: Option<Text>,
    },
    /// Advise on ending guidance.
    AdviseTermination {
        /// Who.
        participant: ParticipantId,
        /// The advice.
        advice: Advice,
        /// Why.
        reasoning: Text,
    },
    /// Record the meeting's decision on the advice.
    RecordChainDecision {
        /// Who.
        participant: ParticipantId,
        /// The decision.
        decision: ChainDecision,
    },
    /// Record the termination talk with the person.
    RecordTerminationTalk {
        /// Who.
        participant: ParticipantId,
        /// When.
        on: NaiveDate,
    },
}

impl MeetingCommand {
    /// The participant the command adds to the agenda, who must be registered: the meeting
    /// cannot see the register, so the application service checks it before deciding.
    pub fn adds_participant(&self) -> Option<ParticipantId> {
        match self {
            Self::AddToAgenda { participant, .. } => Some(*participant),
            _ => None,
        }
    }
}

/// A recorded change to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingEvent {
    /// The meeting.
    pub meeting: MeetingId,
    /// Its version after the change.
    pub version: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: UserId,
    /// The command that was accepted (a meeting's changes are its commands).
    pub change: MeetingChange,
}

impl MeetingChange {
    /// The activity codes the change is accounted under: taking part in the chain meeting is
    /// 3.2.f; advising on termination, the decision and the termination talk are 3.2.g.
    pub fn activities(&self) -> Vec<crate::activity::ActivityCode> {
        use crate::activity::ActivityCode as A;
        match self {
            Self::Applied(
                MeetingCommand::AdviseTermination { .. }
                | MeetingCommand::RecordChainDecision { .. }
                | MeetingCommand::RecordTerminationTalk { .. },
            ) => vec![A::ProposeTermination],
            _ => vec![A::Evaluation],
        }
    }

    /// The participant the change concerns, if one.
    pub fn participant(&self) -> Option<ParticipantId> {
        match self {
            Self::Scheduled { .. } => None,
            Self::Applied(
                MeetingCommand::AddToAgenda { participant, .. }
                | MeetingCommand::RecordDiscussion { participant, .. }
                | MeetingCommand::AdviseTermination { participant, .. }
                | MeetingCommand::RecordChainDecision { participant, .. }
                | MeetingCommand::RecordTerminationTalk { participant, .. },
            ) => Some(*participant),
        }
    }
}

/// A change to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum MeetingChange {
    /// Scheduled on a day.
    Scheduled {
        /// The day.
        date: NaiveDate,
    },
    /// An accepted command.
    Applied(MeetingCommand),
}

/// A chain-partner meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainMeeting {
    id: MeetingId,
    version: u64,
    date: NaiveDate,
    items: BTreeMap<ParticipantId, MeetingItem>,
}

/// The state of a meeting in plain parts, for adapters carrying a meeting across a boundary
/// (a wire format, a store). [`ChainMeeting::from_parts`] trusts them as deserialisation does:
/// it checks nothing, so only parts that came from [`ChainMeeting::into_parts`] (or its
/// accessors) on the other side belong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingParts {
    /// Id.
    pub id: MeetingId,
    /// Version (1 after scheduling, one more per change).
    pub version: u64,
    /// The day.
    pub date: NaiveDate,
    /// The people on it, one item per participant (ordered by participant, as
    /// [`ChainMeeting::items`] gives them).
    pub items: Vec<MeetingItem>,
}

impl ChainMeeting {
    /// Schedule a meeting.
    pub fn schedule(id: MeetingId, date: NaiveDate, ctx: &CommandContext) -> (Self, MeetingEvent) {
        let event = MeetingEvent {
            meeting: id,
            version: 1,
            at: ctx.now,
            actor: ctx.actor,
            change: MeetingChange::Scheduled { date },
        };
        (Self { id, version: 1, date, items: BTreeMap::new() }, event)
    }

    fn item(&self, p: ParticipantId) -> Result<&MeetingItem, DomainError> {
        self.items.get(&p).ok_or_else(|| DomainError::not_found(EntityKind::MeetingItem, p))
    }

    /// Decide and apply a command.
    pub fn execute(&mut self, cmd: MeetingCommand, ctx: &CommandContext) -> Result<MeetingEvent, DomainError> {
        let not_yet =
            || DomainError::field("meeting", ViolationCode::NotYetHeld, "the meeting has not taken place yet");
        match &cmd {
            MeetingCommand::AddToAgenda { participant, .. } => {
                if self.items.contains_key(participant) {
                    return Err(DomainError::rule(Rule::AlreadyRegistered));
                }
            }
            MeetingCommand::RecordDiscussion { participant, .. } => {
                self.item(*participant)?;
                if self.date > ctx.today {
                    return Err(not_yet());
                }
            }
            MeetingCommand::AdviseTermination { participant, .. } => {
                let item = self.item(*participant)?;
                if self.date > ctx.today {
                    return Err(not_yet());
                }
                if item.termination.as_ref().is_some_and(|t| t.decision.is_some()) {
                    return Err(DomainError::rule(Rule::AlreadyDecided));
                }
            }
            MeetingCommand::RecordChainDecision { participant, .. } => {
                if self.item(*participant)?.termination.is_none() {
                    return Err(DomainError::rule(Rule::AdviceRequired));
                }
                if self.date > ctx.today {
                    return Err(not_yet());
                }
            }
            MeetingCommand::RecordTerminationTalk { participant, on } => {
                let Some(termination) = &self.item(*participant)?.termination else {
                    return Err(DomainError::rule(Rule::AdviceRequired));
                };
                if *on > ctx.today {
                    return Err(DomainError::field(
                        "on",
                        ViolationCode::DateInFuture,
                        Rule::DateInFuture.explanation(),
                    ));
                }
                if *on < self.date {
                    return Err(DomainError::field(
                        "on",
                        ViolationCode::BeforeMeeting,
                        "the termination talk follows the meeting that advised it",
                    ));
                }
                // The talk tells the person guidance ends: only after the meeting adopted an
                // advice to end it.
                let adopted = termination.decision.as_ref().is_some_and(|d| d.adopted);
                if !(adopted && termination.advice.ends_guidance()) {
                    return Err(DomainError::rule(Rule::AdoptedAdviceRequired));
                }
            }
        }
        let event = MeetingEvent {
            meeting: self.id,
            version: self.version + 1,
            at: ctx.now,
            actor: ctx.actor,
            change: MeetingChange::Applied(cmd),
        };
        self.apply(&event);
        Ok(event)
    }

    /// What an accepted command brings to the participant's case file, in order (call it after
    /// [`ChainMeeting::execute`] accepted `cmd`): a discussion or an advice means the participant
    /// was discussed (3.2.f) on the meeting's day; the advice, the decision and the talk are the
    /// termination steps (3.2.g). Putting someone on the agenda reaches the case only once they
    /// are discussed. The case decides what is new ([`crate::Case::record_chain_meeting`]).
    pub fn case_records(&self, cmd: &MeetingCommand) -> Option<(ParticipantId, Vec<ChainMeetingRecord>)> {
        let record = |step| ChainMeetingRecord { meeting: self.id, on: self.date, step };
        match cmd {
            MeetingCommand::AddToAgenda { .. } => None,
            MeetingCommand::RecordDiscussion { participant, .. } => {
                Some((*participant, vec![record(ChainStep::Discussed)]))
            }
            MeetingCommand::AdviseTermination { participant, advice, .. } => Some((
                *participant,
                vec![record(ChainStep::Discussed), record(ChainStep::TerminationAdvised { advice: *advice })],
            )),
            MeetingCommand::RecordChainDecision { participant, decision } => {
                let advice = self.items.get(participant)?.termination.as_ref()?.advice;
                Some((*participant, vec![record(ChainStep::ChainDecided { advice, adopted: decision.adopted })]))
            }
            MeetingCommand::RecordTerminationTalk { participant, on } => Some((
                *participant,
                vec![ChainMeetingRecord { meeting: self.id, on: *on, step: ChainStep::TerminationTalkHeld }],
            )),
        }
    }

    /// Adopt a generated agenda as the meeting's items: every person on it who is not on the
    /// meeting yet is added with the agenda's reasons (people already on it keep their item),
    /// one event each, in the agenda's order. All or nothing: on a refusal the meeting is
    /// unchanged. Refused when the agenda is for another day than the meeting's.
    pub fn adopt_agenda(
        &mut self,
        agenda: &crate::report::MeetingAgenda,
        ctx: &CommandContext,
    ) -> Result<Vec<MeetingEvent>, DomainError> {
        if agenda.meeting_date != self.date {
            return Err(DomainError::field(
                "agenda.meeting_date",
                ViolationCode::Invalid,
                "the agenda is for another day than the meeting",
            ));
        }
        let mut adopted = self.clone();
        let mut events = Vec::new();
        for entry in agenda.entries.iter().filter(|e| !self.items.contains_key(&e.participant)) {
            let cmd = MeetingCommand::AddToAgenda { participant: entry.participant, reasons: entry.reasons.clone() };
            events.push(adopted.execute(cmd, ctx)?);
        }
        *self = adopted;
        Ok(events)
    }

    /// Rebuild a meeting from its events, oldest first (the first is its scheduling).
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a MeetingEvent>) -> Result<Self, DomainError> {
        let mut iter = events.into_iter();
        let first = iter.next().ok_or_else(|| {
            DomainError::field("events", ViolationCode::Empty, "a meeting starts with its scheduling")
        })?;
        let MeetingChange::Scheduled { date } = &first.change else {
            return Err(DomainError::field(
                "events[0]",
                ViolationCode::NotScheduling,
                "a meeting starts with its scheduling",
            ));
        };
        if first.version != 1 {
            return Err(DomainError::field(
                "events[0]",
                ViolationCode::OutOfSequence,
                "a meeting's scheduling is version 1",
            ));
        }
        let mut meeting = Self { id: first.meeting, version: 1, date: *date, items: BTreeMap::new() };
        for (i, e) in iter.enumerate() {
            if e.meeting != meeting.id || e.version != meeting.version + 1 {
                return Err(DomainError::field(
                    format!("events[{}]", i + 1),
                    ViolationCode::OutOfSequence,
                    "events out of sequence",
                ));
            }
            meeting.apply(e);
        }
        Ok(meeting)
    }

    /// Apply a recorded event.
    pub(crate) fn apply(&mut self, event: &MeetingEvent) {
        self.version = event.version;
        let cmd = match &event.change {
            MeetingChange::Scheduled { date } => {
                self.date = *date;
                return;
            }
            MeetingChange::Applied(cmd) => cmd.clone(),
        };
        match cmd {
            MeetingCommand::AddToAgenda { participant, reasons } => {
                self.items.insert(
                    participant,
                    MeetingItem { participant, reasons, information_supplied: None, decision: None, termination: None },
                );
            }
            MeetingCommand::RecordDiscussion { participant, information_supplied, decision } => {
                if let Some(i) = self.items.get_mut(&participant) {
                    i.information_supplied = information_supplied;
                    i.decision = decision;
                }
            }
            MeetingCommand::AdviseTermination { participant, advice, reasoning } => {
                if let Some(i) = self.items.get_mut(&participant) {
                    i.termination =
                        Some(TerminationAdvice { advice, reasoning, decision: None, termination_talk_on: None });
                }
            }
            MeetingCommand::RecordChainDecision { participant, decision } => {
                if let Some(t) = self.items.get_mut(&participant).and_then(|i| i.termination.as_mut()) {
                    t.decision = Some(decision);
                }
            }
            MeetingCommand::RecordTerminationTalk { participant, on } => {
                if let Some(t) = self.items.get_mut(&participant).and_then(|i| i.termination.as_mut()) {
                    t.termination_talk_on = Some(on);
                }
            }
        }
    }

    /// The meeting's parts, for an adapter carrying it across a boundary.
    pub fn into_parts(self) -> MeetingParts {
        MeetingParts { id: self.id, version: self.version, date: self.date, items: self.items.into_values().collect() }
    }

    /// A meeting from its parts, for an adapter that received them from
    /// [`ChainMeeting::into_parts`]. Like deserialisation it trusts its input: the rules are
    /// checked when the meeting is changed, not here. Items are keyed by their participant; of
    /// two items for the same participant the later one is kept.
    pub fn from_parts(parts: MeetingParts) -> Self {
        Self {
            id: parts.id,
            version: parts.version,
            date: parts.date,
            items: parts.items.into_iter().map(|i| (i.participant, i)).collect(),
        }
    }

    /// Id.
    pub fn id(&self) -> MeetingId {
        self.id
    }
    /// Version.
    pub fn version(&self) -> u64 {
        self.version
    }
    /// The day.
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    /// The people on it.
    pub fn items(&self) -> impl Iterator<Item = &MeetingItem> {
        self.items.values()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn parts_round_trip() {
        let ctx = CommandContext::at(UserId::from_u128(1), Utc.with_ymd_and_hms(2026, 11, 28, 15, 0, 0).unwrap());
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let (mut m, _) = ChainMeeting::schedule(MeetingId::from_u128(1), day, &ctx);
        for p in [8, 7] {
            let participant = ParticipantId::from_u128(p);
            m.execute(
                MeetingCommand::AddToAgenda { participant, reasons: vec![AgendaReason::NoContact { days: 20 }] },
                &ctx,
            )
            .unwrap();
        }
        m.execute(
            MeetingCommand::AdviseTermination {
                participant: ParticipantId::from_u128(7),
                advice: Advice::EndGuidance,
                reasoning: Text::parse("no cooperation").unwrap(),
            },
            &ctx,
        )
        .unwrap();
        let parts = m.clone().into_parts();
        assert_eq!(parts.version, 4);
        let order: Vec<_> = parts.items.iter().map(|i| i.participant).collect();
        assert_eq!(order, vec![ParticipantId::from_u128(7), ParticipantId::from_u128(8)]);
        assert!(parts.items[0].termination.is_some());
        assert_eq!(ChainMeeting::from_parts(parts), m);
    }
}
