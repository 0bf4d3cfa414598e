//! Conversions of the case file model (`case.proto`): the core's [`Case`] as a
//! [`pb::CaseFile`], and every record it holds (profile, plan, goals, agreements, contacts,
//! referrals, the return track, self-reliance, reports, consents, outflow), both ways.
//!
//! Core → proto also fills the output-only fields partners need (the trajectory's last day,
//! an outflow's durability, a referral's current status); proto → core ignores them, so the
//! client rebuilds exactly the case the server sent ([`Case::from_parts`]). Only the limit
//! status depends on the day: [`case_file_on`] adds it.

use perspectief_core::ViolationCode;
use std::collections::{BTreeMap, BTreeSet};

use perspectief_core::ConfidentialityLevel;
use perspectief_core::contact::ReferralStep;
use perspectief_core::document::{DocumentKind, HandedDocument};
use perspectief_core::outflow::{ProgressReportRecord, ZrmAssessment, ZrmScore};
use perspectief_core::plan::DirectionChange;
use perspectief_core::returns::{
    Communication, DeparturePreparation, DepartureStep, DepartureStepKind, ExplorationFindings, ObstacleAction,
    ReanChecklist, ReintegrationPlan, ReturnExploration, ReturnObstacle,
};
use perspectief_core::trajectory::DEFAULT_LIMIT_WARNING_DAYS;
use perspectief_core::{
    ActivityCode, Agreement, AgreementStatus, Case, Consent, ContactKind, ContactLocation, ContactMoment, CountryCode,
    DataCategory, DateOfBirth, Direction, DomainError, Durability, Finality, Goal, GoalStatus, Label, LanguageCode,
    LimitStatus, Name, Nationality, ObstacleKind, ObstacleStatus, Outflow, OutflowOutcome, ParticipantProfile,
    PartnerDomain, Phase, PlanRevision, Recipient, Referral, ReferralStatus, Responsible, ReturnJudgment, ReturnStance,
    Text, UserId, VNumber, Verdict, ZrmDomain,
};

use perspectief_core::view::{CaseView, TrajectoryView, Withheld};

use crate::convert::{
    Field, FromProto, ToProto, etag, opt_enum, opt_enum_to_proto, opt_string, opt_to_string, optional, parse_name,
    proto_enum, repeated, required, resource_name, to_protos,
};
use crate::pb;

/// The collection of case files: a case is `participants/{participant_id}`.
const PARTICIPANTS: &str = "participants";

// ---- Enums --------------------------------------------------------------------------------

proto_enum!(Phase, pb::Phase {
    Phase::Intake => pb::Phase::Intake,
    Phase::Orientation => pb::Phase::Orientation,
    Phase::PlanExecution => pb::Phase::PlanExecution,
    Phase::Termination => pb::Phase::Termination,
    Phase::Closed => pb::Phase::Closed,
});

proto_enum!(Direction, pb::Direction {
    Direction::Undecided => pb::Direction::Undecided,
    Direction::LegalProcedureNl => pb::Direction::LegalProcedureNl,
    Direction::ReturnToOrigin => pb::Direction::ReturnToOrigin,
    Direction::ThirdCountry => pb::Direction::ThirdCountry,
});

proto_enum!(ReturnStance, pb::ReturnStance {
    ReturnStance::NotDiscussed => pb::ReturnStance::NotDiscussed,
    ReturnStance::NotConsidering => pb::ReturnStance::NotConsidering,
    ReturnStance::Considering => pb::ReturnStance::Considering,
    ReturnStance::Decided => pb::ReturnStance::Decided,
});

proto_enum!(GoalStatus, pb::GoalStatus {
    GoalStatus::Open => pb::GoalStatus::Open,
    GoalStatus::InProgress => pb::GoalStatus::InProgress,
    GoalStatus::Achieved => pb::GoalStatus::Achieved,
    GoalStatus::Missed => pb::GoalStatus::Missed,
    GoalStatus::Dropped => pb::GoalStatus::Dropped,
});

proto_enum!(ContactKind, pb::ContactKind {
    ContactKind::IndividualTalk => pb::ContactKind::IndividualTalk,
    ContactKind::Phone => pb::ContactKind::Phone,
    ContactKind::GroupSession => pb::ContactKind::GroupSession,
    ContactKind::ChainMeeting => pb::ContactKind::ChainMeeting,
    ContactKind::PartnerContact => pb::ContactKind::PartnerContact,
    ContactKind::ShelterVisit => pb::ContactKind::ShelterVisit,
    ContactKind::Accompaniment => pb::ContactKind::Accompaniment,
    ContactKind::Monitoring => pb::ContactKind::Monitoring,
});

proto_enum!(PartnerDomain, pb::PartnerDomain {
    PartnerDomain::Legal => pb::PartnerDomain::Legal,
    PartnerDomain::Medical => pb::PartnerDomain::Medical,
    PartnerDomain::Return => pb::PartnerDomain::Return,
    PartnerDomain::Shelter => pb::PartnerDomain::Shelter,
    PartnerDomain::Activities => pb::PartnerDomain::Activities,
});

proto_enum!(ReferralStatus, pb::ReferralStatus {
    ReferralStatus::Proposed => pb::ReferralStatus::Proposed,
    ReferralStatus::Sent => pb::ReferralStatus::Sent,
    ReferralStatus::Accepted => pb::ReferralStatus::Accepted,
    ReferralStatus::Rejected => pb::ReferralStatus::Rejected,
    ReferralStatus::Completed => pb::ReferralStatus::Completed,
    ReferralStatus::Revoked => pb::ReferralStatus::Revoked,
});

proto_enum!(ObstacleKind, pb::ObstacleKind {
    ObstacleKind::Motivation => pb::ObstacleKind::Motivation,
    ObstacleKind::MissingDocuments => pb::ObstacleKind::MissingDocuments,
    ObstacleKind::FamilyContact => pb::ObstacleKind::FamilyContact,
    ObstacleKind::HousingWorkPlan => pb::ObstacleKind::HousingWorkPlan,
    ObstacleKind::Finances => pb::ObstacleKind::Finances,
    ObstacleKind::MedicalPsychosocial => pb::ObstacleKind::MedicalPsychosocial,
    ObstacleKind::Other => pb::ObstacleKind::Other,
});

proto_enum!(ObstacleStatus, pb::ObstacleStatus {
    ObstacleStatus::Identified => pb::ObstacleStatus::Identified,
    ObstacleStatus::BeingAddressed => pb::ObstacleStatus::BeingAddressed,
    ObstacleStatus::Removed => pb::ObstacleStatus::Removed,
    ObstacleStatus::CannotBeRemoved => pb::ObstacleStatus::CannotBeRemoved,
});

proto_enum!(DepartureStepKind, pb::DepartureStepKind {
    DepartureStepKind::Documents => pb::DepartureStepKind::Documents,
    DepartureStepKind::EmbassyVisit => pb::DepartureStepKind::EmbassyVisit,
    DepartureStepKind::DtvCoordination => pb::DepartureStepKind::DtvCoordination,
    DepartureStepKind::IomCoordination => pb::DepartureStepKind::IomCoordination,
    DepartureStepKind::Other => pb::DepartureStepKind::Other,
});

proto_enum!(Verdict, pb::Verdict {
    Verdict::ReturnRealistic => pb::Verdict::ReturnRealistic,
    Verdict::ReturnNotRealisticNow => pb::Verdict::ReturnNotRealisticNow,
    Verdict::ReturnNotPossible => pb::Verdict::ReturnNotPossible,
    Verdict::NoCooperation => pb::Verdict::NoCooperation,
});

proto_enum!(Finality, pb::Finality {
    Finality::Provisional => pb::Finality::Provisional,
    Finality::Final => pb::Finality::Final,
});

proto_enum!(OutflowOutcome, pb::OutflowOutcome {
    OutflowOutcome::DepartedIndependentlySupervised => pb::OutflowOutcome::DepartedIndependentlySupervised,
    OutflowOutcome::DepartedForced => pb::OutflowOutcome::DepartedForced,
    OutflowOutcome::DepartedWithoutSupervision => pb::OutflowOutcome::DepartedWithoutSupervision,
    OutflowOutcome::ResidencePermitGranted => pb::OutflowOutcome::ResidencePermitGranted,
    OutflowOutcome::NewAsylumApplication => pb::OutflowOutcome::NewAsylumApplication,
    OutflowOutcome::OtherNewProcedure => pb::OutflowOutcome::OtherNewProcedure,
    OutflowOutcome::DeparturePostponedMedical => pb::OutflowOutcome::DeparturePostponedMedical,
    OutflowOutcome::OnwardMigration => pb::OutflowOutcome::OnwardMigration,
    OutflowOutcome::MovedToOtherShelter => pb::OutflowOutcome::MovedToOtherShelter,
    OutflowOutcome::EndedByChainDecision => pb::OutflowOutcome::EndedByChainDecision,
    OutflowOutcome::Deceased => pb::OutflowOutcome::Deceased,
    OutflowOutcome::Other => pb::OutflowOutcome::Other,
});

proto_enum!(Durability, pb::Durability {
    Durability::Durable => pb::Durability::Durable,
    Durability::SemiDurable => pb::Durability::SemiDurable,
    Durability::NoSolution => pb::Durability::NoSolution,
});

proto_enum!(ZrmDomain, pb::ZrmDomain {
    ZrmDomain::Finances => pb::ZrmDomain::Finances,
    ZrmDomain::WorkEducation => pb::ZrmDomain::WorkEducation,
    ZrmDomain::TimeUse => pb::ZrmDomain::TimeUse,
    ZrmDomain::Housing => pb::ZrmDomain::Housing,
    ZrmDomain::DomesticRelations => pb::ZrmDomain::DomesticRelations,
    ZrmDomain::MentalHealth => pb::ZrmDomain::MentalHealth,
    ZrmDomain::PhysicalHealth => pb::ZrmDomain::PhysicalHealth,
    ZrmDomain::Addiction => pb::ZrmDomain::Addiction,
    ZrmDomain::BasicAdl => pb::ZrmDomain::BasicAdl,
    ZrmDomain::InstrumentalAdl => pb::ZrmDomain::InstrumentalAdl,
    ZrmDomain::SocialNetwork => pb::ZrmDomain::SocialNetwork,
    ZrmDomain::SocialParticipation => pb::ZrmDomain::SocialParticipation,
    ZrmDomain::Justice => pb::ZrmDomain::Justice,
});

