//! Retention (GDPR art. 5(1)(e), storage limitation) and erasure (art. 17).
//!
//! A [`RetentionPolicy`] holds a period per [`DataCategory`], counted from the participant's
//! outflow day ([`Case::outflow`]). People without an outflow are still in guidance and never
//! expire. A category has *expired* on the first day on which its period since the outflow has
//! passed in full; the person is *wholly due* when every category has expired. Identity must
//! have the longest period, because erasing identity is erasing the person.
//!
//! What a retention run does with a plan ([`RetentionPlan`]):
//!
//! - categories expired, person not wholly due: the content of those categories is replaced
//!   by [`ERASED`] (`[gewist]`) in the case file ([`Case::redacted`]) and in the events of the
//!   case ([`redact_change`]); structure, dates, statuses and activity codes stay, so the
//!   history and every count keep their shape;
//! - person wholly due: the whole case file goes; what the subsidy accounting counts stays
//!   under a new random id that is linked to nothing (pseudonymisation, done by the store);
//!   the person is taken off chain meetings ([`erase_from_meeting`]) and their attendance of
//!   information sessions moves to the pseudonym ([`pseudonymise_in_session`]).
//!
//! The defaults ([`RetentionPolicy::defaults`]) are placeholders that keep the most sensitive
//! categories (criminal history, medical and psychosocial) the shortest and identity the
//! longest; the foundation's data protection officer sets the real periods.
//!
//! ```
//! use chrono::NaiveDate;
//! use perspectief_core::DataCategory;
//! use perspectief_core::retention::{RetentionPeriod, RetentionPolicy};
//!
//! let policy = RetentionPolicy::defaults()
//!     .with(DataCategory::MedicalPsychosocial, RetentionPeriod::Days(30))
//!     .expect("identity is still the longest");
//! let outflow = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
//! let plan = policy.plan(Some(outflow), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
//! assert!(plan.expired.contains(&DataCategory::MedicalPsychosocial));
//! assert!(!plan.erase_person);
//! // Without an outflow nothing ever expires.
//! assert!(policy.plan(None, NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()).is_empty());
//! // Identity must be the longest period.
//! assert!(policy.with(DataCategory::Identity, RetentionPeriod::Months(1)).is_err());
//! ```

use crate::ViolationCode;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::DataCategory;
use crate::case::{Case, CaseChange};
use crate::error::DomainError;
use crate::ids::ParticipantId;
use crate::meeting::{ChainMeeting, MeetingChange};
use crate::session::{InformationSession, SessionChange};
use crate::text::Text;

/// The marker that replaces erased free text.
pub const ERASED: &str = "[gewist]";

/// The marker as a [`Text`] value.
pub fn erased_text() -> Text {
    Text::parse(ERASED).expect("the erasure marker is a valid text")
}

/// The longest period accepted, in months (a century): beyond it dates would overflow.
pub const MAX_MONTHS: u32 = 1200;

/// A retention period, counted from the outflow day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionPeriod {
    /// Calendar months (a month after 31 January is the last day of February).
    Months(u32),
    /// Days.
    Days(u32),
}

impl RetentionPeriod {
    /// The first day on which data of a person who flowed out on `outflow` has expired: the
    /// outflow day plus the period. `None` when that day lies beyond the calendar.
    pub fn expires_on(self, outflow: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Months(m) => outflow.checked_add_months(Months::new(m)),
            Self::Days(d) => outflow.checked_add_days(Days::new(u64::from(d))),
        }
    }

    /// The shortest span the period can cover, in days (a month is at least 28 days).
    fn min_days(self) -> u64 {
        match self {
            Self::Months(m) => u64::from(m) * 28,
            Self::Days(d) => u64::from(d),
        }
    }

    /// The longest span the period can cover, in days (a month is at most 31 days).
    fn max_days(self) -> u64 {
        match self {
            Self::Months(m) => u64::from(m) * 31,
            Self::Days(d) => u64::from(d),
        }
    }

    /// Whether this period ends on or after `other` for every outflow day.
    fn covers(self, other: Self) -> bool {
        match (self, other) {
            (Self::Months(a), Self::Months(b)) | (Self::Days(a), Self::Days(b)) => a >= b,
            _ => self.min_days() >= other.max_days(),
        }
    }

    fn is_valid(self) -> bool {
        match self {
            Self::Months(m) => (1..=MAX_MONTHS).contains(&m),
            Self::Days(d) => d >= 1 && u64::from(d) <= u64::from(MAX_MONTHS) * 28,
        }
    }
}

