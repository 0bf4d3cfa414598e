//! The trajectory: at most 18 months from registration to a durable perspective, moving through
//! phases along legal edges only.

use std::fmt;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// The maximum length of a trajectory (*maximaal anderhalf jaar*).
pub const TRAJECTORY_MONTHS: u32 = 18;

/// The phase of a trajectory.
///
/// ```text
///   Intake ──► Orientation ──► PlanExecution ──► Termination
///                  ▲  │            │  ▲              │
///                  │  │            │  └──(continue)──┤
///                  │  └────────────┼─────────────────►  (no cooperation on a plan)
///                  └─(reorient)────┴─────────────────┘  (continue without a plan)
///   every phase but Closed ──(outflow)──► Closed
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Registered with the foundation; first contacts (*aanmelding en intake*).
    Intake,
    /// Future-orientation talks, toward a plan (*toekomstoriëntatie*).
    Orientation,
    /// The agreed perspective plan is being carried out (*uitvoering perspectiefplan*).
    PlanExecution,
    /// Ending guidance is being proposed or prepared (*afronding, voordragen beëindiging*).
    Termination,
    /// The trajectory ended with an outflow (*uitgestroomd*). Final.
    Closed,
}

impl Phase {
    /// All phases.
    pub const ALL: [Phase; 5] = [Self::Intake, Self::Orientation, Self::PlanExecution, Self::Termination, Self::Closed];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::Orientation => "orientation",
            Self::PlanExecution => "plan_execution",
            Self::Termination => "termination",
            Self::Closed => "closed",
        }
    }

    /// Dutch name for staff.
    pub const fn dutch_name(self) -> &'static str {
        match self {
            Self::Intake => "Intake",
            Self::Orientation => "Toekomstoriëntatie",
            Self::PlanExecution => "Uitvoering perspectiefplan",
            Self::Termination => "Afronding",
            Self::Closed => "Uitgestroomd",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a transition is triggered: some only by a specific domain action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A staff member moves the phase explicitly, with a reason.
    Explicit,
    /// The participant agreed a perspective plan.
    PlanAgreed,
    /// An orientation talk (5.2.a(2)) was logged.
    OrientationTalk,
    /// An outflow was recorded.
    Outflow,
}

/// Check a phase transition: `Ok(())` along a legal edge, otherwise an error that names the
/// transition and says why it is not allowed.
///
/// ```
/// use perspectief_core::trajectory::{check_transition, Phase, Trigger};
/// assert!(check_transition(Phase::Intake, Phase::Orientation, Trigger::Explicit).is_ok());
/// let err = check_transition(Phase::Intake, Phase::Termination, Trigger::Explicit).unwrap_err();
/// assert_eq!(err.code(), "illegal_phase_transition");
/// ```
pub fn check_transition(from: Phase, to: Phase, trigger: Trigger) -> Result<(), DomainError> {
    use Phase::*;
    let reason = match (from, to) {
        (Closed, _) => Some("the trajectory has ended; a new registration starts a new trajectory"),
        (_, Closed) if trigger != Trigger::Outflow => Some("a trajectory is closed only by recording its outflow"),
        (_, Closed) => None,
        (a, b) if a == b => Some("the trajectory is already in this phase"),
        (Intake, Orientation) => None,
        (Intake | Orientation, PlanExecution) if trigger == Trigger::PlanAgreed => None,
        (Intake | Orientation, PlanExecution) => {
            Some("plan execution starts when the participant agrees a perspective plan")
        }
        (PlanExecution, Orientation) => None,
        // Termination is advised for people working on a plan, and also for people who never
        // cooperate on one (3.2.g); if the chain meeting decides to continue, guidance resumes
        // where it was.
        (PlanExecution | Orientation, Termination) => None,
        (Termination, PlanExecution | Orientation) => None,
        (Intake, Termination) => Some("termination is advised only after orientation talks have taken place"),
        (_, Intake) => Some("a trajectory never returns to intake"),
        _ => Some("no such step in the trajectory"),
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(DomainError::IllegalPhaseTransition { from, to, reason: reason.into() }),
    }
}