proto_enum!(ConfidentialityLevel, pb::ConfidentialityLevel {
    ConfidentialityLevel::Openbaar => pb::ConfidentialityLevel::Openbaar,
    ConfidentialityLevel::BeperktOpenbaar => pb::ConfidentialityLevel::BeperktOpenbaar,
    ConfidentialityLevel::Intern => pb::ConfidentialityLevel::Intern,
    ConfidentialityLevel::Zaakvertrouwelijk => pb::ConfidentialityLevel::Zaakvertrouwelijk,
    ConfidentialityLevel::Vertrouwelijk => pb::ConfidentialityLevel::Vertrouwelijk,
    ConfidentialityLevel::Confidentieel => pb::ConfidentialityLevel::Confidentieel,
    ConfidentialityLevel::Geheim => pb::ConfidentialityLevel::Geheim,
    ConfidentialityLevel::ZeerGeheim => pb::ConfidentialityLevel::ZeerGeheim,
});

proto_enum!(DataCategory, pb::DataCategory {
    DataCategory::Identity => pb::DataCategory::Identity,
    DataCategory::Guidance => pb::DataCategory::Guidance,
    DataCategory::Legal => pb::DataCategory::Legal,
    DataCategory::MedicalPsychosocial => pb::DataCategory::MedicalPsychosocial,
    DataCategory::CriminalHistory => pb::DataCategory::CriminalHistory,
    DataCategory::Return => pb::DataCategory::Return,
    DataCategory::Reports => pb::DataCategory::Reports,
});

// Activity codes travel as the plan's own number ("5.2.b(1)").
impl FromProto<String> for ActivityCode {
    fn from_proto(proto: String, at: &Field) -> Result<Self, DomainError> {
        if proto.trim().is_empty() {
            return Err(at.missing());
        }
        ActivityCode::parse(&proto).map_err(|e| at.value(e))
    }
}

impl ToProto for ActivityCode {
    type Proto = String;
    fn to_proto(&self) -> String {
        self.code().to_owned()
    }
}

// ---- The participant ----------------------------------------------------------------------

impl ToProto for DateOfBirth {
    type Proto = pb::DateOfBirth;
    fn to_proto(&self) -> pb::DateOfBirth {
        use pb::date_of_birth::{Month, Precision};
        let precision = match *self {
            DateOfBirth::Exact { date } => Precision::Exact(date.to_proto()),
            // A month is 1 to 12 (checked when the value was made), so it fits an i32.
            DateOfBirth::Month { year, month } => {
                Precision::Month(Month { year, month: i32::try_from(month).unwrap_or(i32::MAX) })
            }
            DateOfBirth::Year { year } => Precision::Year(year),
            DateOfBirth::Estimated { year } => Precision::Estimated(year),
        };
        pb::DateOfBirth { precision: Some(precision) }
    }
}

impl FromProto<pb::DateOfBirth> for DateOfBirth {
    fn from_proto(p: pb::DateOfBirth, at: &Field) -> Result<Self, DomainError> {
        use pb::date_of_birth::Precision;
        // Plausibility against today (not in the future, at most 120 years ago) is the core's
        // check where a date of birth is given; here only the form is checked.
        let year = |year: i32, at: &Field| {
            if (1..=9999).contains(&year) {
                Ok(year)
            } else {
                Err(at.invalid(ViolationCode::OutOfRange, "a year is 1 to 9999"))
            }
        };
        match p.precision {
            None => Err(at.missing()),
            Some(Precision::Exact(date)) => Ok(Self::Exact { date: FromProto::from_proto(date, &at.child("exact"))? }),
            Some(Precision::Month(m)) => {
                let at = at.child("month");
                let month = u32::try_from(m.month)
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| at.child("month").invalid(ViolationCode::OutOfRange, "a month is 1 to 12"))?;
                Ok(Self::Month { year: year(m.year, &at.child("year"))?, month })
            }
            Some(Precision::Year(y)) => Ok(Self::Year { year: year(y, &at.child("year"))? }),
            Some(Precision::Estimated(y)) => Ok(Self::Estimated { year: year(y, &at.child("estimated"))? }),
        }
    }
}

impl ToProto for Nationality {
    type Proto = pb::Nationality;
    fn to_proto(&self) -> pb::Nationality {
        use pb::nationality::Kind;
        let kind = match self {
            Nationality::Country(c) => Kind::Country(c.to_proto()),
            Nationality::Stateless => Kind::Stateless(()),
            Nationality::Unknown => Kind::Unknown(()),
        };
        pb::Nationality { kind: Some(kind) }
    }
}

impl FromProto<pb::Nationality> for Nationality {
    fn from_proto(p: pb::Nationality, at: &Field) -> Result<Self, DomainError> {
        use pb::nationality::Kind;
        match p.kind {
            None => Err(at.missing()),
            Some(Kind::Country(c)) => Ok(Self::Country(CountryCode::from_proto(c, &at.child("country"))?)),
            Some(Kind::Stateless(())) => Ok(Self::Stateless),
            Some(Kind::Unknown(())) => Ok(Self::Unknown),
        }
    }
}

impl ToProto for ParticipantProfile {
    type Proto = pb::ParticipantProfile;
    fn to_proto(&self) -> pb::ParticipantProfile {
        pb::ParticipantProfile {
            given_names: self.given_names.to_proto(),
            family_name: opt_to_string(self.family_name.as_ref()),
            aliases: to_protos(&self.aliases),
            date_of_birth: self.date_of_birth.as_ref().map(ToProto::to_proto),
            country_of_origin: opt_to_string(self.country_of_origin.as_ref()),
            nationalities: to_protos(&self.nationalities),
            languages: to_protos(&self.languages),
            v_number: opt_to_string(self.v_number.as_ref()),
            lvv_location: opt_to_string(self.lvv_location.as_ref()),
            project_worker: self.project_worker.to_proto(),
        }
    }
}

impl FromProto<pb::ParticipantProfile> for ParticipantProfile {
    fn from_proto(p: pb::ParticipantProfile, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            given_names: Name::from_proto(p.given_names, &at.child("given_names"))?,
            family_name: opt_string(p.family_name, &at.child("family_name"))?,
            aliases: repeated(p.aliases, &at.child("aliases"))?,
            date_of_birth: optional(p.date_of_birth, &at.child("date_of_birth"))?,
            country_of_origin: opt_string::<CountryCode>(p.country_of_origin, &at.child("country_of_origin"))?,
            nationalities: repeated(p.nationalities, &at.child("nationalities"))?,
            languages: repeated::<String, LanguageCode, _>(p.languages, &at.child("languages"))?,
            v_number: opt_string::<VNumber>(p.v_number, &at.child("v_number"))?,
            lvv_location: opt_string::<Label>(p.lvv_location, &at.child("lvv_location"))?,
            project_worker: UserId::from_proto(p.project_worker, &at.child("project_worker"))?,
        })
    }
}

// ---- The trajectory and the plan ----------------------------------------------------------

impl ToProto for LimitStatus {
    type Proto = pb::LimitStatus;
    fn to_proto(&self) -> pb::LimitStatus {
        let (state, days_left) = match *self {
            LimitStatus::WithinLimit { days_left } => (pb::LimitState::WithinLimit, days_left),
            LimitStatus::Approaching { days_left } => (pb::LimitState::Approaching, days_left),
            LimitStatus::Exceeded { days_over } => (pb::LimitState::Exceeded, -days_over),
        };
        pb::LimitStatus { state: state as i32, days_left }
    }
}

impl FromProto<pb::LimitStatus> for LimitStatus {
    fn from_proto(p: pb::LimitStatus, at: &Field) -> Result<Self, DomainError> {
        let state_at = at.child("state");
        let days_at = at.child("days_left");
        let not_past = |d: i64| {
            if d >= 0 {
                Ok(d)
            } else {
                Err(days_at.invalid(ViolationCode::OutOfRange, "negative only once the limit has passed"))
            }
        };
        match pb::LimitState::try_from(p.state) {
            Ok(pb::LimitState::WithinLimit) => Ok(Self::WithinLimit { days_left: not_past(p.days_left)? }),
            Ok(pb::LimitState::Approaching) => Ok(Self::Approaching { days_left: not_past(p.days_left)? }),
            Ok(pb::LimitState::Exceeded) if p.days_left < 0 => Ok(Self::Exceeded { days_over: -p.days_left }),
            Ok(pb::LimitState::Exceeded) => {
                Err(days_at.invalid(ViolationCode::OutOfRange, "a limit that has passed has negative days left"))
            }
            Ok(pb::LimitState::Unspecified) => Err(state_at.missing()),
            Err(_) => {
                Err(state_at
                    .invalid(ViolationCode::UnknownValue, format!("{} is not a known value of this enum", p.state)))
            }
        }
    }
}

impl ToProto for DirectionChange {
    type Proto = pb::DirectionChange;
    fn to_proto(&self) -> pb::DirectionChange {
        pb::DirectionChange {
            from: self.from.to_proto(),
            to: self.to.to_proto(),
            on: Some(self.on.to_proto()),
            reasoning: self.reasoning.to_proto(),
            by: self.by.to_proto(),
        }
    }
}

impl FromProto<pb::DirectionChange> for DirectionChange {
    fn from_proto(p: pb::DirectionChange, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            from: FromProto::from_proto(p.from, &at.child("from"))?,
            to: FromProto::from_proto(p.to, &at.child("to"))?,
            on: required(p.on, &at.child("on"))?,
            reasoning: Text::from_proto(p.reasoning, &at.child("reasoning"))?,
            by: UserId::from_proto(p.by, &at.child("by"))?,
        })
    }
}

impl ToProto for PlanRevision {
    type Proto = pb::PlanRevision;
    fn to_proto(&self) -> pb::PlanRevision {
        pb::PlanRevision {
            number: self.number,
            direction: self.direction.to_proto(),
            personal_situation: self.personal_situation.to_proto(),
            perspective: self.perspective.to_proto(),
            drawn_up_at: Some(self.drawn_up_at.to_proto()),
            drawn_up_by: self.drawn_up_by.to_proto(),
            agreed_on: self.agreed_on.as_ref().map(ToProto::to_proto),
        }
    }
}

