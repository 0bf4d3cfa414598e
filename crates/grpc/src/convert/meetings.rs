//! Chain-partner meetings: [`ChainMeeting`] with its items, agenda reasons and termination
//! advice, scheduling a meeting (`CreateMeetingRequest`) and the meeting commands, one request
//! message per [`MeetingCommand`] variant.

use perspectief_core::ViolationCode;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use perspectief_core::meeting::{
    ChainDecision, ChainMeetingRecord, ChainStep, MeetingItem, MeetingParts, TerminationAdvice,
};
use perspectief_core::{Advice, AgendaReason, ChainMeeting, DomainError, MeetingCommand, MeetingId};

use super::{Field, FromProto, ToProto, etag, parse_name, repeated, required, resource_name};
use crate::convert::{command_conversions, message};
use crate::pb;
use crate::pb::agenda_reason::Reason;

/// The collection of meetings in resource names (`meetings/{id}`).
pub const COLLECTION: &str = "meetings";

super::proto_enum!(Advice: Continue, EndGuidance, EndGuidanceAndShelter);

impl ToProto for AgendaReason {
    type Proto = pb::AgendaReason;
    fn to_proto(&self) -> pb::AgendaReason {
        let reason = match self {
            Self::DeadlinePassed => Reason::DeadlinePassed(()),
            Self::NoContact { days } => Reason::NoContact(pb::agenda_reason::NoContact { days: *days }),
            Self::LimitApproaching { days_left } => {
                Reason::LimitApproaching(pb::agenda_reason::LimitApproaching { days_left: *days_left })
            }
            Self::JudgmentPendingOrChanged => Reason::JudgmentPendingOrChanged(()),
            Self::ObstacleStalled => Reason::ObstacleStalled(()),
            Self::TerminationAdviceDue => Reason::TerminationAdviceDue(()),
            Self::GoalDueSoon => Reason::GoalDueSoon(()),
            Self::JudgmentNotCommunicated => Reason::JudgmentNotCommunicated(()),
            Self::ProgressReportDue => Reason::ProgressReportDue(()),
            Self::PastLimitWithoutAdvice { days_over } => {
                Reason::PastLimitWithoutAdvice(pb::agenda_reason::PastLimitWithoutAdvice { days_over: *days_over })
            }
            Self::Other { note } => Reason::Other(pb::agenda_reason::Other { note: note.to_proto() }),
        };
        pb::AgendaReason { reason: Some(reason) }
    }
}

impl FromProto<pb::AgendaReason> for AgendaReason {
    fn from_proto(proto: pb::AgendaReason, at: &Field) -> Result<Self, DomainError> {
        Ok(match proto.reason {
            Some(Reason::DeadlinePassed(())) => Self::DeadlinePassed,
            Some(Reason::NoContact(r)) => Self::NoContact { days: r.days },
            Some(Reason::LimitApproaching(r)) => Self::LimitApproaching { days_left: r.days_left },
            Some(Reason::JudgmentPendingOrChanged(())) => Self::JudgmentPendingOrChanged,
            Some(Reason::ObstacleStalled(())) => Self::ObstacleStalled,
            Some(Reason::TerminationAdviceDue(())) => Self::TerminationAdviceDue,
            Some(Reason::GoalDueSoon(())) => Self::GoalDueSoon,
            Some(Reason::JudgmentNotCommunicated(())) => Self::JudgmentNotCommunicated,
            Some(Reason::ProgressReportDue(())) => Self::ProgressReportDue,
            Some(Reason::PastLimitWithoutAdvice(r)) => Self::PastLimitWithoutAdvice { days_over: r.days_over },
            Some(Reason::Other(r)) => {
                Self::Other { note: FromProto::from_proto(r.note, &at.child("other").child("note"))? }
            }
            None => {
                return Err(at.invalid(ViolationCode::Required, "set one reason (deadline_passed, no_contact, ...)"));
            }
        })
    }
}

message!(ChainDecision = pb::ChainDecision { adopted: copy, note: opt_str });

message!(
    TerminationAdvice = pb::TerminationAdvice { advice: val, reasoning: val, decision: opt, termination_talk_on: opt }
);

message!(
    MeetingItem = pb::MeetingItem {
        participant: val,
        reasons: list,
        information_supplied: opt_str,
        decision: opt_str,
        termination: opt,
    }
);

