//! Information sessions (*informatiebijeenkomsten*, 5.2.a(1)): group sessions on one theme or
//! country, with registered attendance and a head count of people not (yet) registered, since
//! the reach target counts people reached.

use crate::ViolationCode;
use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::case::CommandContext;
use crate::codes::{CountryCode, LanguageCode};
use crate::error::{DomainError, Rule};
use crate::ids::{OrganisationId, ParticipantId, SessionId, UserId};
use crate::text::{Label, Text};

/// What a session is about: one theme, or one country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SessionTopic {
    /// A theme (e.g. "Terugkeer en herintegratie", "Juridische mogelijkheden").
    Theme(Label),
    /// A country (e.g. ER for Eritrea).
    Country(CountryCode),
}

/// Plan a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSession {
    /// Id (made by the adapter).
    pub id: SessionId,
    /// The day.
    pub date: NaiveDate,
    /// Topic.
    pub topic: SessionTopic,
    /// Venue (office, LVV location, WereldHuis, ...).
    pub venue: Label,
    /// Languages spoken or interpreted (at least one).
    pub languages: BTreeSet<LanguageCode>,
    /// Facilitating staff (the acting user is added).
    pub facilitators: BTreeSet<UserId>,
    /// A partner co-facilitating (e.g. IOM).
    pub partner: Option<OrganisationId>,
}

/// Commands on a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum SessionCommand {
    /// A registered participant attended.
    RegisterAttendance {
        /// Who.
        participant: ParticipantId,
    },
    /// Correct a registration made in error.
    RemoveAttendance {
        /// Who.
        participant: ParticipantId,
    },
    /// Set the number of attendees who are not registered participants.
    SetUnregisteredHeadCount {
        /// How many.
        count: u32,
    },
    /// Move the session to another day (only before it took place).
    Reschedule {
        /// The new day.
        date: NaiveDate,
    },
    /// Cancel it (only while nobody is registered as attending).
    Cancel {
        /// Why.
        reason: Text,
    },
}

impl SessionCommand {
    /// The participant the command concerns, if one (recorded in the access log).
    pub fn participant(&self) -> Option<ParticipantId> {
        match self {
            Self::RegisterAttendance { participant } | Self::RemoveAttendance { participant } => Some(*participant),
            _ => None,
        }
    }

    /// The participant the command adds to the session, who must be registered: the session
    /// cannot see the register, so the application service checks it before deciding.
    pub fn adds_participant(&self) -> Option<ParticipantId> {
        match self {
            Self::RegisterAttendance { participant } => Some(*participant),
            _ => None,
        }
    }
}

/// A change to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SessionChange {
    /// Planned.
    Planned(PlanSession),
    /// Attendance registered.
    AttendanceRegistered {
        /// Who.
        participant: ParticipantId,
    },
    /// Attendance removed.
    AttendanceRemoved {
        /// Who.
        participant: ParticipantId,
    },
    /// Head count set.
    UnregisteredHeadCountSet {
        /// How many.
        count: u32,
    },
    /// Rescheduled.
    Rescheduled {
        /// New day.
        date: NaiveDate,
    },
    /// Cancelled.
    Cancelled {
        /// Why.
        reason: Text,
    },
}

impl SessionChange {
    /// The activity codes the change is accounted under: everything about a session is 5.2.a(1).
    pub fn activities(&self) -> Vec<crate::activity::ActivityCode> {
        vec![crate::activity::ActivityCode::InformationSessions]
    }
}

/// A recorded change to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEvent {
    /// The session.
    pub session: SessionId,
    /// Its version after the change.
    pub version: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: UserId,
    /// What.
    pub change: SessionChange,
}

/// An information session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformationSession {
    id: SessionId,
    version: u64,
    date: NaiveDate,
    topic: SessionTopic,
    venue: Label,
    languages: BTreeSet<LanguageCode>,
    facilitators: BTreeSet<UserId>,
    partner: Option<OrganisationId>,
    attendees: BTreeSet<ParticipantId>,
    unregistered_head_count: u32,
    cancelled: bool,
}

/// The state of a session in plain parts, for adapters carrying a session across a boundary
/// (a wire format, a store). [`InformationSession::from_parts`] trusts them as deserialisation
/// does: it checks nothing, so only parts that came from [`InformationSession::into_parts`]
/// (or its accessors) on the other side belong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionParts {
    /// Id.
    pub id: SessionId,
    /// Version (1 after planning, one more per change).
    pub version: u64,
    /// The day.
    pub date: NaiveDate,
    /// Topic.
    pub topic: SessionTopic,
    /// Venue.
    pub venue: Label,
    /// Languages spoken or interpreted.
    pub languages: BTreeSet<LanguageCode>,
    /// Facilitating staff.
    pub facilitators: BTreeSet<UserId>,
    /// Co-facilitating partner.
    pub partner: Option<OrganisationId>,
    /// Registered participants who attended.
    pub attendees: BTreeSet<ParticipantId>,
    /// Attendees who are not registered participants.
    pub unregistered_head_count: u32,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

