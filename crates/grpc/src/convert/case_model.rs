//! Conversions of the case file model (`case.proto`): the core's [`Case`] as a
//! [`pb::CaseFile`], and every record it holds (profile, plan, goals, agreements, contacts,
//! referrals, the return track, self-reliance, reports, consents, outflow), both ways.
//!
//! Core → proto also fills the output-only fields partners need (the trajectory's last day,
//! an outflow's durability, a referral's current status); proto → core ignores them, so the
//! client rebuilds exactly the case the server sent ([`Case::from_parts`]). Only the limit
//! status depends on the day: [`case_file_on`] adds it.

use std::collections::BTreeMap;

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
    DataCategory, DateOfBirth, Direction, DomainError, Durability, Finality, Goal, GoalStatus, Label, LimitStatus,
    Nationality, ObstacleKind, ObstacleStatus, Outflow, OutflowOutcome, ParticipantProfile, PartnerDomain, Phase,
    PlanRevision, Recipient, Referral, ReferralStatus, Responsible, ReturnJudgment, ReturnStance, Verdict, ZrmDomain,
};
use perspectief_core::{ConfidentialityLevel, ViolationCode};

use perspectief_core::view::{CaseView, TrajectoryView, Withheld};

use crate::convert::message;
use crate::convert::{
    Field, FromProto, ToProto, etag, opt_enum, opt_enum_to_proto, optional, parse_name, proto_enum, repeated, required,
    resource_name, to_protos,
};
use crate::pb;

/// The collection of case files: a case is `participants/{participant_id}`.
const PARTICIPANTS: &str = "participants";

// ---- Enums --------------------------------------------------------------------------------

proto_enum!(Phase: Intake, Orientation, PlanExecution, Termination, Closed);

proto_enum!(Direction: Undecided, LegalProcedureNl, ReturnToOrigin, ThirdCountry);

proto_enum!(ReturnStance: NotDiscussed, NotConsidering, Considering, Decided);

proto_enum!(GoalStatus: Open, InProgress, Achieved, Missed, Dropped);

proto_enum!(ContactKind: IndividualTalk, Phone, GroupSession, ChainMeeting, PartnerContact, ShelterVisit,
    Accompaniment, Monitoring);

proto_enum!(PartnerDomain: Legal, Medical, Return, Shelter, Activities);

proto_enum!(ReferralStatus: Proposed, Sent, Accepted, Rejected, Completed, Revoked);

proto_enum!(ObstacleKind: Motivation, MissingDocuments, FamilyContact, HousingWorkPlan, Finances, MedicalPsychosocial,
    Other);

proto_enum!(ObstacleStatus: Identified, BeingAddressed, Removed, CannotBeRemoved);

proto_enum!(DepartureStepKind: Documents, EmbassyVisit, DtvCoordination, IomCoordination, Other);

proto_enum!(Verdict: ReturnRealistic, ReturnNotRealisticNow, ReturnNotPossible, NoCooperation);

proto_enum!(Finality: Provisional, Final);

proto_enum!(OutflowOutcome: DepartedIndependentlySupervised, DepartedForced, DepartedWithoutSupervision,
    ResidencePermitGranted, NewAsylumApplication, OtherNewProcedure, DeparturePostponedMedical, OnwardMigration,
    MovedToOtherShelter, EndedByChainDecision, Deceased, Other);

proto_enum!(Durability: Durable, SemiDurable, NoSolution);

proto_enum!(ZrmDomain: Finances, WorkEducation, TimeUse, Housing, DomesticRelations, MentalHealth, PhysicalHealth,
    Addiction, BasicAdl, InstrumentalAdl, SocialNetwork, SocialParticipation, Justice);

proto_enum!(ConfidentialityLevel: Openbaar, BeperktOpenbaar, Intern, Zaakvertrouwelijk, Vertrouwelijk, Confidentieel,
    Geheim, ZeerGeheim);

proto_enum!(DataCategory: Identity, Guidance, Legal, MedicalPsychosocial, CriminalHistory, Return, Reports);

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

message!(
    ParticipantProfile = pb::ParticipantProfile {
        given_names: val,
        family_name: opt_str,
        aliases: list,
        date_of_birth: opt,
        country_of_origin: opt_str,
        nationalities: list,
        languages: list,
        v_number: opt_str,
        lvv_location: opt_str,
        project_worker: val,
    }
);

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

message!(DirectionChange = pb::DirectionChange { from: val, to: val, on: req, reasoning: val, by: val });

message!(
    PlanRevision = pb::PlanRevision {
        number: copy,
        direction: val,
        personal_situation: val,
        perspective: val,
        drawn_up_on: req,
        drawn_up_at: req,
        drawn_up_by: val,
        agreed_on: opt,
    }
);

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

message!(
    Goal = pb::Goal {
        id: val,
        description: val,
        rationale: opt_str,
        responsible: req,
        partners: list,
        deadline: req,
        next_steps: opt_str,
        status: val,
        plan_revision: copy,
        set_on: req,
        set_at: req,
        status_changed_on: opt,
    }
);

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

