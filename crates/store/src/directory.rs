//! The core's [`UserDirectory`] port: the accounts a caller may name as the person it works
//! for (`on_behalf_of`), and the access-log record of a refusal the gRPC layer decides. A fact about an account (its organisation and whether it is
//! disabled), read without a caller and not logged: the gRPC layer asks it for an
//! authenticated caller only, and the decision is the core's `may_act_for`.

use perspectief_core::access::{Action, DenyReason};
use perspectief_core::accounts::UserAccount;
use perspectief_core::service::{AuthFailure, Caller, UserDirectory};
use perspectief_core::{DomainError, UserId};

use crate::Store;

impl UserDirectory for Store {
    async fn account(&self, user: UserId) -> Result<Option<UserAccount>, AuthFailure> {
        self.local_account(user).await.map_err(|e| {
            tracing::warn!(error = %e, "account look-up unavailable");
            AuthFailure::Unavailable
        })
    }

    async fn record_refusal(
        &self,
        caller: &Caller,
        action: Action,
        operation: &str,
        reason: DenyReason,
    ) -> Result<(), AuthFailure> {
        let refused: Result<(), DomainError> = Err(DomainError::AccessDenied(reason));
        let entry = self.entry(caller, action, operation).with_outcome(&refused);
        self.inner.writer.submit(entry, None).await.map(drop).map_err(|e| {
            tracing::warn!(error = %e, "refusal not recorded");
            AuthFailure::Unavailable
        })
    }
}