impl ToProto for ChainMeetingRecord {
    type Proto = pb::ChainMeetingRecord;
    fn to_proto(&self) -> pb::ChainMeetingRecord {
        let (step, advice, adopted) = match self.step {
            ChainStep::Discussed => (pb::ChainStep::Discussed, None, false),
            ChainStep::TerminationAdvised { advice } => (pb::ChainStep::TerminationAdvised, Some(advice), false),
            ChainStep::ChainDecided { advice, adopted } => (pb::ChainStep::ChainDecided, Some(advice), adopted),
            ChainStep::TerminationTalkHeld => (pb::ChainStep::TerminationTalkHeld, None, false),
        };
        pb::ChainMeetingRecord {
            meeting: resource_name(COLLECTION, &self.meeting),
            on: Some(self.on.to_proto()),
            step: step as i32,
            advice: advice.map_or(pb::Advice::Unspecified as i32, |a| a.to_proto()),
            adopted,
        }
    }
}

impl FromProto<pb::ChainMeetingRecord> for ChainMeetingRecord {
    fn from_proto(p: pb::ChainMeetingRecord, at: &Field) -> Result<Self, DomainError> {
        let advice = |at: &Field| Advice::from_proto(p.advice, &at.child("advice"));
        let step = match pb::ChainStep::try_from(p.step) {
            Ok(pb::ChainStep::Discussed) => ChainStep::Discussed,
            Ok(pb::ChainStep::TerminationAdvised) => ChainStep::TerminationAdvised { advice: advice(at)? },
            Ok(pb::ChainStep::ChainDecided) => ChainStep::ChainDecided { advice: advice(at)?, adopted: p.adopted },
            Ok(pb::ChainStep::TerminationTalkHeld) => ChainStep::TerminationTalkHeld,
            _ => return Err(at.child("step").invalid(ViolationCode::UnknownValue, "not a known step")),
        };
        Ok(Self {
            meeting: parse_name(COLLECTION, &p.meeting, &at.child("meeting"))?,
            on: required(p.on, &at.child("on"))?,
            step,
        })
    }
}

impl ToProto for ChainMeeting {
    type Proto = pb::ChainMeeting;
    fn to_proto(&self) -> pb::ChainMeeting {
        pb::ChainMeeting {
            name: resource_name(COLLECTION, &self.id()),
            etag: etag(self.version()),
            version: self.version(),
            date: Some(self.date().to_proto()),
            items: self.items().map(ToProto::to_proto).collect(),
        }
    }
}

/// A meeting as the service sent it. A participant appears in one item only; a second item
/// for the same participant is refused rather than silently merged.
impl FromProto<pb::ChainMeeting> for ChainMeeting {
    fn from_proto(proto: pb::ChainMeeting, at: &Field) -> Result<Self, DomainError> {
        let items_at = at.child("items");
        let items: Vec<MeetingItem> = repeated(proto.items, &items_at)?;
        let mut seen = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            if !seen.insert(item.participant) {
                return Err(items_at
                    .index(i)
                    .child("participant")
                    .invalid(ViolationCode::Duplicate, "this participant already has an item in the meeting"));
            }
        }
        Ok(Self::from_parts(MeetingParts {
            id: parse_name(COLLECTION, &proto.name, &at.child("name"))?,
            version: proto.version,
            date: required(proto.date, &at.child("date"))?,
            items,
        }))
    }
}

/// Scheduling a meeting: the core's `schedule_meeting` arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleMeeting {
    /// The new meeting's id (a new UUIDv7 when the request left it empty).
    pub meeting: MeetingId,
    /// The day.
    pub date: NaiveDate,
}

message!(ScheduleMeeting = pb::CreateMeetingRequest { meeting as meeting_id: new(MeetingId), date: req });

/// A meeting command as the server receives it: which meeting, the version the client based
/// it on (from the etag), and the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingCommandTarget {
    /// The meeting (from the request's `name`).
    pub meeting: MeetingId,
    /// The version the etag names; none when the request carried no etag.
    pub expected_version: Option<u64>,
    /// The command.
    pub command: MeetingCommand,
}

/// The meeting commands, one row each: the [`MeetingCommand`] variant, its request message and
/// rpc method, and its fields (as in [`crate::convert::message!`]). The conversions come from
/// this list (here) and so does the client's dispatch (`client.rs`).
macro_rules! meeting_command_table {
    ($cb:ident $(, $($args:tt)*)?) => {
        $cb! {
            $($($args)*)?
            AddToAgenda(AddToAgendaRequest, add_to_agenda) { participant: val, reasons: list },
            RecordDiscussion(RecordDiscussionRequest, record_discussion) {
                participant: val, information_supplied: opt_str, decision: opt_str
            },
            AdviseTermination(AdviseTerminationRequest, advise_termination) {
                participant: val, advice: val, reasoning: val
            },
            RecordChainDecision(RecordChainDecisionRequest, record_chain_decision) { participant: val, decision: req },
            RecordTerminationTalk(RecordTerminationTalkRequest, record_termination_talk) { participant: val, on: req },
        }
    };
}
pub(crate) use meeting_command_table;

