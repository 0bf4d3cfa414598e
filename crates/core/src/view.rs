//! What one reader may see of one case: the single decision behind every read path.
//!
//! [`AccessPolicy::decide_visibility`] decides, once per reader and case, which data categories
//! are shown, which are shown with their content hidden (field-level need-to-know, inside the
//! foundation), which are withheld (and why), and which referrals and consents the reader sees
//! by their own rules. The resulting [`Visibility`] then produces every view the reader gets:
//!
//! - the case file ([`Visibility::view`] → [`CaseView`]),
//! - each event, in the case's events and in the feed ([`Visibility::event`]),
//! - the progress report, built from the view
//!   ([`ProgressReport::generate`](crate::report::ProgressReport::generate)).
//!
//! So the case file, its events, the feed and the progress report cannot disagree.
//!
//! # The rules per kind (outside the foundation)
//!
//! | what | shown to an organisation outside the foundation when |
//! |---|---|
//! | case data of a category (profile, plan, contacts, return track, ...) | the matrix allows the category: role, grant, level and consent ([`AccessPolicy::decide`]) |
//! | a referral, its events (proposed, sent, answered, revoked) | it is addressed to the reader's organisation **and** was sent, under grant and consent for its category, or sent on the project lead's recorded override; the foundation's own notes on its steps and the override's reason are left out (a partner's answer keeps its note) |
//! | a consent and its withdrawal | it names the reader's organisation (never consents naming others) |
//! | a judgment's communication | the return track is shown **and** it was communicated to the participant or to the reader's organisation (the municipality: to the municipality); communications to other organisations are left out of the judgment too |
//! | an agreement's settlement | the category of the agreement is shown |
//! | an obstacle to return of medical/psychosocial kind, and the reintegration plan's care part | return **and** medical/psychosocial are shown |
//! | a self-reliance (ZRM) score | its domain's category is shown (health and addiction: medical/psychosocial; justice: criminal history, so never) |
//! | an outflow "departure postponed on medical grounds" | guidance **and** medical/psychosocial are shown |
//! | another organisation named in a contact, a goal or an obstacle, and the name of a partner's premises | never (only the reader's own organisation) |
//! | why a confidentiality level was set | never (the foundation's own note; the change itself by its category) |
//!
//! Inside the foundation, staff see their cases whole, except that content of a need-to-know
//! category is hidden from the project lead (shown as [`crate::case::HIDDEN`]); a project
//! worker who is not assigned sees the identity category only.
//!
//! A reader who may see nothing at all of a case is denied (the first reason is given); a
//! reader who may see part of it gets that part and the list of withheld categories with
//! their reasons, never their content, and nothing that tells whether any exists.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{
    AccessPolicy, Action, Actor, Basis, ConfidentialityLevel, Consent, DataCategory, Decision, DenyReason, Resource,
    Role,
};
use crate::case::{Case, CaseChange, CaseEvent, CaseParts};
use crate::contact::{ContactLocation, ContactMoment, Referral};
use crate::ids::{AgreementId, ConsentId, ContactId, GoalId, ObstacleId, OrganisationId, ParticipantId, ReferralId};
use crate::outflow::{Outflow, OutflowOutcome, ProgressReportRecord, ZrmAssessment};
use crate::participant::ParticipantProfile;
use crate::plan::{Agreement, Direction, DirectionChange, Goal, PlanRevision, ReturnStance};
use crate::returns::{
    Communication, DeparturePreparation, ObstacleKind, Recipient, ReintegrationPlan, ReturnExploration, ReturnJudgment,
    ReturnObstacle,
};
use crate::trajectory::{Phase, TrajectoryDates};

/// What a hidden label (the name of a partner's premises) reads as outside the foundation.
fn hidden_label() -> crate::text::Label {
    crate::text::Label::parse(crate::case::HIDDEN).expect("the hiding marker is a valid label")
}

/// A data category left out of what a reader sees, and why (never its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    /// The category.
    pub category: DataCategory,
    /// Why the reader may not see it.
    pub reason: DenyReason,
}

/// The trajectory as a reader of guidance data sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrajectoryView {
    /// Registration: the trajectory's start.
    pub registered_on: NaiveDate,
    /// The phase.
    pub phase: Phase,
    /// The plan's direction.
    pub direction: Direction,
    /// Every change of direction, oldest first.
    pub direction_history: Vec<DirectionChange>,
    /// What chain meetings recorded about the participant, oldest first.
    pub chain_meetings: Vec<crate::meeting::ChainMeetingRecord>,
}