impl fmt::Display for RetentionPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Months(m) => write!(f, "{m}m"),
            Self::Days(d) => write!(f, "{d}d"),
        }
    }
}

impl std::str::FromStr for RetentionPeriod {
    type Err = DomainError;

    /// `24m` (months) or `90d` (days).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            DomainError::field("period", ViolationCode::Invalid, "a period is a number of months (24m) or days (90d)")
        };
        let s = s.trim();
        let (number, unit) = s.split_at(s.len().saturating_sub(1));
        let n: u32 = number.parse().map_err(|_| bad())?;
        let period = match unit {
            "m" | "M" => Self::Months(n),
            "d" | "D" => Self::Days(n),
            _ => return Err(bad()),
        };
        if !period.is_valid() {
            return Err(DomainError::field(
                "period",
                ViolationCode::OutOfRange,
                format!("a period is at least one day and at most {MAX_MONTHS} months"),
            ));
        }
        Ok(period)
    }
}

/// A retention period for every data category, counted from the outflow day. Always complete
/// and valid: every period is at least a day and at most [`MAX_MONTHS`] months, and identity's
/// is the longest.
///
/// A trajectory that passed its limit without an outflow ([`crate::trajectory::TRAJECTORY_MONTHS`] after
/// registration) is listed for the lead ([`RetentionPolicy::overdue`]); once its **grace
/// period** after the limit has passed too ([`RetentionPolicy::grace`], default
/// [`DEFAULT_GRACE`]), the periods count from the limit plus the grace period instead of an
/// outflow ([`RetentionPolicy::retention_start`]), so nobody stays forever because an outflow
/// was never recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionPolicy {
    periods: BTreeMap<DataCategory, RetentionPeriod>,
    grace: RetentionPeriod,
}

/// The default grace period after a trajectory's limit before a person without an outflow
/// falls under retention: three months.
pub const DEFAULT_GRACE: RetentionPeriod = RetentionPeriod::Months(3);

impl RetentionPolicy {
    /// The default periods, placeholders until the foundation's DPO sets them: criminal history
    /// 6 months, medical and psychosocial 12 months, legal, guidance, return and reports 24
    /// months, identity (the person as a whole) 24 months.
    pub fn defaults() -> Self {
        use DataCategory as C;
        let periods = [
            (C::CriminalHistory, RetentionPeriod::Months(6)),
            (C::MedicalPsychosocial, RetentionPeriod::Months(12)),
            (C::Legal, RetentionPeriod::Months(24)),
            (C::Guidance, RetentionPeriod::Months(24)),
            (C::Return, RetentionPeriod::Months(24)),
            (C::Reports, RetentionPeriod::Months(24)),
            (C::Identity, RetentionPeriod::Months(24)),
        ];
        Self { periods: periods.into_iter().collect(), grace: DEFAULT_GRACE }
    }

    /// A policy from a period per category; every category must be given. The grace period
    /// is [`DEFAULT_GRACE`] ([`RetentionPolicy::with_grace`] changes it).
    pub fn new(periods: impl IntoIterator<Item = (DataCategory, RetentionPeriod)>) -> Result<Self, DomainError> {
        let policy = Self { periods: periods.into_iter().collect(), grace: DEFAULT_GRACE };
        policy.validate()?;
        Ok(policy)
    }

    /// This policy with one period changed (validated again).
    pub fn with(&self, category: DataCategory, period: RetentionPeriod) -> Result<Self, DomainError> {
        let mut periods = self.periods.clone();
        periods.insert(category, period);
        Ok(Self::new(periods)?.with_grace_unchecked(self.grace))
    }

