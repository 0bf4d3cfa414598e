//! Information sessions: [`InformationSession`] and its topic, planning a session
//! ([`PlanSession`] ↔ `CreateSessionRequest`) and the session commands, one request message
//! per [`SessionCommand`] variant.

use perspectief_core::ViolationCode;
use perspectief_core::session::SessionParts;
use perspectief_core::{InformationSession, PlanSession, SessionCommand, SessionId, SessionTopic};

use super::{
    Field, FromProto, ToProto, etag, opt_string, opt_to_string, parse_name, repeated, required, resource_name,
    to_protos,
};
use crate::convert::{command_conversions, message};
use crate::pb;
use crate::pb::session_topic::Kind;

/// The collection of sessions in resource names (`sessions/{id}`).
pub const COLLECTION: &str = "sessions";

impl ToProto for SessionTopic {
    type Proto = pb::SessionTopic;
    fn to_proto(&self) -> pb::SessionTopic {
        let kind = match self {
            Self::Theme(label) => Kind::Theme(label.to_proto()),
            Self::Country(code) => Kind::Country(code.to_proto()),
        };
        pb::SessionTopic { kind: Some(kind) }
    }
}

impl FromProto<pb::SessionTopic> for SessionTopic {
    fn from_proto(proto: pb::SessionTopic, at: &Field) -> Result<Self, perspectief_core::DomainError> {
        match proto.kind {
            Some(Kind::Theme(t)) => FromProto::from_proto(t, &at.child("theme")).map(Self::Theme),
            Some(Kind::Country(c)) => FromProto::from_proto(c, &at.child("country")).map(Self::Country),
            None => Err(at.invalid(ViolationCode::Required, "set the topic's theme or country")),
        }
    }
}

impl ToProto for InformationSession {
    type Proto = pb::InformationSession;
    fn to_proto(&self) -> pb::InformationSession {
        pb::InformationSession {
            name: resource_name(COLLECTION, &self.id()),
            etag: etag(self.version()),
            version: self.version(),
            date: Some(self.date().to_proto()),
            topic: Some(self.topic().to_proto()),
            venue: self.venue().to_proto(),
            languages: to_protos(self.languages()),
            facilitators: to_protos(self.facilitators()),
            partner: opt_to_string(self.partner().as_ref()),
            attendees: to_protos(self.attendees()),
            unregistered_head_count: self.unregistered_head_count(),
            cancelled: self.is_cancelled(),
            reach: self.reach(),
        }
    }
}

/// A session as the service sent it (`reach` is derived and ignored; the etag is the version).
impl FromProto<pb::InformationSession> for InformationSession {
    fn from_proto(proto: pb::InformationSession, at: &Field) -> Result<Self, perspectief_core::DomainError> {
        Ok(Self::from_parts(SessionParts {
            id: parse_name(COLLECTION, &proto.name, &at.child("name"))?,
            version: proto.version,
            date: required(proto.date, &at.child("date"))?,
            topic: required(proto.topic, &at.child("topic"))?,
            venue: FromProto::from_proto(proto.venue, &at.child("venue"))?,
            languages: repeated(proto.languages, &at.child("languages"))?,
            facilitators: repeated(proto.facilitators, &at.child("facilitators"))?,
            partner: opt_string(proto.partner, &at.child("partner"))?,
            attendees: repeated(proto.attendees, &at.child("attendees"))?,
            unregistered_head_count: proto.unregistered_head_count,
            cancelled: proto.cancelled,
        }))
    }
}

// Planning a session. An empty `session_id` gets a new UUIDv7; the core checks the rest
// (at least one language).
message!(PlanSession = pb::CreateSessionRequest {
    id as session_id: new(SessionId), date: req, topic: req, venue: val, languages: list, facilitators: list,
    partner: opt_str,
});

/// A session command as the server receives it: which session, the version the client based
/// it on (from the etag), and the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCommandTarget {
    /// The session (from the request's `name`).
    pub session: SessionId,
    /// The version the etag names; none when the request carried no etag.
    pub expected_version: Option<u64>,
    /// The command.
    pub command: SessionCommand,
}

/// The session commands, one row each: the [`SessionCommand`] variant, its request message and
/// rpc method, and its fields (as in [`crate::convert::message!`]). The conversions come from
/// this list (here) and so does the client's dispatch (`client.rs`).
macro_rules! session_command_table {
    ($cb:ident $(, $($args:tt)*)?) => {
        $cb! {
            $($($args)*)?
            RegisterAttendance(RegisterAttendanceRequest, register_attendance) { participant: val },
            RemoveAttendance(RemoveAttendanceRequest, remove_attendance) { participant: val },
            SetUnregisteredHeadCount(SetUnregisteredHeadCountRequest, set_unregistered_head_count) { count: copy },
            Reschedule(RescheduleSessionRequest, reschedule_session) { date: req },
            Cancel(CancelSessionRequest, cancel_session) { reason: val },
        }
    };
}
pub(crate) use session_command_table;

