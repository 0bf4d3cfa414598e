//! Set-up shared by the gRPC tests.

use chrono::Duration;
use perspectief_core::access::{Grant, Role};
use perspectief_core::accounts::UserAccount;
use perspectief_core::service::Caller;
use perspectief_core::{Label, UserId};
use perspectief_store::Store;

/// The project lead who confirms the test worlds' accounts and tokens (the second person an
/// account that reads case data needs).
const CONFIRMING_LEAD: UserId = UserId::from_u128(0x1EAD_0000);

/// A token for `user` that works: created by the administrator, then the account (if it still
/// waits) and the token confirmed by a project lead, the way an installation does it.
pub async fn working_token(store: &Store, admin: &Caller, user: UserId, label: &str, valid_for: Duration) -> String {
    let lead = confirming_lead(store, admin).await;
    let account = store.local_account(user).await.unwrap().expect("the token's account exists");
    if account.awaiting_confirmation {
        store.confirm_account(&lead, user).await.unwrap();
    }
    let (info, token) = store.create_token(admin, user, label, valid_for).await.unwrap();
    if info.awaiting_confirmation {
        store.confirm_token(&lead, info.id).await.unwrap();
    }
    token
}

/// The confirming project lead, registered and activated on first use (the first project lead
/// of a database activates their own account).
async fn confirming_lead(store: &Store, admin: &Caller) -> Caller {
    let account = match store.local_account(CONFIRMING_LEAD).await.unwrap() {
        Some(account) => account,
        None => {
            let account = UserAccount {
                id: CONFIRMING_LEAD,
                organisation: store.policy().foundation,
                role: Role::ProjectLead,
                name: Label::parse("Projectleider Bevestiging").unwrap(),
                disabled: false,
                awaiting_confirmation: false,
            };
            store.create_user(admin, account).await.unwrap()
        }
    };
    let lead = Caller::local(account.actor(Grant::NONE));
    if account.awaiting_confirmation {
        store.confirm_account(&lead, CONFIRMING_LEAD).await.unwrap();
    }
    lead
}
