//! Accounts: the people who use the system and the access tokens that let their systems in.
//!
//! A user belongs to one organisation and has one role. An access token is bound to one user
//! (and through it to its organisation and role), expires, and can be revoked; only a hash of
//! its secret is ever stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Grant, Role};
use crate::ids::{OrganisationId, TokenId, UserId};
use crate::text::Label;

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccount {
    /// Id.
    pub id: UserId,
    /// The user's organisation.
    pub organisation: OrganisationId,
    /// The user's role.
    pub role: Role,
    /// A name to recognise the account by (a person's name, or a partner system's name).
    pub name: Label,
    /// Disabled accounts cannot act, and their tokens stop working.
    pub disabled: bool,
}

impl UserAccount {
    /// The actor this account acts as, under its organisation's grant ([`Grant::NONE`] when
    /// the organisation has none; staff roles do not use it).
    pub fn actor(&self, grant: Grant) -> Actor {
        Actor { user: self.id, organisation: self.organisation, role: self.role, grant }
    }
}

/// An organisation's grant as administered: what it is authorised for, since when, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationGrant {
    /// The organisation (never the foundation itself).
    pub organisation: OrganisationId,
    /// The grant.
    pub grant: Grant,
    /// When it was last set.
    pub updated_at: DateTime<Utc>,
    /// By whom.
    pub updated_by: UserId,
}

/// What is known about a token (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Id (the public part of the token).
    pub id: TokenId,
    /// The user it acts as.
    pub user: UserId,
    /// What it is for (e.g. "IOM case system").
    pub label: Label,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenInfo {
    /// Whether the token works at `now`.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// Why a presented token was not accepted. All of these are "unauthenticated" to the caller,
/// who is not told which (the audit log is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum TokenRejection {
    /// Not a token of this system, or not one that exists.
    #[error("unknown token")]
    Unknown,
    /// Past its expiry.
    #[error("expired token")]
    Expired,
    /// Revoked.
    #[error("revoked token")]
    Revoked,
    /// The user's account is disabled.
    #[error("the account is disabled")]
    AccountDisabled,
}

impl TokenRejection {
    /// Stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Unknown => "unknown_token",
            Self::Expired => "expired_token",
            Self::Revoked => "revoked_token",
            Self::AccountDisabled => "account_disabled",
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn a_token_works_until_it_expires_or_is_revoked() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut t = TokenInfo {
            id: TokenId::from_u128(1),
            user: UserId::from_u128(1),
            label: Label::parse("test").unwrap(),
            created_at: t0,
            expires_at: t0 + Duration::days(30),
            revoked_at: None,
        };
        assert!(t.is_valid_at(t0 + Duration::days(29)));
        assert!(!t.is_valid_at(t0 + Duration::days(30)));
        t.revoked_at = Some(t0 + Duration::days(1));
        assert!(!t.is_valid_at(t0 + Duration::days(2)));
    }
}
