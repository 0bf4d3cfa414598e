//! Fuzz targets of the core, shared by `fuzz/` (cargo-fuzz, nightly) and the replay of its
//! corpus in the normal tests. Not part of the API: hidden from the documentation.
//!
//! [`access_policy`] reads an actor, an action, a resource, the participant's consents and the
//! day from the bytes, asks [`AccessPolicy`] and checks the answer against the matrix as the
//! [`crate::access`] module documentation states it. The matrix is written out a second time
//! here, from the documentation's tables rather than from the code, so that a change to either
//! that makes them disagree fails.

use chrono::{NaiveDate, TimeDelta};

use crate::access::{
    AccessPolicy, Action, Actor, Basis, CaseLevels, CategorySet, ConfidentialityLevel, Consent, DataCategory, Decision,
    DenyReason, Grant, ParticipantScope, Resource, Role,
};
use crate::contact::ReferralStatus;
use crate::ids::{ConsentId, OrganisationId, ParticipantId, UserId};
use crate::text::Text;

/// The foundation; the other organisations of the input are chain partners and the
/// municipality (the policy only compares organisations, so a few ids are enough).
const FOUNDATION: OrganisationId = OrganisationId::from_u128(100);
const ORGANISATIONS: [OrganisationId; 4] =
    [FOUNDATION, OrganisationId::from_u128(101), OrganisationId::from_u128(102), OrganisationId::from_u128(103)];
/// Few users, so that the actor is often the participant's own project worker.
const USERS: [UserId; 4] = [UserId::from_u128(1), UserId::from_u128(2), UserId::from_u128(3), UserId::from_u128(4)];
const STATUSES: [ReferralStatus; 6] = ReferralStatus::ALL;
/// The most consents one input holds: more add nothing the search for a covering one lacks.
const MAX_CONSENTS: u8 = 6;

/// A hand-rolled reader of fuzz bytes: every read succeeds (zero after the end), so every byte
/// string is an input and the fuzzer's mutations stay meaningful.
#[derive(Debug)]
struct Bytes<'a> {
    data: &'a [u8],
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((first, rest)) => {
                self.data = rest;
                *first
            }
            None => 0,
        }
    }

    fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[usize::from(self.byte()) % options.len()]
    }

    /// A day within about four months either side of 15 November 2026.
    fn day(&mut self) -> NaiveDate {
        base_day() + TimeDelta::days(i64::from(self.byte() as i8))
    }
}

fn base_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 15).expect("15 November 2026 is a date")
}

/// What the bytes describe.
#[derive(Debug)]
struct Input {
    actor: Actor,
    action: Action,
    today: NaiveDate,
    /// 0..=16: case data, referral, caseload, then the other resources in [`OTHER_RESOURCES`]'s order.
    resource: u8,
    category: DataCategory,
    project_worker: UserId,
    addressed_to: OrganisationId,
    /// Whether the referral was ever sent (from its status and, for a revoked one, a flag).
    sent: bool,
    /// Whether it was sent on the project lead's override.
    on_override: bool,
    accessed_by: UserId,
    consents: Vec<Consent>,
    /// The case's levels: the defaults, with at most one category raised.
    levels: CaseLevels,
}