    /// This policy with another grace period after a trajectory's limit (at least a day, at
    /// most [`MAX_MONTHS`] months; field `retention.grace`).
    pub fn with_grace(&self, grace: RetentionPeriod) -> Result<Self, DomainError> {
        if !grace.is_valid() {
            return Err(DomainError::field(
                "retention.grace",
                ViolationCode::OutOfRange,
                format!("a grace period is at least one day and at most {MAX_MONTHS} months"),
            ));
        }
        Ok(self.clone().with_grace_unchecked(grace))
    }

    fn with_grace_unchecked(mut self, grace: RetentionPeriod) -> Self {
        self.grace = grace;
        self
    }

    /// The grace period after a trajectory's limit (see the type's documentation).
    pub fn grace(&self) -> RetentionPeriod {
        self.grace
    }

    /// The day the retention periods count from: the outflow day, or, without an outflow, the
    /// trajectory's limit (`limit_on`) plus the grace period. `None` only when that day lies
    /// beyond the calendar.
    pub fn retention_start(&self, outflow: Option<NaiveDate>, limit_on: NaiveDate) -> Option<NaiveDate> {
        match outflow {
            Some(day) => Some(day),
            None => self.grace.expires_on(limit_on),
        }
    }

    /// What has expired on `today` for a person who flowed out on `outflow`, or, without an
    /// outflow, whose trajectory's limit was `limit_on` (counted from the limit plus the grace
    /// period, [`RetentionPolicy::retention_start`]).
    pub fn plan_for(&self, outflow: Option<NaiveDate>, limit_on: NaiveDate, today: NaiveDate) -> RetentionPlan {
        self.plan(self.retention_start(outflow, limit_on), today)
    }

    /// A trajectory past its limit on `today` without an outflow, listed for the lead (record
    /// the outflow); `None` when there is an outflow or the limit has not passed (the limit day
    /// itself is still within the trajectory).
    pub fn overdue(
        &self,
        participant: ParticipantId,
        outflow: Option<NaiveDate>,
        limit_on: NaiveDate,
        today: NaiveDate,
    ) -> Option<OverdueTrajectory> {
        if outflow.is_some() || today <= limit_on {
            return None;
        }
        let retention_from = self.retention_start(None, limit_on);
        Some(OverdueTrajectory {
            participant,
            limit_on,
            retention_from,
            under_retention: retention_from.is_some_and(|d| d <= today),
        })
    }

