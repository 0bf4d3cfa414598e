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

/// Register a participant: the start of a case and of the trajectory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterParticipant {
    /// The new participant's id (made by the adapter).
    pub id: ParticipantId,
    /// Who they are.
    pub profile: ParticipantProfile,
    /// The registration date: the trajectory's start.
    pub registered_on: NaiveDate,
}

/// A new agreement, made in a contact moment or on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgreement {
    /// Id (made by the adapter).
    pub id: AgreementId,
    /// What was agreed.
    pub description: Text,
    /// When it is due.
    pub due_on: NaiveDate,
    /// Who must act.
    pub who_acts: Responsible,
}

/// A new goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGoal {
    /// Id (made by the adapter).
    pub id: GoalId,
    /// What.
    pub description: Text,
    /// Why.
    pub rationale: Option<Text>,
    /// Who is responsible.
    pub responsible: Responsible,
    /// Partners involved.
    pub partners: Vec<OrganisationId>,
    /// The deadline.
    pub deadline: NaiveDate,
    /// Next steps.
    pub next_steps: Option<Text>,
}

/// A contact moment to log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContact {
    /// Id (made by the adapter).
    pub id: ContactId,
    /// When it took place.
    pub at: DateTime<Utc>,
    /// Kind.
    pub kind: ContactKind,
    /// Where.
    pub location: ContactLocation,
    /// Staff present; the acting user is added when missing.
    pub staff: BTreeSet<UserId>,
    /// Activity codes (at least one).
    pub activities: BTreeSet<ActivityCode>,
    /// Summary of the content.
    pub summary: Text,
    /// The category of the content: guidance, or medical/psychosocial, legal, criminal history
    /// when the conversation was about that (so need-to-know applies to it).
    pub category: DataCategory,
    /// The partner involved.
    pub partner: Option<OrganisationId>,
    /// Duration in minutes.
    pub duration_minutes: Option<u32>,
    /// Agreements made.
    pub agreements: Vec<NewAgreement>,
    /// Documents handed over (see [`crate::document::check_handover`]); the contact then
    /// counts under 5.2.c as well.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<crate::document::HandedDocument>,
}

/// Everything that can be done to a case after registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum CaseCommand {
    /// Correct or complete who the participant is (rectification, art. 16: the old value stays
    /// in the event history).
    UpdateProfile {
        /// The full new profile.
        profile: ParticipantProfile,
    },
    /// Assign another project worker.
    AssignProjectWorker {
        /// The new project worker.
        worker: UserId,
    },
    /// Move the trajectory to another phase, with a reason.
    ChangePhase {
        /// Target phase.
        to: Phase,
        /// Why.
        reason: Text,
    },
    /// Change the plan's direction, dated and reasoned.
    ChangeDirection {
        /// New direction.
        to: Direction,
        /// When it was decided.
        on: NaiveDate,
        /// Why.
        reasoning: Text,
    },
    /// Record what the participant said about return.
    RecordReturnStance {
        /// The stance.
        stance: ReturnStance,
        /// When they said it.
        on: NaiveDate,
        /// Context.
        note: Option<Text>,
    },
    /// Draw up the plan (first revision) or revise it.
    RevisePlan {
        /// The personal situation.
        personal_situation: Text,
        /// The perspective and steps.
        perspective: Text,
    },
    /// The participant agrees to a plan revision.
    AgreePlan {
        /// The revision (must be the latest).
        revision: u32,
        /// When.
        on: NaiveDate,
    },
    /// Set a goal in the plan.
    SetGoal(NewGoal),
    /// Change a goal's status; a missed goal resumes only with a later deadline.
    ChangeGoalStatus {
        /// The goal.
        goal: GoalId,
        /// New status.
        to: GoalStatus,
        /// New deadline (required when a missed goal resumes).
        new_deadline: Option<NaiveDate>,
        /// When.
        on: NaiveDate,
    },
    /// Update a goal's next steps.
    UpdateGoalSteps {
        /// The goal.
        goal: GoalId,
        /// The next steps.
        next_steps: Text,
    },
    /// Log a contact moment with the agreements made in it.
    LogContact(NewContact),
    /// Record an agreement outside a contact moment.
    AddAgreement {
        /// The agreement.
        agreement: NewAgreement,
        /// The category of its content (guidance, or medical/psychosocial, legal, ...).
        category: DataCategory,
    },
    /// Record whether an agreement was kept.
    SettleAgreement {
        /// The agreement.
        agreement: AgreementId,
        /// Kept or not.
        fulfilled: bool,
        /// When.
        on: NaiveDate,
    },
    /// Propose a referral to a chain partner.
    ProposeReferral {
        /// Id (made by the adapter).
        id: ReferralId,
        /// The partner.
        partner: OrganisationId,
        /// Domain.
        domain: PartnerDomain,
        /// Why.
        reason: Text,
    },
    /// Move a referral along its lifecycle. Sending it (to [`ReferralStatus::Sent`]) shares its
    /// content with the partner, so it needs an active consent of the participant covering the
    /// partner and the referral's category, or a project lead's override with a reason (see
    /// [`crate::privacy::share_basis`]).
    AdvanceReferral {
        /// The referral.
        referral: ReferralId,
        /// New status.
        to: ReferralStatus,
        /// When.
        on: NaiveDate,
        /// Note.
        note: Option<Text>,
        /// When sending without a covering consent: the project lead's reason for sending anyway
        /// (only the project lead may give one; it is recorded and listed for review). Not used
        /// when a consent covers the referral, nor for other steps.
        #[serde(default)]
        consent_override: Option<Text>,
    },
    /// Start exploring return (5.2.b(1)).
    StartReturnExploration {
        /// When.
        on: NaiveDate,
        /// First findings.
        findings: ExplorationFindings,
    },
    /// Update the exploration's findings.
    UpdateReturnExploration {
        /// Findings (given parts replace the old ones).
        findings: ExplorationFindings,
    },
    /// List an obstacle to return.
    IdentifyObstacle {
        /// Id (made by the adapter).
        id: ObstacleId,
        /// Kind.
        kind: ObstacleKind,
        /// What it is.
        description: Text,
        /// The partner involved.
        partner: Option<OrganisationId>,
        /// When.
        on: NaiveDate,
    },
    /// Work on an obstacle (5.2.b(2)).
    ActOnObstacle {
        /// The obstacle.
        obstacle: ObstacleId,
        /// What was done.
        description: Text,
        /// The status after it.
        status: ObstacleStatus,
        /// When.
        on: NaiveDate,
    },
    /// Update the reintegration plan for the country of origin.
    UpdateReintegrationPlan(ReintegrationPlan),
    /// Record a step in preparing departure.
    RecordDepartureStep(DepartureStep),
    /// Update the REAN checklist.
    UpdateReanChecklist(ReanChecklist),
    /// Plan the departure date and accompaniment.
    PlanDeparture {
        /// The date, if known.
        on: Option<NaiveDate>,
        /// Staff accompany the person to Schiphol.
        accompany_to_schiphol: bool,
    },
    /// Record a judgment on the return perspective (5.2.b(3)).
    RecordJudgment {
        /// Id (made by the adapter).
        id: JudgmentId,
        /// Verdict.
        verdict: Verdict,
        /// Provisional or final.
        finality: Finality,
        /// Reasoning.
        reasoning: Text,
        /// When it was formed.
        formed_on: NaiveDate,
    },
    /// Record that a judgment was communicated.
    RecordJudgmentCommunicated {
        /// The judgment.
        judgment: JudgmentId,
        /// To whom.
        to: Recipient,
        /// When.
        on: NaiveDate,
    },
    /// Record that the judgment's consequences were explained to the participant.
    RecordConsequencesExplained {
        /// The judgment.
        judgment: JudgmentId,
        /// When.
        on: NaiveDate,
    },
    /// Record a self-reliance (ZRM) assessment (5.2.d).
    RecordSelfReliance {
        /// When.
        assessed_on: NaiveDate,
        /// Scores per domain (at least one).
        scores: BTreeMap<ZrmDomain, ZrmScore>,
    },
    /// Record a consent.
    GiveConsent {
        /// Id (made by the adapter).
        id: ConsentId,
        /// The receiving organisation.
        organisation: OrganisationId,
        /// Categories (at least one).
        categories: BTreeSet<DataCategory>,
        /// Purpose.
        purpose: Text,
        /// When it was given.
        given_on: NaiveDate,
    },
    /// Withdraw a consent.
    WithdrawConsent {
        /// The consent.
        consent: ConsentId,
        /// When.
        on: NaiveDate,
    },
    /// Record that a progress report was sent (5.2.e).
    RecordProgressReport {
        /// Id (made by the adapter).
        id: ReportId,
        /// First day covered.
        period_from: NaiveDate,
        /// Last day covered.
        period_to: NaiveDate,
        /// The municipality.
        sent_to: OrganisationId,
    },
    /// Set the confidentiality level of one category of this case (*vertrouwelijkheid*):
    /// raise it above the category's default, or back to it; never below it.
    SetConfidentiality {
        /// The category.
        category: DataCategory,
        /// The new level.
        level: ConfidentialityLevel,
        /// Why (for the case history).
        reason: Text,
    },
    /// Record the outflow: ends the trajectory.
    RecordOutflow {
        /// How.
        outcome: OutflowOutcome,
        /// When.
        on: NaiveDate,
        /// Note.
        note: Option<Text>,
    },
}