impl Input {
    fn read(data: &[u8]) -> Self {
        let mut b = Bytes { data };
        let mut actor = Actor {
            role: b.pick(&Role::ALL),
            organisation: b.pick(&ORGANISATIONS),
            user: b.pick(&USERS),
            grant: Grant::NONE,
        };
        let action = b.pick(&Action::ALL);
        let today = b.day();
        let resource = b.byte() % (3 + OTHER_RESOURCES.len() as u8);
        let category = b.pick(&DataCategory::ALL);
        let project_worker = b.pick(&USERS);
        let addressed_to = b.pick(&ORGANISATIONS);
        let status = b.pick(&STATUSES);
        let accessed_by = b.pick(&USERS);
        let count = b.byte() % (MAX_CONSENTS + 1);
        let consents = (0..count)
            .map(|i| {
                let organisation = b.pick(&ORGANISATIONS);
                let mask = b.byte();
                let given_on = b.day();
                let withdrawn = b.byte();
                Consent {
                    id: ConsentId::from_u128(u128::from(i) + 1),
                    organisation,
                    categories: DataCategory::ALL
                        .into_iter()
                        .enumerate()
                        .filter(|(bit, _)| mask & (1 << bit) != 0)
                        .map(|(_, c)| c)
                        .collect(),
                    purpose: Text::parse("begeleiding").expect("a fixed, valid purpose"),
                    given_on,
                    // Zero: not withdrawn. Otherwise a day near the giving (also before it,
                    // which the type allows and which must then never be in force).
                    withdrawn_on: (withdrawn != 0)
                        .then(|| given_on + TimeDelta::days(i64::from(withdrawn as i8) / 2 + 1)),
                    recorded_by: USERS[0],
                }
            })
            .collect();
        // Read last, so that older corpus entries keep their meaning (and get no grant).
        let mask = b.byte();
        actor.grant = Grant {
            categories: DataCategory::ALL
                .into_iter()
                .enumerate()
                .filter(|(bit, _)| mask & (1 << bit) != 0)
                .map(|(_, c)| c)
                .collect::<CategorySet>(),
            max_level: b.pick(&ConfidentialityLevel::ALL),
        };
        let raised = b.pick(&DataCategory::ALL);
        let level = b.pick(&ConfidentialityLevel::ALL).max(raised.default_level());
        let levels = CaseLevels::DEFAULT.with(raised, level);
        // Read after the older fields, so that older corpus entries keep their meaning: a
        // revoked referral was revoked before it was sent (bit 0), and a sent one was sent on
        // the project lead's override (bit 1).
        let flags = b.byte();
        let sent = match status {
            ReferralStatus::Proposed => false,
            ReferralStatus::Revoked => flags & 1 == 0,
            _ => true,
        };
        let on_override = sent && flags & 2 != 0;
        Self {
            actor,
            action,
            today,
            resource,
            category,
            project_worker,
            addressed_to,
            sent,
            on_override,
            accessed_by,
            consents,
            levels,
        }
    }

    fn scope(&self) -> ParticipantScope<'_> {
        ParticipantScope {
            participant: ParticipantId::from_u128(7),
            project_worker: self.project_worker,
            consents: &self.consents,
            levels: self.levels,
        }
    }

    fn resource(&self) -> Resource<'_> {
        match self.resource {
            0 => Resource::CaseData { scope: self.scope(), category: self.category },
            1 => Resource::Referral {
                scope: self.scope(),
                addressed_to: self.addressed_to,
                sent: self.sent,
                on_override: self.on_override,
                category: self.category,
            },
            // A caseload: the case's worker's, or everyone's (the `sent` bit chooses).
            2 => Resource::Caseload { project_worker: (!self.sent).then_some(self.project_worker) },
            n => OTHER_RESOURCES[usize::from(n - 3) % OTHER_RESOURCES.len()].0,
        }
    }

    /// The consent that the documentation requires: active on the day, for the actor's
    /// organisation and the category.
    fn covering(&self, category: DataCategory) -> Option<&Consent> {
        self.consents.iter().find(|c| {
            c.organisation == self.actor.organisation
                && c.categories.contains(&category)
                && c.given_on <= self.today
                && c.withdrawn_on.is_none_or(|w| self.today < w)
        })
    }

    /// What the documentation requires of an organisation outside the foundation before
    /// consent counts: its grant names the category and reaches the case's level for it.
    fn granted(&self, category: DataCategory) -> bool {
        self.actor.grant.categories.contains(category) && self.levels.of(category) <= self.actor.grant.max_level
    }
}

use Action::{Create, Erase, Export, Read, Search, Update};
use Role::{Administrator, Auditor, ChainPartner, MunicipalCaseManager, ProjectLead, ProjectWorker};

