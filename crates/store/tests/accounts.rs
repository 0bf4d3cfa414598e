//! Accounts and tokens: created and revoked by administrators, stored only as hashes,
//! refused when unknown, expired, revoked or disabled, and, where they read case data, until a
//! second person (a project lead) confirmed them.

use chrono::Duration;
use perspectief_core::accounts::{ConfirmationKind, TokenRejection, UserAccount};
use perspectief_core::privacy::PrivacyService;
use perspectief_core::service::{AuditOutcome, Caller, PerspectiefService};
use perspectief_core::*;
use perspectief_store::testing::raw_query_text;

use crate::support::*;
use perspectief_store::testing::active_account;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_authenticate_until_expired_revoked_or_disabled() {
    for backend in all_backends().await {
        let c = clock();
        let store = open(&backend.url(), new_keys(), c.clone()).await;
        let admin = store.bootstrap_administrator(UserId::from_u128(10), "Beheerder").await.unwrap();
        assert_eq!(
            store.bootstrap_administrator(UserId::from_u128(11), "Tweede").await.unwrap_err().code(),
            "invalid_input",
            "only the first account bootstraps"
        );
        let admin = Caller::local(admin.actor(perspectief_core::access::Grant::NONE));
        let iom = OrganisationId::from_u128(500);
        register(&store, iom, "IOM").await;
        let partner = store
            .create_user(&admin, active_account(UserId::from_u128(20), iom, Role::ChainPartner, "IOM-koppeling"))
            .await
            .unwrap();
        // A partner account cannot claim a staff role of the foundation, nor the foundation's id.
        let err = store
            .create_user(&admin, active_account(UserId::from_u128(21), iom, Role::ProjectLead, "x"))
            .await
            .unwrap_err();
        assert!(err.violations().unwrap().has("organisation"));

        let (info, token) =
            store.create_token(&admin, partner.id, "IOM casussysteem", Duration::days(30)).await.unwrap();
        assert_eq!(store.authenticate(&token).await.unwrap(), Err(TokenRejection::AwaitingConfirmation));
        let confirming = first_lead(&store, &admin, 40).await;
        store.confirm_account(&confirming, partner.id).await.unwrap();
        store.confirm_token(&confirming, info.id).await.unwrap();
        assert_eq!(store.authenticate(&token).await.unwrap(), Ok(partner.actor(perspectief_core::access::Grant::NONE)));
        let stored = raw_query_text(&store, &format!("SELECT secret_hash FROM tokens WHERE id = '{}'", info.id))
            .await
            .unwrap()
            .unwrap();
        let secret = token.rsplit('.').next().unwrap();
        assert!(!stored.contains(secret), "only a hash of the secret is stored");

        // Tampered, unknown and malformed tokens.
        let mut wrong = token.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert_eq!(store.authenticate(&wrong).await.unwrap(), Err(TokenRejection::Unknown));
        assert_eq!(store.authenticate("Bearer nonsense").await.unwrap(), Err(TokenRejection::Unknown));

        // Disabled accounts, then revoked and expired tokens.
        assert_eq!(store.local_account(partner.id).await.unwrap().map(|a| a.disabled), Some(false));
        store.set_user_disabled(&admin, partner.id, true).await.unwrap();
        assert_eq!(store.authenticate(&token).await.unwrap(), Err(TokenRejection::AccountDisabled));
        assert_eq!(
            store.local_account(partner.id).await.unwrap().map(|a| (a.role, a.disabled)),
            Some((partner.role, true))
        );
        assert_eq!(store.local_account(UserId::from_u128(0xDEAD)).await.unwrap(), None);
        store.set_user_disabled(&admin, partner.id, false).await.unwrap();
        let (second_info, second) = store.create_token(&admin, partner.id, "tweede", Duration::days(1)).await.unwrap();
        store.confirm_token(&confirming, second_info.id).await.unwrap();
        store.revoke_token(&admin, info.id).await.unwrap();
        assert_eq!(store.authenticate(&token).await.unwrap(), Err(TokenRejection::Revoked));
        assert!(store.authenticate(&second).await.unwrap().is_ok());
        c.advance(Duration::days(1));
        assert_eq!(store.authenticate(&second).await.unwrap(), Err(TokenRejection::Expired));

        // Limits and rights.
        assert!(
            store
                .create_token(&admin, partner.id, "te lang", Duration::days(400))
                .await
                .unwrap_err()
                .violations()
                .unwrap()
                .has("valid_for")
        );
        let lead = lead(&store);
        assert_eq!(
            store.create_token(&lead, partner.id, "x", Duration::days(1)).await.unwrap_err().code(),
            "access_denied"
        );
        assert_eq!(store.list_tokens(&admin, Some(partner.id)).await.unwrap().len(), 2);
        assert_eq!(store.list_users(&admin).await.unwrap().len(), 3);

        // Administration is audited, refusals included.
        let auditor = Caller::local(Actor {
            user: UserId::from_u128(30),
            organisation: store.policy().foundation,
            role: Role::Auditor,
            grant: perspectief_core::access::Grant::NONE,
        });
        let log = store.audit_log(&auditor, None, 0, 500).await.unwrap();
        let ops: Vec<(&str, AuditOutcome)> =
            log.iter().map(|r| (r.entry.operation.as_str(), r.entry.outcome)).collect();
        for expected in [
            ("bootstrap_administrator", AuditOutcome::Success),
            ("create_user", AuditOutcome::Success),
            ("create_token", AuditOutcome::Success),
            ("revoke_token", AuditOutcome::Success),
            ("create_token", AuditOutcome::Denied),
        ] {
            assert!(ops.contains(&expected), "{expected:?} missing in {ops:?}");
        }
    }
}

