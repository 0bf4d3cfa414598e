//! The changes a decided command yields: the payload of a case event.

use super::*;

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
        /// The day it happened; absent in events recorded before effective dates were kept
        /// (their day of recording applies, see [`CaseChange::effective_on`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
    },
    /// The phase changed.
    PhaseChanged {
        /// From.
        from: Phase,
        /// To.
        to: Phase,
        /// Why (explicit changes).
        reason: Option<Text>,
        /// The day it happened; absent in events recorded before effective dates were kept
        /// (their day of recording applies, see [`CaseChange::effective_on`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
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
        /// The day it happened; absent in events recorded before effective dates were kept
        /// (their day of recording applies, see [`CaseChange::effective_on`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
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
        /// When it was recorded.
        at: DateTime<Utc>,
        /// The day it happened; absent in events recorded before effective dates were kept
        /// (their day of recording applies, see [`CaseChange::effective_on`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
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
    /// The participant's reporting schedule was set.
    ReportingScheduleSet {
        /// Months between progress reports.
        every_months: u32,
    },
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
    /// A chain meeting discussed the participant, advised or decided on ending guidance, or
    /// the termination talk took place (3.2.f, 3.2.g).
    ChainMeetingRecorded(crate::meeting::ChainMeetingRecord),
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
            Self::ReportingScheduleSet { .. } => "reporting_schedule_set",
            Self::OutflowRecorded(_) => "outflow_recorded",
            Self::ConfidentialitySet { .. } => "confidentiality_set",
            Self::ChainMeetingRecorded(_) => "chain_meeting_recorded",
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
            | Self::ReportingScheduleSet { .. }
            | Self::OutflowRecorded(_)
            | Self::ChainMeetingRecorded(_) => C::Guidance,
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
            Self::ChainMeetingRecorded(r) => vec![r.activity()],
            Self::ProgressReportSent(_) => vec![A::Reporting],
            Self::PhaseChanged { to: Phase::Termination, .. } => vec![A::ProposeTermination],
            Self::Registered { .. }
            | Self::ProfileUpdated { .. }
            | Self::ProjectWorkerAssigned { .. }
            | Self::PhaseChanged { .. }
            | Self::ConsentGiven(_)
            | Self::ConsentWithdrawn { .. }
            | Self::ConfidentialitySet { .. }
            | Self::ReportingScheduleSet { .. }
            | Self::OutflowRecorded(_) => vec![A::RecordKeeping],
        }
    }
}

impl CaseChange {
    /// The day the change took effect (its *effective date*), as opposed to the moment it was
    /// `recorded`: the change's own date (a contact's moment as Amsterdam's date, a status's
    /// `on`, a plan's `drawn_up_on`, a goal's `set_on`, a consent's `given_on`, a judgment's
    /// `formed_on`, ...), or, for a change that carries none, the Amsterdam date of the
    /// recorded moment. That fallback also serves events stored before these changes carried
    /// their day. Reports count by this day. An entry made later than its effective date is a
    /// *late entry* ([`crate::late::LateEntryPolicy`]).
    ///
    /// A planned date (a deadline, a departure date) is not when something happened, so a
    /// change that only carries one counts from its recording; so do corrections of the
    /// record itself (the profile, a confidentiality level).
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use perspectief_core::case::CaseChange;
    /// use perspectief_core::ids::ConsentId;
    ///
    /// let recorded = Utc.with_ymd_and_hms(2026, 3, 20, 9, 0, 0).unwrap();
    /// let march_2 = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    /// let withdrawn = CaseChange::ConsentWithdrawn { consent: ConsentId::from_u128(1), on: march_2 };
    /// assert_eq!(withdrawn.effective_on(recorded), march_2);
    /// ```
    pub fn effective_on(&self, recorded: DateTime<Utc>) -> NaiveDate {
        use crate::time::amsterdam_date;
        let or_recorded = |on: &Option<NaiveDate>| on.unwrap_or_else(|| amsterdam_date(recorded));
        match self {
            Self::Registered { registered_on, .. } => *registered_on,
            Self::ProjectWorkerAssigned { on, .. }
            | Self::PhaseChanged { on, .. }
            | Self::GoalStepsUpdated { on, .. }
            | Self::ReturnExplorationUpdated { on, .. } => or_recorded(on),
            Self::DirectionChanged(change) => change.on,
            Self::ReturnStanceRecorded { on, .. } => *on,
            Self::PlanRevised(revision) => revision.drawn_up_on,
            Self::PlanAgreed { on, .. } => *on,
            Self::GoalSet(goal) => goal.set_on,
            Self::GoalStatusChanged { on, .. } => *on,
            Self::ContactLogged { contact, .. } => amsterdam_date(contact.at),
            Self::AgreementMade { agreement, .. } => or_recorded(&agreement.made_on),
            Self::AgreementSettled { status, .. } => match status {
                AgreementStatus::Fulfilled(on) | AgreementStatus::NotFulfilled(on) => *on,
                AgreementStatus::Open => amsterdam_date(recorded),
            },
            // The proposal is the first step of the referral's history.
            Self::ReferralProposed(referral) => {
                referral.history.first().map_or_else(|| amsterdam_date(recorded), |step| step.on)
            }
            Self::ReferralAdvanced { step, .. } => step.on,
            Self::ReturnExplorationStarted(exploration) => exploration.started_on,
            Self::ObstacleIdentified(obstacle) => obstacle.identified_on,
            Self::ObstacleActedOn { action, .. } => action.on,
            Self::ReintegrationPlanUpdated(plan) => or_recorded(&plan.updated_on),
            Self::DepartureStepRecorded(step) => step.on,
            Self::ReanChecklistUpdated(rean) => or_recorded(&rean.updated_on),
            Self::JudgmentRecorded(judgment) => judgment.formed_on,
            Self::JudgmentCommunicated { communication, .. } => communication.on,
            Self::ConsequencesExplained { on, .. } => *on,
            Self::SelfRelianceAssessed(assessment) => assessment.assessed_on,
            Self::ConsentGiven(consent) => consent.given_on,
            Self::ConsentWithdrawn { on, .. } => *on,
            Self::ProgressReportSent(report) => report.sent_on,
            Self::OutflowRecorded(outflow) => outflow.on,
            // A meeting's step on the meeting's day, the termination talk on its own.
            Self::ChainMeetingRecorded(record) => record.on,
            // Without a day of their own: they took effect when they were recorded.
            Self::ProfileUpdated { .. }
            | Self::DeparturePlanned { .. }
            | Self::ReportingScheduleSet { .. }
            | Self::ConfidentialitySet { .. } => amsterdam_date(recorded),
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