impl CaseCommand {
    /// Stable snake_case name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::UpdateProfile { .. } => "update_profile",
            Self::AssignProjectWorker { .. } => "assign_project_worker",
            Self::ChangePhase { .. } => "change_phase",
            Self::ChangeDirection { .. } => "change_direction",
            Self::RecordReturnStance { .. } => "record_return_stance",
            Self::RevisePlan { .. } => "revise_plan",
            Self::AgreePlan { .. } => "agree_plan",
            Self::SetGoal(_) => "set_goal",
            Self::ChangeGoalStatus { .. } => "change_goal_status",
            Self::UpdateGoalSteps { .. } => "update_goal_steps",
            Self::LogContact(_) => "log_contact",
            Self::AddAgreement { .. } => "add_agreement",
            Self::SettleAgreement { .. } => "settle_agreement",
            Self::ProposeReferral { .. } => "propose_referral",
            Self::AdvanceReferral { .. } => "advance_referral",
            Self::StartReturnExploration { .. } => "start_return_exploration",
            Self::UpdateReturnExploration { .. } => "update_return_exploration",
            Self::IdentifyObstacle { .. } => "identify_obstacle",
            Self::ActOnObstacle { .. } => "act_on_obstacle",
            Self::UpdateReintegrationPlan(_) => "update_reintegration_plan",
            Self::RecordDepartureStep(_) => "record_departure_step",
            Self::UpdateReanChecklist(_) => "update_rean_checklist",
            Self::PlanDeparture { .. } => "plan_departure",
            Self::RecordJudgment { .. } => "record_judgment",
            Self::RecordJudgmentCommunicated { .. } => "record_judgment_communicated",
            Self::RecordConsequencesExplained { .. } => "record_consequences_explained",
            Self::RecordSelfReliance { .. } => "record_self_reliance",
            Self::GiveConsent { .. } => "give_consent",
            Self::WithdrawConsent { .. } => "withdraw_consent",
            Self::RecordProgressReport { .. } => "record_progress_report",
            Self::RecordOutflow { .. } => "record_outflow",
            Self::SetConfidentiality { .. } => "set_confidentiality",
        }
    }

    /// Whether the command may still be given after the outflow. After the trajectory ended,
    /// only these remain: correcting personal data (art. 16), withdrawing consent, recording
    /// a report or the communication of a judgment, and monitoring contacts (*nazorg*).
    pub fn allowed_after_outflow(&self) -> bool {
        match self {
            Self::UpdateProfile { .. }
            | Self::WithdrawConsent { .. }
            | Self::SetConfidentiality { .. }
            | Self::RecordProgressReport { .. }
            | Self::RecordJudgmentCommunicated { .. }
            | Self::RecordConsequencesExplained { .. } => true,
            Self::LogContact(c) => c.kind == ContactKind::Monitoring,
            _ => false,
        }
    }
}

/// A change to a case: the payload of a [`CaseEvent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CaseChange {
    /// The participant was registered; the trajectory started.
    Registered {
        /// Who.
        profile: ParticipantProfile,
        /// Trajectory start.
        registered_on: NaiveDate,
    },
    /// The profile was corrected or completed.
    ProfileUpdated {
        /// The new profile.
        profile: ParticipantProfile,
    },
    /// Another project worker was assigned.
    ProjectWorkerAssigned {
        /// The previous one.
        from: UserId,
        /// The new one.
        to: UserId,
    },
    /// The phase changed.
    PhaseChanged {
        /// From.
        from: Phase,
        /// To.
        to: Phase,
        /// Why (explicit changes).
        reason: Option<Text>,
    },
    /// The direction changed.
    DirectionChanged(DirectionChange),
    /// The participant's stance on return was recorded.
    ReturnStanceRecorded {
        /// Previous stance.
        from: ReturnStance,
        /// New stance.
        to: ReturnStance,
        /// When.
        on: NaiveDate,
        /// Context.
        note: Option<Text>,
    },
    /// A plan revision was drawn up.
    PlanRevised(PlanRevision),
    /// The participant agreed a revision.
    PlanAgreed {
        /// The revision.
        revision: u32,
        /// When.
        on: NaiveDate,
    },
    /// A goal was set.
    GoalSet(Goal),
    /// A goal's status changed.
    GoalStatusChanged {
        /// The goal.
        goal: GoalId,
        /// From.
        from: GoalStatus,
        /// To.
        to: GoalStatus,
        /// New deadline, when rescheduled.
        new_deadline: Option<NaiveDate>,
        /// When.
        on: NaiveDate,
    },
    /// A goal's next steps were updated.
    GoalStepsUpdated {
        /// The goal.
        goal: GoalId,
        /// The steps.
        next_steps: Text,
    },
    /// A contact moment was logged.
    ContactLogged {
        /// The contact.
        contact: ContactMoment,
        /// The category of its content.
        category: DataCategory,
    },
    /// An agreement was made.
    AgreementMade {
        /// The agreement.
        agreement: Agreement,
        /// The category of its content (that of the contact it was made in).
        category: DataCategory,
    },
    /// An agreement was settled.
    AgreementSettled {
        /// The agreement.
        agreement: AgreementId,
        /// Its outcome.
        status: AgreementStatus,
    },
    /// A referral was proposed.
    ReferralProposed(Referral),
    /// A referral moved along its lifecycle.
    ReferralAdvanced {
        /// The referral.
        referral: ReferralId,
        /// The referral's data category (from its partner domain).
        category: DataCategory,
        /// The step.
        step: ReferralStep,
        /// When it was sent: the consent it was shared under (absent for other steps, for an
        /// override and for events recorded before consents were checked).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent: Option<ConsentId>,
        /// When it was sent without a covering consent: the project lead's reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent_override: Option<Text>,
    },
    /// Return exploration started.
    ReturnExplorationStarted(ReturnExploration),
    /// Exploration findings updated.
    ReturnExplorationUpdated {
        /// The findings given.
        findings: ExplorationFindings,
        /// When.
        at: DateTime<Utc>,
    },
    /// An obstacle was identified.
    ObstacleIdentified(ReturnObstacle),
    /// An obstacle was acted on.
    ObstacleActedOn {
        /// The obstacle.
        obstacle: ObstacleId,
        /// The action.
        action: ObstacleAction,
    },
    /// The reintegration plan was updated.
    ReintegrationPlanUpdated(ReintegrationPlan),
    /// A departure step was recorded.
    DepartureStepRecorded(DepartureStep),
    /// The REAN checklist was updated.
    ReanChecklistUpdated(ReanChecklist),
    /// Departure was planned.
    DeparturePlanned {
        /// The date.
        on: Option<NaiveDate>,
        /// Accompaniment to Schiphol.
        accompany_to_schiphol: bool,
    },
    /// A judgment was recorded.
    JudgmentRecorded(ReturnJudgment),
    /// A judgment was communicated.
    JudgmentCommunicated {
        /// The judgment.
        judgment: JudgmentId,
        /// To whom and when.
        communication: Communication,
    },
    /// The judgment's consequences were explained.
    ConsequencesExplained {
        /// The judgment.
        judgment: JudgmentId,
        /// When.
        on: NaiveDate,
    },
    /// A self-reliance assessment was recorded.
    SelfRelianceAssessed(ZrmAssessment),
    /// A consent was given.
    ConsentGiven(Consent),
    /// A consent was withdrawn.
    ConsentWithdrawn {
        /// The consent.
        consent: ConsentId,
        /// When.
        on: NaiveDate,
    },
    /// A progress report was sent.
    ProgressReportSent(ProgressReportRecord),
    /// The outflow was recorded.
    OutflowRecorded(Outflow),
    /// A category's confidentiality level was set.
    ConfidentialitySet {
        /// The category.
        category: DataCategory,
        /// The level before.
        from: ConfidentialityLevel,
        /// The level now.
        to: ConfidentialityLevel,
        /// Why.
        reason: Text,
    },
}

