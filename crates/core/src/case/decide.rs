//! Deciding commands against the current state, and applying their changes.

use super::*;
use crate::ViolationCode;

/// Whether an entry of day `dated` still belongs to a trajectory that ended on `outflow_on`:
/// it is dated on or before the outflow day (the outflow may be dated on the day of the last
/// contact). An entry without a day does not.
pub(super) fn belongs_to_trajectory(dated: Option<NaiveDate>, outflow_on: NaiveDate) -> bool {
    dated.is_some_and(|d| d <= outflow_on)
}

impl Case {
    /// Register a participant: validates the registration and opens the case.
    ///
    /// The registration date must not lie in the future.
    pub fn register(cmd: RegisterParticipant, ctx: &CommandContext) -> Result<(Case, CaseEvent), DomainError> {
        if cmd.registered_on > ctx.today {
            return Err(invalid(
                "registered_on",
                ViolationCode::DateInFuture,
                "the registration date cannot lie in the future",
            ));
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
            late: false,
        };
        let case = Self::replay([&event])?;
        Ok((case, event))
    }

    /// Rebuild a case from its events, oldest first. The first must be the registration and
    /// versions must follow each other without gaps.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a CaseEvent>) -> Result<Case, DomainError> {
        let mut iter = events.into_iter();
        let first = iter
            .next()
            .ok_or_else(|| invalid("events", ViolationCode::Empty, "a case starts with its registration"))?;
        let CaseChange::Registered { profile, registered_on } = &first.change else {
            return Err(invalid("events[0]", ViolationCode::NotRegistration, "a case starts with its registration"));
        };
        if first.version != 1 {
            return Err(invalid("events[0]", ViolationCode::OutOfSequence, "a case's registration is version 1"));
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
            return_stance_on: None,
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
            reporting_every_months: None,
            chain_meetings: Vec::new(),
        };
        for (i, e) in iter.enumerate() {
            if e.participant != case.id || e.version != case.version + 1 {
                return Err(DomainError::field(
                    format!("events[{}]", i + 1),
                    ViolationCode::OutOfSequence,
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
        Ok(self.apply_changes(changes, ctx))
    }

    /// Turn decided changes into the next events and apply them, in order.
    pub(crate) fn apply_changes(&mut self, changes: Vec<CaseChange>, ctx: &CommandContext) -> Vec<CaseEvent> {
        let mut events = Vec::with_capacity(changes.len());
        for change in changes {
            let event = CaseEvent {
                participant: self.id,
                version: self.version + 1,
                at: ctx.now,
                actor: ctx.actor,
                change,
                late: false,
            };
            self.apply(&event);
            events.push(event);
        }
        events
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
            CaseChange::ChainMeetingRecorded(record) => self.chain_meetings.push(record.clone()),
            CaseChange::DirectionChanged(change) => {
                self.direction = change.to;
                self.direction_history.push(change.clone());
            }
            CaseChange::ReturnStanceRecorded { to, on, .. } => {
                self.return_stance = *to;
                self.return_stance_on = Some(*on);
            }
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
            CaseChange::GoalStepsUpdated { goal, next_steps, .. } => {
                if let Some(g) = self.goals.get_mut(goal) {
                    g.next_steps = Some(next_steps.clone());
                }
            }
            CaseChange::ContactLogged { contact, category } => {
                self.contacts.insert(contact.id, (contact.clone(), *category));
            }
            CaseChange::AgreementMade { agreement, category } => {
                let mut agreement = agreement.clone();
                // Recorded before effective dates were kept: made the day it was recorded.
                agreement.made_on.get_or_insert_with(|| crate::time::amsterdam_date(event.at));
                self.agreements.insert(agreement.id, (agreement, *category));
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
            CaseChange::ReturnExplorationUpdated { findings, at, .. } => {
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
                let mut update = update.clone();
                update.updated_on.get_or_insert_with(|| crate::time::amsterdam_date(event.at));
                self.reintegration.get_or_insert_with(ReintegrationPlan::default).merge(update);
            }
            CaseChange::DepartureStepRecorded(step) => {
                self.departure.get_or_insert_with(DeparturePreparation::default).steps.push(step.clone());
            }
            CaseChange::ReanChecklistUpdated(rean) => {
                let mut rean = *rean;
                rean.updated_on.get_or_insert_with(|| crate::time::amsterdam_date(event.at));
                self.departure.get_or_insert_with(DeparturePreparation::default).rean = rean;
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
            CaseChange::ReportingScheduleSet { every_months } => self.reporting_every_months = Some(*every_months),
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
            return Err(invalid(field, ViolationCode::DateInFuture, Rule::DateInFuture.explanation()));
        }
        if day < self.registered_on {
            return Err(invalid(
                field,
                ViolationCode::DateBeforeRegistration,
                Rule::DateBeforeRegistration.explanation(),
            ));
        }
        Ok(())
    }

    /// The effective date of a command that may leave it out (`None`: today), checked like
    /// every date of something that happened.
    fn effective(&self, field: &str, on: Option<NaiveDate>, ctx: &CommandContext) -> Result<NaiveDate, DomainError> {
        let day = on.unwrap_or(ctx.today);
        self.check_past(field, day, ctx)?;
        Ok(day)
    }

    /// The plan revision in force on `day`: the latest drawn up on or before it.
    fn revision_on(&self, day: NaiveDate) -> Option<&PlanRevision> {
        self.plan.iter().rev().find(|r| r.drawn_up_on <= day)
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
                ViolationCode::AlreadyExists,
                "an agreement with this id exists already",
            ));
        }
        (a.due_on < from).then(|| {
            FieldViolation::new(
                format!("{prefix}due_on"),
                ViolationCode::BeforeMade,
                "an agreement cannot be due before it was made",
            )
        })
    }

    /// The consent override a command would use: `Some` when it sends a referral with an
    /// override reason and no active consent covers the partner and the referral's category on
    /// the day it is sent (the command's `on`, as [`Case::decide`] checks it), so the referral
    /// goes out on the override alone. The adapter then checks that
    /// the caller may override ([`crate::access::AccessPolicy::decide_consent_override`]) and
    /// records the request for review, in the same transaction as the event. `None` for every
    /// other command, and when the command would fail anyway (unknown referral, criminal
    /// history), or needs no override (a consent covers it).
    pub fn consent_override_request(&self, cmd: &CaseCommand) -> Option<crate::privacy::ConsentOverrideRequest> {
        if let CaseCommand::RecordJudgmentCommunicated { judgment, to, on, consent_override: Some(reason) } = cmd {
            self.judgment(*judgment)?;
            return match self.communication_share_basis(*to, *on, Some(reason)) {
                Ok(Some(crate::privacy::ShareBasis::Override { reason })) => {
                    Some(crate::privacy::ConsentOverrideRequest {
                        referral: None,
                        judgment: Some(*judgment),
                        partner: match to {
                            Recipient::Partner(p) => Some(*p),
                            _ => None,
                        },
                        category: DataCategory::Reports,
                        reason,
                    })
                }
                _ => None,
            };
        }
        let CaseCommand::AdvanceReferral {
            referral, to: ReferralStatus::Sent, on, consent_override: Some(reason), ..
        } = cmd
        else {
            return None;
        };
        let r = self.referrals.get(referral)?;
        let category = r.domain.category();
        match crate::privacy::share_basis(&self.consents, r.partner, category, *on, Some(reason)) {
            Ok(crate::privacy::ShareBasis::Override { reason }) => Some(crate::privacy::ConsentOverrideRequest {
                referral: Some(*referral),
                judgment: None,
                partner: Some(r.partner),
                category,
                reason,
            }),
            _ => None,
        }
    }

    /// On what basis communicating a judgment to `to` on `on` shares the case's reports:
    /// `None` for the participant (nothing is shared outside); for a partner, an active consent
    /// covering it and [`DataCategory::Reports`] on that day (what a progress report needs),
    /// else the override's reason; for the municipality (a recipient without an organisation),
    /// an active consent covering reports for any organisation, the category being the
    /// municipality's (progress reports go to its case manager), else the override's reason.
    /// Without either: [`DomainError::ConsentRequired`] naming the partner, or
    /// [`Rule::MunicipalityConsentRequired`].
    pub fn communication_share_basis(
        &self,
        to: Recipient,
        on: NaiveDate,
        consent_override: Option<&Text>,
    ) -> Result<Option<crate::privacy::ShareBasis>, DomainError> {
        use crate::privacy::ShareBasis;
        let reports = DataCategory::Reports;
        match to {
            Recipient::Participant => Ok(None),
            Recipient::Partner(p) => {
                crate::privacy::share_basis(&self.consents, p, reports, on, consent_override).map(Some)
            }
            Recipient::Municipality => {
                let covering = self
                    .consents
                    .iter()
                    .find_map(|c| crate::access::covering_consent(&self.consents, c.organisation, reports, on));
                match (covering, consent_override) {
                    (Some(c), _) => Ok(Some(ShareBasis::Consent { consent: c.id })),
                    (None, Some(reason)) => Ok(Some(ShareBasis::Override { reason: reason.clone() })),
                    // No consent names the municipality, so the refusal is a rule of its own.
                    (None, None) => Err(DomainError::rule(Rule::MunicipalityConsentRequired)),
                }
            }
        }
    }

    /// Decide a command against the current state: the changes it makes, or why not.
    ///
    /// After the outflow, a command is judged by its effective date
    /// ([`CaseCommand::effective_on`]): what happened on or before the outflow day is a late
    /// entry and decided like any other (a talk of Monday entered on Friday, the outflow
    /// recorded on Wednesday); the outflow day belongs to the trajectory, as the outflow
    /// itself may be dated on the day of the last contact. What is dated after it, what takes
    /// no date, and what steers the trajectory ([`CaseCommand::steers_trajectory`]) is refused
    /// with [`DomainError::TrajectoryClosed`], apart from what
    /// [`CaseCommand::allowed_after_outflow`] lists. A late entry never moves a closed
    /// trajectory: its phase stays [`Phase::Closed`].
    pub fn decide(&self, cmd: CaseCommand, ctx: &CommandContext) -> Result<Vec<CaseChange>, DomainError> {
        let Some(outflow_on) = self.outflow.as_ref().map(|o| o.on) else {
            return self.decide_open(cmd, ctx);
        };
        let action = cmd.name();
        let dated = cmd.effective_on(ctx.today);
        let closed = || DomainError::TrajectoryClosed { action: action.into(), outflow_on: Some(outflow_on), dated };
        let late_entry = !cmd.steers_trajectory() && belongs_to_trajectory(dated, outflow_on);
        if !(cmd.allowed_after_outflow() || late_entry) {
            return Err(closed());
        }
        let changes = self.decide_open(cmd, ctx)?;
        // The rules above keep every phase move out; should one slip through, it is refused
        // rather than reopening the trajectory.
        if changes.iter().any(|c| matches!(c, CaseChange::PhaseChanged { .. } | CaseChange::OutflowRecorded(_))) {
            return Err(closed());
        }
        Ok(changes)
    }

    fn decide_open(&self, cmd: CaseCommand, ctx: &CommandContext) -> Result<Vec<CaseChange>, DomainError> {
        let by = ctx.actor;
        let changes = match cmd {
            CaseCommand::UpdateProfile { profile } => {
                if profile.project_worker != self.profile.project_worker {
                    return Err(invalid(
                        "project_worker",
                        ViolationCode::NotApplicable,
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
            CaseCommand::AssignProjectWorker { worker, on } => {
                let on = self.effective("on", on, ctx)?;
                if worker == self.profile.project_worker {
                    return Ok(Vec::new());
                }
                vec![CaseChange::ProjectWorkerAssigned { from: self.profile.project_worker, to: worker, on: Some(on) }]
            }
            CaseCommand::ChangePhase { to, reason, on } => {
                check_transition(self.phase, to, Trigger::Explicit)?;
                let on = self.effective("on", on, ctx)?;
                vec![CaseChange::PhaseChanged { from: self.phase, to, reason: Some(reason), on: Some(on) }]
            }
            CaseCommand::ChangeDirection { to, on, reasoning } => {
                if to == self.direction {
                    return Err(DomainError::rule(Rule::DirectionUnchanged));
                }
                self.check_past("on", on, ctx)?;
                // The current direction is the latest: one dated before it would not be.
                if let Some(last) = self.direction_history.last().filter(|d| d.on > on) {
                    return Err(LaterFact { kind: "direction_changed", on: last.on }.refuse("on"));
                }
                if matches!(to, Direction::ReturnToOrigin | Direction::ThirdCountry) {
                    if !matches!(self.return_stance, ReturnStance::Considering | ReturnStance::Decided) {
                        return Err(DomainError::rule(Rule::ReturnDirectionWithoutConsideration));
                    }
                    // Considering return is what this direction rests on: not before it was said.
                    if let Some(said) = self.return_stance_on.filter(|d| *d > on) {
                        return Err(LaterFact { kind: "return_stance_recorded", on: said }.refuse("on"));
                    }
                }
                vec![CaseChange::DirectionChanged(DirectionChange { from: self.direction, to, on, reasoning, by })]
            }
            CaseCommand::RecordReturnStance { stance, on, note } => {
                if self.phase == Phase::Intake {
                    return Err(DomainError::rule(Rule::OrientationRequired));
                }
                self.check_past("on", on, ctx)?;
                // The current stance is the latest: one dated before it would not be.
                if let Some(said) = self.return_stance_on.filter(|d| *d > on) {
                    return Err(LaterFact { kind: "return_stance_recorded", on: said }.refuse("on"));
                }
                if let Some(fact) = self.fact_needing_stance(stance, on) {
                    return Err(fact.refuse("stance"));
                }
                if matches!(self.direction, Direction::ReturnToOrigin | Direction::ThirdCountry)
                    && !matches!(stance, ReturnStance::Considering | ReturnStance::Decided)
                {
                    // Change the direction first: the plan cannot aim at a return the person rejects.
                    return Err(DomainError::rule(Rule::ReturnDirectionWithoutConsideration));
                }
                vec![CaseChange::ReturnStanceRecorded { from: self.return_stance, to: stance, on, note }]
            }
            CaseCommand::RevisePlan { personal_situation, perspective, on } => {
                let on = self.effective("on", on, ctx)?;
                // Revisions are numbered in the order they were drawn up.
                if let Some(latest) = self.plan.last().filter(|r| r.drawn_up_on > on) {
                    return Err(LaterFact { kind: "plan_revised", on: latest.drawn_up_on }.refuse("on"));
                }
                let number = u32::try_from(self.plan.len()).unwrap_or(u32::MAX).saturating_add(1);
                vec![CaseChange::PlanRevised(PlanRevision {
                    number,
                    direction: self.direction,
                    personal_situation,
                    perspective,
                    drawn_up_on: on,
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
                if on < latest.drawn_up_on {
                    return Err(invalid(
                        "on",
                        ViolationCode::BeforeDrawnUp,
                        "a plan cannot be agreed before it was drawn up",
                    ));
                }
                let mut changes = vec![CaseChange::PlanAgreed { revision, on }];
                if matches!(self.phase, Phase::Intake | Phase::Orientation) {
                    check_transition(self.phase, Phase::PlanExecution, Trigger::PlanAgreed)?;
                    changes.push(CaseChange::PhaseChanged {
                        from: self.phase,
                        to: Phase::PlanExecution,
                        reason: None,
                        on: Some(on),
                    });
                }
                changes
            }
            CaseCommand::SetGoal(g) => {
                if self.plan.is_empty() {
                    return Err(DomainError::rule(Rule::PlanRequired));
                }
                if self.goals.contains_key(&g.id) {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::Goal, id: g.id.to_string() });
                }
                let set_on = self.effective("set_on", g.set_on, ctx)?;
                // The goal belongs to the plan as it stood the day it was set.
                let revision = self.revision_on(set_on).ok_or_else(|| DomainError::rule(Rule::PlanRequired))?.number;
                if g.deadline < set_on {
                    return Err(invalid(
                        "deadline",
                        ViolationCode::InPast,
                        "a goal's deadline cannot lie before the day it was set",
                    ));
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
                    set_on,
                    set_at: ctx.now,
                    status_changed_on: None,
                })]
            }
            CaseCommand::ChangeGoalStatus { goal, to, new_deadline, on } => {
                let g = self.find_goal(goal)?;
                g.status.check_transition(to)?;
                self.check_past("on", on, ctx)?;
                if on < g.set_on {
                    return Err(invalid(
                        "on",
                        ViolationCode::BeforeSet,
                        "a goal's status cannot change before the goal was set",
                    ));
                }
                if to == GoalStatus::Missed && on <= g.deadline {
                    return Err(invalid(
                        "on",
                        ViolationCode::BeforeDeadline,
                        "a goal is missed only after its deadline has passed",
                    ));
                }
                if g.status == GoalStatus::Missed && to == GoalStatus::InProgress {
                    match new_deadline {
                        Some(d) if d > g.deadline && d >= on => {}
                        _ => return Err(DomainError::rule(Rule::DeadlineNotMoved)),
                    }
                } else if new_deadline.is_some() {
                    return Err(invalid(
                        "new_deadline",
                        ViolationCode::NotApplicable,
                        "a new deadline is given only when a missed goal resumes",
                    ));
                }
                vec![CaseChange::GoalStatusChanged { goal, from: g.status, to, new_deadline, on }]
            }
            CaseCommand::UpdateGoalSteps { goal, next_steps, on } => {
                let g = self.find_goal(goal)?;
                let on = self.effective("on", on, ctx)?;
                if on < g.set_on {
                    return Err(invalid(
                        "on",
                        ViolationCode::BeforeSet,
                        "a goal's steps cannot change before the goal was set",
                    ));
                }
                if !g.status.is_active() && g.status != GoalStatus::Missed {
                    return Err(DomainError::IllegalStatusTransition {
                        entity: EntityKind::Goal,
                        from: g.status.as_str().into(),
                        to: g.status.as_str().into(),
                    });
                }
                vec![CaseChange::GoalStepsUpdated { goal, next_steps, on: Some(on) }]
            }
            CaseCommand::LogContact(c) => return self.decide_contact(c, ctx),
            CaseCommand::AddAgreement { agreement: a, category, on } => {
                let on = self.effective("on", on, ctx)?;
                if let Some(v) = self.check_new_agreement("", &a, on) {
                    return Err(v.into());
                }
                vec![CaseChange::AgreementMade {
                    agreement: Agreement {
                        id: a.id,
                        description: a.description,
                        due_on: a.due_on,
                        who_acts: a.who_acts,
                        made_in: None,
                        made_on: Some(on),
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
            CaseCommand::ProposeReferral { id, partner, domain, reason, on } => {
                if self.referrals.contains_key(&id) {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::Referral, id: id.to_string() });
                }
                let on = self.effective("on", on, ctx)?;
                let step = ReferralStep { status: ReferralStatus::Proposed, on, note: None, by };
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
                        ViolationCode::BeforePreviousStep,
                        "a referral step cannot be dated before the previous step",
                    ));
                }
                let (consent, consent_override) = if to == ReferralStatus::Sent {
                    match crate::privacy::share_basis(
                        &self.consents,
                        r.partner,
                        r.domain.category(),
                        on,
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
            CaseCommand::UpdateReturnExploration { findings, on } => {
                let Some(x) = &self.exploration else {
                    return Err(DomainError::rule(Rule::ReturnExplorationRequired));
                };
                let on = self.effective("on", on, ctx)?;
                if on < x.started_on {
                    return Err(invalid(
                        "on",
                        ViolationCode::BeforeStart,
                        "an exploration's findings cannot be dated before it started",
                    ));
                }
                vec![CaseChange::ReturnExplorationUpdated { findings, at: ctx.now, on: Some(on) }]
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
            CaseCommand::UpdateReintegrationPlan(mut plan) => {
                self.require_stance(ReturnStance::Decided)?;
                plan.updated_on = Some(self.effective("updated_on", plan.updated_on, ctx)?);
                vec![CaseChange::ReintegrationPlanUpdated(plan)]
            }
            CaseCommand::RecordDepartureStep(step) => {
                self.require_stance(ReturnStance::Decided)?;
                self.check_past("on", step.on, ctx)?;
                vec![CaseChange::DepartureStepRecorded(step)]
            }
            CaseCommand::UpdateReanChecklist(mut rean) => {
                self.require_stance(ReturnStance::Decided)?;
                rean.updated_on = Some(self.effective("updated_on", rean.updated_on, ctx)?);
                vec![CaseChange::ReanChecklistUpdated(rean)]
            }
            CaseCommand::PlanDeparture { on, accompany_to_schiphol } => {
                self.require_stance(ReturnStance::Decided)?;
                // A planned date may lie in the past (a departure recorded afterwards), not
                // before the trajectory started.
                if on.is_some_and(|d| d < self.registered_on) {
                    return Err(invalid(
                        "on",
                        ViolationCode::DateBeforeRegistration,
                        Rule::DateBeforeRegistration.explanation(),
                    ));
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
            CaseCommand::RecordJudgmentCommunicated { judgment, to, on, consent_override } => {
                let j = self.find_judgment(judgment)?;
                if on < j.formed_on {
                    return Err(DomainError::rule(Rule::CommunicatedBeforeFormed));
                }
                if on > ctx.today {
                    return Err(invalid("on", ViolationCode::DateInFuture, Rule::DateInFuture.explanation()));
                }
                self.communication_share_basis(to, on, consent_override.as_ref())?;
                vec![CaseChange::JudgmentCommunicated { judgment, communication: Communication { to, on } }]
            }
            CaseCommand::RecordConsequencesExplained { judgment, on } => {
                let j = self.find_judgment(judgment)?;
                if on < j.formed_on {
                    return Err(DomainError::rule(Rule::CommunicatedBeforeFormed));
                }
                if on > ctx.today {
                    return Err(invalid("on", ViolationCode::DateInFuture, Rule::DateInFuture.explanation()));
                }
                vec![CaseChange::ConsequencesExplained { judgment, on }]
            }
            CaseCommand::RecordSelfReliance { assessed_on, scores } => {
                if scores.is_empty() {
                    return Err(invalid("scores", ViolationCode::Required, "score at least one life domain"));
                }
                self.check_past("assessed_on", assessed_on, ctx)?;
                vec![CaseChange::SelfRelianceAssessed(ZrmAssessment { assessed_on, scores, by })]
            }
            CaseCommand::GiveConsent { id, organisation, categories, purpose, given_on } => {
                if self.consents.iter().any(|c| c.id == id) {
                    return Err(DomainError::AlreadyExists { entity: EntityKind::Consent, id: id.to_string() });
                }
                if categories.is_empty() {
                    return Err(invalid("categories", ViolationCode::Required, "name at least one data category"));
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
                    return Err(invalid("on", ViolationCode::DateInFuture, Rule::DateInFuture.explanation()));
                }
                if on < c.given_on {
                    return Err(invalid(
                        "on",
                        ViolationCode::BeforeGiven,
                        "a consent cannot be withdrawn before it was given",
                    ));
                }
                vec![CaseChange::ConsentWithdrawn { consent, on }]
            }
            CaseCommand::RecordProgressReport { id, period_from, period_to, sent_to, sent_on } => {
                let sent_on = self.effective("sent_on", sent_on, ctx)?;
                let mut v = Vec::new();
                if period_to < period_from {
                    v.push(FieldViolation::new(
                        "period_to",
                        ViolationCode::BeforeStart,
                        "the period must end on or after its start",
                    ));
                }
                if period_to > sent_on {
                    v.push(FieldViolation::new(
                        "period_to",
                        ViolationCode::DateInFuture,
                        "a report covers a period that had passed when it was sent",
                    ));
                }
                if self.reports.iter().any(|r| r.id == id) {
                    v.push(FieldViolation::new(
                        "id",
                        ViolationCode::AlreadyExists,
                        "a report with this id exists already",
                    ));
                }
                if !v.is_empty() {
                    return Err(DomainError::InvalidInput(Violations(v)));
                }
                // The report shares the case with the municipality: its consent must cover
                // reports (there is no override for reports; see `share_basis`).
                // The consent must have covered it the day it was sent.
                crate::privacy::share_basis(&self.consents, sent_to, DataCategory::Reports, sent_on, None)?;
                vec![CaseChange::ProgressReportSent(ProgressReportRecord {
                    id,
                    period_from,
                    period_to,
                    sent_on,
                    sent_at: ctx.now,
                    sent_to,
                    sent_by: by,
                })]
            }
            CaseCommand::SetReportingSchedule { every_months } => {
                if !(1..=MAX_REPORTING_MONTHS).contains(&every_months) {
                    return Err(invalid(
                        "every_months",
                        ViolationCode::OutOfRange,
                        "a progress report is due every 1 to 12 months",
                    ));
                }
                if self.reporting_schedule() == Some(every_months) {
                    return Ok(Vec::new());
                }
                vec![CaseChange::ReportingScheduleSet { every_months }]
            }
            CaseCommand::RecordOutflow { outcome, on, note } => {
                self.check_past("on", on, ctx)?;
                if self.last_contact_at().is_some_and(|at| on < crate::time::amsterdam_date(at)) {
                    return Err(invalid(
                        "on",
                        ViolationCode::BeforeLastContact,
                        "the outflow cannot be dated before the last contact moment",
                    ));
                }
                // Nothing of the trajectory lies after its end.
                if let Some(fact) = self.latest_fact().filter(|f| f.on > on) {
                    return Err(fact.refuse("on"));
                }
                check_transition(self.phase, Phase::Closed, Trigger::Outflow)?;
                if outcome == OutflowOutcome::EndedByChainDecision && self.adopted_termination().is_none() {
                    return Err(DomainError::rule(Rule::AdoptedAdviceRequired));
                }
                vec![
                    CaseChange::OutflowRecorded(Outflow { outcome, on, note, recorded_by: by }),
                    CaseChange::PhaseChanged { from: self.phase, to: Phase::Closed, reason: None, on: Some(on) },
                ]
            }
            CaseCommand::SetConfidentiality { category, level, reason } => {
                let from = self.levels().of(category);
                if level < category.default_level() {
                    return Err(invalid(
                        "level",
                        ViolationCode::BelowCategoryMinimum,
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
        if self.is_logged_already(&c, ctx) {
            // The same request again (the client chose the id, so a retry after a lost answer
            // carries it): the contact is there, nothing changes.
            return Ok(Vec::new());
        }
        if self.contacts.contains_key(&c.id) {
            v.push(FieldViolation::new(
                "id",
                ViolationCode::AlreadyExists,
                "a contact moment with this id exists already",
            ));
        }
        if c.at > ctx.now {
            v.push(FieldViolation::new("at", ViolationCode::DateInFuture, Rule::DateInFuture.explanation()));
        }
        let day = crate::time::amsterdam_date(c.at);
        if day < self.registered_on {
            v.push(FieldViolation::new(
                "at",
                ViolationCode::DateBeforeRegistration,
                Rule::DateBeforeRegistration.explanation(),
            ));
        }
        if c.activities.is_empty() && c.documents.is_empty() {
            v.push(FieldViolation::new(
                "activities",
                ViolationCode::Required,
                "name at least one activity code (3.2.a to 5.2.e)",
            ));
        }
        // By the contact's day: a normal contact dated after the outflow never gets here
        // (`decide` refuses it as the trajectory closed); one dated on or before the outflow
        // day is a late entry of the trajectory.
        let monitoring = c.kind == ContactKind::Monitoring;
        let departed = self.outflow.as_ref().is_some_and(|o| o.outcome.is_departure());
        match (monitoring, &self.outflow) {
            (true, None) => v.push(NotNow::MonitoringBeforeOutflow.at("kind")),
            (true, Some(_)) if !departed => v.push(NotNow::MonitoringWithoutDeparture.at("kind")),
            _ => {}
        }
        // Monitoring follows the outflow: not dated before it.
        if let Some(o) = self.outflow.as_ref().filter(|o| monitoring && day < o.on) {
            v.push(FieldViolation::new(
                "at",
                ViolationCode::ContradictsLaterFact,
                LaterFact { kind: "outflow_recorded", on: o.on }.message(),
            ));
        }
        // Aftercare makes no new agreements: the trajectory they would belong to has ended.
        if self.outflow.is_some() && monitoring && !c.agreements.is_empty() {
            v.push(NotNow::AgreementsInAftercare.at("agreements"));
        }
        // The return activities count only where the return track allows them (5.2.b).
        let considering = matches!(self.return_stance, ReturnStance::Considering | ReturnStance::Decided);
        if c.activities.contains(&ActivityCode::ExploreReturn) && !considering {
            v.push(FieldViolation::new(
                "activities",
                ViolationCode::ReturnNotConsidered,
                Rule::ReturnNotConsidered.explanation(),
            ));
        }
        if c.activities.contains(&ActivityCode::RemoveObstacles) && self.return_stance != ReturnStance::Decided {
            v.push(FieldViolation::new(
                "activities",
                ViolationCode::ReturnNotDecided,
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
            v.push(FieldViolation::new(
                "duration_minutes",
                ViolationCode::OutOfRange,
                "a duration is 1 to 1440 minutes",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, a) in c.agreements.iter().enumerate() {
            if let Some(x) = self.check_new_agreement(&format!("agreements[{i}]."), a, day) {
                v.push(x);
            }
            if !seen.insert(a.id) {
                v.push(FieldViolation::new(
                    format!("agreements[{i}].id"),
                    ViolationCode::Duplicate,
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
                    made_on: Some(day),
                    status: AgreementStatus::Open,
                },
                category: c.category,
            });
        }
        if orientation && self.phase == Phase::Intake {
            check_transition(Phase::Intake, Phase::Orientation, Trigger::OrientationTalk)?;
            changes.push(CaseChange::PhaseChanged {
                from: Phase::Intake,
                to: Phase::Orientation,
                reason: None,
                on: Some(day),
            });
        }
        Ok(changes)
    }
}

impl Case {
    /// Whether `c` is a contact moment this case already holds under the same id, with the
    /// same content as logging it now by the same actor would record (its agreements too).
    fn is_logged_already(&self, c: &NewContact, ctx: &CommandContext) -> bool {
        let Some((existing, category)) = self.contacts.get(&c.id) else { return false };
        let mut staff = c.staff.clone();
        staff.insert(ctx.actor);
        let mut activities = c.activities.clone();
        if !c.documents.is_empty() {
            activities.insert(ActivityCode::Communication);
        }
        let same_contact = *category == c.category
            && existing.at == c.at
            && existing.kind == c.kind
            && existing.location == c.location
            && existing.staff == staff
            && existing.activities == activities
            && existing.summary == c.summary
            && existing.partner == c.partner
            && existing.duration_minutes == c.duration_minutes
            && existing.documents == c.documents;
        same_contact
            && c.agreements.iter().all(|a| {
                self.agreements.get(&a.id).is_some_and(|(made, _)| {
                    made.made_in == Some(c.id)
                        && made.description == a.description
                        && made.due_on == a.due_on
                        && made.who_acts == a.who_acts
                })
            })
    }
}