    fn validate(&self) -> Result<(), DomainError> {
        let field = |c: DataCategory| format!("retention.{}", c.as_str());
        for c in DataCategory::ALL {
            let Some(p) = self.periods.get(&c) else {
                return Err(DomainError::field(
                    field(c),
                    ViolationCode::Required,
                    "every data category needs a retention period",
                ));
            };
            if !p.is_valid() {
                return Err(DomainError::field(
                    field(c),
                    ViolationCode::OutOfRange,
                    format!("a period is at least one day and at most {MAX_MONTHS} months"),
                ));
            }
        }
        let identity = self.period(DataCategory::Identity);
        for c in DataCategory::ALL {
            if !identity.covers(self.period(c)) {
                return Err(DomainError::field(
                    field(DataCategory::Identity),
                    ViolationCode::ShorterThanCategory,
                    format!(
                        "identity is kept longest (erasing it erases the person): it is shorter than {}",
                        c.as_str()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The period of a category.
    pub fn period(&self, category: DataCategory) -> RetentionPeriod {
        // Always present: checked on construction.
        self.periods.get(&category).copied().unwrap_or(RetentionPeriod::Months(MAX_MONTHS))
    }

    /// The periods, per category.
    pub fn periods(&self) -> impl Iterator<Item = (DataCategory, RetentionPeriod)> + '_ {
        self.periods.iter().map(|(c, p)| (*c, *p))
    }

    /// What has expired on `today` for a person who flowed out on `outflow` (`None`: no
    /// outflow, nothing expires).
    pub fn plan(&self, outflow: Option<NaiveDate>, today: NaiveDate) -> RetentionPlan {
        let Some(outflow) = outflow else { return RetentionPlan::default() };
        let expired: BTreeSet<DataCategory> = DataCategory::ALL
            .into_iter()
            .filter(|c| self.period(*c).expires_on(outflow).is_some_and(|day| day <= today))
            .collect();
        let erase_person = expired.len() == DataCategory::ALL.len();
        RetentionPlan { expired, erase_person }
    }

    /// What has expired on `today` for this case ([`RetentionPolicy::plan_for`]).
    pub fn plan_case(&self, case: &Case, today: NaiveDate) -> RetentionPlan {
        self.plan_for(case.outflow().map(|o| o.on), case.trajectory().limit(), today)
    }
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self::defaults()
    }
}

/// What a retention run is to do for one person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPlan {
    /// The categories whose period has passed.
    pub expired: BTreeSet<DataCategory>,
    /// Every category has expired: the person as a whole is erased.
    pub erase_person: bool,
}

impl RetentionPlan {
    /// Nothing to do.
    pub fn is_empty(&self) -> bool {
        self.expired.is_empty()
    }

    /// Both plans together (a category expired in either; the person due in either).
    pub fn merge(&self, other: &RetentionPlan) -> RetentionPlan {
        let expired: BTreeSet<DataCategory> = self.expired.union(&other.expired).copied().collect();
        let erase_person = self.erase_person || other.erase_person || expired.len() == DataCategory::ALL.len();
        RetentionPlan { expired, erase_person }
    }
}

/// What a retention run erased (or, in a dry run, would erase): ids and categories only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionReport {
    /// The day the periods were counted to.
    pub day: Option<NaiveDate>,
    /// Nothing was changed: the report says what would be erased.
    pub dry_run: bool,
    /// Per participant with expired categories, in id order.
    pub participants: Vec<ParticipantRetention>,
    /// The managed backups processed (or, in a dry run, that would be), by file name.
    pub backups: Vec<String>,
    /// People with something expired who were skipped because a legal hold is set on them.
    #[serde(default)]
    pub held: Vec<ParticipantId>,
    /// Trajectories past their limit without an outflow, in id order: the lead records the
    /// outflow; once the grace period has passed the retention periods count from the limit
    /// plus the grace period.
    #[serde(default)]
    pub overdue: Vec<OverdueTrajectory>,
}

/// A trajectory past its limit without an outflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueTrajectory {
    /// The participant.
    pub participant: ParticipantId,
    /// The trajectory's limit.
    pub limit_on: NaiveDate,
    /// The day the retention periods count from (the limit plus the grace period).
    pub retention_from: Option<NaiveDate>,
    /// Whether that day has come: the person is under retention now.
    pub under_retention: bool,
}

/// The retention of one participant: which categories expired, whether the person as a whole
/// was erased (their case file gone, their counts kept under an unlinked pseudonym).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantRetention {
    /// The participant (their id as it was; after erasure it names nothing stored).
    pub participant: ParticipantId,
    /// The categories whose content was (or would be) erased.
    pub categories: BTreeSet<DataCategory>,
    /// The person as a whole was (or would be) erased.
    pub erase_person: bool,
}

/// Replace a text by the marker.
pub(crate) fn mask(marker: &Text, t: &mut Text) {
    *t = marker.clone();
}

/// Replace a text that is there by the marker.
pub(crate) fn mask_opt(marker: &Text, t: &mut Option<Text>) {
    if t.is_some() {
        *t = Some(marker.clone());
    }
}

/// The change with the content of the `expired` categories replaced by [`ERASED`]: the
/// change's kind, dates, ids, statuses and activity codes stay. A change of a category that
/// has not expired comes back unchanged; identity (registration, profile) is only erased with
/// the whole person, so it is never redacted here.
pub fn redact_change(change: &CaseChange, expired: &BTreeSet<DataCategory>) -> CaseChange {
    mask_change(change, expired, &erased_text())
}

