//! The perspective plan (*perspectiefplan*): its direction, its revisions, goals and agreements.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, EntityKind};
use crate::ids::{AgreementId, ContactId, GoalId, OrganisationId, UserId};
use crate::text::Text;

/// The direction of the plan: where the person is working toward (the dual track).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Not decided yet (*nog onbepaald*).
    Undecided,
    /// A (new) legal procedure in the Netherlands (*juridische procedure in Nederland*).
    LegalProcedureNl,
    /// Return to the country of origin (*terugkeer naar land van herkomst*).
    ReturnToOrigin,
    /// Departure to a third country (*vertrek naar derde land*).
    ThirdCountry,
}

impl Direction {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Undecided => "undecided",
            Self::LegalProcedureNl => "legal_procedure_nl",
            Self::ReturnToOrigin => "return_to_origin",
            Self::ThirdCountry => "third_country",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change of direction, dated and reasoned (the history of the dual track).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectionChange {
    /// Previous direction.
    pub from: Direction,
    /// New direction.
    pub to: Direction,
    /// When it was decided.
    pub on: NaiveDate,
    /// Why.
    pub reasoning: Text,
    /// Who recorded it.
    pub by: UserId,
}

/// Where the person stands on return, as said in orientation talks. It gates the return track:
/// exploration needs at least [`ReturnStance::Considering`], obstacle removal needs
/// [`ReturnStance::Decided`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStance {
    /// Not discussed yet.
    NotDiscussed,
    /// The person does not consider return.
    NotConsidering,
    /// The person said they consider return (*geeft aan na te denken over terugkeer*).
    Considering,
    /// The person decided to return independently (*besluit zelfstandig terug te keren*).
    Decided,
}

impl ReturnStance {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotDiscussed => "not_discussed",
            Self::NotConsidering => "not_considering",
            Self::Considering => "considering",
            Self::Decided => "decided",
        }
    }
}

/// One revision of the perspective plan. The plan is kept current (3.2.c), so every change is
/// a new revision; the person agrees to a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "stored::PlanRevision")]
pub struct PlanRevision {
    /// 1 for the first plan, then 2, 3, ...
    pub number: u32,
    /// The direction at the time of this revision.
    pub direction: Direction,
    /// The personal situation (*persoonlijke situatie*).
    pub personal_situation: Text,
    /// The perspective and the steps toward it, in the plan's words.
    pub perspective: Text,
    /// The day it was drawn up (its effective date, which rules and reports go by).
    pub drawn_up_on: NaiveDate,
    /// When it was recorded.
    pub drawn_up_at: DateTime<Utc>,
    /// Who drew it up.
    pub drawn_up_by: UserId,
    /// When the participant agreed to it, if they did.
    pub agreed_on: Option<NaiveDate>,
}

/// Who is responsible for a goal or must act on an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Responsible {
    /// The participant themself (self-reliance, 5.2.d).
    Participant,
    /// A staff member.
    Staff(UserId),
    /// A chain partner.
    Partner(OrganisationId),
}

/// The status of a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Set, not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Achieved. Final.
    Achieved,
    /// The deadline passed without the goal being achieved; can be rescheduled.
    Missed,
    /// No longer pursued. Final.
    Dropped,
}

impl GoalStatus {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Achieved => "achieved",
            Self::Missed => "missed",
            Self::Dropped => "dropped",
        }
    }

    /// Whether the goal is still being pursued (so its deadline is watched).
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }

    /// Check a status change. A missed goal goes back to in-progress only with a new deadline,
    /// which the case checks.
    pub fn check_transition(self, to: GoalStatus) -> Result<(), DomainError> {
        use GoalStatus::*;
        let ok = matches!(
            (self, to),
            (Open, InProgress | Achieved | Missed | Dropped)
                | (InProgress, Achieved | Missed | Dropped)
                | (Missed, InProgress | Dropped)
        );
        if ok {
            Ok(())
        } else {
            Err(DomainError::IllegalStatusTransition {
                entity: EntityKind::Goal,
                from: self.as_str().into(),
                to: to.as_str().into(),
            })
        }
    }
}

/// A goal in the plan (3.2.b): what, why, who, with which partners, by when, next steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "stored::Goal")]
pub struct Goal {
    /// Id.
    pub id: GoalId,
    /// What is to be achieved.
    pub description: Text,
    /// Why it matters for the perspective.
    pub rationale: Option<Text>,
    /// Who is responsible.
    pub responsible: Responsible,
    /// Chain partners involved.
    pub partners: Vec<OrganisationId>,
    /// The deadline (*termijn*).
    pub deadline: NaiveDate,
    /// The next steps (*vervolgstappen*).
    pub next_steps: Option<Text>,
    /// Status.
    pub status: GoalStatus,
    /// The plan revision in force when the goal was set.
    pub plan_revision: u32,
    /// The day it was set (its effective date: the deadline is measured from it).
    pub set_on: NaiveDate,
    /// When it was recorded.
    pub set_at: DateTime<Utc>,
    /// When the status last changed.
    pub status_changed_on: Option<NaiveDate>,
}