// The meeting commands' conversions, from the rows of the table.
meeting_command_table!(
    command_conversions,
    MeetingCommandTarget { meeting: MeetingId } in COLLECTION, MeetingCommand;
    /// A meeting command as the client sends it: one request message per command.
    enum MeetingCommandRequest;
    /// The request for `command` on `meeting`, checked against `expected_version` when given.
    fn meeting_command_request;
);

#[cfg(test)]
mod tests {
    use perspectief_core::{Label, ParticipantId, Text};

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn text(s: &str) -> Text {
        Text::parse(s).unwrap()
    }

    fn all_reasons() -> Vec<AgendaReason> {
        vec![
            AgendaReason::DeadlinePassed,
            AgendaReason::NoContact { days: 21 },
            AgendaReason::LimitApproaching { days_left: 30 },
            AgendaReason::LimitApproaching { days_left: -5 },
            AgendaReason::JudgmentPendingOrChanged,
            AgendaReason::ObstacleStalled,
            AgendaReason::TerminationAdviceDue,
            AgendaReason::GoalDueSoon,
            AgendaReason::JudgmentNotCommunicated,
            AgendaReason::ProgressReportDue,
            AgendaReason::Other { note: Label::parse("Verzoek gemeente").unwrap() },
        ]
    }

    fn all_advice() -> [Advice; 3] {
        [Advice::Continue, Advice::EndGuidance, Advice::EndGuidanceAndShelter]
    }

    fn field_of(e: &DomainError) -> (String, String) {
        let v = e.violations().unwrap().iter().next().unwrap();
        (v.field.clone(), v.code.code().to_owned())
    }

    fn meeting() -> ChainMeeting {
        let item = |p: u128, termination| MeetingItem {
            participant: ParticipantId::from_u128(p),
            reasons: all_reasons(),
            information_supplied: p.is_multiple_of(2).then(|| text("Stand van zaken terugkeer")),
            decision: p.is_multiple_of(2).then(|| text("Volgende keer opnieuw")),
            termination,
        };
        let mut items = vec![item(1, None)];
        let mut p = 2;
        for advice in all_advice() {
            for decision in [
                None,
                Some(ChainDecision { adopted: true, note: None }),
                Some(ChainDecision { adopted: false, note: Some(text("Eerst nog een gesprek")) }),
            ] {
                for termination_talk_on in [None, Some(day(30))] {
                    items.push(item(
                        p,
                        Some(TerminationAdvice {
                            advice,
                            reasoning: text("Geen medewerking"),
                            decision: decision.clone(),
                            termination_talk_on,
                        }),
                    ));
                    p += 1;
                }
            }
        }
        ChainMeeting::from_parts(MeetingParts { id: MeetingId::from_u128(1), version: 9, date: day(27), items })
    }

    #[test]
    fn meetings_round_trip() {
        let empty = ChainMeeting::from_parts(MeetingParts {
            id: MeetingId::from_u128(2),
            version: 1,
            date: day(27),
            items: Vec::new(),
        });
        for m in [meeting(), empty] {
            let proto = m.to_proto();
            assert_eq!(proto.name, format!("meetings/{}", m.id()));
            assert_eq!(proto.etag, m.version().to_string());
            assert_eq!(ChainMeeting::from_proto(proto, &Field::root()).unwrap(), m);
        }
    }

    #[test]
    fn every_command_round_trips() {
        let participant = ParticipantId::from_u128(7);
        let mut commands = vec![
            MeetingCommand::AddToAgenda { participant, reasons: all_reasons() },
            MeetingCommand::AddToAgenda { participant, reasons: Vec::new() },
            MeetingCommand::RecordDiscussion { participant, information_supplied: None, decision: None },
            MeetingCommand::RecordDiscussion {
                participant,
                information_supplied: Some(text("Info")),
                decision: Some(text("Besluit")),
            },
            MeetingCommand::RecordChainDecision { participant, decision: ChainDecision { adopted: true, note: None } },
            MeetingCommand::RecordChainDecision {
                participant,
                decision: ChainDecision { adopted: false, note: Some(text("Niet gevolgd")) },
            },
            MeetingCommand::RecordTerminationTalk { participant, on: day(30) },
        ];
        for advice in all_advice() {
            commands.push(MeetingCommand::AdviseTermination { participant, advice, reasoning: text("Waarom") });
        }
        let meeting = MeetingId::from_u128(1);
        for command in commands {
            for expected_version in [None, Some(4)] {
                let at = Field::root();
                let target = match meeting_command_request(meeting, expected_version, &command) {
                    MeetingCommandRequest::AddToAgenda(r) => MeetingCommandTarget::from_proto(r, &at),
                    MeetingCommandRequest::RecordDiscussion(r) => MeetingCommandTarget::from_proto(r, &at),
                    MeetingCommandRequest::AdviseTermination(r) => MeetingCommandTarget::from_proto(r, &at),
                    MeetingCommandRequest::RecordChainDecision(r) => MeetingCommandTarget::from_proto(r, &at),
                    MeetingCommandRequest::RecordTerminationTalk(r) => MeetingCommandTarget::from_proto(r, &at),
                }
                .unwrap();
                assert_eq!(target, MeetingCommandTarget { meeting, expected_version, command: command.clone() });
            }
        }
    }