impl InformationSession {
    /// Plan a session. It needs at least one language.
    pub fn plan(mut cmd: PlanSession, ctx: &CommandContext) -> Result<(Self, SessionEvent), DomainError> {
        if cmd.languages.is_empty() {
            return Err(DomainError::field(
                "languages",
                ViolationCode::Required,
                "name at least one language of the session",
            ));
        }
        cmd.facilitators.insert(ctx.actor);
        let event = SessionEvent {
            session: cmd.id,
            version: 1,
            at: ctx.now,
            actor: ctx.actor,
            change: SessionChange::Planned(cmd.clone()),
        };
        let session = Self::from_plan(cmd);
        Ok((session, event))
    }

    /// Decide and apply a command.
    pub fn execute(&mut self, cmd: SessionCommand, ctx: &CommandContext) -> Result<SessionEvent, DomainError> {
        let cancelled_err = || DomainError::field("session", ViolationCode::Cancelled, "the session was cancelled");
        if self.cancelled {
            return Err(cancelled_err());
        }
        let held = self.date <= ctx.today;
        let change = match cmd {
            SessionCommand::RegisterAttendance { participant } => {
                if !held {
                    return Err(DomainError::rule(Rule::SessionNotYetHeld));
                }
                if self.attendees.contains(&participant) {
                    return Err(DomainError::rule(Rule::AlreadyRegistered));
                }
                SessionChange::AttendanceRegistered { participant }
            }
            SessionCommand::RemoveAttendance { participant } => {
                if !self.attendees.contains(&participant) {
                    return Err(DomainError::rule(Rule::NotRegistered));
                }
                SessionChange::AttendanceRemoved { participant }
            }
            SessionCommand::SetUnregisteredHeadCount { count } => {
                if !held {
                    return Err(DomainError::rule(Rule::SessionNotYetHeld));
                }
                if count > 10_000 {
                    return Err(DomainError::field(
                        "count",
                        ViolationCode::OutOfRange,
                        "a head count above 10,000 is not plausible",
                    ));
                }
                SessionChange::UnregisteredHeadCountSet { count }
            }
            SessionCommand::Reschedule { date } => {
                if held || date < ctx.today {
                    return Err(DomainError::field(
                        "date",
                        ViolationCode::InPast,
                        "only a session still to come can be moved, and only to a day still to come",
                    ));
                }
                SessionChange::Rescheduled { date }
            }
            SessionCommand::Cancel { reason } => {
                if !self.attendees.is_empty() || self.unregistered_head_count > 0 {
                    return Err(DomainError::field(
                        "session",
                        ViolationCode::HasAttendance,
                        "a session with registered attendance cannot be cancelled",
                    ));
                }
                SessionChange::Cancelled { reason }
            }
        };
        let event = SessionEvent { session: self.id, version: self.version + 1, at: ctx.now, actor: ctx.actor, change };
        self.apply(&event);
        Ok(event)
    }