impl Goal {
    /// Overdue: still being pursued and the deadline has passed.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_active() && self.deadline < today
    }

    /// Due within `days` days from today (today included), and not overdue.
    pub fn is_due_within(&self, today: NaiveDate, days: u32) -> bool {
        self.status.is_active() && self.deadline >= today && (self.deadline - today).num_days() <= i64::from(days)
    }
}

/// The outcome of an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", content = "on", rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Still open.
    Open,
    /// Kept, on this day.
    Fulfilled(NaiveDate),
    /// Not kept, established on this day.
    NotFulfilled(NaiveDate),
}

impl AgreementStatus {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Fulfilled(_) => "fulfilled",
            Self::NotFulfilled(_) => "not_fulfilled",
        }
    }
}

/// An agreement (*afspraak*), usually made in a contact moment: what, by when, who acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// Id.
    pub id: AgreementId,
    /// What was agreed.
    pub description: Text,
    /// When it is due.
    pub due_on: NaiveDate,
    /// Who must act.
    pub who_acts: Responsible,
    /// The contact moment in which it was made, if any.
    pub made_in: Option<ContactId>,
    /// The day it was made (that of its contact moment when made in one). Absent only in
    /// agreements recorded before effective dates were kept; a case fills it in with the day
    /// the agreement was recorded when it applies the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_on: Option<NaiveDate>,
    /// Whether it was kept.
    pub status: AgreementStatus,
}

impl Agreement {
    /// Overdue: still open and past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == AgreementStatus::Open && self.due_on < today
    }

    /// Due within `days` days (today included), not overdue.
    pub fn is_due_within(&self, today: NaiveDate, days: u32) -> bool {
        self.status == AgreementStatus::Open
            && self.due_on >= today
            && (self.due_on - today).num_days() <= i64::from(days)
    }
}

/// The stored forms of records that gained an effective date: events recorded before then
/// lack it, and the record's own day of recording (in Amsterdam) stands in for it.
mod stored {
    use super::*;

    #[derive(Deserialize)]
    pub(super) struct PlanRevision {
        number: u32,
        direction: Direction,
        personal_situation: Text,
        perspective: Text,
        #[serde(default)]
        drawn_up_on: Option<NaiveDate>,
        drawn_up_at: DateTime<Utc>,
        drawn_up_by: UserId,
        agreed_on: Option<NaiveDate>,
    }

    impl From<PlanRevision> for super::PlanRevision {
        fn from(r: PlanRevision) -> Self {
            Self {
                number: r.number,
                direction: r.direction,
                personal_situation: r.personal_situation,
                perspective: r.perspective,
                drawn_up_on: r.drawn_up_on.unwrap_or_else(|| crate::time::amsterdam_date(r.drawn_up_at)),
                drawn_up_at: r.drawn_up_at,
                drawn_up_by: r.drawn_up_by,
                agreed_on: r.agreed_on,
            }
        }
    }

    #[derive(Deserialize)]
    pub(super) struct Goal {
        id: GoalId,
        description: Text,
        rationale: Option<Text>,
        responsible: Responsible,
        partners: Vec<OrganisationId>,
        deadline: NaiveDate,
        next_steps: Option<Text>,
        status: GoalStatus,
        plan_revision: u32,
        #[serde(default)]
        set_on: Option<NaiveDate>,
        set_at: DateTime<Utc>,
        status_changed_on: Option<NaiveDate>,
    }

    impl From<Goal> for super::Goal {
        fn from(g: Goal) -> Self {
            Self {
                id: g.id,
                description: g.description,
                rationale: g.rationale,
                responsible: g.responsible,
                partners: g.partners,
                deadline: g.deadline,
                next_steps: g.next_steps,
                status: g.status,
                plan_revision: g.plan_revision,
                set_on: g.set_on.unwrap_or_else(|| crate::time::amsterdam_date(g.set_at)),
                set_at: g.set_at,
                status_changed_on: g.status_changed_on,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goal_status_edges() {
        use GoalStatus::*;
        let all = [Open, InProgress, Achieved, Missed, Dropped];
        let legal = [
            (Open, InProgress),
            (Open, Achieved),
            (Open, Missed),
            (Open, Dropped),
            (InProgress, Achieved),
            (InProgress, Missed),
            (InProgress, Dropped),
            (Missed, InProgress),
            (Missed, Dropped),
        ];
        for a in all {
            for b in all {
                assert_eq!(a.check_transition(b).is_ok(), legal.contains(&(a, b)), "{a:?} -> {b:?}");
            }
        }
    }
}
