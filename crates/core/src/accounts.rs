//! Accounts: the people who use the system and the access tokens that let their systems in.
//!
//! A user belongs to one organisation and has one role. An access token is bound to one user
//! (and through it to its organisation and role), expires, and can be revoked; only a hash of
//! its secret is ever stored.
//!
//! # A second person for access to case data
//!
//! The administrator manages accounts and tokens but reads no case data. So that an
//! administrator cannot give themselves that access (by creating a project-lead account and
//! minting its token), an account whose role can read case data ([`reads_case_data`]) and each
//! of its tokens wait for a second person: a project lead confirms them
//! ([`decide_confirmation`]). Until then a token of the account is refused
//! ([`TokenRejection::AwaitingConfirmation`]). Every such account and token, with who asked and
//! who confirmed, is listed for review beside the break-glass reads.

use crate::ViolationCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Grant, Role};
use crate::error::{DomainError, Rule};
use crate::ids::{OrganisationId, TokenId, UserId};
use crate::text::Label;

/// Whether accounts of `role` can read case data, and so need a second person's confirmation
/// before they (and each of their tokens) can be used. Administrators and auditors see no case
/// data and need none.
///
/// ```
/// use perspectief_core::access::Role;
/// use perspectief_core::accounts::reads_case_data;
///
/// assert!(reads_case_data(Role::ProjectLead) && reads_case_data(Role::ChainPartner));
/// assert!(!reads_case_data(Role::Administrator) && !reads_case_data(Role::Auditor));
/// ```
pub const fn reads_case_data(role: Role) -> bool {
    match role {
        Role::ProjectWorker | Role::ProjectLead | Role::MunicipalCaseManager | Role::ChainPartner => true,
        Role::Auditor | Role::Administrator => false,
    }
}

/// What a second person confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationKind {
    /// An account whose role reads case data.
    Account,
    /// A token of such an account.
    Token,
}

impl ConfirmationKind {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account_confirmation",
            Self::Token => "token_confirmation",
        }
    }
}

/// A confirmation: who confirmed, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (absent for accounts and tokens made before confirmations existed, and for those
    /// that need none).
    pub by: Option<UserId>,
}

/// An account or token that needs (or needed) a second person, as listed for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmationRecord {
    /// Account or token.
    pub kind: ConfirmationKind,
    /// The account's or the token's id.
    pub subject: uuid::Uuid,
    /// The account (the token's account, for a token).
    pub account: UserId,
    /// The account's role.
    pub role: Role,
    /// The account's organisation.
    pub organisation: OrganisationId,
    /// Who created it (absent for accounts made before this was recorded).
    pub requested_by: Option<UserId>,
    /// When it was created.
    pub requested_at: DateTime<Utc>,
    /// The confirmation, once given.
    pub confirmation: Option<Confirmation>,
}

/// What is known when someone confirms an account or token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingConfirmation {
    /// Account or token.
    pub kind: ConfirmationKind,
    /// The account concerned (the token's holder, for a token).
    pub account: UserId,
    /// Its role.
    pub role: Role,
    /// Who created the account or token.
    pub requested_by: Option<UserId>,
    /// Whether it is confirmed already.
    pub confirmed: bool,
    /// Whether the account is confirmed (for a token: its account must be, first).
    pub account_confirmed: bool,
    /// Whether the database holds a confirmed, enabled project lead other than the account
    /// itself (while none does, the first project lead activates their own account).
    pub other_confirmed_lead: bool,
}

/// The second person's rule: whether `confirmer` (already allowed by the access policy to
/// confirm at all, i.e. a project lead, and known to have a usable account whose own
/// confirmation is `confirmer_confirmed`) may confirm `pending`.
///
/// - Nothing is confirmed twice, and only accounts that read case data need it.
/// - Never by the person who created it (the administrator is never a project lead, but a
///   rule that depends on that would break silently).
/// - An account is confirmed by a confirmed project lead other than its holder; only while
///   no other confirmed project lead exists may a project-lead account activate itself (the
///   first one of a new installation). A token is confirmed once its account is, by a
///   confirmed project lead: its holder (activating their own token) or another.
///
/// ```
/// use perspectief_core::access::{Actor, Grant, Role};
/// use perspectief_core::accounts::{ConfirmationKind, PendingConfirmation, decide_confirmation};
/// use perspectief_core::{OrganisationId, UserId};
///
/// let lead = Actor { user: UserId::from_u128(2), organisation: OrganisationId::from_u128(100),
///     role: Role::ProjectLead, grant: Grant::NONE };
/// let worker = PendingConfirmation { kind: ConfirmationKind::Account, account: UserId::from_u128(3),
///     role: Role::ProjectWorker, requested_by: Some(UserId::from_u128(1)), confirmed: false,
///     account_confirmed: false, other_confirmed_lead: true };
/// assert!(decide_confirmation(&lead, true, &worker).is_ok());
/// // An unconfirmed lead confirms nobody else.
/// assert!(decide_confirmation(&lead, false, &worker).is_err());
/// // The worker's token waits for the worker's account.
/// let token = PendingConfirmation { kind: ConfirmationKind::Token, ..worker };
/// assert!(decide_confirmation(&lead, true, &token).is_err());
/// ```
pub fn decide_confirmation(
    confirmer: &Actor,
    confirmer_confirmed: bool,
    pending: &PendingConfirmation,
) -> Result<(), DomainError> {
    let rule = |rule| Err(DomainError::RuleViolated { rule });
    if pending.confirmed || !reads_case_data(pending.role) {
        return rule(Rule::AlreadyConfirmed);
    }
    if pending.requested_by == Some(confirmer.user) {
        return rule(Rule::SecondPersonRequired);
    }
    let own = confirmer.user == pending.account;
    match pending.kind {
        ConfirmationKind::Account => {
            let first_lead = own && pending.role == Role::ProjectLead && !pending.other_confirmed_lead;
            if first_lead {
                return Ok(());
            }
            if own || !confirmer_confirmed {
                return rule(Rule::SecondPersonRequired);
            }
        }
        ConfirmationKind::Token => {
            if !pending.account_confirmed {
                return rule(Rule::AccountNotConfirmed);
            }
            if !confirmer_confirmed {
                return rule(Rule::SecondPersonRequired);
            }
        }
    }
    Ok(())
}

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
    /// An account that reads case data waits for a project lead's confirmation; until then its
    /// tokens are refused. Set by the store (ignored when an account is created).
    #[serde(default)]
    pub awaiting_confirmation: bool,
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
    /// Whether it still waits for a project lead's confirmation (tokens of accounts that read
    /// case data); it is refused until then.
    #[serde(default)]
    pub awaiting_confirmation: bool,
}