impl FromProto<pb::PlanRevision> for PlanRevision {
    fn from_proto(p: pb::PlanRevision, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            number: p.number,
            direction: FromProto::from_proto(p.direction, &at.child("direction"))?,
            personal_situation: Text::from_proto(p.personal_situation, &at.child("personal_situation"))?,
            perspective: Text::from_proto(p.perspective, &at.child("perspective"))?,
            drawn_up_at: required(p.drawn_up_at, &at.child("drawn_up_at"))?,
            drawn_up_by: UserId::from_proto(p.drawn_up_by, &at.child("drawn_up_by"))?,
            agreed_on: optional(p.agreed_on, &at.child("agreed_on"))?,
        })
    }
}

impl ToProto for Responsible {
    type Proto = pb::Responsible;
    fn to_proto(&self) -> pb::Responsible {
        use pb::responsible::Kind;
        let kind = match self {
            Responsible::Participant => Kind::Participant(()),
            Responsible::Staff(user) => Kind::Staff(user.to_proto()),
            Responsible::Partner(org) => Kind::Partner(org.to_proto()),
        };
        pb::Responsible { kind: Some(kind) }
    }
}

impl FromProto<pb::Responsible> for Responsible {
    fn from_proto(p: pb::Responsible, at: &Field) -> Result<Self, DomainError> {
        use pb::responsible::Kind;
        match p.kind {
            None => Err(at.missing()),
            Some(Kind::Participant(())) => Ok(Self::Participant),
            Some(Kind::Staff(user)) => Ok(Self::Staff(FromProto::from_proto(user, &at.child("staff"))?)),
            Some(Kind::Partner(org)) => Ok(Self::Partner(FromProto::from_proto(org, &at.child("partner"))?)),
        }
    }
}

impl ToProto for Goal {
    type Proto = pb::Goal;
    fn to_proto(&self) -> pb::Goal {
        pb::Goal {
            id: self.id.to_proto(),
            description: self.description.to_proto(),
            rationale: opt_to_string(self.rationale.as_ref()),
            responsible: Some(self.responsible.to_proto()),
            partners: to_protos(&self.partners),
            deadline: Some(self.deadline.to_proto()),
            next_steps: opt_to_string(self.next_steps.as_ref()),
            status: self.status.to_proto(),
            plan_revision: self.plan_revision,
            set_at: Some(self.set_at.to_proto()),
            status_changed_on: self.status_changed_on.as_ref().map(ToProto::to_proto),
        }
    }
}

impl FromProto<pb::Goal> for Goal {
    fn from_proto(p: pb::Goal, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            description: Text::from_proto(p.description, &at.child("description"))?,
            rationale: opt_string(p.rationale, &at.child("rationale"))?,
            responsible: required(p.responsible, &at.child("responsible"))?,
            partners: repeated(p.partners, &at.child("partners"))?,
            deadline: required(p.deadline, &at.child("deadline"))?,
            next_steps: opt_string(p.next_steps, &at.child("next_steps"))?,
            status: FromProto::from_proto(p.status, &at.child("status"))?,
            plan_revision: p.plan_revision,
            set_at: required(p.set_at, &at.child("set_at"))?,
            status_changed_on: optional(p.status_changed_on, &at.child("status_changed_on"))?,
        })
    }
}

impl ToProto for AgreementStatus {
    type Proto = pb::AgreementStatus;
    fn to_proto(&self) -> pb::AgreementStatus {
        use pb::agreement_status::Status;
        let status = match self {
            AgreementStatus::Open => Status::Open(()),
            AgreementStatus::Fulfilled(on) => Status::Fulfilled(on.to_proto()),
            AgreementStatus::NotFulfilled(on) => Status::NotFulfilled(on.to_proto()),
        };
        pb::AgreementStatus { status: Some(status) }
    }
}

impl FromProto<pb::AgreementStatus> for AgreementStatus {
    fn from_proto(p: pb::AgreementStatus, at: &Field) -> Result<Self, DomainError> {
        use pb::agreement_status::Status;
        match p.status {
            None => Err(at.missing()),
            Some(Status::Open(())) => Ok(Self::Open),
            Some(Status::Fulfilled(on)) => Ok(Self::Fulfilled(FromProto::from_proto(on, &at.child("fulfilled"))?)),
            Some(Status::NotFulfilled(on)) => {
                Ok(Self::NotFulfilled(FromProto::from_proto(on, &at.child("not_fulfilled"))?))
            }
        }
    }
}

impl ToProto for Agreement {
    type Proto = pb::Agreement;
    fn to_proto(&self) -> pb::Agreement {
        pb::Agreement {
            id: self.id.to_proto(),
            description: self.description.to_proto(),
            due_on: Some(self.due_on.to_proto()),
            who_acts: Some(self.who_acts.to_proto()),
            made_in: opt_to_string(self.made_in.as_ref()),
            status: Some(self.status.to_proto()),
        }
    }
}

impl FromProto<pb::Agreement> for Agreement {
    fn from_proto(p: pb::Agreement, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            description: Text::from_proto(p.description, &at.child("description"))?,
            due_on: required(p.due_on, &at.child("due_on"))?,
            who_acts: required(p.who_acts, &at.child("who_acts"))?,
            made_in: opt_string(p.made_in, &at.child("made_in"))?,
            status: required(p.status, &at.child("status"))?,
        })
    }
}

/// An agreement with the data category of its content, as the case file lists it.
pub fn case_agreement(agreement: &Agreement, category: DataCategory) -> pb::CaseAgreement {
    pb::CaseAgreement { agreement: Some(agreement.to_proto()), category: category.to_proto() }
}

impl FromProto<pb::CaseAgreement> for (Agreement, DataCategory) {
    fn from_proto(p: pb::CaseAgreement, at: &Field) -> Result<Self, DomainError> {
        Ok((required(p.agreement, &at.child("agreement"))?, FromProto::from_proto(p.category, &at.child("category"))?))
    }
}

// ---- Contacts and referrals ---------------------------------------------------------------

impl ToProto for ContactLocation {
    type Proto = pb::ContactLocation;
    fn to_proto(&self) -> pb::ContactLocation {
        use pb::contact_location::Kind;
        let kind = match self {
            ContactLocation::Office => Kind::Office(()),
            ContactLocation::LvvLocation(name) => Kind::LvvLocation(name.to_proto()),
            ContactLocation::Remote => Kind::Remote(()),
            ContactLocation::Partner(name) => Kind::Partner(name.to_proto()),
            ContactLocation::External(name) => Kind::External(name.to_proto()),
        };
        pb::ContactLocation { kind: Some(kind) }
    }
}

impl FromProto<pb::ContactLocation> for ContactLocation {
    fn from_proto(p: pb::ContactLocation, at: &Field) -> Result<Self, DomainError> {
        use pb::contact_location::Kind;
        match p.kind {
            None => Err(at.missing()),
            Some(Kind::Office(())) => Ok(Self::Office),
            Some(Kind::LvvLocation(name)) => Ok(Self::LvvLocation(Label::from_proto(name, &at.child("lvv_location"))?)),
            Some(Kind::Remote(())) => Ok(Self::Remote),
            Some(Kind::Partner(name)) => Ok(Self::Partner(Label::from_proto(name, &at.child("partner"))?)),
            Some(Kind::External(name)) => Ok(Self::External(Label::from_proto(name, &at.child("external"))?)),
        }
    }
}

impl ToProto for ContactMoment {
    type Proto = pb::ContactMoment;
    fn to_proto(&self) -> pb::ContactMoment {
        pb::ContactMoment {
            id: self.id.to_proto(),
            at: Some(self.at.to_proto()),
            kind: self.kind.to_proto(),
            location: Some(self.location.to_proto()),
            staff: to_protos(&self.staff),
            activities: to_protos(&self.activities),
            summary: self.summary.to_proto(),
            partner: opt_to_string(self.partner.as_ref()),
            duration_minutes: self.duration_minutes,
            documents: to_protos(&self.documents),
        }
    }
}

proto_enum!(DocumentKind, pb::DocumentKind {
    DocumentKind::PerspectivePlan => pb::DocumentKind::PerspectivePlan,
    DocumentKind::InformationSheet => pb::DocumentKind::InformationSheet,
});

impl ToProto for HandedDocument {
    type Proto = pb::HandedDocument;
    fn to_proto(&self) -> pb::HandedDocument {
        pb::HandedDocument {
            kind: self.kind.to_proto(),
            language: self.language.to_proto(),
            version: self.version.to_proto(),
        }
    }
}

impl FromProto<pb::HandedDocument> for HandedDocument {
    fn from_proto(p: pb::HandedDocument, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            kind: FromProto::from_proto(p.kind, &at.child("kind"))?,
            language: FromProto::from_proto(p.language, &at.child("language"))?,
            version: FromProto::from_proto(p.version, &at.child("version"))?,
        })
    }
}

impl FromProto<pb::ContactMoment> for ContactMoment {
    fn from_proto(p: pb::ContactMoment, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            at: required(p.at, &at.child("at"))?,
            kind: FromProto::from_proto(p.kind, &at.child("kind"))?,
            location: required(p.location, &at.child("location"))?,
            staff: repeated::<String, UserId, BTreeSet<_>>(p.staff, &at.child("staff"))?,
            activities: repeated::<String, ActivityCode, BTreeSet<_>>(p.activities, &at.child("activities"))?,
            summary: Text::from_proto(p.summary, &at.child("summary"))?,
            partner: opt_string(p.partner, &at.child("partner"))?,
            duration_minutes: p.duration_minutes,
            documents: repeated(p.documents, &at.child("documents"))?,
        })
    }
}

/// A contact moment with the data category of its content, as the case file lists it.
pub fn case_contact(contact: &ContactMoment, category: DataCategory) -> pb::CaseContact {
    pb::CaseContact { contact: Some(contact.to_proto()), category: category.to_proto() }
}

impl FromProto<pb::CaseContact> for (ContactMoment, DataCategory) {
    fn from_proto(p: pb::CaseContact, at: &Field) -> Result<Self, DomainError> {
        Ok((required(p.contact, &at.child("contact"))?, FromProto::from_proto(p.category, &at.child("category"))?))
    }
}

impl ToProto for ReferralStep {
    type Proto = pb::ReferralStep;
    fn to_proto(&self) -> pb::ReferralStep {
        pb::ReferralStep {
            status: self.status.to_proto(),
            on: Some(self.on.to_proto()),
            note: opt_to_string(self.note.as_ref()),
            by: self.by.to_proto(),
        }
    }
}