message!(
    Agreement = pb::Agreement {
        id: val,
        description: val,
        due_on: req,
        who_acts: req,
        made_in: opt_str,
        status: req,
        made_on: opt
    }
);

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

message!(
    ContactMoment = pb::ContactMoment {
        id: val,
        at: req,
        kind: val,
        location: req,
        staff: list,
        activities: list,
        summary: val,
        partner: opt_str,
        duration_minutes: copy,
        documents: list,
    }
);

proto_enum!(DocumentKind: PerspectivePlan, InformationSheet);

message!(HandedDocument = pb::HandedDocument { kind: val, language: val, version: val });

/// A contact moment with the data category of its content, as the case file lists it.
pub fn case_contact(contact: &ContactMoment, category: DataCategory) -> pb::CaseContact {
    pb::CaseContact { contact: Some(contact.to_proto()), category: category.to_proto() }
}

impl FromProto<pb::CaseContact> for (ContactMoment, DataCategory) {
    fn from_proto(p: pb::CaseContact, at: &Field) -> Result<Self, DomainError> {
        Ok((required(p.contact, &at.child("contact"))?, FromProto::from_proto(p.category, &at.child("category"))?))
    }
}

message!(ReferralStep = pb::ReferralStep { status: val, on: req, note: opt_str, by: val });

// The output-only `status` and `category` are ignored: they follow from the history and
// the domain.
message!(Referral = pb::Referral {
    id: val, partner: val, domain: val, reason: val, history: list, sent_on_override: copy,
} derived |s| { status: s.status().to_proto(), category: s.domain.category().to_proto() });

// ---- The return track ---------------------------------------------------------------------

message!(
    ReturnExploration = pb::ReturnExploration {
        started_on: req,
        motivation: opt_str,
        documents: opt_str,
        family_contact: opt_str,
        prospects: opt_str,
        updated_at: req,
    }
);

message!(
    ExplorationFindings = pb::ExplorationFindings {
        motivation: opt_str,
        documents: opt_str,
        family_contact: opt_str,
        prospects: opt_str,
    }
);

message!(ObstacleAction = pb::ObstacleAction { on: req, description: val, status: val, by: val });

message!(
    ReturnObstacle = pb::ReturnObstacle {
        id: val,
        kind: val,
        description: val,
        partner: opt_str,
        identified_on: req,
        status: val,
        actions: list,
    }
);

message!(
    ReintegrationPlan = pb::ReintegrationPlan {
        housing: opt_str,
        income_work: opt_str,
        business_plan: opt_str,
        care: opt_str,
        contacts_abroad: opt_str,
        updated_on: opt,
    }
);

message!(
    ReanChecklist = pb::ReanChecklist {
        no_assisted_return_in_five_years: copy,
        travel_document_obtainable: copy,
        agrees_procedures_end: copy,
        updated_on: opt,
    }
);

message!(DepartureStep = pb::DepartureStep { on: req, kind: val, note: val });

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

message!(Communication = pb::Communication { to: req, on: req });

message!(
    ReturnJudgment = pb::ReturnJudgment {
        id: val,
        verdict: val,
        finality: val,
        reasoning: val,
        plan_revision: copy,
        formed_on: req,
        formed_by: val,
        communications: list,
        consequences_explained_on: opt,
    }
);

// ---- Outflow, self-reliance, reports, consent ---------------------------------------------

// The output-only `durability` and `departure` are ignored: they follow from the outcome.
message!(Outflow = pb::Outflow {
    outcome: val, on: req, note: opt_str, recorded_by: val,
} derived |s| { durability: s.outcome.durability().to_proto(), departure: s.outcome.is_departure() });

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

message!(
    ZrmAssessment =
        pb::ZrmAssessment { assessed_on: req, scores: with(zrm_scores_from_proto, zrm_scores_to_proto), by: val }
);

message!(
    ProgressReportRecord = pb::ProgressReportRecord {
        id: val,
        period_from: req,
        period_to: req,
        sent_on: req,
        sent_at: req,
        sent_to: val,
        sent_by: val,
    }
);

message!(
    Consent = pb::Consent {
        id: val,
        organisation: val,
        categories: list,
        purpose: val,
        given_on: req,
        withdrawn_on: opt,
        recorded_by: val,
    }
);

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
            return_stance_on: self.return_stance_on.as_ref().map(ToProto::to_proto),
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
            reporting_every_months: self.reporting_every_months.unwrap_or(0),
            chain_meetings: trajectory.map(|t| to_protos(&t.chain_meetings)).unwrap_or_default(),
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
                chain_meetings: repeated(p.chain_meetings, &at.child("chain_meetings"))?,
            }),
            None => None,
        };
        Ok(CaseView {
            id: parse_name(PARTICIPANTS, &p.name, &at.child("name"))?,
            version: p.version,
            profile: optional(p.profile, &at.child("profile"))?,
            trajectory,
            return_stance: opt_enum(p.return_stance, &at.child("return_stance"))?,
            return_stance_on: optional(p.return_stance_on, &at.child("return_stance_on"))?,
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
            reporting_every_months: Some(p.reporting_every_months).filter(|m| *m > 0),
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
mod tests;
