//! The case file (*dossier*) of one participant: the aggregate that holds the trajectory, the
//! plan, goals, agreements, contacts, referrals, the return track, consents and the outflow.
//!
//! Commands are decided against the current state ([`Case::decide`]) and yield changes; a
//! change is applied without further checks. [`Case::execute`] does both and
//! returns the [`CaseEvent`]s, which adapters store together with the new state (and which feed
//! the audit log and the partner event stream). Replaying a case's events
//! ([`Case::replay`]) rebuilds exactly the same state.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{CaseLevels, ConfidentialityLevel, Consent, DataCategory, ParticipantScope};
use crate::activity::ActivityCode;
use crate::contact::{
    ContactKind, ContactLocation, ContactMoment, PartnerDomain, Referral, ReferralStatus, ReferralStep,
};
use crate::error::{DomainError, EntityKind, FieldViolation, Rule, Violations};
use crate::ids::{
    AgreementId, ConsentId, ContactId, GoalId, JudgmentId, ObstacleId, OrganisationId, ParticipantId, ReferralId,
    ReportId, UserId,
};
use crate::outflow::{Outflow, OutflowOutcome, ProgressReportRecord, ZrmAssessment, ZrmDomain, ZrmScore};
use crate::participant::ParticipantProfile;
use crate::plan::{
    Agreement, AgreementStatus, Direction, DirectionChange, Goal, GoalStatus, PlanRevision, Responsible, ReturnStance,
};
use crate::returns::{
    Communication, DeparturePreparation, DepartureStep, ExplorationFindings, Finality, ObstacleAction, ObstacleKind,
    ObstacleStatus, ReanChecklist, Recipient, ReintegrationPlan, ReturnExploration, ReturnJudgment, ReturnObstacle,
    Verdict,
};
use crate::text::Text;
use crate::trajectory::{LimitStatus, Phase, TrajectoryDates, Trigger, check_transition};

mod chain;
mod change;
mod command;
mod decide;
mod facts;
mod parts;
mod queries;
mod redaction;

pub use change::CaseChange;
pub use command::{CaseCommand, NewAgreement, NewContact, NewGoal, RegisterParticipant};
pub use facts::{LaterFact, NotNow};
pub use queries::{DEFAULT_REPORTING_MONTHS, ExpectedCommunication, MAX_REPORTING_MONTHS, ReportPeriod};

/// Who acts, and when. Time is input: the core never reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandContext {
    /// The acting user (recorded on every event).
    pub actor: UserId,
    /// The current instant.
    pub now: DateTime<Utc>,
    /// Today's date where the foundation works (Europe/Amsterdam), which can differ from the
    /// UTC date around midnight; the adapter that knows the time zone supplies it.
    pub today: NaiveDate,
}

impl CommandContext {
    /// A context whose `today` is the Amsterdam date of `now`.
    pub fn at(actor: UserId, now: DateTime<Utc>) -> Self {
        Self { actor, now, today: crate::time::amsterdam_date(now) }
    }
}

/// What hidden content reads as (field-level need-to-know): `[afgeschermd]`.
pub const HIDDEN: &str = "[afgeschermd]";

fn hidden_text() -> Text {
    Text::parse(HIDDEN).expect("the hiding marker is a valid text")
}

/// A recorded change to a case: what changed, in which case, by whom, when, and the case's
/// version after it (1 for the registration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// The participant.
    pub participant: ParticipantId,
    /// The case's version after this event.
    pub version: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: UserId,
    /// What.
    pub change: CaseChange,
    /// Whether it was entered late: recorded more than the foundation's threshold after the
    /// day it took effect ([`crate::late::LateEntryPolicy`]). Marked by the store when the
    /// event is read back, and on the events a write answers with; an event just decided by
    /// the core is not marked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