/// Where a trajectory stands against its 18-month limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LimitStatus {
    /// More than the warning lead time left.
    WithinLimit {
        /// Days until the limit (the limit day itself counts as 0).
        days_left: i64,
    },
    /// Within the warning lead time: the chain meeting should discuss the person.
    Approaching {
        /// Days until the limit.
        days_left: i64,
    },
    /// The limit has passed.
    Exceeded {
        /// Days past the limit.
        days_over: i64,
    },
}

/// The trajectory's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrajectoryDates {
    /// Registration: the start of the trajectory.
    pub started_on: NaiveDate,
}

impl TrajectoryDates {
    /// The last day of the trajectory: the day before the same date 18 calendar months later,
    /// so the trajectory lasts exactly 18 months, start day included (a date that does not
    /// exist in the later month is clamped to its end first).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::trajectory::TrajectoryDates;
    /// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    /// assert_eq!(TrajectoryDates { started_on: d(2026, 3, 2) }.limit(), d(2027, 9, 1));
    /// assert_eq!(TrajectoryDates { started_on: d(2026, 8, 31) }.limit(), d(2028, 2, 28));
    /// ```
    pub fn limit(&self) -> NaiveDate {
        self.started_on
            .checked_add_months(Months::new(TRAJECTORY_MONTHS))
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// Where the trajectory stands on `today`, warning `lead_days` before the limit.
    pub fn limit_status(&self, today: NaiveDate, lead_days: u32) -> LimitStatus {
        let days_left = (self.limit() - today).num_days();
        if days_left < 0 {
            LimitStatus::Exceeded { days_over: -days_left }
        } else if days_left <= i64::from(lead_days) {
            LimitStatus::Approaching { days_left }
        } else {
            LimitStatus::WithinLimit { days_left }
        }
    }
}

/// The default warning lead time: twelve weeks, so that at least six biweekly chain meetings
/// can discuss the person before the limit.
pub const DEFAULT_LIMIT_WARNING_DAYS: u32 = 84;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legal_edges_and_only_those() {
        use Phase::*;
        let legal_explicit = [
            (Intake, Orientation),
            (PlanExecution, Orientation),
            (PlanExecution, Termination),
            (Orientation, Termination),
            (Termination, PlanExecution),
            (Termination, Orientation),
        ];
        for from in Phase::ALL {
            for to in Phase::ALL {
                let ok = check_transition(from, to, Trigger::Explicit).is_ok();
                assert_eq!(ok, legal_explicit.contains(&(from, to)), "{from} -> {to}");
            }
        }
        assert!(check_transition(Orientation, PlanExecution, Trigger::PlanAgreed).is_ok());
        assert!(check_transition(Intake, PlanExecution, Trigger::PlanAgreed).is_ok());
        for from in [Intake, Orientation, PlanExecution, Termination] {
            assert!(check_transition(from, Closed, Trigger::Outflow).is_ok());
        }
        assert!(check_transition(Closed, Closed, Trigger::Outflow).is_err());
    }

    #[test]
    fn an_illegal_transition_names_both_phases_and_the_reason() {
        let err = check_transition(Phase::Intake, Phase::Termination, Trigger::Explicit).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("intake") && text.contains("termination") && text.contains("after orientation talks"),
            "{text}"
        );
    }

    #[test]
    fn the_limit_is_eighteen_months_and_warns_ahead() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let t = TrajectoryDates { started_on: d(2026, 1, 15) };
        assert_eq!(t.limit(), d(2027, 7, 14));
        assert_eq!(t.limit_status(d(2027, 1, 1), 84), LimitStatus::WithinLimit { days_left: 194 });
        assert_eq!(t.limit_status(d(2027, 4, 21), 84), LimitStatus::Approaching { days_left: 84 });
        assert_eq!(t.limit_status(d(2027, 4, 20), 84), LimitStatus::WithinLimit { days_left: 85 });
        assert_eq!(t.limit_status(d(2027, 7, 14), 84), LimitStatus::Approaching { days_left: 0 });
        assert_eq!(t.limit_status(d(2027, 7, 15), 84), LimitStatus::Exceeded { days_over: 1 });
    }
}