impl TrajectoryView {
    /// The trajectory's dates (its 18-month limit).
    pub fn dates(&self) -> TrajectoryDates {
        TrajectoryDates { started_on: self.registered_on }
    }
}

/// A case file as one reader may see it: the parts of the categories shown, the referrals and
/// consents the reader's own rules give it, and the categories withheld with their reasons.
///
/// Parts that every case has (the profile, the trajectory, the return stance) are `None` when
/// their category is withheld; lists of a withheld category are empty. Whether a part is
/// absent because it was withheld or because nothing was recorded is told by
/// [`CaseView::withheld`], never by the part itself.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use perspectief_core::*;
/// use perspectief_core::view::CaseView;
///
/// let worker = UserId::from_u128(1);
/// let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
/// let register = input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() }
///     .into_command(ParticipantId::from_u128(7), worker, ctx.today)
///     .unwrap();
/// let (case, _) = Case::register(register, &ctx).unwrap();
/// // A whole view holds the case itself.
/// let view = CaseView::whole(&case);
/// assert!(view.withheld.is_empty());
/// assert_eq!(view.into_case().unwrap(), case);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// The participant.
    pub id: ParticipantId,
    /// The case's version.
    pub version: u64,
    /// Who the participant is (identity).
    pub profile: Option<ParticipantProfile>,
    /// The trajectory (guidance).
    pub trajectory: Option<TrajectoryView>,
    /// The stance on return (return).
    pub return_stance: Option<ReturnStance>,
    /// The day the stance was stated (return).
    pub return_stance_on: Option<NaiveDate>,
    /// The plan's revisions (guidance).
    pub plan: Vec<PlanRevision>,
    /// Goals (guidance).
    pub goals: BTreeMap<GoalId, Goal>,
    /// Agreements of the categories shown, with their category.
    pub agreements: BTreeMap<AgreementId, (Agreement, DataCategory)>,
    /// Contact moments of the categories shown, with their category.
    pub contacts: BTreeMap<ContactId, (ContactMoment, DataCategory)>,
    /// Referrals: inside the foundation those of the categories shown; outside, only those
    /// sent to the reader's organisation.
    pub referrals: BTreeMap<ReferralId, Referral>,
    /// The return exploration (return).
    pub exploration: Option<ReturnExploration>,
    /// Obstacles to return (return).
    pub obstacles: BTreeMap<ObstacleId, ReturnObstacle>,
    /// The reintegration plan (return).
    pub reintegration: Option<ReintegrationPlan>,
    /// Departure preparation (return).
    pub departure: Option<DeparturePreparation>,
    /// Judgments (return), with the communications the reader may see.
    pub judgments: Vec<ReturnJudgment>,
    /// Self-reliance assessments (guidance).
    pub self_reliance: Vec<ZrmAssessment>,
    /// Consents: inside the foundation all of them (guidance); outside, those naming the
    /// reader's organisation.
    pub consents: Vec<Consent>,
    /// Progress reports sent (reports).
    pub reports: Vec<ProgressReportRecord>,
    /// Months between progress reports, when set for this participant (guidance).
    pub reporting_every_months: Option<u32>,
    /// The outflow (guidance).
    pub outflow: Option<Outflow>,
    /// The confidentiality level of each category shown.
    pub levels: BTreeMap<DataCategory, ConfidentialityLevel>,
    /// Categories whose records are shown with their content hidden (field-level
    /// need-to-know inside the foundation).
    pub hidden: BTreeSet<DataCategory>,
    /// Categories left out, with the reason.
    pub withheld: Vec<Withheld>,
}

impl CaseView {
    /// The whole case, nothing hidden or withheld.
    pub fn whole(case: &Case) -> CaseView {
        Visibility::everything().view(case)
    }

    /// Whether the category's data is in the view (shown, or shown hidden).
    pub fn shows(&self, category: DataCategory) -> bool {
        !self.withheld.iter().any(|w| w.category == category)
    }

    /// Whether the trajectory is still running (no outflow recorded). `None` when the reader
    /// may not see guidance data.
    pub fn is_active(&self) -> Option<bool> {
        self.trajectory.as_ref().map(|_| self.outflow.is_none())
    }

