//! A case command's way through the application layer, and the worklist's caseload rule.

use chrono::NaiveDate;

use crate::access::{AccessPolicy, Action, Actor, Basis, DataCategory, DenyReason, Resource, Role};
use crate::case::{Case, CaseCommand};
use crate::error::{DomainError, EntityKind};
use crate::ids::UserId;
use crate::privacy::ConsentOverrideRequest;
use crate::service::{AuditEntry, command_access};

/// A case command the caller may give: what the adapter must do beside saving its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorisedCommand {
    /// A referral sent on the project lead's override instead of a consent: to be recorded for
    /// review in the same transaction as the event, or the referral is not sent.
    pub consent_override: Option<ConsentOverrideRequest>,
}

/// Authorise `cmd` on `case` for `actor`, in this order, filling in the audit `entry` as it
/// goes (action and category first, then the basis), so that a refusal is recorded with what
/// was asked:
///
/// 1. the action and data category the command is authorised under ([`command_access`]);
/// 2. the access policy: a chain partner may answer a referral addressed to it (accept,
///    reject, complete; any other status is refused as not its role's), everything else is
///    case data of the command's category;
/// 3. a referral sent without a covering consent needs the project lead's override
///    ([`AccessPolicy::decide_consent_override`]);
/// 4. the expected version, when given ([`check_version`]).
///
/// The adapter then checks the organisations the command names (a look-up), executes the
/// command with [`Case::execute`] and saves; the rules of the command itself are the case's.
pub fn authorise_command(
    policy: &AccessPolicy,
    actor: &Actor,
    case: &Case,
    cmd: &CaseCommand,
    expected_version: Option<u64>,
    today: NaiveDate,
    entry: &mut AuditEntry,
) -> Result<AuthorisedCommand, DomainError> {
    let (action, category) = command_access(case, cmd);
    entry.action = action;
    entry.category = Some(category);
    entry.basis = Some(decide_command(policy, actor, case, cmd, action, category, today)?);
    let consent_override = case.consent_override_request(cmd);
    if consent_override.is_some() {
        policy.decide_consent_override(actor).into_result()?;
    }
    check_version(expected_version, case.version())?;
    Ok(AuthorisedCommand { consent_override })
}

/// The access policy's decision on a case command: a partner answers a referral addressed to
/// it; everything else is case data.
fn decide_command(
    policy: &AccessPolicy,
    actor: &Actor,
    case: &Case,
    cmd: &CaseCommand,
    action: Action,
    category: DataCategory,
    today: NaiveDate,
) -> Result<Basis, DomainError> {
    match (cmd, actor.role) {
        (CaseCommand::AdvanceReferral { referral, to, .. }, Role::ChainPartner) => {
            let r = case
                .referral(*referral)
                .ok_or_else(|| DomainError::NotFound { entity: EntityKind::Referral, id: referral.to_string() })?;
            let resource = Resource::Referral {
                scope: case.scope(),
                addressed_to: r.partner,
                sent: r.sent_on().is_some(),
                on_override: r.sent_on_override,
                category: r.domain.category(),
            };
            let basis = policy.decide(actor, Action::Update, &resource, today).into_result()?;
            // The partner's answer only: the lifecycle's other steps are the foundation's.
            if !to.is_partner_answer() {
                return Err(DomainError::AccessDenied(DenyReason::RoleNotEntitled {
                    role: Role::ChainPartner,
                    action: Action::Update,
                    resource: format!("referral status {}", to.as_str()),
                }));
            }
            Ok(basis)
        }
        _ => policy.decide(actor, action, &Resource::CaseData { scope: case.scope(), category }, today).into_result(),
    }
}

/// Optimistic concurrency: the version the caller based a change on, when given, must be the
/// current one.
pub fn check_version(expected: Option<u64>, current: u64) -> Result<(), DomainError> {
    match expected {
        Some(expected) if expected != current => Err(DomainError::VersionConflict { expected, current }),
        _ => Ok(()),
    }
}