/// The documentation's table of the other resources: per resource, per role (in the
/// table's column order), the actions allowed.
#[allow(clippy::type_complexity)]
const OTHER_RESOURCES: [(Resource<'static>, [(Role, &[Action]); 6]); 14] = [
    (
        Resource::ParticipantDirectory,
        [
            (ProjectWorker, &[Read, Search]),
            (ProjectLead, &[Read, Search]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[]),
        ],
    ),
    (
        Resource::InformationSessions,
        [
            (ProjectWorker, &[Read, Search, Create, Update, Export]),
            (ProjectLead, &[Read, Search, Create, Update, Export]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[]),
        ],
    ),
    (
        Resource::ChainMeetings,
        [
            (ProjectWorker, &[Read, Search, Create, Update]),
            (ProjectLead, &[Read, Search, Create, Update]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[]),
        ],
    ),
    (
        Resource::SubsidyPeriods,
        [
            (ProjectWorker, &[Read]),
            (ProjectLead, &[Read, Create, Update]),
            (MunicipalCaseManager, &[Read]),
            (ChainPartner, &[]),
            (Auditor, &[Read]),
            (Administrator, &[]),
        ],
    ),
    (
        Resource::SubsidyReports,
        [
            (ProjectWorker, &[Read, Export]),
            (ProjectLead, &[Read, Export]),
            (MunicipalCaseManager, &[Read, Export]),
            (ChainPartner, &[]),
            (Auditor, &[Read]),
            (Administrator, &[]),
        ],
    ),
    (
        Resource::AuditLog,
        [
            (ProjectWorker, &[]),
            (ProjectLead, &[Read, Search]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[Read, Search, Export]),
            (Administrator, &[]),
        ],
    ),
    (
        Resource::UserAccounts,
        [
            (ProjectWorker, &[]),
            (ProjectLead, &[Read]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[Read, Search, Create, Update, Erase]),
        ],
    ),
    (
        Resource::AccessTokens,
        [
            (ProjectWorker, &[]),
            (ProjectLead, &[]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[Read, Search, Create, Update, Erase]),
        ],
    ),
    (
        Resource::AccountConfirmations,
        [
            (ProjectWorker, &[]),
            (ProjectLead, &[Update]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[]),
        ],
    ),
    (
        Resource::Organisations,
        [
            (ProjectWorker, &[Read, Search]),
            (ProjectLead, &[Read, Search]),
            (MunicipalCaseManager, &[Read, Search]),
            (ChainPartner, &[Read, Search]),
            (Auditor, &[Read, Search]),
            (Administrator, &[Read, Search, Create, Update]),
        ],
    ),
    (
        Resource::StaffDirectory,
        [
            (ProjectWorker, &[Read, Search]),
            (ProjectLead, &[Read, Search]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[Read, Search]),
            (Administrator, &[Read, Search]),
        ],
    ),
    (
        Resource::EncryptionKeys,
        [
            (ProjectWorker, &[]),
            (ProjectLead, &[]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[Read, Update]),
        ],
    ),
    (
        Resource::Database,
        [
            (ProjectWorker, &[]),
            (ProjectLead, &[]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[Create, Export]),
        ],
    ),
    (
        Resource::LateEntries,
        [
            (ProjectWorker, &[]),
            (ProjectLead, &[Read, Search, Update]),
            (MunicipalCaseManager, &[]),
            (ChainPartner, &[]),
            (Auditor, &[]),
            (Administrator, &[]),
        ],
    ),
];

fn is_staff(role: Role) -> bool {
    matches!(role, ProjectWorker | ProjectLead | Auditor | Administrator)
}

/// The case-data matrix of the documentation: `Some(basis)` when it allows, where the basis
/// is what the row's condition names (assignment, consent, or the role itself).
fn case_data_rule(input: &Input, action: Action, category: DataCategory) -> Option<Basis> {
    use DataCategory::*;
    let actor = &input.actor;
    let consent = || input.covering(category).filter(|_| input.granted(category)).map(|c| Basis::Consent(c.id));
    match actor.role {
        ProjectWorker if input.project_worker == actor.user => {
            matches!(action, Read | Search | Create | Update | Export).then_some(Basis::Assignment)
        }
        ProjectWorker => (category == Identity && matches!(action, Read | Search)).then_some(Basis::RoleRule),
        // Field-level need-to-know: the lead reads medical and criminal content only by
        // breaking the glass.
        ProjectLead => (!(matches!(category, MedicalPsychosocial | CriminalHistory)
            && matches!(action, Read | Search)))
        .then_some(Basis::RoleRule),
        MunicipalCaseManager => {
            let row = matches!(action, Read | Search | Export)
                && matches!(category, Identity | Guidance | Legal | Return | Reports);
            if row { consent() } else { None }
        }
        ChainPartner => {
            let row = (matches!(action, Read | Search)
                && matches!(category, Identity | Legal | MedicalPsychosocial | Return))
                || (action == Read && category == Reports);
            if row { consent() } else { None }
        }
        Auditor | Administrator => None,
    }
}

/// Decide with the core's policy and check the answer against the documented rules. Panics
/// (with the input and the decision) when a rule is broken; never otherwise.
pub fn access_policy(data: &[u8]) {
    let input = Input::read(data);
    let policy = AccessPolicy { foundation: FOUNDATION };
    let resource = input.resource();
    let actor = &input.actor;
    let decision = policy.decide(actor, input.action, &resource, input.today);
    let context = || format!("{input:?}, resource {}: {decision:?}", resource.kind());

    // A pure function: the same question, the same answer.
    assert_eq!(decision, policy.decide(actor, input.action, &resource, input.today), "not deterministic");

    // Staff roles count only inside the foundation, for every resource.
    let outside_staff = is_staff(actor.role) && actor.organisation != FOUNDATION;
    if outside_staff {
        assert_eq!(
            decision,
            Decision::Denied { reason: DenyReason::NotFoundationStaff { role: actor.role } },
            "a staff role outside the foundation: {}",
            context()
        );
    }

    match resource {
        Resource::Referral { addressed_to, sent, on_override, category, .. }
            if matches!(actor.role, ChainPartner | MunicipalCaseManager) =>
        {
            // Outside the foundation a referral is its addressee's alone, once sent, under
            // grant and consent for its category or the lead's recorded override; criminal
            // history never leaves the foundation, medical content never reaches the
            // municipality; only a partner answers.
            let readable = match actor.role {
                ChainPartner => category != DataCategory::CriminalHistory,
                _ => !matches!(category, DataCategory::CriminalHistory | DataCategory::MedicalPsychosocial),
            };
            let may = (input.action == Read || (input.action == Update && actor.role == ChainPartner))
                && addressed_to == actor.organisation
                && sent
                && readable
                && input.granted(category);
            let consent = input.covering(category);
            let expected = consent.map(|c| Basis::Consent(c.id)).or(on_override.then_some(Basis::Addressee));
            if let Decision::Allowed { basis } = &decision {
                assert!(may, "an outside organisation got a referral the matrix does not give it: {}", context());
                assert_eq!(Some(*basis), expected, "basis: {}", context());
            } else if may && expected.is_some() {
                panic!("a sent referral addressed to the reader, with consent or override, was denied: {}", context());
            }
        }
        // Case data, and a referral inside the foundation: case data of its category.
        Resource::CaseData { category, .. } | Resource::Referral { category, .. } => {
            let expected = if outside_staff { None } else { case_data_rule(&input, input.action, category) };
            match (&decision, expected) {
                (Decision::Allowed { basis }, Some(rule)) => {
                    assert_eq!(*basis, rule, "allowed on another basis than the matrix names: {}", context());
                }
                (Decision::Denied { .. }, None) => {}
                _ => panic!("the decision disagrees with the documented matrix ({expected:?}): {}", context()),
            }
        }
        // The documentation's caseload row: a project worker searches their own caseload (on
        // the assignment), the project lead any or everyone's; nobody else.
        Resource::Caseload { project_worker } => {
            let expected = match actor.role {
                _ if outside_staff || input.action != Search => None,
                ProjectWorker if project_worker == Some(actor.user) => Some(Basis::Assignment),
                ProjectLead => Some(Basis::RoleRule),
                _ => None,
            };
            match (&decision, expected) {
                (Decision::Allowed { basis }, Some(rule)) => {
                    assert_eq!(*basis, rule, "a caseload allowed on another basis: {}", context());
                }
                (Decision::Denied { .. }, None) => {}
                _ => panic!("the caseload decision disagrees with the documentation ({expected:?}): {}", context()),
            }
        }
        other => {
            let row = OTHER_RESOURCES
                .iter()
                .find(|(r, _)| r.kind() == other.kind())
                .and_then(|(_, roles)| roles.iter().find(|(role, _)| *role == actor.role))
                .map_or(&[][..], |(_, actions)| *actions);
            let expected = !outside_staff && row.contains(&input.action);
            assert_eq!(
                decision.is_allowed(),
                expected,
                "the decision disagrees with the documented table: {}",
                context()
            );
            if let Decision::Allowed { basis } = decision {
                assert_eq!(basis, Basis::RoleRule, "a role's table row is the basis: {}", context());
            }
        }
    }

    // Criminal history never leaves the foundation; medical/psychosocial content never reaches
    // the municipality; whatever the consent says. Auditors and administrators see no case data.
    if let Resource::CaseData { category, .. } | Resource::Referral { category, .. } = resource {
        if decision.is_allowed() && actor.organisation != FOUNDATION {
            assert_ne!(category, DataCategory::CriminalHistory, "criminal history left the foundation: {}", context());
        }
        if decision.is_allowed() && actor.role == MunicipalCaseManager {
            assert_ne!(category, DataCategory::MedicalPsychosocial, "medical data to the municipality: {}", context());
        }
        if matches!(actor.role, Auditor | Administrator) {
            assert!(!decision.is_allowed(), "auditors and administrators see no case data: {}", context());
        }
    }

    // Every allow names a basis that holds: the actor is the assigned worker, or the consent
    // it names is in force for the actor's organisation, or the role's own rule applies.
    if let Decision::Allowed { basis } = decision {
        match basis {
            Basis::Assignment => {
                assert!(
                    actor.role == ProjectWorker && input.project_worker == actor.user,
                    "assignment basis for someone else: {}",
                    context()
                );
            }
            Basis::Consent(id) => {
                let category = match resource {
                    Resource::CaseData { category, .. } | Resource::Referral { category, .. } => category,
                    _ => panic!("a consent basis outside case data: {}", context()),
                };
                let consent = input.consents.iter().find(|c| c.id == id);
                assert!(
                    consent.is_some_and(|c| c.covers(actor.organisation, category, input.today)),
                    "the consent named does not cover the access: {}",
                    context()
                );
                assert!(input.granted(category), "shared beyond the organisation's grant or level: {}", context());
            }
            Basis::RoleRule => {
                assert!(
                    !matches!(actor.role, ChainPartner) || !matches!(resource, Resource::CaseData { .. }),
                    "a chain partner needs consent for case data: {}",
                    context()
                );
            }
            Basis::Addressee => {
                assert!(
                    matches!(resource, Resource::Referral { addressed_to, .. } if addressed_to == actor.organisation),
                    "addressee basis for a referral to someone else: {}",
                    context()
                );
            }
            Basis::BreakGlass => panic!("the matrix never allows by break-glass: {}", context()),
        }
    }

    // The composed decisions (see the privacy table of the documentation).
    let scope = input.scope();
    let export = policy.decide_subject_export(actor, &scope, input.today);
    let every_category = DataCategory::ALL.into_iter().all(|category| {
        policy.decide(actor, Export, &Resource::CaseData { scope, category }, input.today).is_allowed()
    });
    let audit_log = policy.decide(actor, Read, &Resource::AuditLog, input.today).is_allowed();
    assert_eq!(export.is_allowed(), every_category && audit_log, "subject export: {input:?}: {export:?}");
    if export.is_allowed() {
        assert!(actor.role == ProjectLead && actor.organisation == FOUNDATION, "subject export by {input:?}");
    }
    let glass = policy.decide_break_glass(actor);
    assert_eq!(
        glass.is_allowed(),
        matches!(actor.role, ProjectWorker | ProjectLead) && actor.organisation == FOUNDATION,
        "break glass: {input:?}: {glass:?}"
    );
    if let Decision::Allowed { basis } = glass {
        assert_eq!(basis, Basis::BreakGlass, "a break-glass read is logged as such: {input:?}");
    }
    let review = policy.decide_break_glass_review(actor, input.accessed_by, input.today);
    let searches_log = policy.decide(actor, Search, &Resource::AuditLog, input.today).is_allowed();
    assert_eq!(
        review.is_allowed(),
        searches_log && actor.user != input.accessed_by,
        "break-glass review: {input:?}: {review:?}"
    );
}
