//! The agenda of a chain-partner meeting (*ketenoverleg*, 3.2.f/g): every person to discuss,
//! with the reasons, and the previous meeting's decisions.
//!
//! The reasons, for a meeting on day `D` (parameters in [`AgendaQuery`]):
//!
//! | reason | when |
//! |---|---|
//! | [`AgendaReason::DeadlinePassed`] | a goal still pursued or an open agreement is past its deadline on `D` |
//! | [`AgendaReason::NoContact`] | no contact for more than `no_contact_days` on `D` (since registration when there was none) |
//! | [`AgendaReason::LimitApproaching`] | the 18-month limit lies within `limit_lead_weeks` of `D`, or has passed |
//! | [`AgendaReason::JudgmentPendingOrChanged`] | the latest return judgment is provisional, or a judgment was formed since the previous meeting (within `changed_within_days` of `D` when there was none) |
//! | [`AgendaReason::ObstacleStalled`] | a return obstacle still open had no action for more than `obstacle_stalled_days` |
//! | [`AgendaReason::TerminationAdviceDue`] | the trajectory is in the termination phase, or past its limit, and no advice on ending it awaits the chain's decision from the previous meeting |
//! | [`AgendaReason::GoalDueSoon`] | a goal still pursued has its deadline within `due_within_days` of `D` ([`Case::goals_due_within`]) |
//! | [`AgendaReason::JudgmentNotCommunicated`] | a final judgment has not reached the person, the municipality or a partner referred to by `D` ([`Case::uncommunicated_judgments`]) |
//! | [`AgendaReason::ProgressReportDue`] | a progress report is due within `due_within_days` of `D`, or overdue ([`Case::progress_report_due`]) |
//! | [`AgendaReason::PastLimitWithoutAdvice`] | the limit passed before `D` and no chain meeting was ever advised on ending the trajectory ([`Case::past_limit_without_advice`]) |
//!
//! Only active trajectories (no outflow) are considered.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::ids::{MeetingId, ParticipantId, UserId};
use crate::meeting::{AgendaReason, ChainMeeting, TerminationAdvice};
use crate::returns::Finality;
use crate::trajectory::{LimitStatus, Phase};

/// What an agenda is for and its thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaQuery {
    /// The meeting's day.
    pub meeting_date: NaiveDate,
    /// Flag people without contact for more than this many days.
    pub no_contact_days: u32,
    /// Flag trajectories whose limit lies within this many weeks.
    pub limit_lead_weeks: u32,
    /// Flag open obstacles without action for more than this many days.
    pub obstacle_stalled_days: u32,
    /// Without a previous meeting, a judgment formed within this many days counts as changed.
    pub changed_within_days: u32,
    /// Flag goals and progress reports due within this many days (two weeks: until the next
    /// meeting).
    #[serde(default = "default_due_within_days")]
    pub due_within_days: u32,
}

fn default_due_within_days() -> u32 {
    14
}

impl AgendaQuery {
    /// The defaults for a meeting day: three weeks without contact, twelve weeks before the
    /// limit, four weeks without progress on an obstacle, two weeks (the meeting's rhythm)
    /// for a new judgment.
    pub fn for_meeting(meeting_date: NaiveDate) -> Self {
        Self {
            meeting_date,
            no_contact_days: 21,
            limit_lead_weeks: 12,
            obstacle_stalled_days: 28,
            changed_within_days: 14,
            due_within_days: default_due_within_days(),
        }
    }
}

/// One person on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaEntry {
    /// Who.
    pub participant: ParticipantId,
    /// Their project worker.
    pub project_worker: UserId,
    /// Why (at least one), in the order of the table above.
    pub reasons: Vec<AgendaReason>,
}

/// What the previous meeting decided about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousDecision {
    /// Who.
    pub participant: ParticipantId,
    /// The decision recorded in the discussion.
    pub decision: Option<String>,
    /// The termination advice, with the chain's decision and the talk, if one was given.
    pub termination: Option<TerminationAdvice>,
}

/// The agenda of a chain-partner meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingAgenda {
    /// The meeting's day.
    pub meeting_date: NaiveDate,
    /// The previous meeting (before that day), if there was one.
    pub previous_meeting: Option<(MeetingId, NaiveDate)>,
    /// The persons to discuss, by participant id.
    pub entries: Vec<AgendaEntry>,
    /// The previous meeting's decisions and advice, by participant id.
    pub previous_decisions: Vec<PreviousDecision>,
}