impl FromProto<pb::ReferralStep> for ReferralStep {
    fn from_proto(p: pb::ReferralStep, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            status: FromProto::from_proto(p.status, &at.child("status"))?,
            on: required(p.on, &at.child("on"))?,
            note: opt_string(p.note, &at.child("note"))?,
            by: UserId::from_proto(p.by, &at.child("by"))?,
        })
    }
}

impl ToProto for Referral {
    type Proto = pb::Referral;
    fn to_proto(&self) -> pb::Referral {
        pb::Referral {
            id: self.id.to_proto(),
            partner: self.partner.to_proto(),
            domain: self.domain.to_proto(),
            reason: self.reason.to_proto(),
            history: to_protos(&self.history),
            status: self.status().to_proto(),
            category: self.domain.category().to_proto(),
            sent_on_override: self.sent_on_override,
        }
    }
}

impl FromProto<pb::Referral> for Referral {
    /// The output-only `status` and `category` are ignored: they follow from the history and
    /// the domain.
    fn from_proto(p: pb::Referral, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            partner: FromProto::from_proto(p.partner, &at.child("partner"))?,
            domain: FromProto::from_proto(p.domain, &at.child("domain"))?,
            reason: Text::from_proto(p.reason, &at.child("reason"))?,
            history: repeated(p.history, &at.child("history"))?,
            sent_on_override: p.sent_on_override,
        })
    }
}

// ---- The return track ---------------------------------------------------------------------

impl ToProto for ReturnExploration {
    type Proto = pb::ReturnExploration;
    fn to_proto(&self) -> pb::ReturnExploration {
        pb::ReturnExploration {
            started_on: Some(self.started_on.to_proto()),
            motivation: opt_to_string(self.motivation.as_ref()),
            documents: opt_to_string(self.documents.as_ref()),
            family_contact: opt_to_string(self.family_contact.as_ref()),
            prospects: opt_to_string(self.prospects.as_ref()),
            updated_at: Some(self.updated_at.to_proto()),
        }
    }
}

impl FromProto<pb::ReturnExploration> for ReturnExploration {
    fn from_proto(p: pb::ReturnExploration, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            started_on: required(p.started_on, &at.child("started_on"))?,
            motivation: opt_string(p.motivation, &at.child("motivation"))?,
            documents: opt_string(p.documents, &at.child("documents"))?,
            family_contact: opt_string(p.family_contact, &at.child("family_contact"))?,
            prospects: opt_string(p.prospects, &at.child("prospects"))?,
            updated_at: required(p.updated_at, &at.child("updated_at"))?,
        })
    }
}

impl ToProto for ExplorationFindings {
    type Proto = pb::ExplorationFindings;
    fn to_proto(&self) -> pb::ExplorationFindings {
        pb::ExplorationFindings {
            motivation: opt_to_string(self.motivation.as_ref()),
            documents: opt_to_string(self.documents.as_ref()),
            family_contact: opt_to_string(self.family_contact.as_ref()),
            prospects: opt_to_string(self.prospects.as_ref()),
        }
    }
}

impl FromProto<pb::ExplorationFindings> for ExplorationFindings {
    fn from_proto(p: pb::ExplorationFindings, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            motivation: opt_string(p.motivation, &at.child("motivation"))?,
            documents: opt_string(p.documents, &at.child("documents"))?,
            family_contact: opt_string(p.family_contact, &at.child("family_contact"))?,
            prospects: opt_string(p.prospects, &at.child("prospects"))?,
        })
    }
}

impl ToProto for ObstacleAction {
    type Proto = pb::ObstacleAction;
    fn to_proto(&self) -> pb::ObstacleAction {
        pb::ObstacleAction {
            on: Some(self.on.to_proto()),
            description: self.description.to_proto(),
            status: self.status.to_proto(),
            by: self.by.to_proto(),
        }
    }
}

impl FromProto<pb::ObstacleAction> for ObstacleAction {
    fn from_proto(p: pb::ObstacleAction, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            on: required(p.on, &at.child("on"))?,
            description: Text::from_proto(p.description, &at.child("description"))?,
            status: FromProto::from_proto(p.status, &at.child("status"))?,
            by: UserId::from_proto(p.by, &at.child("by"))?,
        })
    }
}

impl ToProto for ReturnObstacle {
    type Proto = pb::ReturnObstacle;
    fn to_proto(&self) -> pb::ReturnObstacle {
        pb::ReturnObstacle {
            id: self.id.to_proto(),
            kind: self.kind.to_proto(),
            description: self.description.to_proto(),
            partner: opt_to_string(self.partner.as_ref()),
            identified_on: Some(self.identified_on.to_proto()),
            status: self.status.to_proto(),
            actions: to_protos(&self.actions),
        }
    }
}

impl FromProto<pb::ReturnObstacle> for ReturnObstacle {
    fn from_proto(p: pb::ReturnObstacle, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            kind: FromProto::from_proto(p.kind, &at.child("kind"))?,
            description: Text::from_proto(p.description, &at.child("description"))?,
            partner: opt_string(p.partner, &at.child("partner"))?,
            identified_on: required(p.identified_on, &at.child("identified_on"))?,
            status: FromProto::from_proto(p.status, &at.child("status"))?,
            actions: repeated(p.actions, &at.child("actions"))?,
        })
    }
}

impl ToProto for ReintegrationPlan {
    type Proto = pb::ReintegrationPlan;
    fn to_proto(&self) -> pb::ReintegrationPlan {
        pb::ReintegrationPlan {
            housing: opt_to_string(self.housing.as_ref()),
            income_work: opt_to_string(self.income_work.as_ref()),
            business_plan: opt_to_string(self.business_plan.as_ref()),
            care: opt_to_string(self.care.as_ref()),
            contacts_abroad: opt_to_string(self.contacts_abroad.as_ref()),
        }
    }
}

impl FromProto<pb::ReintegrationPlan> for ReintegrationPlan {
    fn from_proto(p: pb::ReintegrationPlan, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            housing: opt_string(p.housing, &at.child("housing"))?,
            income_work: opt_string(p.income_work, &at.child("income_work"))?,
            business_plan: opt_string(p.business_plan, &at.child("business_plan"))?,
            care: opt_string(p.care, &at.child("care"))?,
            contacts_abroad: opt_string(p.contacts_abroad, &at.child("contacts_abroad"))?,
        })
    }
}

impl ToProto for ReanChecklist {
    type Proto = pb::ReanChecklist;
    fn to_proto(&self) -> pb::ReanChecklist {
        pb::ReanChecklist {
            no_assisted_return_in_five_years: self.no_assisted_return_in_five_years,
            travel_document_obtainable: self.travel_document_obtainable,
            agrees_procedures_end: self.agrees_procedures_end,
        }
    }
}

impl FromProto<pb::ReanChecklist> for ReanChecklist {
    fn from_proto(p: pb::ReanChecklist, _at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            no_assisted_return_in_five_years: p.no_assisted_return_in_five_years,
            travel_document_obtainable: p.travel_document_obtainable,
            agrees_procedures_end: p.agrees_procedures_end,
        })
    }
}

impl ToProto for DepartureStep {
    type Proto = pb::DepartureStep;
    fn to_proto(&self) -> pb::DepartureStep {
        pb::DepartureStep { on: Some(self.on.to_proto()), kind: self.kind.to_proto(), note: self.note.to_proto() }
    }
}

impl FromProto<pb::DepartureStep> for DepartureStep {
    fn from_proto(p: pb::DepartureStep, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            on: required(p.on, &at.child("on"))?,
            kind: FromProto::from_proto(p.kind, &at.child("kind"))?,
            note: Text::from_proto(p.note, &at.child("note"))?,
        })
    }
}

impl ToProto for DeparturePreparation {
    type Proto = pb::DeparturePreparation;
    fn to_proto(&self) -> pb::DeparturePreparation {
        pb::DeparturePreparation {
            steps: to_protos(&self.steps),
            rean: Some(self.rean.to_proto()),
            departure_on: self.departure_on.as_ref().map(ToProto::to_proto),
            accompany_to_schiphol: self.accompany_to_schiphol,
        }
    }
}

impl FromProto<pb::DeparturePreparation> for DeparturePreparation {
    /// An absent REAN checklist is one with nothing checked yet.
    fn from_proto(p: pb::DeparturePreparation, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            steps: repeated(p.steps, &at.child("steps"))?,
            rean: optional(p.rean, &at.child("rean"))?.unwrap_or_default(),
            departure_on: optional(p.departure_on, &at.child("departure_on"))?,
            accompany_to_schiphol: p.accompany_to_schiphol,
        })
    }
}

impl ToProto for Recipient {
    type Proto = pb::Recipient;
    fn to_proto(&self) -> pb::Recipient {
        use pb::recipient::Kind;
        let kind = match self {
            Recipient::Participant => Kind::Participant(()),
            Recipient::Municipality => Kind::Municipality(()),
            Recipient::Partner(org) => Kind::Partner(org.to_proto()),
        };
        pb::Recipient { kind: Some(kind) }
    }
}

impl FromProto<pb::Recipient> for Recipient {
    fn from_proto(p: pb::Recipient, at: &Field) -> Result<Self, DomainError> {
        use pb::recipient::Kind;
        match p.kind {
            None => Err(at.missing()),
            Some(Kind::Participant(())) => Ok(Self::Participant),
            Some(Kind::Municipality(())) => Ok(Self::Municipality),
            Some(Kind::Partner(org)) => Ok(Self::Partner(FromProto::from_proto(org, &at.child("partner"))?)),
        }
    }
}

impl ToProto for Communication {
    type Proto = pb::Communication;
    fn to_proto(&self) -> pb::Communication {
        pb::Communication { to: Some(self.to.to_proto()), on: Some(self.on.to_proto()) }
    }
}

impl FromProto<pb::Communication> for Communication {
    fn from_proto(p: pb::Communication, at: &Field) -> Result<Self, DomainError> {
        Ok(Self { to: required(p.to, &at.child("to"))?, on: required(p.on, &at.child("on"))? })
    }
}

impl ToProto for ReturnJudgment {
    type Proto = pb::ReturnJudgment;
    fn to_proto(&self) -> pb::ReturnJudgment {
        pb::ReturnJudgment {
            id: self.id.to_proto(),
            verdict: self.verdict.to_proto(),
            finality: self.finality.to_proto(),
            reasoning: self.reasoning.to_proto(),
            plan_revision: self.plan_revision,
            formed_on: Some(self.formed_on.to_proto()),
            formed_by: self.formed_by.to_proto(),
            communications: to_protos(&self.communications),
            consequences_explained_on: self.consequences_explained_on.as_ref().map(ToProto::to_proto),
        }
    }
}

