//! Accounts and tokens: created and revoked by administrators, stored only as hashes,
//! refused when unknown, expired, revoked or disabled.

use chrono::Duration;
use perspectief_core::accounts::{TokenRejection, UserAccount};
use perspectief_core::service::{AuditOutcome, Caller, PerspectiefService};
use perspectief_core::*;
use perspectief_store::testing::raw_query_text;

use crate::support::*;

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
            .create_user(
                &admin,
                UserAccount {
                    id: UserId::from_u128(20),
                    organisation: iom,
                    role: Role::ChainPartner,
                    name: Label::parse("IOM-koppeling").unwrap(),
                    disabled: false,
                },
            )
            .await
            .unwrap();
        // A partner account cannot claim a staff role of the foundation, nor the foundation's id.
        let err = store
            .create_user(
                &admin,
                UserAccount {
                    id: UserId::from_u128(21),
                    organisation: iom,
                    role: Role::ProjectLead,
                    name: Label::parse("x").unwrap(),
                    disabled: false,
                },
            )
            .await
            .unwrap_err();
        assert!(err.violations().unwrap().has("organisation"));

        let (info, token) =
            store.create_token(&admin, partner.id, "IOM casussysteem", Duration::days(30)).await.unwrap();
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
        let (_, second) = store.create_token(&admin, partner.id, "tweede", Duration::days(1)).await.unwrap();
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
        assert_eq!(store.list_users(&admin).await.unwrap().len(), 2);

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
