//! Erasure on request (GDPR art. 17) and legal holds: the rules; the store carries them out
//! with the retention run's erasure of a whole person ([`crate::retention`]).
//!
//! - **Erasure on request** takes two people. A project lead *requests* the erasure of a
//!   participant with a reason ([`AccessPolicy::decide_erasure_request`]); nothing is erased
//!   yet. A second person *confirms* it: another project lead or the auditor, never the
//!   requester ([`AccessPolicy::decide_erasure_confirmation`]). Only then is the whole person
//!   erased, exactly as the retention run erases a person whose every period has passed (case
//!   file, events, worklist rows, meeting items and the data key gone; the subsidy counts kept
//!   under an unlinked pseudonym). The erasure is listed for review with the break-glass reads
//!   ([`crate::privacy::ReviewedAccess::ErasureOnRequest`]), reviewed once by someone who took
//!   part in neither step ([`AccessPolicy::decide_erasure_review`]).
//! - **Refusals** ([`check_erasable`]), at the request and again at the confirmation: a legal
//!   hold on the person ([`Rule::LegalHoldSet`]), and a trajectory that has not ended with an
//!   outflow ([`Rule::ErasureNeedsOutflow`]: the guidance is the public task the data serve,
//!   art. 17(3)(b); a person who objects to it ends the guidance, which the lead records as the
//!   outflow, and the erasure follows).
//! - **Legal hold** ([`LegalHold`]): set and lifted by the project lead with a reason
//!   ([`AccessPolicy::decide_legal_hold`]); while it is set neither an erasure on request nor
//!   the retention run touches the person.
//!
//! ```
//! use chrono::NaiveDate;
//! use perspectief_core::erasure::check_erasable;
//!
//! let outflow = NaiveDate::from_ymd_opt(2026, 3, 2);
//! assert!(check_erasable(outflow, false).is_ok());
//! assert_eq!(check_erasable(None, false).unwrap_err().code(), "erasure_needs_outflow");
//! assert_eq!(check_erasable(outflow, true).unwrap_err().code(), "legal_hold_set");
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{
    AccessPolicy, Action, Actor, Basis, DataCategory, Decision, DenyReason, ParticipantScope, Resource, Role,
};
use crate::error::{DomainError, EntityKind, Rule};
use crate::ids::{ErasureRequestId, LegalHoldId, ParticipantId, UserId};
use crate::text::Text;

/// Where an erasure request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureStatus {
    /// Requested, waiting for a second person's confirmation.
    Pending,
    /// Withdrawn before it was confirmed: nothing was erased.
    Cancelled,
    /// Confirmed and carried out: the person is erased.
    Erased,
}

impl ErasureStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Pending, Self::Cancelled, Self::Erased];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Cancelled => "cancelled",
            Self::Erased => "erased",
        }
    }

    /// The status named by its stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A request to erase a person, as listed for the project lead and the auditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRequest {
    /// Id (also the id of its entry in the review listing once carried out).
    pub id: ErasureRequestId,
    /// Whom to erase (after the erasure this id names nothing stored but this request and the
    /// access log).
    pub participant: ParticipantId,
    /// When it was requested.
    pub requested_at: DateTime<Utc>,
    /// The project lead who requested it.
    pub requested_by: UserId,
    /// Why (stored sealed; kept after the erasure for the review, so it says why, not who).
    pub reason: Text,
    /// Where it stands.
    pub status: ErasureStatus,
    /// When it was confirmed (and carried out) or cancelled.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who confirmed or cancelled it.
    pub decided_by: Option<UserId>,
}

impl ErasureRequest {
    /// Whether the request may move to `to` (confirmed into [`ErasureStatus::Erased`], or
    /// [`ErasureStatus::Cancelled`]): only a pending request moves, once.
    pub fn check_transition(&self, to: ErasureStatus) -> Result<(), DomainError> {
        match (self.status, to) {
            (ErasureStatus::Pending, ErasureStatus::Erased | ErasureStatus::Cancelled) => Ok(()),
            (from, to) => Err(DomainError::IllegalStatusTransition {
                entity: EntityKind::ErasureRequest,
                from: from.as_str().into(),
                to: to.as_str().into(),
            }),
        }
    }
}

/// A legal hold: while it is set nothing of the person is erased (not on request, not by the
/// retention run), because the data are needed for a legal claim, an investigation or a
/// procedure (art. 17(3)(e)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalHold {
    /// Id.
    pub id: LegalHoldId,
    /// On whom.
    pub participant: ParticipantId,
    /// When it was set.
    pub set_at: DateTime<Utc>,
    /// The project lead who set it.
    pub set_by: UserId,
    /// Why (stored sealed).
    pub reason: Text,
    /// When, by whom and why it was lifted; `None` while it is set.
    pub lifted: Option<HoldLift>,
}

impl LegalHold {
    /// Whether the hold is still set.
    pub fn is_active(&self) -> bool {
        self.lifted.is_none()
    }
}