impl FromProto<pb::ReturnJudgment> for ReturnJudgment {
    fn from_proto(p: pb::ReturnJudgment, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            verdict: FromProto::from_proto(p.verdict, &at.child("verdict"))?,
            finality: FromProto::from_proto(p.finality, &at.child("finality"))?,
            reasoning: Text::from_proto(p.reasoning, &at.child("reasoning"))?,
            plan_revision: p.plan_revision,
            formed_on: required(p.formed_on, &at.child("formed_on"))?,
            formed_by: UserId::from_proto(p.formed_by, &at.child("formed_by"))?,
            communications: repeated(p.communications, &at.child("communications"))?,
            consequences_explained_on: optional(p.consequences_explained_on, &at.child("consequences_explained_on"))?,
        })
    }
}

// ---- Outflow, self-reliance, reports, consent ---------------------------------------------

impl ToProto for Outflow {
    type Proto = pb::Outflow;
    fn to_proto(&self) -> pb::Outflow {
        pb::Outflow {
            outcome: self.outcome.to_proto(),
            on: Some(self.on.to_proto()),
            note: opt_to_string(self.note.as_ref()),
            recorded_by: self.recorded_by.to_proto(),
            durability: self.outcome.durability().to_proto(),
            departure: self.outcome.is_departure(),
        }
    }
}

impl FromProto<pb::Outflow> for Outflow {
    /// The output-only `durability` and `departure` are ignored: they follow from the outcome.
    fn from_proto(p: pb::Outflow, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            outcome: FromProto::from_proto(p.outcome, &at.child("outcome"))?,
            on: required(p.on, &at.child("on"))?,
            note: opt_string(p.note, &at.child("note"))?,
            recorded_by: UserId::from_proto(p.recorded_by, &at.child("recorded_by"))?,
        })
    }
}

/// ZRM scores in proto form, ordered by domain.
pub fn zrm_scores_to_proto(scores: &BTreeMap<ZrmDomain, ZrmScore>) -> Vec<pb::ZrmScoreEntry> {
    scores
        .iter()
        .map(|(domain, score)| pb::ZrmScoreEntry { domain: domain.to_proto(), score: u32::from(score.get()) })
        .collect()
}

/// ZRM scores from proto form: each score 1 to 5, a domain at most once.
pub fn zrm_scores_from_proto(
    entries: Vec<pb::ZrmScoreEntry>,
    at: &Field,
) -> Result<BTreeMap<ZrmDomain, ZrmScore>, DomainError> {
    let mut scores = BTreeMap::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let at = at.index(i);
        let domain = ZrmDomain::from_proto(entry.domain, &at.child("domain"))?;
        let score_at = at.child("score");
        let score = u8::try_from(entry.score)
            .map_err(|_| {
                score_at.invalid(ViolationCode::OutOfRange, format!("a ZRM score is 1 to 5 (got {})", entry.score))
            })
            .and_then(|s| ZrmScore::new(s).map_err(|e| score_at.value(e)))?;
        if scores.insert(domain, score).is_some() {
            return Err(at.child("domain").invalid(ViolationCode::Duplicate, "a life domain is scored at most once"));
        }
    }
    Ok(scores)
}

impl ToProto for ZrmAssessment {
    type Proto = pb::ZrmAssessment;
    fn to_proto(&self) -> pb::ZrmAssessment {
        pb::ZrmAssessment {
            assessed_on: Some(self.assessed_on.to_proto()),
            scores: zrm_scores_to_proto(&self.scores),
            by: self.by.to_proto(),
        }
    }
}

impl FromProto<pb::ZrmAssessment> for ZrmAssessment {
    fn from_proto(p: pb::ZrmAssessment, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            assessed_on: required(p.assessed_on, &at.child("assessed_on"))?,
            scores: zrm_scores_from_proto(p.scores, &at.child("scores"))?,
            by: UserId::from_proto(p.by, &at.child("by"))?,
        })
    }
}

impl ToProto for ProgressReportRecord {
    type Proto = pb::ProgressReportRecord;
    fn to_proto(&self) -> pb::ProgressReportRecord {
        pb::ProgressReportRecord {
            id: self.id.to_proto(),
            period_from: Some(self.period_from.to_proto()),
            period_to: Some(self.period_to.to_proto()),
            sent_at: Some(self.sent_at.to_proto()),
            sent_to: self.sent_to.to_proto(),
            sent_by: self.sent_by.to_proto(),
        }
    }
}

impl FromProto<pb::ProgressReportRecord> for ProgressReportRecord {
    fn from_proto(p: pb::ProgressReportRecord, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            period_from: required(p.period_from, &at.child("period_from"))?,
            period_to: required(p.period_to, &at.child("period_to"))?,
            sent_at: required(p.sent_at, &at.child("sent_at"))?,
            sent_to: FromProto::from_proto(p.sent_to, &at.child("sent_to"))?,
            sent_by: UserId::from_proto(p.sent_by, &at.child("sent_by"))?,
        })
    }
}

impl ToProto for Consent {
    type Proto = pb::Consent;
    fn to_proto(&self) -> pb::Consent {
        pb::Consent {
            id: self.id.to_proto(),
            organisation: self.organisation.to_proto(),
            categories: to_protos(&self.categories),
            purpose: self.purpose.to_proto(),
            given_on: Some(self.given_on.to_proto()),
            withdrawn_on: self.withdrawn_on.as_ref().map(ToProto::to_proto),
            recorded_by: self.recorded_by.to_proto(),
        }
    }
}

impl FromProto<pb::Consent> for Consent {
    fn from_proto(p: pb::Consent, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            organisation: FromProto::from_proto(p.organisation, &at.child("organisation"))?,
            categories: repeated::<i32, DataCategory, BTreeSet<_>>(p.categories, &at.child("categories"))?,
            purpose: Text::from_proto(p.purpose, &at.child("purpose"))?,
            given_on: required(p.given_on, &at.child("given_on"))?,
            withdrawn_on: optional(p.withdrawn_on, &at.child("withdrawn_on"))?,
            recorded_by: UserId::from_proto(p.recorded_by, &at.child("recorded_by"))?,
        })
    }
}

// ---- The case file ------------------------------------------------------------------------

impl ToProto for CaseView {
    type Proto = pb::CaseFile;
    /// The case file as the caller may see it. The limit status depends on the day and is
    /// left out here; [`case_file_on`] adds it.
    fn to_proto(&self) -> pb::CaseFile {
        let trajectory = self.trajectory.as_ref();
        pb::CaseFile {
            name: resource_name(PARTICIPANTS, &self.id),
            etag: etag(self.version),
            version: self.version,
            profile: self.profile.as_ref().map(ToProto::to_proto),
            registered_on: trajectory.map(|t| t.registered_on.to_proto()),
            phase: opt_enum_to_proto(trajectory.map(|t| &t.phase)),
            direction: opt_enum_to_proto(trajectory.map(|t| &t.direction)),
            direction_history: trajectory.map(|t| to_protos(&t.direction_history)).unwrap_or_default(),
            return_stance: opt_enum_to_proto(self.return_stance.as_ref()),
            plan: to_protos(&self.plan),
            goals: to_protos(self.goals.values()),
            agreements: self.agreements.values().map(|(a, cat)| case_agreement(a, *cat)).collect(),
            contacts: self.contacts.values().map(|(c, cat)| case_contact(c, *cat)).collect(),
            referrals: to_protos(self.referrals.values()),
            exploration: self.exploration.as_ref().map(ToProto::to_proto),
            obstacles: to_protos(self.obstacles.values()),
            reintegration: self.reintegration.as_ref().map(ToProto::to_proto),
            departure: self.departure.as_ref().map(ToProto::to_proto),
            judgments: to_protos(&self.judgments),
            self_reliance: to_protos(&self.self_reliance),
            consents: to_protos(&self.consents),
            reports: to_protos(&self.reports),
            outflow: self.outflow.as_ref().map(ToProto::to_proto),
            levels: self
                .levels
                .iter()
                .map(|(category, level)| pb::CategoryLevel { category: category.to_proto(), level: level.to_proto() })
                .collect(),
            withheld: self.withheld.iter().map(withheld_category).collect(),
            hidden: to_protos(&self.hidden),
            limit_on: trajectory.map(|t| t.dates().limit().to_proto()),
            limit_status: None,
        }
    }
}

impl ToProto for Case {
    type Proto = pb::CaseFile;
    /// The whole case file (see [`CaseView::whole`]).
    fn to_proto(&self) -> pb::CaseFile {
        CaseView::whole(self).to_proto()
    }
}

/// A withheld category on the wire: the reason's stable code and details, as a denial's
/// ErrorInfo carries them.
fn withheld_category(w: &Withheld) -> pb::WithheldCategory {
    let mut details = std::collections::HashMap::new();
    crate::status::deny_metadata(&w.reason, &mut |k: &str, v: &str| {
        details.insert(k.to_owned(), v.to_owned());
    });
    pb::WithheldCategory {
        category: w.category.to_proto(),
        reason: details.remove("deny_reason").unwrap_or_default(),
        details,
        message: w.reason.to_string(),
    }
}

impl FromProto<pb::WithheldCategory> for Withheld {
    fn from_proto(p: pb::WithheldCategory, at: &Field) -> Result<Self, DomainError> {
        let mut details = p.details;
        details.insert("deny_reason".to_owned(), p.reason);
        let reason = crate::status::deny_reason_of(&details)
            .ok_or_else(|| at.child("reason").invalid(ViolationCode::UnknownValue, "not a known reason"))?;
        Ok(Self { category: FromProto::from_proto(p.category, &at.child("category"))?, reason })
    }
}

/// The case file as the server answers on `today` (the Amsterdam date): the view with the limit
/// status against the default warning lead time (absent once the trajectory has ended, and
/// when guidance data is withheld).
pub fn case_file_on(view: &CaseView, today: chrono::NaiveDate) -> pb::CaseFile {
    let limit_status = match (&view.trajectory, &view.outflow) {
        (Some(t), None) => Some(t.dates().limit_status(today, DEFAULT_LIMIT_WARNING_DAYS).to_proto()),
        _ => None,
    };
    pb::CaseFile { limit_status, ..view.to_proto() }
}