    #[test]
    fn scheduling_round_trips_and_an_empty_id_gets_a_new_one() {
        let s = ScheduleMeeting { meeting: MeetingId::from_u128(3), date: day(27) };
        assert_eq!(ScheduleMeeting::from_proto(s.to_proto(), &Field::root()).unwrap(), s);
        let blank = pb::CreateMeetingRequest { meeting_id: String::new(), date: Some(day(27).to_proto()) };
        let a = ScheduleMeeting::from_proto(blank.clone(), &Field::root()).unwrap();
        let b = ScheduleMeeting::from_proto(blank, &Field::root()).unwrap();
        assert_ne!(a.meeting, b.meeting);
        let e = ScheduleMeeting::from_proto(
            pb::CreateMeetingRequest { meeting_id: String::new(), date: None },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("date".into(), "required".into()));
    }

    #[test]
    fn invalid_meetings_name_the_field() {
        let good = meeting().to_proto();
        let at = Field::root().child("meeting");
        let mut p = good.clone();
        p.items[1].reasons[2].reason = None;
        let e = ChainMeeting::from_proto(p, &at).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert_eq!(field_of(&e), ("meeting.items[1].reasons[2]".into(), "required".into()));
        let mut p = good.clone();
        p.items[0].reasons[7] =
            pb::AgendaReason { reason: Some(Reason::Other(pb::agenda_reason::Other { note: String::new() })) };
        assert_eq!(
            field_of(&ChainMeeting::from_proto(p, &at).unwrap_err()).0,
            "meeting.items[0].reasons[7].other.note"
        );
        let mut p = good.clone();
        p.items[3].termination.as_mut().unwrap().advice = pb::Advice::Unspecified as i32;
        assert_eq!(
            field_of(&ChainMeeting::from_proto(p, &at).unwrap_err()),
            ("meeting.items[3].termination.advice".into(), "required".into())
        );
        let mut p = good.clone();
        p.items[3].termination.as_mut().unwrap().advice = 99;
        assert_eq!(
            field_of(&ChainMeeting::from_proto(p, &at).unwrap_err()),
            ("meeting.items[3].termination.advice".into(), "unknown_value".into())
        );
        let mut p = good.clone();
        p.items[2].termination.as_mut().unwrap().termination_talk_on = Some(pb::Date { year: 2026, month: 2, day: 30 });
        assert_eq!(
            field_of(&ChainMeeting::from_proto(p, &at).unwrap_err()).0,
            "meeting.items[2].termination.termination_talk_on"
        );
        let mut p = good.clone();
        p.items[2].participant = p.items[1].participant.clone();
        assert_eq!(
            field_of(&ChainMeeting::from_proto(p, &at).unwrap_err()),
            ("meeting.items[2].participant".into(), "duplicate".into())
        );
        let mut p = good;
        p.name = "sessions/x".into();
        assert_eq!(
            field_of(&ChainMeeting::from_proto(p, &at).unwrap_err()),
            ("meeting.name".into(), "not_a_resource_name".into())
        );
    }

    #[test]
    fn invalid_commands_name_the_field() {
        let name = format!("meetings/{}", MeetingId::from_u128(1));
        let participant = ParticipantId::from_u128(7).to_string();
        let e = MeetingCommandTarget::from_proto(
            pb::AdviseTerminationRequest {
                name: name.clone(),
                etag: String::new(),
                participant: participant.clone(),
                advice: 0,
                reasoning: "x".into(),
            },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("advice".into(), "required".into()));
        let e = MeetingCommandTarget::from_proto(
            pb::RecordChainDecisionRequest {
                name: name.clone(),
                etag: String::new(),
                participant: participant.clone(),
                decision: None,
            },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("decision".into(), "required".into()));
        let e = MeetingCommandTarget::from_proto(
            pb::RecordTerminationTalkRequest { name: name.clone(), etag: "-1".into(), participant, on: None },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("etag".into(), "not_an_etag".into()));
        let e = MeetingCommandTarget::from_proto(
            pb::AddToAgendaRequest { name, etag: String::new(), participant: String::new(), reasons: Vec::new() },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("participant".into(), "required".into()));
        let e = MeetingCommandTarget::from_proto(
            pb::RecordDiscussionRequest {
                name: "meetings/".into(),
                etag: String::new(),
                participant: String::new(),
                information_supplied: String::new(),
                decision: String::new(),
            },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e).0, "name");
    }
}