/// The reasons to discuss a person, empty when there are none.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use perspectief_core::report::{agenda_reasons, AgendaQuery};
/// use perspectief_core::*;
/// let worker = UserId::from_u128(1);
/// let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap());
/// let input = input::RegisterParticipantInput { given_names: "Sara".into(), ..Default::default() };
/// let (case, _) = Case::register(input.into_command(ParticipantId::from_u128(7), worker, ctx.today).unwrap(), &ctx).unwrap();
/// // No contact since registration, six weeks before the meeting.
/// let meeting = NaiveDate::from_ymd_opt(2026, 2, 16).unwrap();
/// let reasons = agenda_reasons(&case, &AgendaQuery::for_meeting(meeting), None);
/// assert_eq!(reasons, vec![AgendaReason::NoContact { days: 42 }]);
/// ```
pub fn agenda_reasons(case: &Case, q: &AgendaQuery, previous: Option<&ChainMeeting>) -> Vec<AgendaReason> {
    let d = q.meeting_date;
    let mut reasons = vec![];
    if !case.is_active() {
        return reasons;
    }
    if case.overdue_goals(d).next().is_some() || case.overdue_agreements(d).next().is_some() {
        reasons.push(AgendaReason::DeadlinePassed);
    }
    let days = case.days_without_contact(d);
    if days > i64::from(q.no_contact_days) {
        reasons.push(AgendaReason::NoContact { days });
    }
    let lead = q.limit_lead_weeks.saturating_mul(7);
    let limit = case.limit_status(d, lead);
    match limit {
        Some(LimitStatus::Approaching { days_left }) => reasons.push(AgendaReason::LimitApproaching { days_left }),
        Some(LimitStatus::Exceeded { days_over }) => {
            reasons.push(AgendaReason::LimitApproaching { days_left: -days_over })
        }
        _ => {}
    }
    let since = match previous {
        Some(m) => m.date(),
        None => d - chrono::Duration::days(i64::from(q.changed_within_days)),
    };
    let judgments = case.judgments();
    let provisional = judgments.last().is_some_and(|j| j.finality == Finality::Provisional);
    let new = judgments.iter().any(|j| j.formed_on > since && j.formed_on <= d);
    if provisional || new {
        reasons.push(AgendaReason::JudgmentPendingOrChanged);
    }
    if case.stalled_obstacles(d, q.obstacle_stalled_days).next().is_some() {
        reasons.push(AgendaReason::ObstacleStalled);
    }
    let awaiting = previous.is_some_and(|m| {
        m.items().any(|i| i.participant == case.id() && i.termination.as_ref().is_some_and(|t| t.decision.is_none()))
    });
    let due = case.phase() == Phase::Termination || matches!(limit, Some(LimitStatus::Exceeded { .. }));
    if due && !awaiting {
        reasons.push(AgendaReason::TerminationAdviceDue);
    }
    if case.goals_due_within(d, q.due_within_days).next().is_some() {
        reasons.push(AgendaReason::GoalDueSoon);
    }
    if !case.uncommunicated_judgments(d).is_empty() {
        reasons.push(AgendaReason::JudgmentNotCommunicated);
    }
    if case.progress_report_due(d, q.due_within_days).is_some() {
        reasons.push(AgendaReason::ProgressReportDue);
    }
    if let Some(limit) = case.past_limit_without_advice(d) {
        reasons.push(AgendaReason::PastLimitWithoutAdvice { days_over: (d - limit).num_days() });
    }
    reasons
}

impl MeetingAgenda {
    /// Build the agenda from the active cases and the previous meeting.
    pub fn build<'a>(
        cases: impl IntoIterator<Item = &'a Case>,
        q: &AgendaQuery,
        previous: Option<&ChainMeeting>,
    ) -> MeetingAgenda {
        let mut entries: Vec<AgendaEntry> = cases
            .into_iter()
            .filter_map(|c| {
                let reasons = agenda_reasons(c, q, previous);
                (!reasons.is_empty()).then(|| AgendaEntry {
                    participant: c.id(),
                    project_worker: c.profile().project_worker,
                    reasons,
                })
            })
            .collect();
        entries.sort_by_key(|e| e.participant);
        let previous_decisions = previous
            .map(|m| {
                m.items()
                    .filter(|i| i.decision.is_some() || i.termination.is_some())
                    .map(|i| PreviousDecision {
                        participant: i.participant,
                        decision: i.decision.as_ref().map(ToString::to_string),
                        termination: i.termination.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        MeetingAgenda {
            meeting_date: q.meeting_date,
            previous_meeting: previous.map(|m| (m.id(), m.date())),
            entries,
            previous_decisions,
        }
    }
}