/// Records keyed by id: the id of each is its key, and an id appears at most once.
fn keyed<P, K: Ord, V>(
    protos: Vec<P>,
    at: &Field,
    id_field: &str,
    convert: impl Fn(P, &Field) -> Result<V, DomainError>,
    key: impl Fn(&V) -> K,
) -> Result<BTreeMap<K, V>, DomainError> {
    let mut map = BTreeMap::new();
    for (i, p) in protos.into_iter().enumerate() {
        let at = at.index(i);
        let value = convert(p, &at)?;
        if map.insert(key(&value), value).is_some() {
            return Err(at.child(id_field).invalid(ViolationCode::Duplicate, "this id appears more than once"));
        }
    }
    Ok(map)
}

/// The levels a case file lists: one per category shown. A level below its category's
/// default cannot be a case's.
fn levels_of(
    protos: Vec<pb::CategoryLevel>,
    at: &Field,
) -> Result<BTreeMap<DataCategory, ConfidentialityLevel>, DomainError> {
    let mut levels = BTreeMap::new();
    for (i, p) in protos.into_iter().enumerate() {
        let at = at.index(i);
        let category = DataCategory::from_proto(p.category, &at.child("category"))?;
        let level = ConfidentialityLevel::from_proto(p.level, &at.child("level"))?;
        if level < category.default_level() {
            return Err(at
                .child("level")
                .invalid(ViolationCode::BelowCategoryMinimum, "below the category's minimum level"));
        }
        levels.insert(category, level);
    }
    Ok(levels)
}

impl FromProto<pb::CaseFile> for CaseView {
    /// Rebuilds the view the server sent, exactly. The etag and the output-only fields are
    /// ignored; the parts are trusted as a case file (see [`Case::from_parts`]), only their
    /// form is checked here.
    fn from_proto(p: pb::CaseFile, at: &Field) -> Result<Self, DomainError> {
        let registered_on: Option<chrono::NaiveDate> = optional(p.registered_on, &at.child("registered_on"))?;
        let trajectory = match registered_on {
            Some(registered_on) => Some(TrajectoryView {
                registered_on,
                phase: FromProto::from_proto(p.phase, &at.child("phase"))?,
                direction: FromProto::from_proto(p.direction, &at.child("direction"))?,
                direction_history: repeated(p.direction_history, &at.child("direction_history"))?,
            }),
            None => None,
        };
        Ok(CaseView {
            id: parse_name(PARTICIPANTS, &p.name, &at.child("name"))?,
            version: p.version,
            profile: optional(p.profile, &at.child("profile"))?,
            trajectory,
            return_stance: opt_enum(p.return_stance, &at.child("return_stance"))?,
            plan: repeated(p.plan, &at.child("plan"))?,
            goals: keyed(p.goals, &at.child("goals"), "id", Goal::from_proto, |g| g.id)?,
            agreements: keyed(
                p.agreements,
                &at.child("agreements"),
                "agreement.id",
                <(Agreement, DataCategory)>::from_proto,
                |(a, _)| a.id,
            )?,
            contacts: keyed(
                p.contacts,
                &at.child("contacts"),
                "contact.id",
                <(ContactMoment, DataCategory)>::from_proto,
                |(c, _)| c.id,
            )?,
            referrals: keyed(p.referrals, &at.child("referrals"), "id", Referral::from_proto, |r| r.id)?,
            exploration: optional(p.exploration, &at.child("exploration"))?,
            obstacles: keyed(p.obstacles, &at.child("obstacles"), "id", ReturnObstacle::from_proto, |o| o.id)?,
            reintegration: optional(p.reintegration, &at.child("reintegration"))?,
            departure: optional(p.departure, &at.child("departure"))?,
            judgments: repeated(p.judgments, &at.child("judgments"))?,
            self_reliance: repeated(p.self_reliance, &at.child("self_reliance"))?,
            consents: repeated(p.consents, &at.child("consents"))?,
            reports: repeated(p.reports, &at.child("reports"))?,
            outflow: optional(p.outflow, &at.child("outflow"))?,
            levels: levels_of(p.levels, &at.child("levels"))?,
            hidden: repeated(p.hidden, &at.child("hidden"))?,
            withheld: repeated(p.withheld, &at.child("withheld"))?,
        })
    }
}

impl FromProto<pb::CaseFile> for Case {
    /// Rebuilds the whole case the server sent, exactly; a file with withheld categories is
    /// not a whole case and is refused as the denial of the first withheld category.
    fn from_proto(p: pb::CaseFile, at: &Field) -> Result<Self, DomainError> {
        let view = CaseView::from_proto(p, at)?;
        // A whole file has every part that every case has.
        if view.withheld.is_empty() {
            if view.profile.is_none() {
                return Err(at.child("profile").missing());
            }
            if view.trajectory.is_none() {
                return Err(at.child("registered_on").missing());
            }
            if view.return_stance.is_none() {
                return Err(at.child("return_stance").missing());
            }
        }
        view.into_case().map_err(DomainError::AccessDenied)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, TimeZone, Utc};
    use perspectief_core::{
        AgreementId, CaseCommand, CommandContext, ConsentId, ContactId, GoalId, JudgmentId, NewAgreement, NewContact,
        NewGoal, ObstacleId, OrganisationId, ParticipantId, ReferralId, RegisterParticipant, ReportId,
    };

    use super::*;

    const WORKER: UserId = UserId::from_u128(1);
    const IOM: OrganisationId = OrganisationId::from_u128(101);
    const GEMEENTE: OrganisationId = OrganisationId::from_u128(102);

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn noon(d: NaiveDate) -> DateTime<Utc> {
        Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
    }

    fn ctx(d: u32) -> CommandContext {
        CommandContext { actor: WORKER, now: noon(day(d)), today: day(d) }
    }

    fn text(s: &str) -> Text {
        Text::parse(s).unwrap()
    }

    fn profile() -> ParticipantProfile {
        ParticipantProfile {
            given_names: Name::parse("Testpersoon").unwrap(),
            family_name: Some(Name::parse("Synthetisch").unwrap()),
            aliases: vec![Name::parse("Test P.").unwrap()],
            date_of_birth: Some(DateOfBirth::Month { year: 1990, month: 5 }),
            country_of_origin: Some(CountryCode::parse("ER").unwrap()),
            nationalities: vec![Nationality::Country(CountryCode::parse("ER").unwrap()), Nationality::Stateless],
            languages: vec![LanguageCode::parse("ti").unwrap(), LanguageCode::parse("en").unwrap()],
            v_number: Some(VNumber::parse("1234567890").unwrap()),
            lvv_location: Some(Label::parse("LVV West").unwrap()),
            project_worker: WORKER,
        }
    }

    fn run(case: &mut Case, command: CaseCommand, d: u32) {
        let name = command.name();
        case.execute(command, &ctx(d)).unwrap_or_else(|e| panic!("{name} refused: {e}"));
    }