/// The change with the content of the `categories` replaced by `marker` (see
/// [`redact_change`]; [`CaseChange::hidden`] uses it with the marker for hidden content).
pub(crate) fn mask_change(change: &CaseChange, categories: &BTreeSet<DataCategory>, marker: &Text) -> CaseChange {
    let mut c = change.clone();
    if !categories.contains(&change.category()) {
        return c;
    }
    match &mut c {
        CaseChange::Registered { .. }
        | CaseChange::ProfileUpdated { .. }
        | CaseChange::ProjectWorkerAssigned { .. }
        | CaseChange::PlanAgreed { .. }
        | CaseChange::GoalStatusChanged { .. }
        | CaseChange::AgreementSettled { .. }
        | CaseChange::ReanChecklistUpdated(_)
        | CaseChange::DeparturePlanned { .. }
        | CaseChange::JudgmentCommunicated { .. }
        | CaseChange::ConsequencesExplained { .. }
        | CaseChange::SelfRelianceAssessed(_)
        | CaseChange::ConsentWithdrawn { .. }
        | CaseChange::ProgressReportSent(_)
        | CaseChange::ReportingScheduleSet { .. }
        | CaseChange::ChainMeetingRecorded(_) => {}
        CaseChange::PhaseChanged { reason, .. } => mask_opt(marker, reason),
        CaseChange::DirectionChanged(d) => mask(marker, &mut d.reasoning),
        CaseChange::ReturnStanceRecorded { note, .. } => mask_opt(marker, note),
        CaseChange::PlanRevised(r) => {
            mask(marker, &mut r.personal_situation);
            mask(marker, &mut r.perspective);
        }
        CaseChange::GoalSet(g) => {
            mask(marker, &mut g.description);
            mask_opt(marker, &mut g.rationale);
            mask_opt(marker, &mut g.next_steps);
        }
        CaseChange::GoalStepsUpdated { next_steps, .. } => mask(marker, next_steps),
        CaseChange::ContactLogged { contact, .. } => mask(marker, &mut contact.summary),
        CaseChange::AgreementMade { agreement, .. } => mask(marker, &mut agreement.description),
        CaseChange::ReferralProposed(r) => {
            mask(marker, &mut r.reason);
            r.history.iter_mut().for_each(|s| mask_opt(marker, &mut s.note));
        }
        CaseChange::ReferralAdvanced { step, consent_override, .. } => {
            mask_opt(marker, &mut step.note);
            mask_opt(marker, consent_override);
        }
        CaseChange::ReturnExplorationStarted(x) => {
            mask_opt(marker, &mut x.motivation);
            mask_opt(marker, &mut x.documents);
            mask_opt(marker, &mut x.family_contact);
            mask_opt(marker, &mut x.prospects);
        }
        CaseChange::ReturnExplorationUpdated { findings, .. } => {
            mask_opt(marker, &mut findings.motivation);
            mask_opt(marker, &mut findings.documents);
            mask_opt(marker, &mut findings.family_contact);
            mask_opt(marker, &mut findings.prospects);
        }
        CaseChange::ObstacleIdentified(o) => {
            mask(marker, &mut o.description);
            o.actions.iter_mut().for_each(|a| mask(marker, &mut a.description));
        }
        CaseChange::ObstacleActedOn { action, .. } => mask(marker, &mut action.description),
        CaseChange::ReintegrationPlanUpdated(p) => {
            mask_opt(marker, &mut p.housing);
            mask_opt(marker, &mut p.income_work);
            mask_opt(marker, &mut p.business_plan);
            mask_opt(marker, &mut p.care);
            mask_opt(marker, &mut p.contacts_abroad);
        }
        CaseChange::DepartureStepRecorded(s) => mask(marker, &mut s.note),
        CaseChange::JudgmentRecorded(j) => mask(marker, &mut j.reasoning),
        CaseChange::ConsentGiven(c) => mask(marker, &mut c.purpose),
        CaseChange::OutflowRecorded(o) => mask_opt(marker, &mut o.note),
        CaseChange::ConfidentialitySet { reason, .. } => mask(marker, reason),
    }
    c
}