    /// The case itself, when nothing of it is withheld (content may be hidden); otherwise the
    /// reason the first withheld category is withheld.
    pub fn into_case(self) -> Result<Case, DenyReason> {
        if let Some(w) = self.withheld.first() {
            return Err(w.reason.clone());
        }
        let incomplete = |category| DenyReason::NoConsent { category };
        let profile = self.profile.ok_or_else(|| incomplete(DataCategory::Identity))?;
        let trajectory = self.trajectory.ok_or_else(|| incomplete(DataCategory::Guidance))?;
        let return_stance = self.return_stance.ok_or_else(|| incomplete(DataCategory::Return))?;
        Ok(Case::from_parts(CaseParts {
            id: self.id,
            version: self.version,
            profile,
            registered_on: trajectory.registered_on,
            phase: trajectory.phase,
            direction: trajectory.direction,
            direction_history: trajectory.direction_history,
            chain_meetings: trajectory.chain_meetings,
            return_stance,
            return_stance_on: self.return_stance_on,
            plan: self.plan,
            goals: self.goals,
            agreements: self.agreements,
            contacts: self.contacts,
            referrals: self.referrals,
            exploration: self.exploration,
            obstacles: self.obstacles,
            reintegration: self.reintegration,
            departure: self.departure,
            judgments: self.judgments,
            self_reliance: self.self_reliance,
            consents: self.consents,
            reports: self.reports,
            reporting_every_months: self.reporting_every_months,
            outflow: self.outflow,
            levels: self.levels.into_iter().filter(|(c, l)| *l > c.default_level()).collect(),
        }))
    }
}

/// Who reads, as far as the rules per kind need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// Foundation staff (or the whole case, for [`CaseView::whole`]).
    Foundation,
    /// An organisation outside the foundation, in a role.
    Outside { organisation: OrganisationId, role: Role },
}

/// What one reader may see of one case, decided once by
/// [`AccessPolicy::decide_visibility`]; it produces the case file and decides each event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    reader: Reader,
    shown: BTreeMap<DataCategory, Basis>,
    hidden: BTreeSet<DataCategory>,
    withheld: BTreeMap<DataCategory, DenyReason>,
    /// Outside readers: the referrals addressed to them that they may read, with the basis.
    referrals: BTreeMap<ReferralId, Basis>,
    /// Outside readers: the consents naming their organisation.
    consents: BTreeMap<ConsentId, Basis>,
}

impl AccessPolicy {
    /// Decide what `actor` may see of `case` on `today`: the decision every read path of a
    /// case uses (see [`crate::view`]). Denied, with the first reason, when the reader may see
    /// nothing of the case at all.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use perspectief_core::access::*;
    /// use perspectief_core::*;
    ///
    /// let foundation = OrganisationId::from_u128(100);
    /// let policy = AccessPolicy { foundation };
    /// let worker = UserId::from_u128(1);
    /// let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
    /// let register = input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() }
    ///     .into_command(ParticipantId::from_u128(7), worker, ctx.today)
    ///     .unwrap();
    /// let (mut case, _) = Case::register(register, &ctx).unwrap();
    ///
    /// // IOM, authorised for return data, without the person's consent: nothing at all.
    /// let iom = OrganisationId::from_u128(90);
    /// let grant = Grant::all_categories(ConfidentialityLevel::Vertrouwelijk);
    /// let partner = Actor { user: UserId::from_u128(9), organisation: iom, role: Role::ChainPartner, grant };
    /// assert!(policy.decide_visibility(&partner, &case, ctx.today).is_err());
    ///
    /// // With consent for identity and return data: those two, the rest withheld with a reason.
    /// case.execute(CaseCommand::GiveConsent {
    ///     id: ConsentId::from_u128(1),
    ///     organisation: iom,
    ///     categories: [DataCategory::Identity, DataCategory::Return].into(),
    ///     purpose: Text::parse("Terugkeerondersteuning").unwrap(),
    ///     given_on: ctx.today,
    /// }, &ctx).unwrap();
    /// let seen = policy.decide_visibility(&partner, &case, ctx.today).unwrap();
    /// let view = seen.view(&case);
    /// assert!(view.profile.is_some() && view.return_stance.is_some());
    /// assert!(view.trajectory.is_none() && !view.shows(DataCategory::Guidance));
    /// ```
    pub fn decide_visibility(&self, actor: &Actor, case: &Case, today: NaiveDate) -> Result<Visibility, DenyReason> {
        let scope = case.scope();
        let outside = matches!(actor.role, Role::ChainPartner | Role::MunicipalCaseManager);
        let reader = if outside {
            Reader::Outside { organisation: actor.organisation, role: actor.role }
        } else {
            Reader::Foundation
        };
        let mut v = Visibility {
            reader,
            shown: BTreeMap::new(),
            hidden: BTreeSet::new(),
            withheld: BTreeMap::new(),
            referrals: BTreeMap::new(),
            consents: BTreeMap::new(),
        };
        for category in DataCategory::ALL {
            match self.decide(actor, Action::Read, &Resource::CaseData { scope, category }, today) {
                Decision::Allowed { basis } => {
                    v.shown.insert(category, basis);
                }
                Decision::Denied { reason: DenyReason::NeedToKnow { .. } } => {
                    v.hidden.insert(category);
                }
                Decision::Denied { reason } => {
                    v.withheld.insert(category, reason);
                }
            }
        }
        if outside {
            for r in case.referrals() {
                let resource = Resource::Referral {
                    scope,
                    addressed_to: r.partner,
                    sent: r.sent_on().is_some(),
                    on_override: r.sent_on_override,
                    category: r.domain.category(),
                };
                if let Decision::Allowed { basis } = self.decide(actor, Action::Read, &resource, today) {
                    v.referrals.insert(r.id, basis);
                }
            }
            for c in case.consents() {
                let resource = Resource::Consent { scope, consent: c.id, organisation: c.organisation };
                if let Decision::Allowed { basis } = self.decide(actor, Action::Read, &resource, today) {
                    v.consents.insert(c.id, basis);
                }
            }
        }
        if v.shown.is_empty() && v.hidden.is_empty() && v.referrals.is_empty() && v.consents.is_empty() {
            // The reason for the case file's core, else the first one.
            let reason = v
                .withheld
                .get(&DataCategory::Guidance)
                .or_else(|| v.withheld.values().next())
                .cloned()
                .unwrap_or(DenyReason::NotAssigned);
            return Err(reason);
        }
        Ok(v)
    }
}