/// A project lead made by the administrator who activates their own account: allowed only for
/// the first project lead of a database.
async fn first_lead(store: &perspectief_store::Store, admin: &Caller, id: u128) -> Caller {
    let lead = account(store, admin, id, Role::ProjectLead).await;
    assert!(lead.awaiting_confirmation);
    let lead = Caller::local(lead.actor(perspectief_core::access::Grant::NONE));
    store.confirm_account(&lead, lead.actor.user).await.unwrap();
    lead
}

fn code<T: std::fmt::Debug>(r: Result<T, DomainError>) -> String {
    r.unwrap_err().code().to_owned()
}

async fn account(store: &perspectief_store::Store, admin: &Caller, id: u128, role: Role) -> UserAccount {
    store
        .create_user(
            admin,
            active_account(UserId::from_u128(id), store.policy().foundation, role, &format!("Account {id}")),
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_cannot_give_themselves_access_to_case_data() {
    for backend in all_backends().await {
        let store = open(&backend.url(), new_keys(), clock()).await;
        let admin = store.bootstrap_administrator(UserId::from_u128(10), "Beheerder").await.unwrap();
        let admin = Caller::local(admin.actor(perspectief_core::access::Grant::NONE));

        // The administrator's own way in: a project-lead account and its token. Refused.
        let lead = account(&store, &admin, 20, Role::ProjectLead).await;
        assert!(lead.awaiting_confirmation);
        let (lead_token_info, lead_token) =
            store.create_token(&admin, lead.id, "leider", Duration::days(30)).await.unwrap();
        assert!(lead_token_info.awaiting_confirmation);
        assert_eq!(store.authenticate(&lead_token).await.unwrap(), Err(TokenRejection::AwaitingConfirmation));
        // ... and the administrator may not confirm it.
        assert_eq!(code(store.confirm_account(&admin, lead.id).await), "access_denied");
        assert_eq!(code(store.confirm_token(&admin, lead_token_info.id).await), "access_denied");
        assert_eq!(store.authenticate(&lead_token).await.unwrap(), Err(TokenRejection::AwaitingConfirmation));

        // Roles without case data need nobody: an auditor's token works at once.
        let auditor = account(&store, &admin, 21, Role::Auditor).await;
        assert!(!auditor.awaiting_confirmation);
        let (info, auditor_token) = store.create_token(&admin, auditor.id, "audit", Duration::days(30)).await.unwrap();
        assert!(!info.awaiting_confirmation);
        assert!(store.authenticate(&auditor_token).await.unwrap().is_ok());
        let auditor = Caller::local(auditor.actor(perspectief_core::access::Grant::NONE));
        assert_eq!(code(store.confirm_account(&auditor, lead.id).await), "access_denied");

        // The first project lead activates their own account, then their token (the holder).
        let lead_caller = Caller::local(lead.actor(perspectief_core::access::Grant::NONE));
        store.confirm_account(&lead_caller, lead.id).await.unwrap();
        assert_eq!(code(store.confirm_account(&lead_caller, lead.id).await), "already_confirmed");
        assert_eq!(store.authenticate(&lead_token).await.unwrap(), Err(TokenRejection::AwaitingConfirmation));
        store.confirm_token(&lead_caller, lead_token_info.id).await.unwrap();
        assert!(store.authenticate(&lead_token).await.unwrap().is_ok());

        // A second project lead cannot activate themselves now that a confirmed lead exists,
        // nor confirm anyone else while unconfirmed.
        let second = account(&store, &admin, 22, Role::ProjectLead).await;
        let second_caller = Caller::local(second.actor(perspectief_core::access::Grant::NONE));
        assert_eq!(code(store.confirm_account(&second_caller, second.id).await), "second_person_required");
        let worker = account(&store, &admin, 23, Role::ProjectWorker).await;
        assert_eq!(code(store.confirm_account(&second_caller, worker.id).await), "second_person_required");

        // A token is confirmed after its account, by a confirmed lead.
        let (worker_token_info, worker_token) =
            store.create_token(&admin, worker.id, "werker", Duration::days(30)).await.unwrap();
        assert_eq!(code(store.confirm_token(&lead_caller, worker_token_info.id).await), "account_not_confirmed");
        store.confirm_account(&lead_caller, worker.id).await.unwrap();
        assert_eq!(store.authenticate(&worker_token).await.unwrap(), Err(TokenRejection::AwaitingConfirmation));
        store.confirm_token(&lead_caller, worker_token_info.id).await.unwrap();
        assert!(store.authenticate(&worker_token).await.unwrap().is_ok());
        assert_eq!(code(store.confirm_token(&lead_caller, worker_token_info.id).await), "already_confirmed");
        assert_eq!(code(store.confirm_token(&lead_caller, TokenId::from_u128(0xDEAD)).await), "not_found");

        // Listed for review: who asked, who confirmed, what still waits.
        let listed = store.confirmation_log(&lead_caller, chrono::DateTime::UNIX_EPOCH, 100).await.unwrap();
        let find = |kind, subject: uuid::Uuid| {
            listed
                .iter()
                .find(|c| c.kind == kind && c.subject == subject)
                .unwrap_or_else(|| panic!("{kind:?} {subject}"))
        };
        let l = find(ConfirmationKind::Account, lead.id.as_uuid());
        assert_eq!(l.requested_by, Some(admin.actor.user));
        assert_eq!(l.confirmation.as_ref().and_then(|c| c.by), Some(lead.id));
        assert!(find(ConfirmationKind::Account, second.id.as_uuid()).confirmation.is_none());
        let w = find(ConfirmationKind::Token, worker_token_info.id.as_uuid());
        assert_eq!((w.account, w.confirmation.as_ref().and_then(|c| c.by)), (worker.id, Some(lead.id)));
        assert!(listed.iter().all(|c| c.account != auditor.actor.user), "roles without case data are not listed");
        assert_eq!(code(store.confirmation_log(&admin, chrono::DateTime::UNIX_EPOCH, 100).await), "access_denied");

        // Every confirmation and refusal is in the access log.
        let log = store.audit_log(&auditor, None, 0, 500).await.unwrap();
        let ops: Vec<(&str, AuditOutcome)> =
            log.iter().map(|r| (r.entry.operation.as_str(), r.entry.outcome)).collect();
        for expected in [
            ("confirm_account", AuditOutcome::Success),
            ("confirm_account", AuditOutcome::Denied),
            ("confirm_token", AuditOutcome::Success),
            ("confirm_token", AuditOutcome::Denied),
            ("confirmation_log", AuditOutcome::Success),
        ] {
            assert!(ops.contains(&expected), "{expected:?} missing in {ops:?}");
        }
    }
}

/// Authorise first: a caller who may not manage accounts or grants is refused as such (and the
/// refusal is on record) before the request itself is checked, so an account for the wrong
/// organisation or a grant for the foundation tells them nothing. The administrator still gets
/// the validation error, also on record. The same holds for a token's validity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_and_grant_checks_come_after_authorisation_and_are_audited() {
    for backend in all_backends().await {
        let store = open(&backend.url(), new_keys(), clock()).await;
        let admin = administrator(&store);
        let lead = lead(&store);
        let foundation = store.policy().foundation;
        let iom = OrganisationId::from_u128(500);
        register(&store, iom, "IOM").await;
        let staff_outside = UserAccount {
            id: UserId::from_u128(21),
            organisation: iom,
            role: Role::ProjectWorker,
            name: Label::parse("Buiten").unwrap(),
            disabled: false,
            awaiting_confirmation: false,
        };
        let grant = Some(perspectief_core::access::Grant::all_categories(ConfidentialityLevel::Vertrouwelijk));

        assert_eq!(code(store.create_user(&lead, staff_outside.clone()).await), "access_denied");
        assert_eq!(code(store.set_grant(&lead, foundation, grant).await), "access_denied");
        assert_eq!(code(store.create_user(&admin, staff_outside).await), "invalid_input");
        // The same for a token's validity: refused as such only to the administrator.
        let too_long = Duration::days(400);
        assert_eq!(code(store.create_token(&lead, admin.actor.user, "x", too_long).await), "access_denied");
        assert_eq!(code(store.create_token(&admin, admin.actor.user, "x", too_long).await), "invalid_input");
        assert_eq!(code(store.set_grant(&admin, foundation, grant).await), "invalid_input");

        let log = store.audit_log(&auditor(&store), None, 0, 500).await.unwrap();
        let outcomes = |operation: &str| -> Vec<(UserId, AuditOutcome, Option<String>)> {
            log.iter()
                .filter(|r| r.entry.operation == operation)
                .map(|r| (r.entry.user, r.entry.outcome, r.entry.error_code.clone()))
                .collect()
        };
        for operation in ["create_user", "create_token", "set_grant"] {
            assert_eq!(
                outcomes(operation),
                [
                    (lead.actor.user, AuditOutcome::Denied, Some("access_denied".to_owned())),
                    (admin.actor.user, AuditOutcome::Failed, Some("invalid_input".to_owned())),
                ],
                "{operation}"
            );
        }
    }
}

/// A backup and `dev seed` take the whole database: the administrator's alone, by the core's
/// policy, and on record whatever the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_database_is_the_administrators_and_asking_is_audited() {
    let store = open("sqlite::memory:", new_keys(), clock()).await;
    let (admin, lead) = (administrator(&store), lead(&store));
    for (action, operation) in [(Action::Export, "backup"), (Action::Create, "dev_seed")] {
        assert_eq!(code(store.authorise(&lead, action, Resource::Database, operation).await), "access_denied");
        store.authorise(&admin, action, Resource::Database, operation).await.unwrap();
    }
    let log = store.audit_log(&auditor(&store), None, 0, 500).await.unwrap();
    for operation in ["backup", "dev_seed"] {
        let on_record: Vec<(UserId, AuditOutcome)> =
            log.iter().filter(|r| r.entry.operation == operation).map(|r| (r.entry.user, r.entry.outcome)).collect();
        assert_eq!(
            on_record,
            [(lead.actor.user, AuditOutcome::Denied), (admin.actor.user, AuditOutcome::Success)],
            "{operation}"
        );
    }
}

/// The foundation's auditor, who reads the access log.
fn auditor(store: &perspectief_store::Store) -> Caller {
    Caller::local(Actor {
        user: UserId::from_u128(30),
        organisation: store.policy().foundation,
        role: Role::Auditor,
        grant: perspectief_core::access::Grant::NONE,
    })
}
