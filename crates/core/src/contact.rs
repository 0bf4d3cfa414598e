//! Contact moments (*contactmomenten*) and referrals (*doorverwijzingen*) to chain partners.

use crate::ViolationCode;
use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::activity::ActivityCode;
use crate::error::{DomainError, EntityKind};
use crate::ids::{ContactId, OrganisationId, ReferralId, UserId};
use crate::text::{Label, Text};

/// The kind of a contact moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A personal conversation (*persoonlijk gesprek*).
    IndividualTalk,
    /// By phone (*telefonisch*).
    Phone,
    /// In a group session (*groepsbijeenkomst*).
    GroupSession,
    /// Discussed in the chain-partner meeting (*ketenoverleg*).
    ChainMeeting,
    /// Contact with a partner about the person (*contact met ketenpartner*).
    PartnerContact,
    /// A visit at the shelter or home (*bezoek op locatie*).
    ShelterVisit,
    /// Accompanying the person to another organisation (*begeleiding naar instantie*).
    Accompaniment,
    /// After outflow: keeping in touch, also after return (*nazorg, monitoring*).
    Monitoring,
}

impl ContactKind {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IndividualTalk => "individual_talk",
            Self::Phone => "phone",
            Self::GroupSession => "group_session",
            Self::ChainMeeting => "chain_meeting",
            Self::PartnerContact => "partner_contact",
            Self::ShelterVisit => "shelter_visit",
            Self::Accompaniment => "accompaniment",
            Self::Monitoring => "monitoring",
        }
    }
}

/// Where a contact took place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum ContactLocation {
    /// At the foundation's office.
    Office,
    /// At an LVV location.
    LvvLocation(Label),
    /// By phone or video call.
    Remote,
    /// At a partner's premises.
    Partner(Label),
    /// Elsewhere (an external venue such as the WereldHuis).
    External(Label),
}

/// A contact moment: who, when, how, which activities, what was discussed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMoment {
    /// Id.
    pub id: ContactId,
    /// When it took place.
    pub at: DateTime<Utc>,
    /// Kind.
    pub kind: ContactKind,
    /// Where.
    pub location: ContactLocation,
    /// Staff present (at least one).
    pub staff: BTreeSet<UserId>,
    /// The activity codes this contact counts toward (at least one).
    pub activities: BTreeSet<ActivityCode>,
    /// Summary of the content (*inhoud van het gesprek*). Sensitive.
    pub summary: Text,
    /// The partner involved, for partner contacts and accompaniment.
    pub partner: Option<OrganisationId>,
    /// The contact's duration in minutes, when recorded.
    pub duration_minutes: Option<u32>,
    /// Documents handed over to the participant in this contact (their plan, the information
    /// sheet), each with its language and version; such a contact counts under 5.2.c.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<crate::document::HandedDocument>,
}

/// The domain a chain partner works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerDomain {
    /// Legal (ASKV, VluchtelingenWerk, IND, DT&V, AVIM).
    Legal,
    /// Medical (Kruispost, GGD, IOM).
    Medical,
    /// Return (IOM, DT&V).
    Return,
    /// Shelter (HVO Querido, Leger des Heils, gemeente Amsterdam).
    Shelter,
    /// Activities (BOOST, WereldHuis, ASKV, Amsterdam City Rights).
    Activities,
}

impl PartnerDomain {
    /// All domains.
    pub const ALL: [PartnerDomain; 5] = [Self::Legal, Self::Medical, Self::Return, Self::Shelter, Self::Activities];

    /// The domain of a stable name.
    pub fn parse(value: &str) -> Result<Self, crate::error::ValueError> {
        let v = value.trim();
        Self::ALL.into_iter().find(|d| d.as_str().eq_ignore_ascii_case(v)).ok_or_else(|| {
            crate::error::ValueError::new(
                ViolationCode::NotAPartnerDomain,
                format!("'{v}' is not a domain (one of legal, medical, return, shelter, activities)"),
            )
        })
    }

    /// The data category of a referral in this domain: a referral to GGD says something
    /// medical, one to ASKV something legal.
    pub const fn category(self) -> crate::access::DataCategory {
        use crate::access::DataCategory;
        match self {
            Self::Legal => DataCategory::Legal,
            Self::Medical => DataCategory::MedicalPsychosocial,
            Self::Return => DataCategory::Return,
            Self::Shelter | Self::Activities => DataCategory::Guidance,
        }
    }

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Legal => "legal",
            Self::Medical => "medical",
            Self::Return => "return",
            Self::Shelter => "shelter",
            Self::Activities => "activities",
        }
    }
}

