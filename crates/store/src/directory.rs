//! The core's [`UserDirectory`] port: the accounts a caller may name as the person it works
//! for (`on_behalf_of`). A fact about an account (its organisation and whether it is
//! disabled), read without a caller and not logged: the gRPC layer asks it for an
//! authenticated caller only, and the decision is the core's `may_act_for`.

use perspectief_core::UserId;
use perspectief_core::accounts::UserAccount;
use perspectief_core::service::{AuthFailure, UserDirectory};

use crate::Store;

impl UserDirectory for Store {
    async fn account(&self, user: UserId) -> Result<Option<UserAccount>, AuthFailure> {
        self.local_account(user).await.map_err(|e| {
            tracing::warn!(error = %e, "account look-up unavailable");
            AuthFailure::Unavailable
        })
    }
}
