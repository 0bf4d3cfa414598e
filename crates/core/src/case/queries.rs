//! Reading the case file, and what the worklist asks of it.

use super::*;

/// Months between progress reports (5.2.e) when no schedule was set for the participant: the
/// municipality's rhythm of a report every three months.
pub const DEFAULT_REPORTING_MONTHS: u32 = 3;
/// The longest reporting interval a schedule may set: a year.
pub const MAX_REPORTING_MONTHS: u32 = 12;

/// One stretch of a participant's reporting schedule: from the registration or a report, until
/// the next report (open while it is the latest), with the day the next report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPeriod {
    /// The registration day, or the day a report was sent.
    pub from: NaiveDate,
    /// The day the next report was sent; `None` for the current stretch.
    pub until: Option<NaiveDate>,
    /// When the next report is due: `from` plus the schedule's months.
    pub due_on: NaiveDate,
}

impl ReportPeriod {
    /// Whether this stretch is the one running on `day`.
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.from <= day && self.until.is_none_or(|u| day < u)
    }
}

/// A final judgment's communication that 5.2.b(3) expects (to the participant, the
/// municipality, and each chain partner the participant was referred to), with whether and
/// when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedCommunication {
    /// The judgment.
    pub judgment: JudgmentId,
    /// Who should hear it.
    pub to: Recipient,
    /// From when: the day the judgment was formed, or for a partner the later day the first
    /// referral to it was sent.
    pub from: NaiveDate,
    /// The first day it was communicated to them, if it was.
    pub communicated_on: Option<NaiveDate>,
}

impl ExpectedCommunication {
    /// Expected and not yet communicated on `day`.
    pub fn missing_on(&self, day: NaiveDate) -> bool {
        self.from <= day && self.communicated_on.is_none_or(|c| c > day)
    }
}

impl Case {
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

    /// The day the current stance on return was stated (`None` until one is recorded, and for
    /// stances recorded before effective dates were kept).
    pub fn return_stance_on(&self) -> Option<NaiveDate> {
        self.return_stance_on
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

    /// The months between progress reports set for this participant, if any.
    pub fn reporting_schedule(&self) -> Option<u32> {
        self.reporting_every_months
    }

    /// The months between progress reports: as set, else [`DEFAULT_REPORTING_MONTHS`].
    pub fn reporting_every_months(&self) -> u32 {
        self.reporting_every_months.unwrap_or(DEFAULT_REPORTING_MONTHS)
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

    // ---- Worklist rules of #17: goals due soon, judgments, progress reports ----------------

    /// The reporting schedule's stretches, oldest first: from the registration, then from
    /// each report's day (the day it was sent, its effective date: a report recorded late
    /// resets the clock on the day it went out, not on the day it was entered), each due
    /// [`Case::reporting_every_months`] after its start (the schedule as it is now, for every
    /// stretch).
    pub fn report_periods(&self) -> Vec<ReportPeriod> {
        let months = chrono::Months::new(self.reporting_every_months());
        let mut starts: Vec<NaiveDate> =
            std::iter::once(self.registered_on).chain(self.reports.iter().map(|r| r.sent_on)).collect();
        starts.sort();
        starts.dedup();
        let ends = starts.iter().skip(1).copied().map(Some).chain(std::iter::once(None));
        starts
            .iter()
            .zip(ends)
            .map(|(from, until)| ReportPeriod {
                from: *from,
                until,
                due_on: from.checked_add_months(months).unwrap_or(NaiveDate::MAX),
            })
            .collect()
    }

    /// The day a progress report is due, when on `day` it is due within `days` days or
    /// overdue: the stretch running on `day` counts (reports sent after `day` do not).
    /// Only while the trajectory runs.
    pub fn progress_report_due(&self, day: NaiveDate, days: u32) -> Option<NaiveDate> {
        let horizon = day + chrono::Duration::days(i64::from(days));
        let period = self.report_periods().into_iter().find(|p| p.runs_on(day))?;
        (self.is_active() && period.due_on <= horizon).then_some(period.due_on)
    }

    /// Every communication the final judgments call for, with when it happened: to the
    /// participant and the municipality from the day the judgment was formed, and to each
    /// chain partner a referral was sent to from the later of that day and the first sending.
    pub fn expected_communications(&self) -> Vec<ExpectedCommunication> {
        let mut partners: BTreeMap<OrganisationId, NaiveDate> = BTreeMap::new();
        for r in self.referrals.values() {
            if let Some(sent) = r.sent_on() {
                partners.entry(r.partner).and_modify(|d| *d = (*d).min(sent)).or_insert(sent);
            }
        }
        let mut out = Vec::new();
        for j in self.judgments.iter().filter(|j| j.finality == Finality::Final) {
            let first = |to: Recipient| j.communications.iter().filter(|c| c.to == to).map(|c| c.on).min();
            let fixed = [(Recipient::Participant, j.formed_on), (Recipient::Municipality, j.formed_on)];
            let partner = partners.iter().map(|(p, sent)| (Recipient::Partner(*p), j.formed_on.max(*sent)));
            for (to, from) in fixed.into_iter().chain(partner) {
                out.push(ExpectedCommunication { judgment: j.id, to, from, communicated_on: first(to) });
            }
        }
        out
    }

    /// Final judgments not yet communicated on `day`, one line per missing recipient. Only
    /// while the trajectory runs.
    pub fn uncommunicated_judgments(&self, day: NaiveDate) -> Vec<ExpectedCommunication> {
        if !self.is_active() {
            return Vec::new();
        }
        self.expected_communications().into_iter().filter(|e| e.missing_on(day)).collect()
    }
}