/// Whether `actor` may run the retention at all: erase every category of the case data of a
/// person who is not theirs to guide (asked of the access policy, action `erase`, for a
/// stand-in person). Each person's erasure is authorised again on their own case.
pub fn decide_retention(
    policy: &crate::access::AccessPolicy,
    actor: &crate::access::Actor,
    today: NaiveDate,
) -> Result<crate::access::Basis, DomainError> {
    use crate::access::{Action, CaseLevels, ParticipantScope, Resource};
    let scope = ParticipantScope {
        participant: ParticipantId::from_u128(0),
        project_worker: crate::ids::UserId::from_u128(0),
        consents: &[],
        levels: CaseLevels::DEFAULT,
    };
    let mut basis = None;
    for category in DataCategory::ALL {
        let b = policy.decide(actor, Action::Erase, &Resource::CaseData { scope, category }, today).into_result()?;
        basis.get_or_insert(b);
    }
    basis.ok_or_else(|| DomainError::field("categories", ViolationCode::Empty, "there are no data categories"))
}

/// The meeting without the person: their item (why they were on the agenda, what was supplied
/// and decided, any termination advice) is removed. Their events in the meeting's history are
/// to be removed with it ([`MeetingChange::participant`] names them).
pub fn erase_from_meeting(meeting: &ChainMeeting, participant: ParticipantId) -> ChainMeeting {
    let mut parts = meeting.clone().into_parts();
    parts.items.retain(|i| i.participant != participant);
    ChainMeeting::from_parts(parts)
}

/// Whether a meeting change concerns the person (and goes with their erasure).
pub fn meeting_change_concerns(change: &MeetingChange, participant: ParticipantId) -> bool {
    change.participant() == Some(participant)
}

/// The session with the person's attendance moved to `pseudonym`, so the session's figures
/// (and the subsidy report's) stay while the attendance no longer names the person.
pub fn pseudonymise_in_session(
    session: &InformationSession,
    participant: ParticipantId,
    pseudonym: ParticipantId,
) -> InformationSession {
    let mut parts = session.clone().into_parts();
    if parts.attendees.remove(&participant) {
        parts.attendees.insert(pseudonym);
    }
    InformationSession::from_parts(parts)
}