impl CaseChange {
    /// Stable snake_case name (for the audit log and the event stream).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "registered",
            Self::ProfileUpdated { .. } => "profile_updated",
            Self::ProjectWorkerAssigned { .. } => "project_worker_assigned",
            Self::PhaseChanged { .. } => "phase_changed",
            Self::DirectionChanged(_) => "direction_changed",
            Self::ReturnStanceRecorded { .. } => "return_stance_recorded",
            Self::PlanRevised(_) => "plan_revised",
            Self::PlanAgreed { .. } => "plan_agreed",
            Self::GoalSet(_) => "goal_set",
            Self::GoalStatusChanged { .. } => "goal_status_changed",
            Self::GoalStepsUpdated { .. } => "goal_steps_updated",
            Self::ContactLogged { .. } => "contact_logged",
            Self::AgreementMade { .. } => "agreement_made",
            Self::AgreementSettled { .. } => "agreement_settled",
            Self::ReferralProposed(_) => "referral_proposed",
            Self::ReferralAdvanced { .. } => "referral_advanced",
            Self::ReturnExplorationStarted(_) => "return_exploration_started",
            Self::ReturnExplorationUpdated { .. } => "return_exploration_updated",
            Self::ObstacleIdentified(_) => "obstacle_identified",
            Self::ObstacleActedOn { .. } => "obstacle_acted_on",
            Self::ReintegrationPlanUpdated(_) => "reintegration_plan_updated",
            Self::DepartureStepRecorded(_) => "departure_step_recorded",
            Self::ReanChecklistUpdated(_) => "rean_checklist_updated",
            Self::DeparturePlanned { .. } => "departure_planned",
            Self::JudgmentRecorded(_) => "judgment_recorded",
            Self::JudgmentCommunicated { .. } => "judgment_communicated",
            Self::ConsequencesExplained { .. } => "consequences_explained",
            Self::SelfRelianceAssessed(_) => "self_reliance_assessed",
            Self::ConsentGiven(_) => "consent_given",
            Self::ConsentWithdrawn { .. } => "consent_withdrawn",
            Self::ProgressReportSent(_) => "progress_report_sent",
            Self::OutflowRecorded(_) => "outflow_recorded",
            Self::ConfidentialitySet { .. } => "confidentiality_set",
        }
    }

    /// The data category the change belongs to (what a reader of it gets to see).
    pub fn category(&self) -> DataCategory {
        use DataCategory as C;
        match self {
            Self::Registered { .. } | Self::ProfileUpdated { .. } | Self::ProjectWorkerAssigned { .. } => C::Identity,
            Self::ContactLogged { category, .. }
            | Self::AgreementMade { category, .. }
            | Self::ReferralAdvanced { category, .. } => *category,
            Self::ReferralProposed(r) => r.domain.category(),
            // Only who may read a category learns that its level changed.
            Self::ConfidentialitySet { category, .. } => *category,
            Self::PhaseChanged { .. }
            | Self::DirectionChanged(_)
            | Self::PlanRevised(_)
            | Self::PlanAgreed { .. }
            | Self::GoalSet(_)
            | Self::GoalStatusChanged { .. }
            | Self::GoalStepsUpdated { .. }
            | Self::AgreementSettled { .. }
            | Self::SelfRelianceAssessed(_)
            | Self::ConsentGiven(_)
            | Self::ConsentWithdrawn { .. }
            | Self::OutflowRecorded(_) => C::Guidance,
            Self::ReturnStanceRecorded { .. }
            | Self::ReturnExplorationStarted(_)
            | Self::ReturnExplorationUpdated { .. }
            | Self::ObstacleIdentified(_)
            | Self::ObstacleActedOn { .. }
            | Self::ReintegrationPlanUpdated(_)
            | Self::DepartureStepRecorded(_)
            | Self::ReanChecklistUpdated(_)
            | Self::DeparturePlanned { .. }
            | Self::JudgmentRecorded(_)
            | Self::JudgmentCommunicated { .. }
            | Self::ConsequencesExplained { .. } => C::Return,
            Self::ProgressReportSent(_) => C::Reports,
        }
    }

    /// The activity codes this change is accounted under. Never empty: every recorded activity
    /// carries its code.
    pub fn activities(&self) -> Vec<ActivityCode> {
        use ActivityCode as A;
        match self {
            Self::ContactLogged { contact, .. } => contact.activities.iter().copied().collect(),
            Self::PlanRevised(r) if r.number == 1 => {
                vec![A::PerspectivePlan, A::RecordProcessInPlan]
            }
            Self::PlanRevised(_) | Self::PlanAgreed { .. } | Self::DirectionChanged(_) => {
                vec![A::KeepPlanCurrent]
            }
            Self::GoalSet(_) | Self::GoalStatusChanged { .. } | Self::GoalStepsUpdated { .. } => {
                vec![A::MonitorGoals]
            }
            Self::AgreementMade { .. }
            | Self::AgreementSettled { .. }
            | Self::ReferralProposed(_)
            | Self::ReferralAdvanced { .. } => {
                vec![A::CoordinateExecution]
            }
            // Recording what the person said is part of recording the process in the plan; the
            // orientation talk itself is counted on its contact moment.
            Self::ReturnStanceRecorded { .. } => vec![A::RecordProcessInPlan],
            Self::ReturnExplorationStarted(_) | Self::ReturnExplorationUpdated { .. } | Self::ObstacleIdentified(_) => {
                vec![A::ExploreReturn]
            }
            Self::ObstacleActedOn { .. }
            | Self::ReintegrationPlanUpdated(_)
            | Self::DepartureStepRecorded(_)
            | Self::ReanChecklistUpdated(_)
            | Self::DeparturePlanned { .. } => vec![A::RemoveObstacles],
            Self::JudgmentRecorded(_) | Self::JudgmentCommunicated { .. } | Self::ConsequencesExplained { .. } => {
                vec![A::ReturnJudgment]
            }
            Self::SelfRelianceAssessed(_) => vec![A::SelfReliance],
            Self::ProgressReportSent(_) => vec![A::Reporting],
            Self::PhaseChanged { to: Phase::Termination, .. } => vec![A::ProposeTermination],
            Self::Registered { .. }
            | Self::ProfileUpdated { .. }
            | Self::ProjectWorkerAssigned { .. }
            | Self::PhaseChanged { .. }
            | Self::ConsentGiven(_)
            | Self::ConsentWithdrawn { .. }
            | Self::ConfidentialitySet { .. }
            | Self::OutflowRecorded(_) => vec![A::RecordKeeping],
        }
    }
}

impl CaseChange {
    /// The change as seen by a reader who may not read the content of the `hidden`
    /// categories: like [`Case::hidden`], for one event.
    pub fn hidden(&self, hidden: &BTreeSet<DataCategory>) -> CaseChange {
        crate::retention::mask_change(self, hidden, &hidden_text())
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
    /// Progress reports sent.
    pub reports: Vec<ProgressReportRecord>,
    /// The outflow, once recorded.
    pub outflow: Option<Outflow>,
}

fn invalid(field: &str, code: &str, message: &str) -> DomainError {
    DomainError::field(field, code, message)
}

impl Case {
    /// Register a participant: validates the registration and opens the case.
    ///
    /// The registration date must not lie in the future.
    pub fn register(cmd: RegisterParticipant, ctx: &CommandContext) -> Result<(Case, CaseEvent), DomainError> {
        if cmd.registered_on > ctx.today {
            return Err(invalid("registered_on", "date_in_future", "the registration date cannot lie in the future"));
        }
        if let Some(dob) = cmd.profile.date_of_birth {
            dob.check(ctx.today).map_err(|e| DomainError::from(e.at("date_of_birth")))?;
        }
        let event = CaseEvent {
            participant: cmd.id,
            version: 1,
            at: ctx.now,
            actor: ctx.actor,
            change: CaseChange::Registered { profile: cmd.profile, registered_on: cmd.registered_on },
        };
        let case = Self::replay([&event])?;
        Ok((case, event))
    }

    /// Rebuild a case from its events, oldest first. The first must be the registration and
    /// versions must follow each other without gaps.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a CaseEvent>) -> Result<Case, DomainError> {
        let mut iter = events.into_iter();
        let first = iter.next().ok_or_else(|| invalid("events", "empty", "a case starts with its registration"))?;
        let CaseChange::Registered { profile, registered_on } = &first.change else {
            return Err(invalid("events[0]", "not_registration", "a case starts with its registration"));
        };
        if first.version != 1 {
            return Err(invalid("events[0]", "out_of_sequence", "a case's registration is version 1"));
        }
        let mut case = Case {
            id: first.participant,
            version: 1,
            profile: profile.clone(),
            registered_on: *registered_on,
            phase: Phase::Intake,
            direction: Direction::Undecided,
            direction_history: Vec::new(),
            return_stance: ReturnStance::NotDiscussed,
            plan: Vec::new(),
            goals: BTreeMap::new(),
            agreements: BTreeMap::new(),
            contacts: BTreeMap::new(),
            referrals: BTreeMap::new(),
            exploration: None,
            obstacles: BTreeMap::new(),
            reintegration: None,
            departure: None,
            judgments: Vec::new(),
            self_reliance: Vec::new(),
            consents: Vec::new(),
            reports: Vec::new(),
            outflow: None,
            levels: BTreeMap::new(),
        };
        for (i, e) in iter.enumerate() {
            if e.participant != case.id || e.version != case.version + 1 {
                return Err(DomainError::field(
                    format!("events[{}]", i + 1),
                    "out_of_sequence",
                    format!("expected version {} of participant {}", case.version + 1, case.id),
                ));
            }
            case.apply(e);
        }
        Ok(case)
    }

    /// Decide a command and apply its changes; returns the events to store.
    ///
    /// On error nothing changes.
    pub fn execute(&mut self, cmd: CaseCommand, ctx: &CommandContext) -> Result<Vec<CaseEvent>, DomainError> {
        let changes = self.decide(cmd, ctx)?;
        let mut events = Vec::with_capacity(changes.len());
        for change in changes {
            let event =
                CaseEvent { participant: self.id, version: self.version + 1, at: ctx.now, actor: ctx.actor, change };
            self.apply(&event);
            events.push(event);
        }
        Ok(events)
    }

