//! The commands a case file takes, and their inputs.

use super::*;

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
    /// The deadline (measured from the day the goal was set).
    pub deadline: NaiveDate,
    /// The day the goal was set; `None`: today (the context's).
    #[serde(default)]
    pub set_on: Option<NaiveDate>,
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
    /// in the event history). A correction is an act of recording, not something that happened
    /// on another day: it takes no effective date and is dated when it is recorded.
    UpdateProfile {
        /// The full new profile.
        profile: ParticipantProfile,
    },
    /// Assign another project worker.
    AssignProjectWorker {
        /// The new project worker.
        worker: UserId,
        /// The day of the assignment; `None`: today (the context's).
        #[serde(default)]
        on: Option<NaiveDate>,
    },
    /// Move the trajectory to another phase, with a reason.
    ChangePhase {
        /// Target phase.
        to: Phase,
        /// Why.
        reason: Text,
        /// The day of the change; `None`: today (the context's).
        #[serde(default)]
        on: Option<NaiveDate>,
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
        /// The day it was drawn up; `None`: today (the context's).
        #[serde(default)]
        on: Option<NaiveDate>,
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
        /// The day of the update; `None`: today (the context's).
        #[serde(default)]
        on: Option<NaiveDate>,
    },
    /// Log a contact moment with the agreements made in it.
    LogContact(NewContact),
    /// Record an agreement outside a contact moment.
    AddAgreement {
        /// The agreement.
        agreement: NewAgreement,
        /// The category of its content (guidance, or medical/psychosocial, legal, ...).
        category: DataCategory,
        /// The day it was made; `None`: today (the context's).
        #[serde(default)]
        on: Option<NaiveDate>,
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
        /// The day it was proposed (the referral's first step); `None`: today (the context's).
        #[serde(default)]
        on: Option<NaiveDate>,
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
        /// The day of the findings; `None`: today (the context's).
        #[serde(default)]
        on: Option<NaiveDate>,
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
    /// Update the reintegration plan for the country of origin (dated by its `updated_on`).
    UpdateReintegrationPlan(ReintegrationPlan),
    /// Record a step in preparing departure.
    RecordDepartureStep(DepartureStep),
    /// Update the REAN checklist (dated by its `updated_on`).
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
    /// Record that a judgment was communicated. To the municipality or a partner it shares
    /// the case's reports outside the foundation, so it needs what a progress report needs: an
    /// active consent covering [`DataCategory::Reports`] for that organisation (for the
    /// municipality: for any organisation, the category being the municipality's), or the
    /// project lead's override with a reason, recorded and listed for review (see
    /// [`crate::case::Case::communication_share_basis`]). To the participant it needs nothing.
    RecordJudgmentCommunicated {
        /// The judgment.
        judgment: JudgmentId,
        /// To whom.
        to: Recipient,
        /// When.
        on: NaiveDate,
        /// When communicating without a covering consent: the project lead's reason for doing
        /// so anyway (only the project lead may give one). Not used when a consent covers it,
        /// nor for the participant.
        #[serde(default)]
        consent_override: Option<Text>,
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
        /// The day it was sent; `None`: today (the context's).
        #[serde(default)]
        sent_on: Option<NaiveDate>,
    },
    /// Set how often a progress report (5.2.e) is due for this participant: every
    /// `every_months` calendar months from the registration or the latest report (the
    /// default, without a schedule, is [`crate::case::DEFAULT_REPORTING_MONTHS`]).
    SetReportingSchedule {
        /// Months between reports, 1 to 12.
        every_months: u32,
    },
    /// Set the confidentiality level of one category of this case (*vertrouwelijkheid*):
    /// raise it above the category's default, or back to it; never below it. Like a
    /// correction of the profile, an act of recording: dated when it is recorded.
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
            Self::SetReportingSchedule { .. } => "set_reporting_schedule",
        }
    }

    /// The day the command records as the day it happened (its effective date): the date it
    /// gives, or `today` where the date may be left out. `None` for acts of recording that
    /// take no date of their own (a profile correction, a confidentiality level, the reporting
    /// schedule, a departure's planned date, which is a plan rather than something that
    /// happened).
    ///
    /// After the outflow the date decides: what happened on or before the outflow day is a
    /// late entry of the trajectory, what happened after it is refused (see [`Case::decide`]).
    pub fn effective_on(&self, today: NaiveDate) -> Option<NaiveDate> {
        let or_today = |on: &Option<NaiveDate>| Some(on.unwrap_or(today));
        match self {
            Self::UpdateProfile { .. }
            | Self::SetConfidentiality { .. }
            | Self::SetReportingSchedule { .. }
            | Self::PlanDeparture { .. } => None,
            Self::AssignProjectWorker { on, .. }
            | Self::ChangePhase { on, .. }
            | Self::RevisePlan { on, .. }
            | Self::UpdateGoalSteps { on, .. }
            | Self::AddAgreement { on, .. }
            | Self::ProposeReferral { on, .. }
            | Self::UpdateReturnExploration { on, .. } => or_today(on),
            Self::SetGoal(g) => or_today(&g.set_on),
            Self::UpdateReintegrationPlan(plan) => or_today(&plan.updated_on),
            Self::UpdateReanChecklist(rean) => or_today(&rean.updated_on),
            Self::LogContact(c) => Some(crate::time::amsterdam_date(c.at)),
            Self::RecordDepartureStep(step) => Some(step.on),
            Self::ChangeDirection { on, .. }
            | Self::RecordReturnStance { on, .. }
            | Self::AgreePlan { on, .. }
            | Self::ChangeGoalStatus { on, .. }
            | Self::SettleAgreement { on, .. }
            | Self::AdvanceReferral { on, .. }
            | Self::StartReturnExploration { on, .. }
            | Self::IdentifyObstacle { on, .. }
            | Self::ActOnObstacle { on, .. }
            | Self::RecordJudgmentCommunicated { on, .. }
            | Self::RecordConsequencesExplained { on, .. }
            | Self::WithdrawConsent { on, .. }
            | Self::RecordOutflow { on, .. } => Some(*on),
            Self::RecordJudgment { formed_on, .. } => Some(*formed_on),
            Self::RecordSelfReliance { assessed_on, .. } => Some(*assessed_on),
            Self::GiveConsent { given_on, .. } => Some(*given_on),
            Self::RecordProgressReport { sent_on, .. } => or_today(sent_on),
        }
    }

    /// Whether the command steers the trajectory from its day on (its phase, its end, who
    /// guides it) rather than recording what happened. Such a command ends with the
    /// trajectory whatever its date: a late entry may fill in a closed trajectory's past, never
    /// reopen it, move its phase or hand it to someone else.
    pub fn steers_trajectory(&self) -> bool {
        matches!(self, Self::ChangePhase { .. } | Self::RecordOutflow { .. } | Self::AssignProjectWorker { .. })
    }

    /// Whether the command may still be given after the outflow whatever its date. After the
    /// trajectory ended, only these remain: correcting personal data (art. 16), withdrawing
    /// consent, recording a report or the communication of a judgment, and monitoring contacts
    /// (*nazorg*, judged by their own rules). Besides these, a late entry dated on or before
    /// the outflow day is still decided ([`Case::decide`]).
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