impl Visibility {
    /// Everything shown, as to the foundation: what [`CaseView::whole`] uses.
    fn everything() -> Visibility {
        Visibility {
            reader: Reader::Foundation,
            shown: DataCategory::ALL.into_iter().map(|c| (c, Basis::RoleRule)).collect(),
            hidden: BTreeSet::new(),
            withheld: BTreeMap::new(),
            referrals: BTreeMap::new(),
            consents: BTreeMap::new(),
        }
    }

    /// Whether nothing is withheld (content may still be hidden): the reader may have the
    /// case file itself.
    pub fn is_whole(&self) -> bool {
        self.withheld.is_empty()
    }

    /// The categories shown, each with the basis of the access (for the access log).
    pub fn shown(&self) -> impl Iterator<Item = (DataCategory, Basis)> + '_ {
        self.shown.iter().map(|(c, b)| (*c, *b))
    }

    /// The categories shown with their content hidden.
    pub fn hidden(&self) -> &BTreeSet<DataCategory> {
        &self.hidden
    }

    /// The categories withheld, with the reason.
    pub fn withheld(&self) -> impl Iterator<Item = Withheld> + '_ {
        self.withheld.iter().map(|(c, r)| Withheld { category: *c, reason: r.clone() })
    }

    /// The referrals shown by the referral rule (outside readers), with the basis.
    pub fn referrals(&self) -> impl Iterator<Item = (ReferralId, Basis)> + '_ {
        self.referrals.iter().map(|(id, b)| (*id, *b))
    }

    /// The one basis to record for a read of the whole view: that of the case file's core
    /// (guidance) when shown, else of the first category, referral or consent shown.
    pub fn basis(&self) -> Basis {
        self.shown
            .get(&DataCategory::Guidance)
            .or_else(|| self.shown.values().next())
            .or_else(|| self.referrals.values().next())
            .or_else(|| self.consents.values().next())
            .copied()
            .unwrap_or(Basis::RoleRule)
    }

    fn sees(&self, category: DataCategory) -> bool {
        self.shown.contains_key(&category) || self.hidden.contains(&category)
    }

    /// Why a category is not seen.
    fn why_not(&self, category: DataCategory) -> DenyReason {
        self.withheld.get(&category).cloned().unwrap_or(DenyReason::NotAddressee)
    }

    /// Whether a judgment's communication is the reader's to see.
    fn sees_communication(&self, c: &Communication) -> bool {
        match (self.reader, c.to) {
            (Reader::Foundation, _) | (_, Recipient::Participant) => true,
            (Reader::Outside { organisation, .. }, Recipient::Partner(to)) => to == organisation,
            (Reader::Outside { role, .. }, Recipient::Municipality) => role == Role::MunicipalCaseManager,
        }
    }

    /// A referral as an outside addressee sees it: the foundation's own notes on its steps
    /// are left out; a partner's answer keeps its note.
    fn outside_referral(r: &Referral) -> Referral {
        let mut r = r.clone();
        for step in &mut r.history {
            if !step.status.is_partner_answer() {
                step.note = None;
            }
        }
        r
    }

    /// The reader's organisation, outside the foundation.
    fn outside_organisation(&self) -> Option<OrganisationId> {
        match self.reader {
            Reader::Outside { organisation, .. } => Some(organisation),
            Reader::Foundation => None,
        }
    }

    /// A contact moment as an outside reader sees it: another organisation it was with is
    /// left out (it would tell who else helps the person, and with what), and so is the name
    /// of a partner's premises.
    fn outside_contact(&self, mut contact: ContactMoment) -> ContactMoment {
        if let Some(own) = self.outside_organisation() {
            contact.partner = contact.partner.filter(|p| *p == own);
            if let ContactLocation::Partner(_) = contact.location {
                contact.location = ContactLocation::Partner(hidden_label());
            }
        }
        contact
    }

    /// A goal as an outside reader sees it: only the reader's own organisation among its
    /// partners.
    fn outside_goal(&self, mut goal: Goal) -> Goal {
        if let Some(own) = self.outside_organisation() {
            goal.partners.retain(|p| *p == own);
        }
        goal
    }

    /// An obstacle to return as an outside reader sees it: a medical/psychosocial one only
    /// with that category shown, another organisation working on it left out.
    fn outside_obstacle(&self, mut obstacle: ReturnObstacle) -> Option<ReturnObstacle> {
        let Some(own) = self.outside_organisation() else { return Some(obstacle) };
        if obstacle.kind == ObstacleKind::MedicalPsychosocial && !self.sees(DataCategory::MedicalPsychosocial) {
            return None;
        }
        obstacle.partner = obstacle.partner.filter(|p| *p == own);
        Some(obstacle)
    }

    /// A reintegration plan as an outside reader sees it: the care part is medical.
    fn outside_reintegration(&self, mut plan: ReintegrationPlan) -> ReintegrationPlan {
        if self.outside_organisation().is_some() && !self.sees(DataCategory::MedicalPsychosocial) {
            plan.care = None;
        }
        plan
    }

    /// A self-reliance assessment with only the domains whose category the reader sees (health
    /// and addiction are medical, justice is criminal history).
    fn outside_assessment(&self, mut assessment: ZrmAssessment) -> ZrmAssessment {
        if self.outside_organisation().is_some() {
            assessment.scores.retain(|domain, _| self.shown.contains_key(&domain.category()));
        }
        assessment
    }

    /// The outflow, unless its outcome is medical (departure postponed on medical grounds) and
    /// the reader may not see medical data.
    fn outside_outflow(&self, outflow: &Outflow) -> Option<Outflow> {
        let medical = outflow.outcome == OutflowOutcome::DeparturePostponedMedical;
        if medical && self.outside_organisation().is_some() && !self.sees(DataCategory::MedicalPsychosocial) {
            return None;
        }
        Some(outflow.clone())
    }

    /// The case file as this reader sees it.
    pub fn view(&self, case: &Case) -> CaseView {
        let masked;
        let case = if self.hidden.is_empty() {
            case
        } else {
            masked = case.hidden(&self.hidden);
            &masked
        };
        let sees = |c| self.sees(c);
        let outside = matches!(self.reader, Reader::Outside { .. });
        let guidance = sees(DataCategory::Guidance);
        let ret = sees(DataCategory::Return);
        let keep = |b: bool, n: usize| if b { n } else { 0 };
        CaseView {
            id: case.id(),
            version: case.version(),
            profile: sees(DataCategory::Identity).then(|| case.profile().clone()),
            trajectory: guidance.then(|| TrajectoryView {
                registered_on: case.registered_on(),
                phase: case.phase(),
                direction: case.direction(),
                direction_history: case.direction_history().to_vec(),
                chain_meetings: case.chain_meetings().to_vec(),
            }),
            return_stance: ret.then(|| case.return_stance()),
            return_stance_on: ret.then(|| case.return_stance_on()).flatten(),
            plan: case.plan_revisions().iter().take(keep(guidance, usize::MAX)).cloned().collect(),
            goals: case.goals().filter(|_| guidance).map(|g| (g.id, self.outside_goal(g.clone()))).collect(),
            agreements: case
                .agreements_with_category()
                .filter(|(_, c)| sees(*c))
                .map(|(a, c)| (a.id, (a.clone(), c)))
                .collect(),
            contacts: case
                .contacts()
                .filter(|(_, c)| sees(*c))
                .map(|(m, c)| (m.id, (self.outside_contact(m.clone()), c)))
                .collect(),
            referrals: case
                .referrals()
                .filter_map(|r| {
                    if outside {
                        self.referrals.contains_key(&r.id).then(|| Self::outside_referral(r))
                    } else {
                        sees(r.domain.category()).then(|| r.clone())
                    }
                })
                .map(|r| (r.id, r))
                .collect(),
            exploration: case.return_exploration().filter(|_| ret).cloned(),
            obstacles: case
                .obstacles()
                .filter(|_| ret)
                .filter_map(|o| self.outside_obstacle(o.clone()))
                .map(|o| (o.id, o))
                .collect(),
            reintegration: case.reintegration_plan().filter(|_| ret).map(|p| self.outside_reintegration(p.clone())),
            departure: case.departure().filter(|_| ret).cloned(),
            judgments: case
                .judgments()
                .iter()
                .filter(|_| ret)
                .map(|j| {
                    let mut j = j.clone();
                    j.communications.retain(|c| self.sees_communication(c));
                    j
                })
                .collect(),
            self_reliance: case
                .self_reliance()
                .iter()
                .filter(|_| guidance)
                .map(|a| self.outside_assessment(a.clone()))
                .collect(),
            consents: case
                .consents()
                .iter()
                .filter(|c| if outside { self.consents.contains_key(&c.id) } else { guidance })
                .cloned()
                .collect(),
            reports: case.reports().iter().filter(|_| sees(DataCategory::Reports)).cloned().collect(),
            reporting_every_months: case.reporting_schedule().filter(|_| guidance),
            outflow: case.outflow().filter(|_| guidance).and_then(|o| self.outside_outflow(o)),
            levels: DataCategory::ALL.into_iter().filter(|c| sees(*c)).map(|c| (c, case.levels().of(c))).collect(),
            hidden: self.hidden.clone(),
            withheld: self.withheld().collect(),
        }
    }

    /// One event of the case as this reader sees it, by the rule of its kind (see
    /// [`crate::view`]), decided against the case as it is now: the event itself or with hidden
    /// or foundation-only content left out, with the basis to record; or the reason it is
    /// withheld.
    pub fn event(&self, case: &Case, event: &CaseEvent) -> Result<(CaseEvent, Basis), DenyReason> {
        let (change, basis) = match &self.reader {
            Reader::Foundation => {
                let category = event.change.category();
                if let Some(basis) = self.shown.get(&category) {
                    (event.change.clone(), *basis)
                } else if self.hidden.contains(&category) {
                    (event.change.hidden(&self.hidden), self.basis())
                } else {
                    return Err(self.why_not(category));
                }
            }
            Reader::Outside { .. } => self.outside_change(case, &event.change)?,
        };
        Ok((CaseEvent { change, ..event.clone() }, basis))
    }

    /// Why a referral is not the reader's: not sent yet, not addressed to it, or its category.
    fn referral_basis(&self, case: &Case, id: ReferralId) -> Result<Basis, DenyReason> {
        if let Some(basis) = self.referrals.get(&id) {
            return Ok(*basis);
        }
        let referral = case.referral(id);
        let to_reader = referral
            .is_some_and(|r| matches!(self.reader, Reader::Outside { organisation, .. } if organisation == r.partner));
        Err(match referral {
            Some(r) if to_reader && r.sent_on().is_none() => DenyReason::NotSent,
            Some(r) if to_reader => self.why_not(r.domain.category()),
            _ => DenyReason::NotAddressee,
        })
    }

    fn outside_change(&self, case: &Case, change: &CaseChange) -> Result<(CaseChange, Basis), DenyReason> {
        let by_category = |category: DataCategory| match self.shown.get(&category) {
            Some(basis) => Ok((change.clone(), *basis)),
            None => Err(self.why_not(category)),
        };
        let consent_basis = |id: &ConsentId| self.consents.get(id).copied().ok_or(DenyReason::NotAddressee);
        match change {
            CaseChange::ReferralProposed(r) => {
                let basis = self.referral_basis(case, r.id)?;
                Ok((CaseChange::ReferralProposed(Self::outside_referral(r)), basis))
            }
            CaseChange::ReferralAdvanced { referral, category, step, consent, .. } => {
                let basis = self.referral_basis(case, *referral)?;
                let mut step = step.clone();
                if !step.status.is_partner_answer() {
                    step.note = None;
                }
                // The override's reason never leaves the foundation.
                let change = CaseChange::ReferralAdvanced {
                    referral: *referral,
                    category: *category,
                    step,
                    consent: *consent,
                    consent_override: None,
                };
                Ok((change, basis))
            }
            CaseChange::ConsentGiven(c) => Ok((change.clone(), consent_basis(&c.id)?)),
            CaseChange::ConsentWithdrawn { consent, .. } => Ok((change.clone(), consent_basis(consent)?)),
            CaseChange::JudgmentRecorded(j) => {
                let (_, basis) = by_category(DataCategory::Return)?;
                let mut j = j.clone();
                j.communications.retain(|c| self.sees_communication(c));
                Ok((CaseChange::JudgmentRecorded(j), basis))
            }
            CaseChange::JudgmentCommunicated { communication, .. } => {
                let shown = by_category(DataCategory::Return)?;
                if self.sees_communication(communication) { Ok(shown) } else { Err(DenyReason::NotAddressee) }
            }
            CaseChange::ContactLogged { contact, category } => {
                let (_, basis) = by_category(*category)?;
                let change =
                    CaseChange::ContactLogged { contact: self.outside_contact(contact.clone()), category: *category };
                Ok((change, basis))
            }
            CaseChange::GoalSet(goal) => {
                let (_, basis) = by_category(DataCategory::Guidance)?;
                Ok((CaseChange::GoalSet(self.outside_goal(goal.clone())), basis))
            }
            CaseChange::ObstacleIdentified(obstacle) => {
                let (_, basis) = by_category(DataCategory::Return)?;
                match self.outside_obstacle(obstacle.clone()) {
                    Some(o) => Ok((CaseChange::ObstacleIdentified(o), basis)),
                    None => Err(self.why_not(DataCategory::MedicalPsychosocial)),
                }
            }
            CaseChange::ObstacleActedOn { obstacle, .. } => {
                let shown = by_category(DataCategory::Return)?;
                let medical = case.obstacle(*obstacle).is_some_and(|o| o.kind == ObstacleKind::MedicalPsychosocial);
                if medical && !self.sees(DataCategory::MedicalPsychosocial) {
                    return Err(self.why_not(DataCategory::MedicalPsychosocial));
                }
                Ok(shown)
            }
            CaseChange::ReintegrationPlanUpdated(plan) => {
                let (_, basis) = by_category(DataCategory::Return)?;
                Ok((CaseChange::ReintegrationPlanUpdated(self.outside_reintegration(plan.clone())), basis))
            }
            CaseChange::SelfRelianceAssessed(assessment) => {
                let (_, basis) = by_category(DataCategory::Guidance)?;
                Ok((CaseChange::SelfRelianceAssessed(self.outside_assessment(assessment.clone())), basis))
            }
            CaseChange::OutflowRecorded(outflow) => {
                let (_, basis) = by_category(DataCategory::Guidance)?;
                match self.outside_outflow(outflow) {
                    Some(o) => Ok((CaseChange::OutflowRecorded(o), basis)),
                    None => Err(self.why_not(DataCategory::MedicalPsychosocial)),
                }
            }
            // Why a level was raised is the foundation's own note.
            CaseChange::ConfidentialitySet { category, from, to, .. } => {
                let (_, basis) = by_category(*category)?;
                let change = CaseChange::ConfidentialitySet {
                    category: *category,
                    from: *from,
                    to: *to,
                    reason: crate::text::Text::parse(crate::case::HIDDEN).expect("the hiding marker is a valid text"),
                };
                Ok((change, basis))
            }
            CaseChange::AgreementSettled { agreement, .. } => {
                let category = case
                    .agreements_with_category()
                    .find(|(a, _)| a.id == *agreement)
                    .map_or(DataCategory::Guidance, |(_, c)| c);
                by_category(category)
            }
            other => by_category(other.category()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::access::{CategorySet, Grant};
    use crate::case::{CaseCommand, CommandContext};
    use crate::contact::{PartnerDomain, ReferralStatus};
    use crate::ids::UserId;
    use crate::text::Text;

    const FOUNDATION: OrganisationId = OrganisationId::from_u128(100);
    const IOM: OrganisationId = OrganisationId::from_u128(101);
    const DTV: OrganisationId = OrganisationId::from_u128(102);
    const POLICY: AccessPolicy = AccessPolicy { foundation: FOUNDATION };

    fn text(s: &str) -> Text {
        Text::parse(s).unwrap()
    }

    fn partner(org: OrganisationId) -> Actor {
        let grant = Grant { categories: CategorySet::EMPTY, max_level: ConfidentialityLevel::ZeerGeheim };
        let grant = DataCategory::ALL.into_iter().fold(grant, |g, c| Grant { categories: g.categories.with(c), ..g });
        Actor { user: UserId::from_u128(9), organisation: org, role: Role::ChainPartner, grant }
    }

    /// A case with a consent for IOM (return), an unsent proposal to DT&V, a referral sent to
    /// IOM with a staff note, and a consent for DT&V; with every event it went through.
    fn case() -> (Case, Vec<CaseEvent>, CommandContext) {
        let worker = UserId::from_u128(1);
        let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
        let register = crate::input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() }
            .into_command(ParticipantId::from_u128(7), worker, ctx.today)
            .unwrap();
        let (mut case, first) = Case::register(register, &ctx).unwrap();
        let mut events = vec![first];
        let consent = |id, org, categories: &[DataCategory]| CaseCommand::GiveConsent {
            id: ConsentId::from_u128(id),
            organisation: org,
            categories: categories.iter().copied().collect(),
            purpose: text("Synthetisch doel"),
            given_on: ctx.today,
        };
        let mut commands = vec![consent(1, IOM, &[DataCategory::Return]), consent(2, DTV, &[DataCategory::Return])];
        for (id, org) in [(1, DTV), (2, IOM)] {
            commands.push(CaseCommand::ProposeReferral {
                id: ReferralId::from_u128(id),
                partner: org,
                domain: PartnerDomain::Return,
                reason: text("CANARY-REDEN"),
                on: None,
            });
        }
        commands.push(CaseCommand::AdvanceReferral {
            referral: ReferralId::from_u128(2),
            to: ReferralStatus::Sent,
            on: ctx.today,
            note: Some(text("CANARY-INTERN")),
            consent_override: None,
        });
        for cmd in commands {
            events.extend(case.execute(cmd, &ctx).unwrap());
        }
        (case, events, ctx)
    }

    #[test]
    fn a_partner_sees_only_its_own_sent_referral_without_the_foundations_notes() {
        let (case, events, ctx) = case();
        let seen = POLICY.decide_visibility(&partner(IOM), &case, ctx.today).unwrap();
        let view = seen.view(&case);
        assert_eq!(view.referrals.keys().copied().collect::<Vec<_>>(), vec![ReferralId::from_u128(2)]);
        let text = format!("{view:?}");
        assert!(!text.contains("CANARY-INTERN"), "{text}");
        assert!(text.contains("CANARY-REDEN"), "the addressee reads the reason it was sent");
        // Only its own consent.
        assert_eq!(view.consents.iter().map(|c| c.organisation).collect::<Vec<_>>(), vec![IOM]);
        // Guidance, legal, medical, criminal, reports, identity: withheld, with reasons.
        let withheld: BTreeSet<_> = view.withheld.iter().map(|w| w.category).collect();
        assert!(withheld.contains(&DataCategory::Guidance) && withheld.contains(&DataCategory::CriminalHistory));
        assert!(!withheld.contains(&DataCategory::Return));

        // The events agree with the file: the proposal to DT&V and DT&V's consent are withheld,
        // IOM's own sent referral shows without the foundation's note.
        let shown: Vec<_> = events.iter().filter_map(|e| seen.event(&case, e).ok().map(|(e, _)| e)).collect();
        let kinds: Vec<_> = shown.iter().map(|e| e.change.kind()).collect();
        assert_eq!(kinds, ["consent_given", "referral_proposed", "referral_advanced"]);
        assert!(!format!("{shown:?}").contains("CANARY-INTERN"));
        assert!(shown.iter().all(|e| match &e.change {
            CaseChange::ReferralProposed(r) => r.partner == IOM,
            CaseChange::ConsentGiven(c) => c.organisation == IOM,
            _ => true,
        }));
        // DT&V sees its consent but not the proposal addressed to it, unsent.
        let dtv = POLICY.decide_visibility(&partner(DTV), &case, ctx.today).unwrap();
        let proposal = events.iter().find(|e| matches!(&e.change, CaseChange::ReferralProposed(r) if r.partner == DTV));
        assert_eq!(dtv.event(&case, proposal.unwrap()).map(|(e, _)| e), Err(DenyReason::NotSent));
        assert!(dtv.view(&case).referrals.is_empty());
    }

    #[test]
    fn the_whole_view_gives_back_the_case() {
        let (case, _, _) = case();
        assert_eq!(CaseView::whole(&case).into_case().unwrap(), case);
    }
}