    /// Apply a recorded event. Events were decided against the state they follow, so applying
    /// does not check rules again.
    pub(crate) fn apply(&mut self, event: &CaseEvent) {
        self.version = event.version;
        match &event.change {
            CaseChange::Registered { profile, registered_on } => {
                self.profile = profile.clone();
                self.registered_on = *registered_on;
            }
            CaseChange::ProfileUpdated { profile } => self.profile = profile.clone(),
            CaseChange::ProjectWorkerAssigned { to, .. } => self.profile.project_worker = *to,
            CaseChange::PhaseChanged { to, .. } => self.phase = *to,
            CaseChange::DirectionChanged(change) => {
                self.direction = change.to;
                self.direction_history.push(change.clone());
            }
            CaseChange::ReturnStanceRecorded { to, .. } => self.return_stance = *to,
            CaseChange::PlanRevised(revision) => self.plan.push(revision.clone()),
            CaseChange::PlanAgreed { revision, on } => {
                if let Some(r) = self.plan.iter_mut().find(|r| r.number == *revision) {
                    r.agreed_on = Some(*on);
                }
            }
            CaseChange::GoalSet(goal) => {
                self.goals.insert(goal.id, goal.clone());
            }
            CaseChange::GoalStatusChanged { goal, to, new_deadline, on, .. } => {
                if let Some(g) = self.goals.get_mut(goal) {
                    g.status = *to;
                    g.status_changed_on = Some(*on);
                    if let Some(d) = new_deadline {
                        g.deadline = *d;
                    }
                }
            }
            CaseChange::GoalStepsUpdated { goal, next_steps } => {
                if let Some(g) = self.goals.get_mut(goal) {
                    g.next_steps = Some(next_steps.clone());
                }
            }
            CaseChange::ContactLogged { contact, category } => {
                self.contacts.insert(contact.id, (contact.clone(), *category));
            }
            CaseChange::AgreementMade { agreement, category } => {
                self.agreements.insert(agreement.id, (agreement.clone(), *category));
            }
            CaseChange::AgreementSettled { agreement, status } => {
                if let Some((a, _)) = self.agreements.get_mut(agreement) {
                    a.status = *status;
                }
            }
            CaseChange::ReferralProposed(r) => {
                self.referrals.insert(r.id, r.clone());
            }
            CaseChange::ReferralAdvanced { referral, step, consent_override, .. } => {
                if let Some(r) = self.referrals.get_mut(referral) {
                    r.history.push(step.clone());
                    if step.status == ReferralStatus::Sent && consent_override.is_some() {
                        r.sent_on_override = true;
                    }
                }
            }
            CaseChange::ReturnExplorationStarted(x) => self.exploration = Some(x.clone()),
            CaseChange::ReturnExplorationUpdated { findings, at } => {
                if let Some(x) = self.exploration.as_mut() {
                    let f = findings.clone();
                    if f.motivation.is_some() {
                        x.motivation = f.motivation;
                    }
                    if f.documents.is_some() {
                        x.documents = f.documents;
                    }
                    if f.family_contact.is_some() {
                        x.family_contact = f.family_contact;
                    }
                    if f.prospects.is_some() {
                        x.prospects = f.prospects;
                    }
                    x.updated_at = *at;
                }
            }
            CaseChange::ObstacleIdentified(o) => {
                self.obstacles.insert(o.id, o.clone());
            }
            CaseChange::ObstacleActedOn { obstacle, action } => {
                if let Some(o) = self.obstacles.get_mut(obstacle) {
                    o.status = action.status;
                    o.actions.push(action.clone());
                }
            }
            CaseChange::ReintegrationPlanUpdated(update) => {
                self.reintegration.get_or_insert_with(ReintegrationPlan::default).merge(update.clone());
            }
            CaseChange::DepartureStepRecorded(step) => {
                self.departure.get_or_insert_with(DeparturePreparation::default).steps.push(step.clone());
            }
            CaseChange::ReanChecklistUpdated(rean) => {
                self.departure.get_or_insert_with(DeparturePreparation::default).rean = *rean
            }
            CaseChange::DeparturePlanned { on, accompany_to_schiphol } => {
                let d = self.departure.get_or_insert_with(DeparturePreparation::default);
                d.departure_on = *on;
                d.accompany_to_schiphol = *accompany_to_schiphol;
            }
            CaseChange::JudgmentRecorded(j) => self.judgments.push(j.clone()),
            CaseChange::JudgmentCommunicated { judgment, communication } => {
                if let Some(j) = self.judgments.iter_mut().find(|j| j.id == *judgment) {
                    j.communications.push(*communication);
                }
            }
            CaseChange::ConsequencesExplained { judgment, on } => {
                if let Some(j) = self.judgments.iter_mut().find(|j| j.id == *judgment) {
                    j.consequences_explained_on = Some(*on);
                }
            }
            CaseChange::SelfRelianceAssessed(a) => self.self_reliance.push(a.clone()),
            CaseChange::ConsentGiven(c) => self.consents.push(c.clone()),
            CaseChange::ConsentWithdrawn { consent, on } => {
                if let Some(c) = self.consents.iter_mut().find(|c| c.id == *consent) {
                    c.withdrawn_on = Some(*on);
                }
            }
            CaseChange::ProgressReportSent(r) => self.reports.push(r.clone()),
            CaseChange::OutflowRecorded(o) => self.outflow = Some(o.clone()),
            CaseChange::ConfidentialitySet { category, to, .. } => {
                if *to == category.default_level() {
                    self.levels.remove(category);
                } else {
                    self.levels.insert(*category, *to);
                }
            }
        }
    }

    /// A date of something that happened: not in the future, not before registration.
    fn check_past(&self, field: &str, day: NaiveDate, ctx: &CommandContext) -> Result<(), DomainError> {
        if day > ctx.today {
            return Err(invalid(field, Rule::DateInFuture.code(), Rule::DateInFuture.explanation()));
        }
        if day < self.registered_on {
            return Err(invalid(
                field,
                Rule::DateBeforeRegistration.code(),
                Rule::DateBeforeRegistration.explanation(),
            ));
        }
        Ok(())
    }

    fn require_stance(&self, at_least: ReturnStance) -> Result<(), DomainError> {
        let ok = match at_least {
            ReturnStance::Decided => self.return_stance == ReturnStance::Decided,
            _ => matches!(self.return_stance, ReturnStance::Considering | ReturnStance::Decided),
        };
        match (ok, at_least) {
            (true, _) => Ok(()),
            (false, ReturnStance::Decided) => Err(DomainError::rule(Rule::ReturnNotDecided)),
            (false, _) => Err(DomainError::rule(Rule::ReturnNotConsidered)),
        }
    }

    fn find_goal(&self, id: GoalId) -> Result<&Goal, DomainError> {
        self.goals.get(&id).ok_or_else(|| DomainError::not_found(EntityKind::Goal, id))
    }

    fn find_judgment(&self, id: JudgmentId) -> Result<&ReturnJudgment, DomainError> {
        self.judgments.iter().find(|j| j.id == id).ok_or_else(|| DomainError::not_found(EntityKind::ReturnJudgment, id))
    }

    fn check_new_agreement(&self, prefix: &str, a: &NewAgreement, from: NaiveDate) -> Option<FieldViolation> {
        if self.agreements.contains_key(&a.id) {
            return Some(FieldViolation::new(
                format!("{prefix}id"),
                "already_exists",
                "an agreement with this id exists already",
            ));
        }
        (a.due_on < from).then(|| {
            FieldViolation::new(
                format!("{prefix}due_on"),
                "before_made",
                "an agreement cannot be due before it was made",
            )
        })
    }

    /// The consent override a command would use: `Some` when it sends a referral with an
    /// override reason and no active consent covers the partner and the referral's category on
    /// `today`, so the referral goes out on the override alone. The adapter then checks that
    /// the caller may override ([`crate::access::AccessPolicy::decide_consent_override`]) and
    /// records the request for review, in the same transaction as the event. `None` for every
    /// other command, and when the command would fail anyway (unknown referral, criminal
    /// history), or needs no override (a consent covers it).
    pub fn consent_override_request(
        &self,
        cmd: &CaseCommand,
        today: NaiveDate,
    ) -> Option<crate::privacy::ConsentOverrideRequest> {
        let CaseCommand::AdvanceReferral { referral, to: ReferralStatus::Sent, consent_override: Some(reason), .. } =
            cmd
        else {
            return None;
        };
        let r = self.referrals.get(referral)?;
        let category = r.domain.category();
        match crate::privacy::share_basis(&self.consents, r.partner, category, today, Some(reason)) {
            Ok(crate::privacy::ShareBasis::Override { reason }) => Some(crate::privacy::ConsentOverrideRequest {
                referral: *referral,
                partner: r.partner,
                category,
                reason,
            }),
            _ => None,
        }
    }