/// The case file of one participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    id: ParticipantId,
    version: u64,
    profile: ParticipantProfile,
    registered_on: NaiveDate,
    phase: Phase,
    direction: Direction,
    direction_history: Vec<DirectionChange>,
    return_stance: ReturnStance,
    /// The day of the latest recorded stance (absent before effective dates were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_stance_on: Option<NaiveDate>,
    plan: Vec<PlanRevision>,
    goals: BTreeMap<GoalId, Goal>,
    agreements: BTreeMap<AgreementId, (Agreement, DataCategory)>,
    contacts: BTreeMap<ContactId, (ContactMoment, DataCategory)>,
    referrals: BTreeMap<ReferralId, Referral>,
    exploration: Option<ReturnExploration>,
    obstacles: BTreeMap<ObstacleId, ReturnObstacle>,
    reintegration: Option<ReintegrationPlan>,
    departure: Option<DeparturePreparation>,
    judgments: Vec<ReturnJudgment>,
    self_reliance: Vec<ZrmAssessment>,
    consents: Vec<Consent>,
    reports: Vec<ProgressReportRecord>,
    outflow: Option<Outflow>,
    /// Categories whose confidentiality level was raised above the default.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    levels: BTreeMap<DataCategory, ConfidentialityLevel>,
    /// Months between progress reports, when set ([`DEFAULT_REPORTING_MONTHS`] otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reporting_every_months: Option<u32>,
    /// What chain meetings recorded about the participant (3.2.f, 3.2.g), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    chain_meetings: Vec<crate::meeting::ChainMeetingRecord>,
}

/// Every part of a [`Case`], with public fields: what an adapter needs to carry a case file
/// across a boundary (for example the gRPC client rebuilding the case the server sent).
/// [`Case::into_parts`] takes a case apart and [`Case::from_parts`] puts it back together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseParts {
    /// The participant's id.
    pub id: ParticipantId,
    /// The version: the number of events so far.
    pub version: u64,
    /// Who the participant is.
    pub profile: ParticipantProfile,
    /// Registration day: the trajectory's start.
    pub registered_on: NaiveDate,
    /// The phase.
    pub phase: Phase,
    /// The plan's direction.
    pub direction: Direction,
    /// Every change of direction, oldest first.
    pub direction_history: Vec<DirectionChange>,
    /// The stance on return.
    pub return_stance: ReturnStance,
    /// The day the stance was stated, once recorded.
    pub return_stance_on: Option<NaiveDate>,
    /// The plan's revisions, oldest first.
    pub plan: Vec<PlanRevision>,
    /// Goals, by id.
    pub goals: BTreeMap<GoalId, Goal>,
    /// Agreements with the data category of their content, by id.
    pub agreements: BTreeMap<AgreementId, (Agreement, DataCategory)>,
    /// Contact moments with the data category of their content, by id.
    pub contacts: BTreeMap<ContactId, (ContactMoment, DataCategory)>,
    /// Referrals, by id.
    pub referrals: BTreeMap<ReferralId, Referral>,
    /// The return exploration, once started.
    pub exploration: Option<ReturnExploration>,
    /// Return obstacles, by id.
    pub obstacles: BTreeMap<ObstacleId, ReturnObstacle>,
    /// The reintegration plan.
    pub reintegration: Option<ReintegrationPlan>,
    /// Departure preparation.
    pub departure: Option<DeparturePreparation>,
    /// Judgments, oldest first.
    pub judgments: Vec<ReturnJudgment>,
    /// Self-reliance assessments, in recorded order.
    pub self_reliance: Vec<ZrmAssessment>,
    /// Consents, in recorded order.
    pub consents: Vec<Consent>,
    /// Categories whose confidentiality level was raised above the default.
    pub levels: BTreeMap<DataCategory, ConfidentialityLevel>,
    /// Months between progress reports, when set ([`DEFAULT_REPORTING_MONTHS`] otherwise).
    pub reporting_every_months: Option<u32>,
    /// Progress reports sent.
    pub reports: Vec<ProgressReportRecord>,
    /// The outflow, once recorded.
    pub outflow: Option<Outflow>,
    /// What chain meetings recorded about the participant, oldest first.
    pub chain_meetings: Vec<crate::meeting::ChainMeetingRecord>,
}

fn invalid(field: &str, code: crate::ViolationCode, message: &str) -> DomainError {
    DomainError::field(field, code, message)
}