/// The worklist's caseload rule: whose caseload `actor` may list, and on what basis. A project
/// worker lists their own (asking for another's is refused as not assigned); the project lead
/// the one asked for, or everyone's; the access policy decides it
/// ([`Resource::Caseload`]).
pub fn caseload(
    policy: &AccessPolicy,
    actor: &Actor,
    requested: Option<UserId>,
    today: NaiveDate,
) -> Result<(Option<UserId>, Basis), DomainError> {
    // A project worker who names nobody means their own caseload.
    let worker = match actor.role {
        Role::ProjectWorker => requested.or(Some(actor.user)),
        _ => requested,
    };
    let resource = Resource::Caseload { project_worker: worker };
    let basis = policy.decide(actor, Action::Search, &resource, today).into_result()?;
    Ok((worker, basis))
}

/// A refusal of `actor`'s command on `case` as that reader may see it: a refusal discloses no
/// more than reading the case file would. A closed trajectory names the outflow's day (and the
/// refused date beside it) only to a reader whose view shows the outflow; anyone else, e.g. a
/// partner answering a referral without the guidance category, or any reader of an outflow
/// postponed on medical grounds without the medical one, learns only that the trajectory has
/// ended. Every other refusal is returned as it is.
pub fn refusal_for(
    policy: &AccessPolicy,
    actor: &Actor,
    case: &Case,
    today: NaiveDate,
    error: DomainError,
) -> DomainError {
    match error {
        DomainError::TrajectoryClosed { action, outflow_on, dated } => {
            let sees_outflow = policy
                .decide_visibility(actor, case, today)
                .is_ok_and(|visibility| visibility.view(case).outflow.is_some());
            if sees_outflow {
                DomainError::TrajectoryClosed { action, outflow_on, dated }
            } else {
                DomainError::TrajectoryClosed { action, outflow_on: None, dated: None }
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Grant;
    use crate::ids::OrganisationId;

    const FOUNDATION: OrganisationId = OrganisationId::from_u128(1);

    fn actor(role: Role, user: u128) -> Actor {
        Actor { user: UserId::from_u128(user), organisation: FOUNDATION, role, grant: Grant::NONE }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
    }

    #[test]
    fn a_worker_lists_their_own_caseload_and_no_one_elses() {
        let policy = AccessPolicy { foundation: FOUNDATION };
        let me = actor(Role::ProjectWorker, 7);
        assert_eq!(caseload(&policy, &me, None, today()).unwrap(), (Some(me.user), Basis::Assignment));
        assert_eq!(caseload(&policy, &me, Some(me.user), today()).unwrap().0, Some(me.user));
        assert_eq!(
            caseload(&policy, &me, Some(UserId::from_u128(8)), today()),
            Err(DomainError::AccessDenied(DenyReason::NotAssigned))
        );
    }

    #[test]
    fn a_lead_lists_anyones_and_an_administrator_none() {
        let policy = AccessPolicy { foundation: FOUNDATION };
        let lead = actor(Role::ProjectLead, 9);
        assert_eq!(caseload(&policy, &lead, None, today()).unwrap().0, None, "everyone's");
        let other = Some(UserId::from_u128(8));
        assert_eq!(caseload(&policy, &lead, other, today()).unwrap().0, other);
        assert!(matches!(
            caseload(&policy, &actor(Role::Administrator, 3), None, today()),
            Err(DomainError::AccessDenied(_))
        ));
    }

    #[test]
    fn a_stale_version_is_a_conflict_naming_the_current_one() {
        assert_eq!(check_version(None, 4), Ok(()));
        assert_eq!(check_version(Some(4), 4), Ok(()));
        assert_eq!(check_version(Some(3), 4), Err(DomainError::VersionConflict { expected: 3, current: 4 }));
    }
}