    /// Decide a command against the current state: the changes it makes, or why not.
    pub fn decide(&self, cmd: CaseCommand, ctx: &CommandContext) -> Result<Vec<CaseChange>, DomainError> {
        if self.outflow.is_some() && !cmd.allowed_after_outflow() {
            return Err(DomainError::TrajectoryClosed { action: cmd.name().into() });
        }
        let by = ctx.actor;
        let changes = match cmd {
            CaseCommand::UpdateProfile { profile } => {
                if profile.project_worker != self.profile.project_worker {
                    return Err(invalid(
                        "project_worker",
                        "not_applicable",
                        "the project worker changes by assignment, not by correcting the profile",
                    ));
                }
                if let Some(dob) = profile.date_of_birth {
                    dob.check(ctx.today).map_err(|e| DomainError::from(e.at("date_of_birth")))?;
                }
                if profile == self.profile {
                    return Ok(Vec::new());
                }
                vec![CaseChange::ProfileUpdated { profile }]
            }
            CaseCommand::AssignProjectWorker { worker } => {
                if worker == self.profile.project_worker {
                    return Ok(Vec::new());
                }
                vec![CaseChange::ProjectWorkerAssigned { from: self.profile.project_worker, to: worker }]
            }
            CaseCommand::ChangePhase { to, reason } => {
                check_transition(self.phase, to, Trigger::Explicit)?;
                vec![CaseChange::PhaseChanged { from: self.phase, to, reason: Some(reason) }]
            }
            CaseCommand::ChangeDirection { to, on, reasoning } => {
                if to == self.direction {
                    return Err(DomainError::rule(Rule::DirectionUnchanged));
                }
                self.check_past("on", on, ctx)?;
                if matches!(to, Direction::ReturnToOrigin | Direction::ThirdCountry)
                    && !matches!(self.return_stance, ReturnStance::Considering | ReturnStance::Decided)
                {
                    return Err(DomainError::rule(Rule::ReturnDirectionWithoutConsideration));
                }
                vec![CaseChange::DirectionChanged(DirectionChange { from: self.direction, to, on, reasoning, by })]
            }
            CaseCommand::RecordReturnStance { stance, on, note } => {
                if self.phase == Phase::Intake {
                    return Err(DomainError::rule(Rule::OrientationRequired));
                }
                self.check_past("on", on, ctx)?;
                if matches!(self.direction, Direction::ReturnToOrigin | Direction::ThirdCountry)
                    && !matches!(stance, ReturnStance::Considering | ReturnStance::Decided)
                {
                    // Change the direction first: the plan cannot aim at a return the person rejects.
                    return Err(DomainError::rule(Rule::ReturnDirectionWithoutConsideration));
                }
                vec![CaseChange::ReturnStanceRecorded { from: self.return_stance, to: stance, on, note }]
            }
            CaseCommand::RevisePlan { personal_situation, perspective } => {
                let number = u32::try_from(self.plan.len()).unwrap_or(u32::MAX).saturating_add(1);
                vec![CaseChange::PlanRevised(PlanRevision {
                    number,
                    direction: self.direction,
                    personal_situation,
                    perspective,
                    drawn_up_at: ctx.now,
                    drawn_up_by: by,
                    agreed_on: None,
                })]
            }
            CaseCommand::AgreePlan { revision, on } => {
                let latest = self.plan.last().ok_or_else(|| DomainError::rule(Rule::PlanRequired))?;
                if !self.plan.iter().any(|r| r.number == revision) {
                    return Err(DomainError::not_found(EntityKind::PlanRevision, revision));
                }
                if latest.number != revision {
                    return Err(DomainError::rule(Rule::PlanRevisionSuperseded));
                }
                if latest.agreed_on.is_some() {
                    return Err(DomainError::rule(Rule::PlanAlreadyAgreed));
                }
                self.check_past("on", on, ctx)?;
                if on < crate::time::amsterdam_date(latest.drawn_up_at) {
                    return Err(invalid("on", "before_drawn_up", "a plan cannot be agreed before it was drawn up"));
                }
                let mut changes = vec![CaseChange::PlanAgreed { revision, on }];
                if matches!(self.phase, Phase::Intake | Phase::Orientation) {
                    check_transition(self.phase, Phase::PlanExecution, Trigger::PlanAgreed)?;
                    changes.push(CaseChange::PhaseChanged { from: self.phase, to: Phase::PlanExecution, reason: None });
                }
                changes
            }
            CaseCommand::SetGoal(g) => {
                let revision = self.plan.last().ok_or_else(|| DomainError::rule(Rule::PlanRequired))?.number;
                if self.goals.contains_key(&g.id) {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::Goal, id: g.id.to_string() });
                }
                if g.deadline < ctx.today {
                    return Err(invalid("deadline", "in_past", "a new goal's deadline cannot lie in the past"));
                }
                vec![CaseChange::GoalSet(Goal {
                    id: g.id,
                    description: g.description,
                    rationale: g.rationale,
                    responsible: g.responsible,
                    partners: g.partners,
                    deadline: g.deadline,
                    next_steps: g.next_steps,
                    status: GoalStatus::Open,
                    plan_revision: revision,
                    set_at: ctx.now,
                    status_changed_on: None,
                })]
            }
            CaseCommand::ChangeGoalStatus { goal, to, new_deadline, on } => {
                let g = self.find_goal(goal)?;
                g.status.check_transition(to)?;
                self.check_past("on", on, ctx)?;
                if on < crate::time::amsterdam_date(g.set_at) {
                    return Err(invalid("on", "before_set", "a goal's status cannot change before the goal was set"));
                }
                if to == GoalStatus::Missed && on <= g.deadline {
                    return Err(invalid(
                        "on",
                        "before_deadline",
                        "a goal is missed only after its deadline has passed",
                    ));
                }
                if g.status == GoalStatus::Missed && to == GoalStatus::InProgress {
                    match new_deadline {
                        Some(d) if d > g.deadline && d >= ctx.today => {}
                        _ => return Err(DomainError::rule(Rule::DeadlineNotMoved)),
                    }
                } else if new_deadline.is_some() {
                    return Err(invalid(
                        "new_deadline",
                        "not_applicable",
                        "a new deadline is given only when a missed goal resumes",
                    ));
                }
                vec![CaseChange::GoalStatusChanged { goal, from: g.status, to, new_deadline, on }]
            }
            CaseCommand::UpdateGoalSteps { goal, next_steps } => {
                let g = self.find_goal(goal)?;
                if !g.status.is_active() && g.status != GoalStatus::Missed {
                    return Err(DomainError::IllegalStatusTransition {
                        entity: EntityKind::Goal,
                        from: g.status.as_str().into(),
                        to: g.status.as_str().into(),
                    });
                }
                vec![CaseChange::GoalStepsUpdated { goal, next_steps }]
            }
            CaseCommand::LogContact(c) => return self.decide_contact(c, ctx),
            CaseCommand::AddAgreement { agreement: a, category } => {
                if let Some(v) = self.check_new_agreement("", &a, ctx.today) {
                    return Err(v.into());
                }
                vec![CaseChange::AgreementMade {
                    agreement: Agreement {
                        id: a.id,
                        description: a.description,
                        due_on: a.due_on,
                        who_acts: a.who_acts,
                        made_in: None,
                        status: AgreementStatus::Open,
                    },
                    category,
                }]
            }
            CaseCommand::SettleAgreement { agreement, fulfilled, on } => {
                let (a, _) = self
                    .agreements
                    .get(&agreement)
                    .ok_or_else(|| DomainError::not_found(EntityKind::Agreement, agreement))?;
                let to = if fulfilled { AgreementStatus::Fulfilled(on) } else { AgreementStatus::NotFulfilled(on) };
                if a.status != AgreementStatus::Open {
                    return Err(DomainError::IllegalStatusTransition {
                        entity: EntityKind::Agreement,
                        from: a.status.as_str().into(),
                        to: to.as_str().into(),
                    });
                }
                self.check_past("on", on, ctx)?;
                vec![CaseChange::AgreementSettled { agreement, status: to }]
            }
            CaseCommand::ProposeReferral { id, partner, domain, reason } => {
                if self.referrals.contains_key(&id) {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::Referral, id: id.to_string() });
                }
                let step = ReferralStep { status: ReferralStatus::Proposed, on: ctx.today, note: None, by };
                vec![CaseChange::ReferralProposed(Referral {
                    id,
                    partner,
                    domain,
                    reason,
                    history: vec![step],
                    sent_on_override: false,
                })]
            }
            CaseCommand::AdvanceReferral { referral, to, on, note, consent_override } => {
                let r = self
                    .referrals
                    .get(&referral)
                    .ok_or_else(|| DomainError::not_found(EntityKind::Referral, referral))?;
                r.status().check_transition(to)?;
                self.check_past("on", on, ctx)?;
                if r.history.last().is_some_and(|s| on < s.on) {
                    return Err(invalid(
                        "on",
                        "before_previous_step",
                        "a referral step cannot be dated before the previous step",
                    ));
                }
                let (consent, consent_override) = if to == ReferralStatus::Sent {
                    match crate::privacy::share_basis(
                        &self.consents,
                        r.partner,
                        r.domain.category(),
                        ctx.today,
                        consent_override.as_ref(),
                    )? {
                        crate::privacy::ShareBasis::Consent { consent } => (Some(consent), None),
                        crate::privacy::ShareBasis::Override { reason } => (None, Some(reason)),
                    }
                } else {
                    (None, None)
                };
                vec![CaseChange::ReferralAdvanced {
                    referral,
                    category: r.domain.category(),
                    step: ReferralStep { status: to, on, note, by },
                    consent,
                    consent_override,
                }]
            }
            CaseCommand::StartReturnExploration { on, findings } => {
                self.require_stance(ReturnStance::Considering)?;
                if self.exploration.is_some() {
                    return Err(DomainError::rule(Rule::ReturnExplorationAlreadyStarted));
                }
                self.check_past("on", on, ctx)?;
                vec![CaseChange::ReturnExplorationStarted(ReturnExploration {
                    started_on: on,
                    motivation: findings.motivation,
                    documents: findings.documents,
                    family_contact: findings.family_contact,
                    prospects: findings.prospects,
                    updated_at: ctx.now,
                })]
            }
            CaseCommand::UpdateReturnExploration { findings } => {
                if self.exploration.is_none() {
                    return Err(DomainError::rule(Rule::ReturnExplorationRequired));
                }
                vec![CaseChange::ReturnExplorationUpdated { findings, at: ctx.now }]
            }
            CaseCommand::IdentifyObstacle { id, kind, description, partner, on } => {
                if self.exploration.is_none() {
                    return Err(DomainError::rule(Rule::ReturnExplorationRequired));
                }
                if self.obstacles.contains_key(&id) {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::ReturnObstacle, id: id.to_string() });
                }
                self.check_past("on", on, ctx)?;
                vec![CaseChange::ObstacleIdentified(ReturnObstacle {
                    id,
                    kind,
                    description,
                    partner,
                    identified_on: on,
                    status: ObstacleStatus::Identified,
                    actions: Vec::new(),
                })]
            }
            CaseCommand::ActOnObstacle { obstacle, description, status, on } => {
                let o = self
                    .obstacles
                    .get(&obstacle)
                    .ok_or_else(|| DomainError::not_found(EntityKind::ReturnObstacle, obstacle))?;
                self.require_stance(ReturnStance::Decided)?;
                if status != o.status {
                    o.status.check_transition(status)?;
                }
                self.check_past("on", on, ctx)?;
                vec![CaseChange::ObstacleActedOn { obstacle, action: ObstacleAction { on, description, status, by } }]
            }
            CaseCommand::UpdateReintegrationPlan(plan) => {
                self.require_stance(ReturnStance::Decided)?;
                vec![CaseChange::ReintegrationPlanUpdated(plan)]
            }
            CaseCommand::RecordDepartureStep(step) => {
                self.require_stance(ReturnStance::Decided)?;
                self.check_past("on", step.on, ctx)?;
                vec![CaseChange::DepartureStepRecorded(step)]
            }
            CaseCommand::UpdateReanChecklist(rean) => {
                self.require_stance(ReturnStance::Decided)?;
                vec![CaseChange::ReanChecklistUpdated(rean)]
            }
            CaseCommand::PlanDeparture { on, accompany_to_schiphol } => {
                self.require_stance(ReturnStance::Decided)?;
                if on.is_some_and(|d| d < ctx.today) {
                    return Err(invalid("on", "in_past", "a planned departure date cannot lie in the past"));
                }
                vec![CaseChange::DeparturePlanned { on, accompany_to_schiphol }]
            }
            CaseCommand::RecordJudgment { id, verdict, finality, reasoning, formed_on } => {
                if self.judgments.iter().any(|j| j.id == id) {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::ReturnJudgment, id: id.to_string() });
                }
                self.check_past("formed_on", formed_on, ctx)?;
                let agreed =
                    self.plan.iter().rev().find(|r| r.agreed_on.is_some_and(|d| d <= formed_on)).map(|r| r.number);
                if finality == Finality::Final && agreed.is_none() {
                    return Err(DomainError::rule(Rule::AgreedPlanRequired));
                }
                vec![CaseChange::JudgmentRecorded(ReturnJudgment {
                    id,
                    verdict,
                    finality,
                    reasoning,
                    plan_revision: agreed,
                    formed_on,
                    formed_by: by,
                    communications: Vec::new(),
                    consequences_explained_on: None,
                })]
            }
            CaseCommand::RecordJudgmentCommunicated { judgment, to, on } => {
                let j = self.find_judgment(judgment)?;
                if on < j.formed_on {
                    return Err(DomainError::rule(Rule::CommunicatedBeforeFormed));
                }
                if on > ctx.today {
                    return Err(invalid("on", Rule::DateInFuture.code(), Rule::DateInFuture.explanation()));
                }
                vec![CaseChange::JudgmentCommunicated { judgment, communication: Communication { to, on } }]
            }
            CaseCommand::RecordConsequencesExplained { judgment, on } => {
                let j = self.find_judgment(judgment)?;
                if on < j.formed_on {
                    return Err(DomainError::rule(Rule::CommunicatedBeforeFormed));
                }
                if on > ctx.today {
                    return Err(invalid("on", Rule::DateInFuture.code(), Rule::DateInFuture.explanation()));
                }
                vec![CaseChange::ConsequencesExplained { judgment, on }]
            }
            CaseCommand::RecordSelfReliance { assessed_on, scores } => {
                if scores.is_empty() {
                    return Err(invalid("scores", "required", "score at least one life domain"));
                }
                self.check_past("assessed_on", assessed_on, ctx)?;
                vec![CaseChange::SelfRelianceAssessed(ZrmAssessment { assessed_on, scores, by })]
            }
            CaseCommand::GiveConsent { id, organisation, categories, purpose, given_on } => {
                if self.consents.iter().any(|c| c.id == id) {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::Consent, id: id.to_string() });
                }
                if categories.is_empty() {
                    return Err(invalid("categories", "required", "name at least one data category"));
                }
                self.check_past("given_on", given_on, ctx)?;
                vec![CaseChange::ConsentGiven(Consent {
                    id,
                    organisation,
                    categories,
                    purpose,
                    given_on,
                    withdrawn_on: None,
                    recorded_by: by,
                })]
            }
            CaseCommand::WithdrawConsent { consent, on } => {
                let c = self
                    .consents
                    .iter()
                    .find(|c| c.id == consent)
                    .ok_or_else(|| DomainError::not_found(EntityKind::Consent, consent))?;
                if c.withdrawn_on.is_some() {
                    return Err(DomainError::rule(Rule::ConsentAlreadyWithdrawn));
                }
                if on > ctx.today {
                    return Err(invalid("on", Rule::DateInFuture.code(), Rule::DateInFuture.explanation()));
                }
                if on < c.given_on {
                    return Err(invalid("on", "before_given", "a consent cannot be withdrawn before it was given"));
                }
                vec![CaseChange::ConsentWithdrawn { consent, on }]
            }
            CaseCommand::RecordProgressReport { id, period_from, period_to, sent_to } => {
                let mut v = Vec::new();
                if period_to < period_from {
                    v.push(FieldViolation::new(
                        "period_to",
                        "before_start",
                        "the period must end on or after its start",
                    ));
                }
                if period_to > ctx.today {
                    v.push(FieldViolation::new(
                        "period_to",
                        "date_in_future",
                        "a report covers a period that has passed",
                    ));
                }
                if self.reports.iter().any(|r| r.id == id) {
                    v.push(FieldViolation::new("id", "already_exists", "a report with this id exists already"));
                }
                if !v.is_empty() {
                    return Err(DomainError::InvalidInput(Violations(v)));
                }
                // The report shares the case with the municipality: its consent must cover
                // reports (there is no override for reports; see `share_basis`).
                crate::privacy::share_basis(&self.consents, sent_to, DataCategory::Reports, ctx.today, None)?;
                vec![CaseChange::ProgressReportSent(ProgressReportRecord {
                    id,
                    period_from,
                    period_to,
                    sent_at: ctx.now,
                    sent_to,
                    sent_by: by,
                })]
            }
            CaseCommand::RecordOutflow { outcome, on, note } => {
                self.check_past("on", on, ctx)?;
                if self.last_contact_at().is_some_and(|at| on < crate::time::amsterdam_date(at)) {
                    return Err(invalid(
                        "on",
                        "before_last_contact",
                        "the outflow cannot be dated before the last contact moment",
                    ));
                }
                check_transition(self.phase, Phase::Closed, Trigger::Outflow)?;
                vec![
                    CaseChange::OutflowRecorded(Outflow { outcome, on, note, recorded_by: by }),
                    CaseChange::PhaseChanged { from: self.phase, to: Phase::Closed, reason: None },
                ]
            }
            CaseCommand::SetConfidentiality { category, level, reason } => {
                let from = self.levels().of(category);
                if level < category.default_level() {
                    return Err(invalid(
                        "level",
                        "below_category_minimum",
                        &format!(
                            "{category} data is at least {}; a case can raise its level, never lower it below that",
                            category.default_level()
                        ),
                    ));
                }
                if level == from {
                    Vec::new()
                } else {
                    vec![CaseChange::ConfidentialitySet { category, from, to: level, reason }]
                }
            }
        };
        Ok(changes)
    }

    fn decide_contact(&self, c: NewContact, ctx: &CommandContext) -> Result<Vec<CaseChange>, DomainError> {
        let mut v = Vec::new();
        if self.contacts.contains_key(&c.id) {
            v.push(FieldViolation::new("id", "already_exists", "a contact moment with this id exists already"));
        }
        if c.at > ctx.now {
            v.push(FieldViolation::new("at", Rule::DateInFuture.code(), Rule::DateInFuture.explanation()));
        }
        let day = crate::time::amsterdam_date(c.at);
        if day < self.registered_on {
            v.push(FieldViolation::new(
                "at",
                Rule::DateBeforeRegistration.code(),
                Rule::DateBeforeRegistration.explanation(),
            ));
        }
        if c.activities.is_empty() && c.documents.is_empty() {
            v.push(FieldViolation::new("activities", "required", "name at least one activity code (3.2.a to 5.2.e)"));
        }
        let departed = self.outflow.as_ref().is_some_and(|o| o.outcome.is_departure());
        match (c.kind == ContactKind::Monitoring, &self.outflow) {
            (true, None) => {
                v.push(FieldViolation::new("kind", "not_allowed_now", "monitoring contacts are for after the outflow"))
            }
            (true, Some(_)) if !departed => v.push(FieldViolation::new(
                "kind",
                "not_allowed_now",
                "monitoring (aftercare) follows a departure; this outflow was not one",
            )),
            (false, Some(_)) => v.push(FieldViolation::new(
                "kind",
                "not_allowed_now",
                "after the outflow only monitoring contacts are logged",
            )),
            _ => {}
        }
        if self.outflow.is_some() && !c.agreements.is_empty() {
            v.push(FieldViolation::new("agreements", "not_allowed_now", "no new agreements after the outflow"));
        }
        // The return activities count only where the return track allows them (5.2.b).
        let considering = matches!(self.return_stance, ReturnStance::Considering | ReturnStance::Decided);
        if c.activities.contains(&ActivityCode::ExploreReturn) && !considering {
            v.push(FieldViolation::new(
                "activities",
                Rule::ReturnNotConsidered.code(),
                Rule::ReturnNotConsidered.explanation(),
            ));
        }
        if c.activities.contains(&ActivityCode::RemoveObstacles) && self.return_stance != ReturnStance::Decided {
            v.push(FieldViolation::new(
                "activities",
                Rule::ReturnNotDecided.code(),
                Rule::ReturnNotDecided.explanation(),
            ));
        }
        let revisions = u32::try_from(self.plan.len()).unwrap_or(u32::MAX);
        for (i, d) in c.documents.iter().enumerate() {
            if let Err(e) = crate::document::check_handover(d, revisions) {
                v.push(e.at(format!("documents[{i}].version")));
            }
        }
        if c.duration_minutes.is_some_and(|m| m == 0 || m > 24 * 60) {
            v.push(FieldViolation::new("duration_minutes", "out_of_range", "a duration is 1 to 1440 minutes"));
        }
        let mut seen = BTreeSet::new();
        for (i, a) in c.agreements.iter().enumerate() {
            if let Some(x) = self.check_new_agreement(&format!("agreements[{i}]."), a, day) {
                v.push(x);
            }
            if !seen.insert(a.id) {
                v.push(FieldViolation::new(
                    format!("agreements[{i}].id"),
                    "duplicate",
                    "two agreements have the same id",
                ));
            }
        }
        if !v.is_empty() {
            return Err(DomainError::InvalidInput(Violations(v)));
        }
        let orientation = c.activities.contains(&ActivityCode::OrientationTalks);
        let mut staff = c.staff;
        staff.insert(ctx.actor);
        // Handing the participant a document in their language is informing them (5.2.c).
        let mut activities = c.activities;
        if !c.documents.is_empty() {
            activities.insert(ActivityCode::Communication);
        }
        let contact = ContactMoment {
            id: c.id,
            at: c.at,
            kind: c.kind,
            location: c.location,
            staff,
            activities,
            summary: c.summary,
            partner: c.partner,
            duration_minutes: c.duration_minutes,
            documents: c.documents,
        };
        let mut changes = vec![CaseChange::ContactLogged { contact, category: c.category }];
        for a in c.agreements {
            changes.push(CaseChange::AgreementMade {
                agreement: Agreement {
                    id: a.id,
                    description: a.description,
                    due_on: a.due_on,
                    who_acts: a.who_acts,
                    made_in: Some(c.id),
                    status: AgreementStatus::Open,
                },
                category: c.category,
            });
        }
        if orientation && self.phase == Phase::Intake {
            check_transition(Phase::Intake, Phase::Orientation, Trigger::OrientationTalk)?;
            changes.push(CaseChange::PhaseChanged { from: Phase::Intake, to: Phase::Orientation, reason: None });
        }
        Ok(changes)
    }

    // ---- Carrying the case across a boundary ----------------------------------------------

    /// Take the case apart into its [`CaseParts`].
    pub fn into_parts(self) -> CaseParts {
        let Case {
            id,
            version,
            profile,
            registered_on,
            phase,
            direction,
            direction_history,
            return_stance,
            plan,
            goals,
            agreements,
            contacts,
            referrals,
            exploration,
            obstacles,
            reintegration,
            departure,
            judgments,
            self_reliance,
            consents,
            reports,
            outflow,
            levels,
        } = self;
        CaseParts {
            id,
            version,
            profile,
            registered_on,
            phase,
            direction,
            direction_history,
            return_stance,
            plan,
            goals,
            agreements,
            contacts,
            referrals,
            exploration,
            obstacles,
            reintegration,
            departure,
            judgments,
            self_reliance,
            consents,
            reports,
            outflow,
            levels,
        }
    }

    /// Put a case back together from its parts.
    ///
    /// This is for adapters that carry a case file across a boundary (the gRPC client
    /// rebuilding the case the server sent). Like deserialising a stored case, it trusts its
    /// input: the parts are not checked against the rules, since they were a case before.
    /// Cases are made by [`Case::register`] and changed by [`Case::execute`]; never build one
    /// from parts to get around a rule.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use perspectief_core::*;
    ///
    /// let worker = UserId::from_u128(1);
    /// let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
    /// let register = input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() }
    ///     .into_command(ParticipantId::from_u128(7), worker, ctx.today)
    ///     .unwrap();
    /// let (case, _) = Case::register(register, &ctx).unwrap();
    /// assert_eq!(Case::from_parts(case.clone().into_parts()), case);
    /// ```
    pub fn from_parts(parts: CaseParts) -> Case {
        let CaseParts {
            id,
            version,
            profile,
            registered_on,
            phase,
            direction,
            direction_history,
            return_stance,
            plan,
            goals,
            agreements,
            contacts,
            referrals,
            exploration,
            obstacles,
            reintegration,
            departure,
            judgments,
            self_reliance,
            consents,
            reports,
            outflow,
            levels,
        } = parts;
        Case {
            id,
            version,
            profile,
            registered_on,
            phase,
            direction,
            direction_history,
            return_stance,
            plan,
            goals,
            agreements,
            contacts,
            referrals,
            exploration,
            obstacles,
            reintegration,
            departure,
            judgments,
            self_reliance,
            consents,
            reports,
            outflow,
            levels,
        }
    }

    // ---- Reading the case -------------------------------------------------------------

    /// The participant's id.
    pub fn id(&self) -> ParticipantId {
        self.id
    }

    /// The version: the number of events so far (for optimistic concurrency).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Who the participant is.
    pub fn profile(&self) -> &ParticipantProfile {
        &self.profile
    }

    /// Registration day: the trajectory's start.
    pub fn registered_on(&self) -> NaiveDate {
        self.registered_on
    }

    /// The trajectory's dates.
    pub fn trajectory(&self) -> TrajectoryDates {
        TrajectoryDates { started_on: self.registered_on }
    }

    /// Where the trajectory stands against its 18-month limit; `None` once it has ended.
    pub fn limit_status(&self, today: NaiveDate, lead_days: u32) -> Option<LimitStatus> {
        self.outflow.is_none().then(|| self.trajectory().limit_status(today, lead_days))
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The plan's direction.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Every change of direction, oldest first.
    pub fn direction_history(&self) -> &[DirectionChange] {
        &self.direction_history
    }

    /// The stance on return.
    pub fn return_stance(&self) -> ReturnStance {
        self.return_stance
    }

    /// The plan's revisions, oldest first (empty before the plan is drawn up).
    pub fn plan_revisions(&self) -> &[PlanRevision] {
        &self.plan
    }

    /// The latest revision the participant agreed to.
    pub fn latest_agreed_revision(&self) -> Option<&PlanRevision> {
        self.plan.iter().rev().find(|r| r.agreed_on.is_some())
    }

    /// Goals, by id.
    pub fn goals(&self) -> impl Iterator<Item = &Goal> {
        self.goals.values()
    }

    /// Agreements, by id.
    pub fn agreements(&self) -> impl Iterator<Item = &Agreement> {
        self.agreements.values().map(|(a, _)| a)
    }

    /// Agreements with the data category of their content, by id.
    pub fn agreements_with_category(&self) -> impl Iterator<Item = (&Agreement, DataCategory)> {
        self.agreements.values().map(|(a, cat)| (a, *cat))
    }

    /// One goal.
    pub fn goal(&self, id: GoalId) -> Option<&Goal> {
        self.goals.get(&id)
    }

    /// One agreement.
    pub fn agreement(&self, id: AgreementId) -> Option<&Agreement> {
        self.agreements.get(&id).map(|(a, _)| a)
    }

    /// One contact moment with its content category.
    pub fn contact(&self, id: ContactId) -> Option<(&ContactMoment, DataCategory)> {
        self.contacts.get(&id).map(|(c, cat)| (c, *cat))
    }

    /// One referral.
    pub fn referral(&self, id: ReferralId) -> Option<&Referral> {
        self.referrals.get(&id)
    }

    /// One obstacle.
    pub fn obstacle(&self, id: ObstacleId) -> Option<&ReturnObstacle> {
        self.obstacles.get(&id)
    }

    /// One judgment.
    pub fn judgment(&self, id: JudgmentId) -> Option<&ReturnJudgment> {
        self.judgments.iter().find(|j| j.id == id)
    }

    /// Whether the trajectory is still running (no outflow yet). The worklist rules below
    /// return nothing for a closed trajectory.
    pub fn is_active(&self) -> bool {
        self.outflow.is_none()
    }

    /// Contact moments with their content category, by id.
    pub fn contacts(&self) -> impl Iterator<Item = (&ContactMoment, DataCategory)> {
        self.contacts.values().map(|(c, cat)| (c, *cat))
    }

    /// Referrals, by id.
    pub fn referrals(&self) -> impl Iterator<Item = &Referral> {
        self.referrals.values()
    }

    /// The return exploration, once started.
    pub fn return_exploration(&self) -> Option<&ReturnExploration> {
        self.exploration.as_ref()
    }

    /// Return obstacles, by id.
    pub fn obstacles(&self) -> impl Iterator<Item = &ReturnObstacle> {
        self.obstacles.values()
    }

    /// The reintegration plan.
    pub fn reintegration_plan(&self) -> Option<&ReintegrationPlan> {
        self.reintegration.as_ref()
    }

    /// Departure preparation.
    pub fn departure(&self) -> Option<&DeparturePreparation> {
        self.departure.as_ref()
    }

    /// Judgments, oldest first.
    pub fn judgments(&self) -> &[ReturnJudgment] {
        &self.judgments
    }

    /// Self-reliance assessments, in recorded order.
    pub fn self_reliance(&self) -> &[ZrmAssessment] {
        &self.self_reliance
    }

    /// Consents, in recorded order.
    pub fn consents(&self) -> &[Consent] {
        &self.consents
    }

    /// Progress reports sent.
    pub fn reports(&self) -> &[ProgressReportRecord] {
        &self.reports
    }

    /// The outflow, once recorded.
    pub fn outflow(&self) -> Option<&Outflow> {
        self.outflow.as_ref()
    }

    /// What the access policy needs to know about this participant.
    pub fn scope(&self) -> ParticipantScope<'_> {
        ParticipantScope {
            participant: self.id,
            project_worker: self.profile.project_worker,
            consents: &self.consents,
            levels: self.levels(),
        }
    }

    /// The confidentiality level of each category of this case.
    pub fn levels(&self) -> CaseLevels {
        self.levels.iter().fold(CaseLevels::DEFAULT, |l, (c, level)| l.with(*c, *level))
    }

    /// The case file as seen by a reader who may not read the content of the `hidden`
    /// categories (field-level need-to-know, see
    /// [`AccessPolicy::decide_visibility`](crate::access::AccessPolicy::decide_visibility)):
    /// that content is replaced by [`HIDDEN`] (`[afgeschermd]`); ids, dates, statuses,
    /// categories and activity codes stay, so the case keeps its shape and counts.
    pub fn hidden(&self, hidden: &BTreeSet<DataCategory>) -> Case {
        self.masked(hidden, &hidden_text())
    }

    // ---- Worklist rules (3.2.b, 3.2.d) ----------------------------------------------------

    /// Goals still pursued whose deadline has passed.
    pub fn overdue_goals(&self, today: NaiveDate) -> impl Iterator<Item = &Goal> {
        let active = self.is_active();
        self.goals.values().filter(move |g| active && g.is_overdue(today))
    }

    /// Goals due within `days` days.
    pub fn goals_due_within(&self, today: NaiveDate, days: u32) -> impl Iterator<Item = &Goal> {
        let active = self.is_active();
        self.goals.values().filter(move |g| active && g.is_due_within(today, days))
    }

    /// Open agreements past their due date.
    pub fn overdue_agreements(&self, today: NaiveDate) -> impl Iterator<Item = &Agreement> {
        let active = self.is_active();
        self.agreements().filter(move |a| active && a.is_overdue(today))
    }

    /// Open agreements due within `days` days.
    pub fn agreements_due_within(&self, today: NaiveDate, days: u32) -> impl Iterator<Item = &Agreement> {
        let active = self.is_active();
        self.agreements().filter(move |a| active && a.is_due_within(today, days))
    }

    /// The latest contact moment's time.
    pub fn last_contact_at(&self) -> Option<DateTime<Utc>> {
        self.contacts.values().map(|(c, _)| c.at).max()
    }

    /// Whole days since the last contact (since registration when there was none).
    pub fn days_without_contact(&self, today: NaiveDate) -> i64 {
        let last = self.last_contact_at().map_or(self.registered_on, crate::time::amsterdam_date);
        (today - last).num_days().max(0)
    }

    /// The day of the latest self-reliance (ZRM) assessment.
    pub fn last_assessed_on(&self) -> Option<NaiveDate> {
        self.self_reliance.iter().map(|a| a.assessed_on).max()
    }

    /// Without a self-reliance assessment (5.2.d) for more than `months` calendar months: the
    /// day of the latest assessment, or the registration when there was none, if that lies
    /// before `today` minus `months`. Only while the trajectory runs.
    pub fn without_assessment_since(&self, today: NaiveDate, months: u32) -> Option<NaiveDate> {
        let last = self.last_assessed_on().unwrap_or(self.registered_on);
        let cutoff = today.checked_sub_months(chrono::Months::new(months))?;
        (self.is_active() && last < cutoff).then_some(last)
    }

    /// Referrals sent more than `days` days ago without an answer.
    pub fn unanswered_referrals(&self, today: NaiveDate, days: u32) -> impl Iterator<Item = &Referral> {
        let active = self.is_active();
        self.referrals.values().filter(move |r| active && r.is_unanswered(today, days))
    }

    /// Obstacles still open with no action for more than `days` days.
    pub fn stalled_obstacles(&self, today: NaiveDate, days: u32) -> impl Iterator<Item = &ReturnObstacle> {
        let active = self.is_active();
        self.obstacles.values().filter(move |o| {
            active
                && matches!(o.status, ObstacleStatus::Identified | ObstacleStatus::BeingAddressed)
                && (today - o.last_activity_on()).num_days() > i64::from(days)
        })
    }
}