/// A session change with the person replaced by `pseudonym` (attendance registered or removed).
pub fn pseudonymise_session_change(
    change: &SessionChange,
    participant: ParticipantId,
    pseudonym: ParticipantId,
) -> SessionChange {
    match change {
        SessionChange::AttendanceRegistered { participant: p } if *p == participant => {
            SessionChange::AttendanceRegistered { participant: pseudonym }
        }
        SessionChange::AttendanceRemoved { participant: p } if *p == participant => {
            SessionChange::AttendanceRemoved { participant: pseudonym }
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_category_expires_on_the_day_its_period_has_passed_and_never_without_outflow() {
        let policy = RetentionPolicy::defaults();
        let out = day(2026, 1, 31);
        // Criminal history: 6 months → 31 July.
        assert!(policy.plan(Some(out), day(2026, 7, 30)).expired.is_empty());
        let plan = policy.plan(Some(out), day(2026, 7, 31));
        assert_eq!(plan.expired, [DataCategory::CriminalHistory].into());
        assert!(!plan.erase_person);
        let plan = policy.plan(Some(out), day(2027, 1, 31));
        assert_eq!(plan.expired, [DataCategory::CriminalHistory, DataCategory::MedicalPsychosocial].into());
        let plan = policy.plan(Some(out), day(2028, 1, 31));
        assert_eq!(plan.expired.len(), DataCategory::ALL.len());
        assert!(plan.erase_person);
        assert!(policy.plan(None, day(2200, 1, 1)).is_empty());
        // A month after 31 January ends on the last of February.
        assert_eq!(RetentionPeriod::Months(1).expires_on(out), Some(day(2026, 2, 28)));
        assert_eq!(RetentionPeriod::Days(1).expires_on(out), Some(day(2026, 2, 1)));
    }

    #[test]
    fn identity_must_be_longest_and_every_category_is_needed() {
        let p = RetentionPolicy::defaults();
        let err = p.with(DataCategory::Legal, RetentionPeriod::Months(25)).unwrap_err();
        let DomainError::InvalidInput(v) = err else { panic!("invalid input expected") };
        assert_eq!(v.0[0].field, "retention.identity");
        assert_eq!(v.0[0].code, crate::ViolationCode::ShorterThanCategory);
        // Mixed units: 730 days covers 24 months only when it is certainly longer.
        assert!(p.with(DataCategory::Identity, RetentionPeriod::Days(700)).is_err());
        assert!(p.with(DataCategory::Identity, RetentionPeriod::Days(744)).is_ok());
        assert!(p.with(DataCategory::Legal, RetentionPeriod::Days(0)).is_err());
        let missing = RetentionPolicy::new([(DataCategory::Identity, RetentionPeriod::Months(1))]).unwrap_err();
        let DomainError::InvalidInput(v) = missing else { panic!("invalid input expected") };
        assert_eq!(v.0[0].code, crate::ViolationCode::Required);
    }

    #[test]
    fn a_trajectory_without_outflow_is_overdue_after_its_limit_and_under_retention_after_the_grace() {
        let policy = RetentionPolicy::defaults();
        let p = ParticipantId::from_u128(7);
        let limit = day(2027, 9, 1);
        // The limit day itself is still within the trajectory; the day after it is overdue.
        assert_eq!(policy.overdue(p, None, limit, day(2027, 9, 1)), None);
        let o = policy.overdue(p, None, limit, day(2027, 9, 2)).unwrap();
        assert_eq!(o.retention_from, Some(day(2027, 12, 1)));
        assert!(!o.under_retention);
        // Under retention from the limit plus three months, not the day before.
        assert!(!policy.overdue(p, None, limit, day(2027, 11, 30)).unwrap().under_retention);
        assert!(policy.overdue(p, None, limit, day(2027, 12, 1)).unwrap().under_retention);
        // An outflow ends it, even a late one.
        assert_eq!(policy.overdue(p, Some(day(2027, 10, 1)), limit, day(2028, 1, 1)), None);
        // The periods count from 1 December 2027: criminal history (6 months) on 1 June 2028.
        assert!(policy.plan_for(None, limit, day(2028, 5, 31)).is_empty());
        assert_eq!(policy.plan_for(None, limit, day(2028, 6, 1)).expired, [DataCategory::CriminalHistory].into());
        assert!(!policy.plan_for(None, limit, day(2029, 11, 30)).erase_person);
        assert!(policy.plan_for(None, limit, day(2029, 12, 1)).erase_person);
        // With an outflow the outflow counts, whatever the limit.
        assert_eq!(policy.plan_for(Some(day(2026, 1, 31)), limit, day(2026, 7, 31)).expired.len(), 1);
        // The grace period is configurable and checked.
        let short = policy.with_grace(RetentionPeriod::Days(10)).unwrap();
        assert_eq!(short.retention_start(None, limit), Some(day(2027, 9, 11)));
        assert_eq!(short.with(DataCategory::Legal, RetentionPeriod::Months(12)).unwrap().grace(), short.grace());
        let DomainError::InvalidInput(v) = policy.with_grace(RetentionPeriod::Days(0)).unwrap_err() else {
            panic!("invalid input expected")
        };
        assert_eq!(v.0[0].field, "retention.grace");
    }

    #[test]
    fn periods_parse_from_text() {
        assert_eq!("24m".parse::<RetentionPeriod>().unwrap(), RetentionPeriod::Months(24));
        assert_eq!("90d".parse::<RetentionPeriod>().unwrap(), RetentionPeriod::Days(90));
        assert!("0d".parse::<RetentionPeriod>().is_err());
        assert!("12".parse::<RetentionPeriod>().is_err());
        assert!("xm".parse::<RetentionPeriod>().is_err());
        assert!("1201m".parse::<RetentionPeriod>().is_err());
        assert_eq!(RetentionPeriod::Months(24).to_string(), "24m");
    }
}