    /// Rebuild a session from its events, oldest first (the first is its planning).
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a SessionEvent>) -> Result<Self, DomainError> {
        let mut iter = events.into_iter();
        let first = iter
            .next()
            .ok_or_else(|| DomainError::field("events", ViolationCode::Empty, "a session starts with its planning"))?;
        let SessionChange::Planned(plan) = &first.change else {
            return Err(DomainError::field(
                "events[0]",
                ViolationCode::NotPlanning,
                "a session starts with its planning",
            ));
        };
        if first.version != 1 {
            return Err(DomainError::field(
                "events[0]",
                ViolationCode::OutOfSequence,
                "a session's planning is version 1",
            ));
        }
        let mut session = Self::from_plan(plan.clone());
        for (i, e) in iter.enumerate() {
            if e.session != session.id || e.version != session.version + 1 {
                return Err(DomainError::field(
                    format!("events[{}]", i + 1),
                    ViolationCode::OutOfSequence,
                    "events out of sequence",
                ));
            }
            session.apply(e);
        }
        Ok(session)
    }

    fn from_plan(p: PlanSession) -> Self {
        Self {
            id: p.id,
            version: 1,
            date: p.date,
            topic: p.topic,
            venue: p.venue,
            languages: p.languages,
            facilitators: p.facilitators,
            partner: p.partner,
            attendees: BTreeSet::new(),
            unregistered_head_count: 0,
            cancelled: false,
        }
    }

    /// Apply a recorded event.
    pub(crate) fn apply(&mut self, event: &SessionEvent) {
        self.version = event.version;
        match &event.change {
            SessionChange::Planned(p) => {
                *self = Self::from_plan(p.clone());
                self.version = event.version;
            }
            SessionChange::AttendanceRegistered { participant } => {
                self.attendees.insert(*participant);
            }
            SessionChange::AttendanceRemoved { participant } => {
                self.attendees.remove(participant);
            }
            SessionChange::UnregisteredHeadCountSet { count } => self.unregistered_head_count = *count,
            SessionChange::Rescheduled { date } => self.date = *date,
            SessionChange::Cancelled { .. } => self.cancelled = true,
        }
    }

    /// The session's parts, for an adapter carrying it across a boundary.
    pub fn into_parts(self) -> SessionParts {
        SessionParts {
            id: self.id,
            version: self.version,
            date: self.date,
            topic: self.topic,
            venue: self.venue,
            languages: self.languages,
            facilitators: self.facilitators,
            partner: self.partner,
            attendees: self.attendees,
            unregistered_head_count: self.unregistered_head_count,
            cancelled: self.cancelled,
        }
    }

    /// A session from its parts, for an adapter that received them from
    /// [`InformationSession::into_parts`]. Like deserialisation it trusts its input: the
    /// rules are checked when the session is planned and changed, not here.
    pub fn from_parts(parts: SessionParts) -> Self {
        Self {
            id: parts.id,
            version: parts.version,
            date: parts.date,
            topic: parts.topic,
            venue: parts.venue,
            languages: parts.languages,
            facilitators: parts.facilitators,
            partner: parts.partner,
            attendees: parts.attendees,
            unregistered_head_count: parts.unregistered_head_count,
            cancelled: parts.cancelled,
        }
    }

    /// Id.
    pub fn id(&self) -> SessionId {
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
    /// Topic.
    pub fn topic(&self) -> &SessionTopic {
        &self.topic
    }
    /// Venue.
    pub fn venue(&self) -> &Label {
        &self.venue
    }
    /// Languages.
    pub fn languages(&self) -> &BTreeSet<LanguageCode> {
        &self.languages
    }
    /// Facilitating staff.
    pub fn facilitators(&self) -> &BTreeSet<UserId> {
        &self.facilitators
    }
    /// Co-facilitating partner.
    pub fn partner(&self) -> Option<OrganisationId> {
        self.partner
    }
    /// Registered participants who attended.
    pub fn attendees(&self) -> &BTreeSet<ParticipantId> {
        &self.attendees
    }
    /// Attendees who are not registered participants.
    pub fn unregistered_head_count(&self) -> u32 {
        self.unregistered_head_count
    }
    /// Whether it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// People reached: registered attendees plus the head count.
    ///
    /// ```
    /// # use std::collections::BTreeSet;
    /// # use chrono::{NaiveDate, TimeZone, Utc};
    /// # use perspectief_core::*;
    /// # let ctx = CommandContext::at(UserId::from_u128(1), Utc.with_ymd_and_hms(2026, 11, 28, 15, 0, 0).unwrap());
    /// let (mut s, _) = InformationSession::plan(PlanSession {
    ///     id: SessionId::from_u128(1),
    ///     date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    ///     topic: SessionTopic::Country(CountryCode::parse("ER").unwrap()),
    ///     venue: Label::parse("WereldHuis").unwrap(),
    ///     languages: BTreeSet::from([LanguageCode::parse("ti").unwrap()]),
    ///     facilitators: BTreeSet::new(),
    ///     partner: None,
    /// }, &ctx).unwrap();
    /// s.execute(SessionCommand::RegisterAttendance { participant: ParticipantId::from_u128(7) }, &ctx).unwrap();
    /// s.execute(SessionCommand::SetUnregisteredHeadCount { count: 12 }, &ctx).unwrap();
    /// assert_eq!(s.reach(), 13);
    /// ```
    pub fn reach(&self) -> u32 {
        u32::try_from(self.attendees.len()).unwrap_or(u32::MAX).saturating_add(self.unregistered_head_count)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn parts_round_trip() {
        let ctx = CommandContext::at(UserId::from_u128(1), Utc.with_ymd_and_hms(2026, 11, 28, 15, 0, 0).unwrap());
        let (mut s, _) = InformationSession::plan(
            PlanSession {
                id: SessionId::from_u128(1),
                date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
                topic: SessionTopic::Theme(Label::parse("Terugkeer").unwrap()),
                venue: Label::parse("WereldHuis").unwrap(),
                languages: BTreeSet::from([LanguageCode::parse("ti").unwrap()]),
                facilitators: BTreeSet::new(),
                partner: Some(OrganisationId::from_u128(9)),
            },
            &ctx,
        )
        .unwrap();
        s.execute(SessionCommand::RegisterAttendance { participant: ParticipantId::from_u128(7) }, &ctx).unwrap();
        s.execute(SessionCommand::SetUnregisteredHeadCount { count: 3 }, &ctx).unwrap();
        let parts = s.clone().into_parts();
        assert_eq!(parts.version, 3);
        assert_eq!(parts.attendees, BTreeSet::from([ParticipantId::from_u128(7)]));
        assert_eq!(InformationSession::from_parts(parts), s);
    }
}