/// The lifecycle of a referral.
///
/// `proposed → sent → accepted → completed`, with `rejected` by the partner after sending and
/// `revoked` by the foundation at any point before an end. The partner answers (accepted,
/// rejected, completed, see [`ReferralStatus::is_partner_answer`]); the foundation proposes,
/// sends and revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Discussed with the person, not yet sent.
    Proposed,
    /// Sent to the partner, awaiting an answer.
    Sent,
    /// The partner took the person on.
    Accepted,
    /// The partner declined. Final.
    Rejected,
    /// The partner's part is done. Final.
    Completed,
    /// Withdrawn by the foundation (or the person). Final.
    Revoked,
}

impl ReferralStatus {
    /// Every status, along the lifecycle.
    pub const ALL: [ReferralStatus; 6] =
        [Self::Proposed, Self::Sent, Self::Accepted, Self::Rejected, Self::Completed, Self::Revoked];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Completed => "completed",
            Self::Revoked => "revoked",
        }
    }

    /// Whether this status is the partner's answer (the only statuses a partner may set).
    pub const fn is_partner_answer(self) -> bool {
        matches!(self, Self::Accepted | Self::Rejected | Self::Completed)
    }

    /// Whether no further status can follow.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::Completed | Self::Revoked)
    }

    /// Check a status change along the lifecycle.
    pub fn check_transition(self, to: ReferralStatus) -> Result<(), DomainError> {
        use ReferralStatus::*;
        let ok = matches!(
            (self, to),
            (Proposed, Sent | Revoked) | (Sent, Accepted | Rejected | Revoked) | (Accepted, Completed | Revoked)
        );
        if ok {
            Ok(())
        } else {
            Err(DomainError::IllegalStatusTransition {
                entity: EntityKind::Referral,
                from: self.as_str().into(),
                to: to.as_str().into(),
            })
        }
    }
}

/// One step in a referral's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralStep {
    /// The status reached.
    pub status: ReferralStatus,
    /// On which day.
    pub on: NaiveDate,
    /// A note (the partner's answer, the reason for revoking).
    pub note: Option<Text>,
    /// Who recorded it (staff, or the partner's user).
    pub by: UserId,
}

/// A referral to a chain partner (3.2.d).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// Id.
    pub id: ReferralId,
    /// To whom.
    pub partner: OrganisationId,
    /// In which domain.
    pub domain: PartnerDomain,
    /// Why.
    pub reason: Text,
    /// The history, oldest first; the last step is the current status.
    pub history: Vec<ReferralStep>,
    /// Whether it was sent without a covering consent, on the project lead's recorded
    /// override (the addressee then reads it on that decision; the reason stays inside the
    /// foundation).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sent_on_override: bool,
}

impl Referral {
    /// The current status.
    pub fn status(&self) -> ReferralStatus {
        self.history.last().map_or(ReferralStatus::Proposed, |s| s.status)
    }

    /// The day the referral was sent, if it was.
    pub fn sent_on(&self) -> Option<NaiveDate> {
        self.history.iter().find(|s| s.status == ReferralStatus::Sent).map(|s| s.on)
    }

    /// Sent and without an answer for more than `days` days.
    pub fn is_unanswered(&self, today: NaiveDate, days: u32) -> bool {
        self.status() == ReferralStatus::Sent
            && self.sent_on().is_some_and(|sent| (today - sent).num_days() > i64::from(days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referral_lifecycle_edges() {
        use ReferralStatus::*;
        let all = [Proposed, Sent, Accepted, Rejected, Completed, Revoked];
        let legal = [
            (Proposed, Sent),
            (Proposed, Revoked),
            (Sent, Accepted),
            (Sent, Rejected),
            (Sent, Revoked),
            (Accepted, Completed),
            (Accepted, Revoked),
        ];
        for a in all {
            for b in all {
                assert_eq!(a.check_transition(b).is_ok(), legal.contains(&(a, b)), "{a:?} -> {b:?}");
            }
            assert_eq!(a.is_final(), !legal.iter().any(|(f, _)| *f == a));
        }
    }
}