/// The lifting of a legal hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldLift {
    /// When.
    pub at: DateTime<Utc>,
    /// The project lead who lifted it.
    pub by: UserId,
    /// Why (stored sealed).
    pub reason: Text,
}

/// Whether a person may be erased on request now: not while a legal hold is set (lift it
/// first), and not while the trajectory has not ended with an outflow (`outflow` is its day):
/// the guidance still needs the case file, so the lead records the outflow first. Checked at
/// the request and again at the confirmation.
pub fn check_erasable(outflow: Option<NaiveDate>, held: bool) -> Result<(), DomainError> {
    if held {
        return Err(DomainError::RuleViolated { rule: Rule::LegalHoldSet });
    }
    if outflow.is_none() {
        return Err(DomainError::RuleViolated { rule: Rule::ErasureNeedsOutflow });
    }
    Ok(())
}

fn denied(actor: &Actor, action: Action, resource: &str) -> Decision {
    Decision::Denied { reason: DenyReason::RoleNotEntitled { role: actor.role, action, resource: resource.to_owned() } }
}

impl AccessPolicy {
    /// Whether `actor` may request the erasure of the person of `scope`: they must be allowed
    /// to erase every category of the case ([`Action::Erase`]): in today's matrix, the project
    /// lead. The basis is the one for identity (erasing identity erases the person).
    pub fn decide_erasure_request(&self, actor: &Actor, scope: &ParticipantScope<'_>, today: NaiveDate) -> Decision {
        let mut basis = Basis::RoleRule;
        for category in DataCategory::ALL {
            match self.decide(actor, Action::Erase, &Resource::CaseData { scope: *scope, category }, today) {
                Decision::Allowed { basis: b } if category == DataCategory::Identity => basis = b,
                Decision::Allowed { .. } => {}
                denied => return denied,
            }
        }
        Decision::Allowed { basis }
    }

    /// Whether `actor` may confirm (and so carry out) an erasure requested by `requested_by`:
    /// a second person, never the requester: another project lead (who may erase the case,
    /// [`AccessPolicy::decide_erasure_request`]) or the foundation's auditor (who never reads
    /// case data, and needs none to confirm).
    pub fn decide_erasure_confirmation(
        &self,
        actor: &Actor,
        requested_by: UserId,
        scope: &ParticipantScope<'_>,
        today: NaiveDate,
    ) -> Decision {
        if actor.user == requested_by {
            return denied(actor, Action::Erase, "erasure_request (own request: a second person confirms)");
        }
        if actor.role == Role::Auditor {
            return match self.decide(actor, Action::Search, &Resource::AuditLog, today) {
                Decision::Allowed { .. } => Decision::Allowed { basis: Basis::RoleRule },
                denied => denied,
            };
        }
        self.decide_erasure_request(actor, scope, today)
    }

    /// Whether `actor` may cancel a pending erasure requested by `requested_by`: the requester
    /// (while they may still request it), or whoever may confirm it.
    pub fn decide_erasure_cancel(
        &self,
        actor: &Actor,
        requested_by: UserId,
        scope: &ParticipantScope<'_>,
        today: NaiveDate,
    ) -> Decision {
        if actor.user == requested_by {
            self.decide_erasure_request(actor, scope, today)
        } else {
            self.decide_erasure_confirmation(actor, requested_by, scope, today)
        }
    }

    /// Whether `actor` may review an erasure on request: whoever may review break-glass reads
    /// ([`AccessPolicy::decide_break_glass_review`]), but neither the requester nor the person
    /// who confirmed it: the review is a third pair of eyes.
    pub fn decide_erasure_review(
        &self,
        actor: &Actor,
        requested_by: UserId,
        confirmed_by: UserId,
        today: NaiveDate,
    ) -> Decision {
        if actor.user == requested_by {
            return denied(actor, Action::Update, "break_glass (an erasure you requested)");
        }
        self.decide_break_glass_review(actor, confirmed_by, today)
    }

    /// Whether `actor` may set or lift a legal hold: the foundation's project lead.
    pub fn decide_legal_hold(&self, actor: &Actor) -> Decision {
        let staff = matches!(actor.role, Role::ProjectWorker | Role::ProjectLead | Role::Auditor | Role::Administrator);
        if staff && actor.organisation != self.foundation {
            return Decision::Denied { reason: DenyReason::NotFoundationStaff { role: actor.role } };
        }
        match actor.role {
            Role::ProjectLead => Decision::Allowed { basis: Basis::RoleRule },
            _ => denied(actor, Action::Update, "legal_hold"),
        }
    }