impl TokenInfo {
    /// Whether the token works at `now` (as far as the token itself goes: its account may
    /// still be disabled or wait for confirmation).
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        !self.awaiting_confirmation && self.revoked_at.is_none() && now < self.expires_at
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
    /// The token or its account waits for a project lead's confirmation.
    #[error("the token or its account waits for a project lead's confirmation")]
    AwaitingConfirmation,
}

impl TokenRejection {
    /// Stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Unknown => "unknown_token",
            Self::Expired => "expired_token",
            Self::Revoked => "revoked_token",
            Self::AccountDisabled => "account_disabled",
            Self::AwaitingConfirmation => "awaiting_confirmation",
        }
    }
}

/// Whether `role` is one of the foundation's own (staff) roles; the others are held by users of
/// partner organisations and the municipality.
pub const fn is_staff_role(role: Role) -> bool {
    matches!(role, Role::ProjectWorker | Role::ProjectLead | Role::Auditor | Role::Administrator)
}

/// An account's organisation fits its role: staff roles belong to the foundation, partner and
/// municipality roles to their own organisation. Checked after the caller is authorised to
/// add accounts.
pub fn check_account_organisation(
    role: Role,
    organisation: OrganisationId,
    foundation: OrganisationId,
) -> Result<(), DomainError> {
    let staff = is_staff_role(role);
    if staff && organisation != foundation {
        return Err(DomainError::field(
            "organisation",
            ViolationCode::NotFoundation,
            "staff roles belong to the foundation's own organisation",
        ));
    }
    if !staff && organisation == foundation {
        return Err(DomainError::field(
            "organisation",
            ViolationCode::IsFoundation,
            "partner and municipality accounts belong to their own organisation",
        ));
    }
    Ok(())
}

/// The longest a token may be valid for, in days (a year, leap years included).
pub const MAX_TOKEN_DAYS: i64 = 366;

/// A token is valid for 1 day to [`MAX_TOKEN_DAYS`] days. Checked after the caller is
/// authorised to create tokens.
pub fn check_token_validity(valid_for: chrono::Duration) -> Result<(), DomainError> {
    if valid_for <= chrono::Duration::zero() || valid_for > chrono::Duration::days(MAX_TOKEN_DAYS) {
        return Err(DomainError::field(
            "valid_for",
            ViolationCode::OutOfRange,
            format!("a token is valid for 1 day to {MAX_TOKEN_DAYS} days"),
        ));
    }
    Ok(())
}

/// A grant is for an organisation outside the foundation: the foundation's own staff are
/// authorised by their roles. Checked after the caller is authorised to set grants.
pub fn check_grant_organisation(organisation: OrganisationId, foundation: OrganisationId) -> Result<(), DomainError> {
    if organisation == foundation {
        return Err(DomainError::field(
            "organisation",
            ViolationCode::IsFoundation,
            "the foundation's own staff are authorised by their roles, not by a grant",
        ));
    }
    Ok(())
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
            awaiting_confirmation: false,
        };
        assert!(t.is_valid_at(t0 + Duration::days(29)));
        assert!(!t.is_valid_at(t0 + Duration::days(30)));
        t.revoked_at = Some(t0 + Duration::days(1));
        assert!(!t.is_valid_at(t0 + Duration::days(2)));
    }

    #[test]
    fn staff_belong_to_the_foundation_and_partners_to_their_own() {
        let (foundation, partner) = (OrganisationId::from_u128(1), OrganisationId::from_u128(2));
        assert!(check_account_organisation(Role::ProjectLead, foundation, foundation).is_ok());
        assert!(check_account_organisation(Role::ChainPartner, partner, foundation).is_ok());
        let code = |r: Result<(), DomainError>| r.unwrap_err().violations().map(|v| v.0[0].code.code());
        assert_eq!(code(check_account_organisation(Role::Auditor, partner, foundation)), Some("not_foundation"));
        assert_eq!(code(check_account_organisation(Role::ChainPartner, foundation, foundation)), Some("is_foundation"));
        assert_eq!(code(check_grant_organisation(foundation, foundation)), Some("is_foundation"));
        assert!(check_grant_organisation(partner, foundation).is_ok());
    }
}