    /// A case built through real commands that touches every part of the case file.
    fn full_case() -> Case {
        let register =
            RegisterParticipant { id: ParticipantId::from_u128(7), profile: profile(), registered_on: day(2) };
        let (mut case, _) = Case::register(register, &ctx(2)).unwrap();
        let agreement = |id, who_acts| NewAgreement {
            id: AgreementId::from_u128(id),
            description: text("Paspoortfoto's laten maken"),
            due_on: day(20),
            who_acts,
        };
        run(
            &mut case,
            CaseCommand::LogContact(NewContact {
                id: ContactId::from_u128(1),
                at: noon(day(2)),
                kind: ContactKind::IndividualTalk,
                location: ContactLocation::LvvLocation(Label::parse("LVV West").unwrap()),
                staff: [UserId::from_u128(2)].into(),
                activities: [ActivityCode::OrientationTalks, ActivityCode::SocialGuidance].into(),
                summary: text("Eerste oriëntatiegesprek (synthetisch)."),
                category: DataCategory::Guidance,
                partner: None,
                duration_minutes: Some(45),
                agreements: vec![agreement(1, Responsible::Participant), agreement(2, Responsible::Staff(WORKER))],
                documents: Vec::new(),
            }),
            2,
        );
        run(
            &mut case,
            CaseCommand::LogContact(NewContact {
                id: ContactId::from_u128(2),
                at: noon(day(3)),
                kind: ContactKind::PartnerContact,
                location: ContactLocation::Remote,
                staff: BTreeSet::new(),
                activities: [ActivityCode::SocialGuidance].into(),
                summary: text("Overleg met huisarts (synthetisch)."),
                category: DataCategory::MedicalPsychosocial,
                partner: Some(IOM),
                duration_minutes: None,
                agreements: vec![],
                documents: Vec::new(),
            }),
            3,
        );
        run(
            &mut case,
            CaseCommand::AddAgreement {
                agreement: agreement(3, Responsible::Partner(IOM)),
                category: DataCategory::Legal,
            },
            3,
        );
        run(
            &mut case,
            CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(1), fulfilled: true, on: day(4) },
            4,
        );
        run(
            &mut case,
            CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(2), fulfilled: false, on: day(4) },
            4,
        );
        run(
            &mut case,
            CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: day(4), note: None },
            4,
        );
        run(
            &mut case,
            CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on: day(4), reasoning: text("Wil terug.") },
            4,
        );
        run(
            &mut case,
            CaseCommand::RevisePlan { personal_situation: text("Situatie."), perspective: text("Terugkeer.") },
            4,
        );
        run(&mut case, CaseCommand::AgreePlan { revision: 1, on: day(4) }, 4);
        run(
            &mut case,
            CaseCommand::SetGoal(NewGoal {
                id: GoalId::from_u128(1),
                description: text("Documenten verzamelen"),
                rationale: Some(text("Nodig voor vertrek")),
                responsible: Responsible::Partner(IOM),
                partners: vec![IOM, GEMEENTE],
                deadline: day(30),
                next_steps: Some(text("Ambassade bellen")),
            }),
            5,
        );
        run(
            &mut case,
            CaseCommand::SetGoal(NewGoal {
                id: GoalId::from_u128(2),
                description: text("Taalles volgen"),
                rationale: None,
                responsible: Responsible::Participant,
                partners: vec![],
                deadline: day(31),
                next_steps: None,
            }),
            5,
        );
        run(
            &mut case,
            CaseCommand::ChangeGoalStatus {
                goal: GoalId::from_u128(1),
                to: GoalStatus::InProgress,
                new_deadline: None,
                on: day(6),
            },
            6,
        );
        run(
            &mut case,
            CaseCommand::ProposeReferral {
                id: ReferralId::from_u128(1),
                partner: IOM,
                domain: PartnerDomain::Return,
                reason: text("Ondersteuning bij terugkeer"),
            },
            6,
        );
        run(
            &mut case,
            CaseCommand::AdvanceReferral {
                referral: ReferralId::from_u128(1),
                to: ReferralStatus::Sent,
                on: day(6),
                note: Some(text("Per mail")),
                consent_override: Some(text("Spoed")),
            },
            6,
        );
        run(
            &mut case,
            CaseCommand::StartReturnExploration {
                on: day(7),
                findings: ExplorationFindings { documents: Some(text("Geen paspoort")), ..Default::default() },
            },
            7,
        );
        run(
            &mut case,
            CaseCommand::IdentifyObstacle {
                id: ObstacleId::from_u128(1),
                kind: ObstacleKind::MissingDocuments,
                description: text("Paspoort ontbreekt"),
                partner: Some(IOM),
                on: day(7),
            },
            7,
        );
        run(&mut case, CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: day(8), note: None }, 8);
        run(
            &mut case,
            CaseCommand::ActOnObstacle {
                obstacle: ObstacleId::from_u128(1),
                description: text("Ambassade gebeld"),
                status: ObstacleStatus::BeingAddressed,
                on: day(8),
            },
            8,
        );
        run(
            &mut case,
            CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
                housing: Some(text("Bij familie")),
                business_plan: Some(text("Winkel")),
                ..Default::default()
            }),
            8,
        );
        run(
            &mut case,
            CaseCommand::RecordDepartureStep(DepartureStep {
                on: day(9),
                kind: DepartureStepKind::EmbassyVisit,
                note: text("Laissez-passer aangevraagd"),
            }),
            9,
        );
        run(
            &mut case,
            CaseCommand::UpdateReanChecklist(ReanChecklist {
                no_assisted_return_in_five_years: Some(true),
                travel_document_obtainable: Some(false),
                agrees_procedures_end: None,
            }),
            9,
        );
        run(&mut case, CaseCommand::PlanDeparture { on: Some(day(28)), accompany_to_schiphol: true }, 9);
        run(
            &mut case,
            CaseCommand::RecordJudgment {
                id: JudgmentId::from_u128(1),
                verdict: Verdict::ReturnRealistic,
                finality: Finality::Provisional,
                reasoning: text("Gemotiveerd en documenten in aanvraag."),
                formed_on: day(10),
            },
            10,
        );
        run(
            &mut case,
            CaseCommand::RecordJudgmentCommunicated {
                judgment: JudgmentId::from_u128(1),
                to: Recipient::Partner(IOM),
                on: day(10),
            },
            10,
        );
        run(
            &mut case,
            CaseCommand::RecordJudgmentCommunicated {
                judgment: JudgmentId::from_u128(1),
                to: Recipient::Municipality,
                on: day(10),
            },
            10,
        );
        run(
            &mut case,
            CaseCommand::RecordConsequencesExplained { judgment: JudgmentId::from_u128(1), on: day(10) },
            10,
        );
        run(
            &mut case,
            CaseCommand::RecordSelfReliance {
                assessed_on: day(11),
                scores: [
                    (ZrmDomain::Finances, ZrmScore::new(2).unwrap()),
                    (ZrmDomain::Justice, ZrmScore::new(5).unwrap()),
                ]
                .into(),
            },
            11,
        );
        run(
            &mut case,
            CaseCommand::GiveConsent {
                id: ConsentId::from_u128(1),
                organisation: IOM,
                categories: [DataCategory::Identity, DataCategory::Return].into(),
                purpose: text("Terugkeer voorbereiden"),
                given_on: day(11),
            },
            11,
        );
        run(
            &mut case,
            CaseCommand::GiveConsent {
                id: ConsentId::from_u128(2),
                organisation: GEMEENTE,
                categories: [DataCategory::Reports].into(),
                purpose: text("Voortgang"),
                given_on: day(11),
            },
            11,
        );
        // The report goes out under the municipality's consent, which is withdrawn afterwards.
        run(
            &mut case,
            CaseCommand::RecordProgressReport {
                id: ReportId::from_u128(1),
                period_from: day(2),
                period_to: day(12),
                sent_to: GEMEENTE,
            },
            12,
        );
        run(&mut case, CaseCommand::WithdrawConsent { consent: ConsentId::from_u128(2), on: day(12) }, 12);
        run(
            &mut case,
            CaseCommand::RecordOutflow {
                outcome: OutflowOutcome::DepartedIndependentlySupervised,
                on: day(29),
                note: Some(text("Vertrokken met IOM")),
            },
            29,
        );
        case
    }

    fn round_trip<T, P>(value: &T) -> T
    where
        T: ToProto<Proto = P> + FromProto<P> + PartialEq + std::fmt::Debug,
    {
        T::from_proto(value.to_proto(), &Field::root()).unwrap_or_else(|e| panic!("{value:?}: {e:?}"))
    }

    fn path_of(e: &DomainError) -> (String, String) {
        let v = e.violations().unwrap_or_else(|| panic!("not a field error: {e:?}")).iter().next().unwrap();
        (v.field.clone(), v.code.code().to_owned())
    }

    #[test]
    fn a_case_built_through_commands_survives_the_round_trip() {
        let case = full_case();
        // Every part is there, so the round trip below covers it.
        assert_eq!(case.goals().count(), 2);
        assert_eq!(case.agreements().count(), 3);
        assert_eq!(case.contacts().count(), 2);
        assert!(case.referrals().next().is_some() && case.obstacles().next().is_some());
        assert!(case.return_exploration().is_some() && case.reintegration_plan().is_some());
        assert!(case.departure().is_some() && case.outflow().is_some());
        assert!(!case.judgments().is_empty() && !case.self_reliance().is_empty() && !case.reports().is_empty());
        assert_eq!(case.consents().len(), 2);
        assert!(!case.direction_history().is_empty() && !case.plan_revisions().is_empty());

        let file = case.to_proto();
        assert_eq!(file.name, "participants/00000000-0000-0000-0000-000000000007");
        assert_eq!(file.etag, case.version().to_string());
        assert_eq!(file.limit_on, Some(NaiveDate::from_ymd_opt(2027, 9, 1).unwrap().to_proto()));
        let outflow = file.outflow.as_ref().unwrap();
        assert_eq!((outflow.durability, outflow.departure), (pb::Durability::Durable as i32, true));
        assert_eq!(file.referrals[0].status, pb::ReferralStatus::Sent as i32);
        assert_eq!(file.referrals[0].category, pb::DataCategory::Return as i32);
        assert_eq!(file.contacts[1].category, pb::DataCategory::MedicalPsychosocial as i32);
        assert_eq!(Case::from_proto(file, &Field::root()).unwrap(), case);

        // Through the wire format too, and the derived fields do not matter on the way in.
        let mut file = case_file_on(&CaseView::whole(&case), day(30));
        assert_eq!(file.limit_status, None, "no limit status after the outflow");
        file.referrals[0].status = pb::ReferralStatus::Revoked as i32;
        file.outflow.as_mut().unwrap().durability = 0;
        file.limit_on = None;
        let bytes = prost::Message::encode_to_vec(&file);
        let decoded: pb::CaseFile = prost::Message::decode(bytes.as_slice()).unwrap();
        assert_eq!(Case::from_proto(decoded, &Field::root()).unwrap(), case);
    }

    #[test]
    fn a_fresh_case_survives_the_round_trip_and_carries_its_limit_status() {
        let register = RegisterParticipant {
            id: ParticipantId::from_u128(8),
            profile: ParticipantProfile {
                family_name: None,
                aliases: vec![],
                date_of_birth: None,
                country_of_origin: None,
                nationalities: vec![],
                languages: vec![],
                v_number: None,
                lvv_location: None,
                ..profile()
            },
            registered_on: day(2),
        };
        let (case, _) = Case::register(register, &ctx(2)).unwrap();
        let file = case_file_on(&CaseView::whole(&case), day(2));
        assert_eq!(file.limit_status.unwrap().state, pb::LimitState::WithinLimit as i32);
        assert_eq!((file.exploration, file.departure, file.outflow), (None, None, None));
        assert_eq!(Case::from_proto(case_file_on(&CaseView::whole(&case), day(2)), &Field::root()).unwrap(), case);
    }

    #[test]
    fn every_enum_value_survives_the_round_trip() {
        for v in Phase::ALL {
            assert_eq!(round_trip(&v), v);
        }
        for v in [Direction::Undecided, Direction::LegalProcedureNl, Direction::ReturnToOrigin, Direction::ThirdCountry]
        {
            assert_eq!(round_trip(&v), v);
        }
        for v in
            [ReturnStance::NotDiscussed, ReturnStance::NotConsidering, ReturnStance::Considering, ReturnStance::Decided]
        {
            assert_eq!(round_trip(&v), v);
        }
        for v in
            [GoalStatus::Open, GoalStatus::InProgress, GoalStatus::Achieved, GoalStatus::Missed, GoalStatus::Dropped]
        {
            assert_eq!(round_trip(&v), v);
        }
        for v in [
            ContactKind::IndividualTalk,
            ContactKind::Phone,
            ContactKind::GroupSession,
            ContactKind::ChainMeeting,
            ContactKind::PartnerContact,
            ContactKind::ShelterVisit,
            ContactKind::Accompaniment,
            ContactKind::Monitoring,
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [
            PartnerDomain::Legal,
            PartnerDomain::Medical,
            PartnerDomain::Return,
            PartnerDomain::Shelter,
            PartnerDomain::Activities,
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [
            ReferralStatus::Proposed,
            ReferralStatus::Sent,
            ReferralStatus::Accepted,
            ReferralStatus::Rejected,
            ReferralStatus::Completed,
            ReferralStatus::Revoked,
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [
            ObstacleKind::Motivation,
            ObstacleKind::MissingDocuments,
            ObstacleKind::FamilyContact,
            ObstacleKind::HousingWorkPlan,
            ObstacleKind::Finances,
            ObstacleKind::MedicalPsychosocial,
            ObstacleKind::Other,
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [
            ObstacleStatus::Identified,
            ObstacleStatus::BeingAddressed,
            ObstacleStatus::Removed,
            ObstacleStatus::CannotBeRemoved,
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [
            DepartureStepKind::Documents,
            DepartureStepKind::EmbassyVisit,
            DepartureStepKind::DtvCoordination,
            DepartureStepKind::IomCoordination,
            DepartureStepKind::Other,
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [
            Verdict::ReturnRealistic,
            Verdict::ReturnNotRealisticNow,
            Verdict::ReturnNotPossible,
            Verdict::NoCooperation,
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [Finality::Provisional, Finality::Final] {
            assert_eq!(round_trip(&v), v);
        }
        for v in OutflowOutcome::ALL {
            assert_eq!(round_trip(&v), v);
            assert_eq!(round_trip(&v.durability()), v.durability());
        }
        for v in ZrmDomain::ALL {
            assert_eq!(round_trip(&v), v);
        }
        for v in DataCategory::ALL {
            assert_eq!(round_trip(&v), v);
        }
        for v in ActivityCode::ALL {
            assert_eq!(round_trip(&v), v);
        }
    }

    #[test]
    fn every_variant_of_the_oneofs_survives_the_round_trip() {
        let date = day(2);
        for v in [
            DateOfBirth::Exact { date: NaiveDate::from_ymd_opt(1990, 5, 17).unwrap() },
            DateOfBirth::Month { year: 1990, month: 12 },
            DateOfBirth::Year { year: 1990 },
            DateOfBirth::Estimated { year: 1990 },
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [Nationality::Country(CountryCode::parse("SY").unwrap()), Nationality::Stateless, Nationality::Unknown]
        {
            assert_eq!(round_trip(&v), v);
        }
        for v in [Responsible::Participant, Responsible::Staff(WORKER), Responsible::Partner(IOM)] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [AgreementStatus::Open, AgreementStatus::Fulfilled(date), AgreementStatus::NotFulfilled(date)] {
            assert_eq!(round_trip(&v), v);
        }
        let label = Label::parse("WereldHuis").unwrap();
        for v in [
            ContactLocation::Office,
            ContactLocation::LvvLocation(label.clone()),
            ContactLocation::Remote,
            ContactLocation::Partner(label.clone()),
            ContactLocation::External(label),
        ] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [Recipient::Participant, Recipient::Municipality, Recipient::Partner(IOM)] {
            assert_eq!(round_trip(&v), v);
        }
        for v in [
            LimitStatus::WithinLimit { days_left: 200 },
            LimitStatus::Approaching { days_left: 0 },
            LimitStatus::Exceeded { days_over: 3 },
        ] {
            assert_eq!(round_trip(&v), v);
        }
        assert_eq!(LimitStatus::Exceeded { days_over: 3 }.to_proto().days_left, -3);
    }

    #[test]
    fn records_with_optional_parts_absent_survive_the_round_trip() {
        let findings = ExplorationFindings::default();
        assert_eq!(round_trip(&findings), findings);
        let full = ExplorationFindings {
            motivation: Some(text("a")),
            documents: Some(text("b")),
            family_contact: Some(text("c")),
            prospects: Some(text("d")),
        };
        assert_eq!(round_trip(&full), full);
        let plan = ReintegrationPlan::default();
        assert_eq!(round_trip(&plan), plan);
        let rean = ReanChecklist::default();
        assert_eq!(round_trip(&rean), rean);
        let departure = DeparturePreparation::default();
        assert_eq!(round_trip(&departure), departure);
        let judgment = ReturnJudgment {
            id: JudgmentId::from_u128(1),
            verdict: Verdict::NoCooperation,
            finality: Finality::Final,
            reasoning: text("Geen medewerking."),
            plan_revision: Some(2),
            formed_on: day(2),
            formed_by: WORKER,
            communications: vec![Communication { to: Recipient::Participant, on: day(3) }],
            consequences_explained_on: None,
        };
        assert_eq!(round_trip(&judgment), judgment);
        let outflow = Outflow { outcome: OutflowOutcome::Other, on: day(2), note: None, recorded_by: WORKER };
        assert_eq!(round_trip(&outflow), outflow);
        let goal = Goal {
            id: GoalId::from_u128(1),
            description: text("Doel"),
            rationale: None,
            responsible: Responsible::Participant,
            partners: vec![],
            deadline: day(20),
            next_steps: None,
            status: GoalStatus::Open,
            plan_revision: 1,
            set_at: noon(day(2)),
            status_changed_on: None,
        };
        assert_eq!(round_trip(&goal), goal);
        let minimal = ParticipantProfile {
            family_name: None,
            aliases: vec![],
            date_of_birth: None,
            country_of_origin: None,
            nationalities: vec![],
            languages: vec![],
            v_number: None,
            lvv_location: None,
            ..profile()
        };
        assert_eq!(round_trip(&minimal), minimal);
        assert_eq!(round_trip(&profile()), profile());
    }

    #[test]
    fn invalid_input_names_the_field() {
        let file = full_case().to_proto();
        let refuse = |f: pb::CaseFile| path_of(&Case::from_proto(f, &Field::root()).unwrap_err());

        let mut f = file.clone();
        f.profile = None;
        assert_eq!(refuse(f), ("profile".into(), "required".into()));
        let mut f = file.clone();
        f.name = "participants/7".into();
        assert_eq!(refuse(f), ("name".into(), "not_an_id".into()));
        let mut f = file.clone();
        f.phase = pb::Phase::Unspecified as i32;
        assert_eq!(refuse(f), ("phase".into(), "required".into()));
        let mut f = file.clone();
        f.direction = 99;
        assert_eq!(refuse(f), ("direction".into(), "unknown_value".into()));
        let mut f = file.clone();
        f.goals[1].deadline = Some(pb::Date { year: 2026, month: 2, day: 30 });
        assert_eq!(refuse(f), ("goals[1].deadline".into(), "not_a_date".into()));
        let mut f = file.clone();
        f.goals[1].id = f.goals[0].id.clone();
        assert_eq!(refuse(f), ("goals[1].id".into(), "duplicate".into()));
        let mut f = file.clone();
        f.goals[0].responsible = Some(pb::Responsible { kind: None });
        assert_eq!(refuse(f), ("goals[0].responsible".into(), "required".into()));
        let mut f = file.clone();
        f.agreements[2].agreement.as_mut().unwrap().who_acts =
            Some(pb::Responsible { kind: Some(pb::responsible::Kind::Partner("iom".into())) });
        assert_eq!(refuse(f), ("agreements[2].agreement.who_acts.partner".into(), "not_an_id".into()));
        let mut f = file.clone();
        f.agreements[0].category = pb::DataCategory::Unspecified as i32;
        assert_eq!(refuse(f), ("agreements[0].category".into(), "required".into()));
        let mut f = file.clone();
        f.agreements[1].agreement.as_mut().unwrap().id = f.agreements[0].agreement.as_ref().unwrap().id.clone();
        assert_eq!(refuse(f), ("agreements[1].agreement.id".into(), "duplicate".into()));
        let mut f = file.clone();
        f.contacts[0].contact.as_mut().unwrap().activities.push("9.9".into());
        assert_eq!(refuse(f), ("contacts[0].contact.activities[2]".into(), "unknown_activity_code".into()));
        let mut f = file.clone();
        f.contacts[0].contact.as_mut().unwrap().location =
            Some(pb::ContactLocation { kind: Some(pb::contact_location::Kind::External(" ".into())) });
        assert_eq!(refuse(f), ("contacts[0].contact.location.external".into(), "required".into()));
        let mut f = file.clone();
        f.profile.as_mut().unwrap().date_of_birth = Some(pb::DateOfBirth {
            precision: Some(pb::date_of_birth::Precision::Month(pb::date_of_birth::Month { year: 1990, month: 13 })),
        });
        assert_eq!(refuse(f), ("profile.date_of_birth.month.month".into(), "out_of_range".into()));
        let mut f = file.clone();
        f.profile.as_mut().unwrap().nationalities[0] =
            pb::Nationality { kind: Some(pb::nationality::Kind::Country("Eritrea".into())) };
        assert_eq!(refuse(f).0, "profile.nationalities[0].country");
        let mut f = file.clone();
        f.profile.as_mut().unwrap().v_number = "123".into();
        assert_eq!(refuse(f), ("profile.v_number".into(), "not_a_v_number".into()));
        let mut f = file.clone();
        f.referrals[0].history[0].by = String::new();
        assert_eq!(refuse(f), ("referrals[0].history[0].by".into(), "required".into()));
        let mut f = file.clone();
        f.self_reliance[0].scores[0].score = 0;
        assert_eq!(refuse(f), ("self_reliance[0].scores[0].score".into(), "out_of_range".into()));
        let mut f = file.clone();
        f.self_reliance[0].scores[1].domain = f.self_reliance[0].scores[0].domain;
        assert_eq!(refuse(f), ("self_reliance[0].scores[1].domain".into(), "duplicate".into()));
        let mut f = file.clone();
        f.judgments[0].communications[0].to = Some(pb::Recipient { kind: None });
        assert_eq!(refuse(f), ("judgments[0].communications[0].to".into(), "required".into()));
        let mut f = file.clone();
        f.consents[0].categories.push(77);
        assert_eq!(refuse(f), ("consents[0].categories[2]".into(), "unknown_value".into()));
        let mut f = file.clone();
        f.outflow.as_mut().unwrap().on = None;
        assert_eq!(refuse(f), ("outflow.on".into(), "required".into()));
        let mut f = file.clone();
        f.reports[0].sent_at = Some(prost_types::Timestamp { seconds: 0, nanos: -5 });
        assert_eq!(refuse(f), ("reports[0].sent_at".into(), "not_a_timestamp".into()));
        let mut f = file;
        f.departure.as_mut().unwrap().steps[0].kind = pb::DepartureStepKind::Unspecified as i32;
        assert_eq!(refuse(f), ("departure.steps[0].kind".into(), "required".into()));

        let at = Field::root().child("limit_status");
        let bad = pb::LimitStatus { state: pb::LimitState::Exceeded as i32, days_left: 4 };
        assert_eq!(path_of(&LimitStatus::from_proto(bad, &at).unwrap_err()).0, "limit_status.days_left");
        let bad = pb::LimitStatus { state: 0, days_left: 4 };
        assert_eq!(
            path_of(&LimitStatus::from_proto(bad, &at).unwrap_err()),
            ("limit_status.state".into(), "required".into())
        );
    }
}