    /// Whether `actor` may list erasure requests and legal holds (with their reasons): whoever
    /// may search the access log (the project lead, the auditor).
    pub fn decide_erasure_listing(&self, actor: &Actor, today: NaiveDate) -> Decision {
        self.decide(actor, Action::Search, &Resource::AuditLog, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{CaseLevels, Grant};
    use crate::ids::OrganisationId;

    const FOUNDATION: OrganisationId = OrganisationId::from_u128(100);
    const POLICY: AccessPolicy = AccessPolicy { foundation: FOUNDATION };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn staff(user: u128, role: Role) -> Actor {
        Actor { user: UserId::from_u128(user), organisation: FOUNDATION, role, grant: Grant::NONE }
    }

    fn scope() -> ParticipantScope<'static> {
        ParticipantScope {
            participant: ParticipantId::from_u128(7),
            project_worker: UserId::from_u128(3),
            consents: &[],
            levels: CaseLevels::DEFAULT,
        }
    }

    #[test]
    fn only_a_project_lead_requests_and_a_second_person_confirms() {
        let (lead, lead2, auditor) =
            (staff(1, Role::ProjectLead), staff(2, Role::ProjectLead), staff(4, Role::Auditor));
        let (worker, admin) = (staff(3, Role::ProjectWorker), staff(5, Role::Administrator));
        assert!(POLICY.decide_erasure_request(&lead, &scope(), today()).is_allowed());
        for other in [&worker, &auditor, &admin] {
            assert!(!POLICY.decide_erasure_request(other, &scope(), today()).is_allowed(), "{:?}", other.role);
        }
        // Never the requester; another lead or the auditor.
        assert!(!POLICY.decide_erasure_confirmation(&lead, lead.user, &scope(), today()).is_allowed());
        assert!(POLICY.decide_erasure_confirmation(&lead2, lead.user, &scope(), today()).is_allowed());
        assert!(POLICY.decide_erasure_confirmation(&auditor, lead.user, &scope(), today()).is_allowed());
        assert!(!POLICY.decide_erasure_confirmation(&worker, lead.user, &scope(), today()).is_allowed());
        assert!(!POLICY.decide_erasure_confirmation(&admin, lead.user, &scope(), today()).is_allowed());
        // An auditor of another organisation confirms nothing.
        let outside = Actor { organisation: OrganisationId::from_u128(9), ..auditor };
        assert!(!POLICY.decide_erasure_confirmation(&outside, lead.user, &scope(), today()).is_allowed());
        // The requester and a confirmer may cancel; the worker may not.
        assert!(POLICY.decide_erasure_cancel(&lead, lead.user, &scope(), today()).is_allowed());
        assert!(POLICY.decide_erasure_cancel(&auditor, lead.user, &scope(), today()).is_allowed());
        assert!(!POLICY.decide_erasure_cancel(&worker, lead.user, &scope(), today()).is_allowed());
    }

    #[test]
    fn the_review_is_by_a_third_person() {
        let (lead, lead2, auditor) =
            (staff(1, Role::ProjectLead), staff(2, Role::ProjectLead), staff(4, Role::Auditor));
        assert!(!POLICY.decide_erasure_review(&lead, lead.user, auditor.user, today()).is_allowed());
        assert!(!POLICY.decide_erasure_review(&auditor, lead.user, auditor.user, today()).is_allowed());
        assert!(POLICY.decide_erasure_review(&lead2, lead.user, auditor.user, today()).is_allowed());
        assert!(
            !POLICY
                .decide_erasure_review(&staff(3, Role::ProjectWorker), lead.user, auditor.user, today())
                .is_allowed()
        );
    }

    #[test]
    fn a_hold_and_an_open_trajectory_refuse_and_only_pending_requests_move() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2);
        assert!(check_erasable(day, false).is_ok());
        assert_eq!(check_erasable(None, false).unwrap_err().code(), "erasure_needs_outflow");
        // The hold is named first: lifting it is the first thing to do.
        assert_eq!(check_erasable(None, true).unwrap_err().code(), "legal_hold_set");
        assert_eq!(check_erasable(day, true).unwrap_err().code(), "legal_hold_set");
        let lead = staff(1, Role::ProjectLead);
        assert!(POLICY.decide_legal_hold(&lead).is_allowed());
        assert!(!POLICY.decide_legal_hold(&staff(3, Role::ProjectWorker)).is_allowed());
        assert!(!POLICY.decide_legal_hold(&staff(4, Role::Auditor)).is_allowed());
        let at = chrono::DateTime::<Utc>::from_timestamp(1_780_000_000, 0).unwrap();
        let mut request = ErasureRequest {
            id: ErasureRequestId::from_u128(1),
            participant: ParticipantId::from_u128(7),
            requested_at: at,
            requested_by: lead.user,
            reason: Text::parse("Verzoek van de deelnemer").unwrap(),
            status: ErasureStatus::Pending,
            decided_at: None,
            decided_by: None,
        };
        assert!(request.check_transition(ErasureStatus::Erased).is_ok());
        assert!(request.check_transition(ErasureStatus::Cancelled).is_ok());
        assert!(request.check_transition(ErasureStatus::Pending).is_err());
        for done in [ErasureStatus::Erased, ErasureStatus::Cancelled] {
            request.status = done;
            let err = request.check_transition(ErasureStatus::Erased).unwrap_err();
            assert_eq!(err.code(), "illegal_status_transition");
        }
        for s in ErasureStatus::ALL {
            assert_eq!(ErasureStatus::parse(s.as_str()), Some(s));
        }
    }
}