/// Retention: redaction of expired categories (see [`crate::retention`]).
impl Case {
    /// The case file with the content of the `expired` categories replaced by
    /// [`crate::retention::ERASED`]: contact summaries, agreement texts, referral reasons and
    /// notes of those categories; for guidance also the plan, goals, direction reasons, consent
    /// purposes and the outflow note; for return the exploration, obstacles, reintegration plan,
    /// departure notes and judgments' reasoning. Ids, dates, statuses, categories and activity
    /// codes stay, so the case keeps its shape and counts. Identity is only ever erased with
    /// the whole person and is not redacted here. Replaying the events redacted with
    /// [`crate::retention::redact_change`] gives the same case.
    pub fn redacted(&self, expired: &BTreeSet<DataCategory>) -> Case {
        self.masked(expired, &crate::retention::erased_text())
    }

    /// The case with the content of `categories` replaced by `marker`: what
    /// [`Case::redacted`] and [`Case::hidden`] share.
    fn masked(&self, expired: &BTreeSet<DataCategory>, marker: &Text) -> Case {
        use crate::retention::{mask, mask_opt};
        use DataCategory as C;
        let mut c = self.clone();
        let has = |cat: DataCategory| expired.contains(&cat);
        for (contact, cat) in c.contacts.values_mut() {
            if has(*cat) {
                mask(marker, &mut contact.summary);
            }
        }
        for (agreement, cat) in c.agreements.values_mut() {
            if has(*cat) {
                mask(marker, &mut agreement.description);
            }
        }
        for r in c.referrals.values_mut() {
            if has(r.domain.category()) {
                mask(marker, &mut r.reason);
                r.history.iter_mut().for_each(|s| mask_opt(marker, &mut s.note));
            }
        }
        if has(C::Guidance) {
            c.direction_history.iter_mut().for_each(|d| mask(marker, &mut d.reasoning));
            for r in &mut c.plan {
                mask(marker, &mut r.personal_situation);
                mask(marker, &mut r.perspective);
            }
            for g in c.goals.values_mut() {
                mask(marker, &mut g.description);
                mask_opt(marker, &mut g.rationale);
                mask_opt(marker, &mut g.next_steps);
            }
            c.consents.iter_mut().for_each(|k| mask(marker, &mut k.purpose));
            if let Some(o) = c.outflow.as_mut() {
                mask_opt(marker, &mut o.note);
            }
        }
        if has(C::Return) {
            if let Some(x) = c.exploration.as_mut() {
                mask_opt(marker, &mut x.motivation);
                mask_opt(marker, &mut x.documents);
                mask_opt(marker, &mut x.family_contact);
                mask_opt(marker, &mut x.prospects);
            }
            for o in c.obstacles.values_mut() {
                mask(marker, &mut o.description);
                o.actions.iter_mut().for_each(|a| mask(marker, &mut a.description));
            }
            if let Some(p) = c.reintegration.as_mut() {
                mask_opt(marker, &mut p.housing);
                mask_opt(marker, &mut p.income_work);
                mask_opt(marker, &mut p.business_plan);
                mask_opt(marker, &mut p.care);
                mask_opt(marker, &mut p.contacts_abroad);
            }
            if let Some(d) = c.departure.as_mut() {
                d.steps.iter_mut().for_each(|s| mask(marker, &mut s.note));
            }
            c.judgments.iter_mut().for_each(|j| mask(marker, &mut j.reasoning));
        }
        c
    }
}