// The session commands' conversions, from the rows of the table.
session_command_table!(
    command_conversions,
    SessionCommandTarget { session: SessionId } in COLLECTION, SessionCommand;
    /// A session command as the client sends it: one request message per command.
    enum SessionCommandRequest;
    /// The request for `command` on `session`, checked against `expected_version` when given.
    fn session_command_request;
);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::NaiveDate;
    use perspectief_core::{
        CountryCode, DomainError, Label, LanguageCode, OrganisationId, ParticipantId, Text, UserId,
    };

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn plan(topic: SessionTopic, partner: Option<OrganisationId>) -> PlanSession {
        PlanSession {
            id: SessionId::from_u128(1),
            date: day(28),
            topic,
            venue: Label::parse("WereldHuis").unwrap(),
            languages: BTreeSet::from([LanguageCode::parse("ti").unwrap(), LanguageCode::parse("ar").unwrap()]),
            facilitators: BTreeSet::from([UserId::from_u128(3), UserId::from_u128(2)]),
            partner,
        }
    }

    fn topics() -> [SessionTopic; 2] {
        [
            SessionTopic::Theme(Label::parse("Terugkeer en herintegratie").unwrap()),
            SessionTopic::Country(CountryCode::parse("ER").unwrap()),
        ]
    }

    fn field_of(e: &DomainError) -> (String, String) {
        let v = e.violations().unwrap().iter().next().unwrap();
        (v.field.clone(), v.code.code().to_owned())
    }

    #[test]
    fn plans_round_trip() {
        for topic in topics() {
            for partner in [None, Some(OrganisationId::from_u128(9))] {
                let p = plan(topic.clone(), partner);
                assert_eq!(PlanSession::from_proto(p.to_proto(), &Field::root()).unwrap(), p);
            }
        }
    }

    #[test]
    fn an_empty_session_id_gets_a_new_one() {
        let mut proto = plan(topics()[0].clone(), None).to_proto();
        proto.session_id = String::new();
        let a = PlanSession::from_proto(proto.clone(), &Field::root()).unwrap();
        let b = PlanSession::from_proto(proto, &Field::root()).unwrap();
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn sessions_round_trip() {
        for (topic, partner) in [(topics()[0].clone(), None), (topics()[1].clone(), Some(OrganisationId::from_u128(9)))]
        {
            let base = plan(topic, partner);
            let plain = InformationSession::from_parts(SessionParts {
                id: base.id,
                version: 1,
                date: base.date,
                topic: base.topic.clone(),
                venue: base.venue.clone(),
                languages: base.languages.clone(),
                facilitators: base.facilitators.clone(),
                partner: base.partner,
                attendees: BTreeSet::new(),
                unregistered_head_count: 0,
                cancelled: false,
            });
            let mut parts = plain.clone().into_parts();
            parts.version = 7;
            parts.attendees = BTreeSet::from([ParticipantId::from_u128(5), ParticipantId::from_u128(4)]);
            parts.unregistered_head_count = 12;
            parts.cancelled = true;
            for s in [plain, InformationSession::from_parts(parts)] {
                let proto = s.to_proto();
                assert_eq!(proto.name, format!("sessions/{}", s.id()));
                assert_eq!(proto.etag, s.version().to_string());
                assert_eq!(proto.reach, s.reach());
                assert_eq!(InformationSession::from_proto(proto, &Field::root()).unwrap(), s);
            }
        }
    }

    #[test]
    fn every_command_round_trips() {
        let commands = [
            SessionCommand::RegisterAttendance { participant: ParticipantId::from_u128(7) },
            SessionCommand::RemoveAttendance { participant: ParticipantId::from_u128(7) },
            SessionCommand::SetUnregisteredHeadCount { count: 0 },
            SessionCommand::SetUnregisteredHeadCount { count: 12 },
            SessionCommand::Reschedule { date: day(30) },
            SessionCommand::Cancel { reason: Text::parse("De tolk is ziek").unwrap() },
        ];
        let session = SessionId::from_u128(1);
        for command in commands {
            for expected_version in [None, Some(0), Some(3)] {
                let at = Field::root();
                let target = match session_command_request(session, expected_version, &command) {
                    SessionCommandRequest::RegisterAttendance(r) => SessionCommandTarget::from_proto(r, &at),
                    SessionCommandRequest::RemoveAttendance(r) => SessionCommandTarget::from_proto(r, &at),
                    SessionCommandRequest::SetUnregisteredHeadCount(r) => SessionCommandTarget::from_proto(r, &at),
                    SessionCommandRequest::Reschedule(r) => SessionCommandTarget::from_proto(r, &at),
                    SessionCommandRequest::Cancel(r) => SessionCommandTarget::from_proto(r, &at),
                }
                .unwrap();
                assert_eq!(target, SessionCommandTarget { session, expected_version, command: command.clone() });
            }
        }
    }

    #[test]
    fn invalid_input_names_the_field() {
        let good = plan(topics()[1].clone(), None).to_proto();
        let cases: Vec<(pb::CreateSessionRequest, &str, &str)> = vec![
            (pb::CreateSessionRequest { session_id: "nope".into(), ..good.clone() }, "session_id", "not_an_id"),
            (pb::CreateSessionRequest { date: None, ..good.clone() }, "date", "required"),
            (
                pb::CreateSessionRequest { date: Some(pb::Date { year: 2026, month: 13, day: 1 }), ..good.clone() },
                "date",
                "not_a_date",
            ),
            (pb::CreateSessionRequest { topic: None, ..good.clone() }, "topic", "required"),
            (
                pb::CreateSessionRequest { topic: Some(pb::SessionTopic { kind: None }), ..good.clone() },
                "topic",
                "required",
            ),
            (pb::CreateSessionRequest { venue: String::new(), ..good.clone() }, "venue", "required"),
            (
                pb::CreateSessionRequest { languages: vec!["ti".into(), "??".into()], ..good.clone() },
                "languages[1]",
                "",
            ),
            (
                pb::CreateSessionRequest { facilitators: vec!["x".into()], ..good.clone() },
                "facilitators[0]",
                "not_an_id",
            ),
            (pb::CreateSessionRequest { partner: "x".into(), ..good.clone() }, "partner", "not_an_id"),
        ];
        for (proto, field, code) in cases {
            let e = PlanSession::from_proto(proto, &Field::root()).unwrap_err();
            assert_eq!(e.code(), "invalid_input");
            let (f, c) = field_of(&e);
            assert_eq!(f, field);
            if !code.is_empty() {
                assert_eq!(c, code);
            }
        }
        let bad_country = pb::SessionTopic { kind: Some(Kind::Country("Eritrea".into())) };
        let e = SessionTopic::from_proto(bad_country, &Field::root().child("topic")).unwrap_err();
        assert_eq!(field_of(&e).0, "topic.country");

        let mut session = InformationSession::from_parts(SessionParts {
            id: SessionId::from_u128(1),
            version: 1,
            date: day(28),
            topic: topics()[0].clone(),
            venue: Label::parse("Kantoor").unwrap(),
            languages: BTreeSet::from([LanguageCode::parse("en").unwrap()]),
            facilitators: BTreeSet::new(),
            partner: None,
            attendees: BTreeSet::new(),
            unregistered_head_count: 0,
            cancelled: false,
        })
        .to_proto();
        session.name = "meetings/0192".into();
        let e = InformationSession::from_proto(session.clone(), &Field::root().child("session")).unwrap_err();
        assert_eq!(field_of(&e), ("session.name".into(), "not_a_resource_name".into()));
        session.name = format!("sessions/{}", SessionId::from_u128(1));
        session.attendees = vec!["x".into()];
        let e = InformationSession::from_proto(session, &Field::root()).unwrap_err();
        assert_eq!(field_of(&e).0, "attendees[0]");
    }

    #[test]
    fn command_requests_name_their_bad_fields() {
        let name = format!("sessions/{}", SessionId::from_u128(1));
        let e = SessionCommandTarget::from_proto(
            pb::RegisterAttendanceRequest { name: String::new(), etag: String::new(), participant: String::new() },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("name".into(), "required".into()));
        let e = SessionCommandTarget::from_proto(
            pb::RemoveAttendanceRequest { name: name.clone(), etag: "W/1".into(), participant: String::new() },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("etag".into(), "not_an_etag".into()));
        let e = SessionCommandTarget::from_proto(
            pb::RemoveAttendanceRequest { name: name.clone(), etag: "2".into(), participant: "x".into() },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("participant".into(), "not_an_id".into()));
        let e = SessionCommandTarget::from_proto(
            pb::RescheduleSessionRequest { name: name.clone(), etag: String::new(), date: None },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("date".into(), "required".into()));
        let e = SessionCommandTarget::from_proto(
            pb::CancelSessionRequest { name, etag: String::new(), reason: " ".into() },
            &Field::root(),
        )
        .unwrap_err();
        assert_eq!(field_of(&e), ("reason".into(), "required".into()));
    }
}
