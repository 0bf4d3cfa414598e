//! Privacy by design: the subject access export (GDPR art. 15), signed checkpoints of the
//! access log's hash chain, and break-glass access.
//!
//! Everything here is pure. The store gathers what it holds about a person and hands it to
//! [`ParticipantExport::assemble`]; the core decides what belongs in the export, works out from
//! the access log which organisation received what under which consent, and renders the
//! readable document ([`ParticipantExport::to_html`]). Signing a checkpoint needs the store's
//! secret key, but checking one ([`verify_checkpoint`]) needs only the checkpoint, the public
//! key the verifier trusts and the chain's records, so an outside party can do it.
//!
//! # Who may do what
//!
//! - **Subject access export**: the export holds every data category *and* the person's access
//!   log, so the caller needs [`Action::Export`] on every category and [`Action::Read`] on the
//!   audit log (see [`AccessPolicy::decide_subject_export`]): in today's matrix, only the project
//!   lead. The assigned project worker prepares the request; the project lead issues it. The
//!   export is logged with action `export`, purpose `subject_rights`, operation
//!   `export_participant`.
//! - **Checkpoints**: exporting the audit log is the auditor's ([`Action::Export`] on
//!   [`Resource::AuditLog`]); logged as operation `export_checkpoint`.
//! - **Break-glass**: see [`AccessPolicy::decide_break_glass`]. The reason is stored sealed,
//!   never in the access log (which holds ids and codes only); the access log records the read
//!   as operation [`BREAK_GLASS_OPERATION`], and the records are listed for review by whoever
//!   may read the audit log (project lead, auditor), who record their finding once
//!   ([`AccessPolicy::decide_break_glass_review`]: never on their own access).
//! - **Sharing with a partner** (sending a referral): needs an active consent of the
//!   participant covering the partner and the referral's category ([`share_basis`]), or a
//!   project lead's override with a reason ([`AccessPolicy::decide_consent_override`]). The
//!   event records the consent or the reason; an override is also stored with its reason sealed
//!   ([`ConsentOverrideRecord`]) and listed for review like break-glass (project lead, auditor,
//!   never the author). Criminal history is never shared, override or not.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(doc)]
use crate::access::{AccessPolicy, Resource};
use crate::access::{Action, Basis, Consent, DataCategory, Role};
use crate::case::{Case, CaseEvent};
use crate::codes::LanguageCode;
use crate::error::DomainError;
use crate::ids::{
    BreakGlassId, ConsentId, ConsentOverrideId, MeetingId, OrganisationId, ParticipantId, ReferralId, SessionId, UserId,
};
use crate::meeting::{ChainMeeting, MeetingEvent, MeetingItem};
use crate::service::{AuditOutcome, AuditRecord, Caller};
use crate::session::{InformationSession, SessionChange, SessionEvent, SessionTopic};
use crate::text::{Label, Text};

mod export;
pub use export::*;
mod checkpoint;
pub use checkpoint::*;

/// The format name written into every export.
pub const EXPORT_FORMAT: &str = "perspectief.participant_export.v1";
/// The format name written into every checkpoint (and into the signed message).
pub const CHECKPOINT_FORMAT: &str = "perspectief.audit_checkpoint.v1";
/// The operation name of a break-glass read in the access log.
pub const BREAK_GLASS_OPERATION: &str = "break_glass_get_case";
/// The hash before the first access-log record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A break-glass access, as listed for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassRecord {
    /// Id.
    pub id: BreakGlassId,
    /// When (the same instant as its access-log record, operation [`BREAK_GLASS_OPERATION`]).
    pub at: DateTime<Utc>,
    /// Who.
    pub user: UserId,
    /// Their organisation.
    pub organisation: OrganisationId,
    /// Their role.
    pub role: Role,
    /// Whose case.
    pub participant: ParticipantId,
    /// The reason given (stored sealed, shown only here).
    pub reason: Text,
    /// The review, once someone reviewed it.
    pub review: Option<BreakGlassReview>,
    /// What kind of access it was.
    #[serde(default)]
    pub access: ReviewedAccess,
}

/// An access outside the everyday need-to-know that is recorded with its reason and listed for
/// review: a break-glass read, or a subject access export (which holds medical and criminal
/// content its maker may otherwise not read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewedAccess {
    /// An emergency read of a whole case ([`AccessPolicy::decide_break_glass`]).
    #[default]
    BreakGlassRead,
    /// An export of everything held about a person (art. 15).
    SubjectExport,
    /// An erasure of a whole person on their request (art. 17), carried out on a second
    /// person's confirmation ([`crate::erasure`]). Recorded when it is carried out, by the
    /// confirmer, with the request's reason; reviewed by someone who took part in neither
    /// ([`AccessPolicy::decide_erasure_review`]).
    ErasureOnRequest,
}

impl ReviewedAccess {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BreakGlassRead => "break_glass_read",
            Self::SubjectExport => "subject_export",
            Self::ErasureOnRequest => "erasure_on_request",
        }
    }

    /// The kind named by its stable name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::BreakGlassRead, Self::SubjectExport, Self::ErasureOnRequest].into_iter().find(|k| k.as_str() == name)
    }
}

/// The review of a break-glass access: who judged it, when, and what they found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassReview {
    /// When.
    pub at: DateTime<Utc>,
    /// The reviewer (never the user whose access is reviewed).
    pub by: UserId,
    /// The finding (stored sealed).
    pub note: Text,
}

/// On which basis something is shared with an organisation outside the foundation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ShareBasis {
    /// An active consent of the participant covers the organisation and the category.
    Consent {
        /// The covering consent.
        consent: ConsentId,
    },
    /// No consent covers it; the project lead overrode that, with this reason.
    Override {
        /// The reason.
        reason: Text,
    },
}

/// Whether data of `category` may be shared with `organisation` on `day`, and on which basis:
/// a covering consent is used when there is one (an override given as well is then not needed
/// and not used); otherwise the override's reason, when one is given; otherwise
/// [`DomainError::ConsentRequired`]. Criminal history never leaves the foundation, whatever the
/// consent or override says: that is refused as a category no outside role may receive.
///
/// Who may give an override is the access policy's
/// ([`AccessPolicy::decide_consent_override`]); this only says whether one is needed.
pub fn share_basis(
    consents: &[Consent],
    organisation: OrganisationId,
    category: DataCategory,
    day: NaiveDate,
    consent_override: Option<&Text>,
) -> Result<ShareBasis, DomainError> {
    if category == DataCategory::CriminalHistory {
        return Err(DomainError::AccessDenied(crate::access::DenyReason::CategoryNotForRole {
            role: Role::ChainPartner,
            action: Action::Read,
            category,
        }));
    }
    if let Some(c) = crate::access::covering_consent(consents, organisation, category, day) {
        return Ok(ShareBasis::Consent { consent: c.id });
    }
    match consent_override {
        Some(reason) => Ok(ShareBasis::Override { reason: reason.clone() }),
        None => Err(DomainError::ConsentRequired { organisation, category }),
    }
}

/// A referral that a command would send without a covering consent, on the project lead's
/// override (see [`crate::case::Case::consent_override_request`]): what the store checks the
/// caller against ([`AccessPolicy::decide_consent_override`]) and records for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentOverrideRequest {
    /// The referral.
    pub referral: ReferralId,
    /// The partner it is sent to.
    pub partner: OrganisationId,
    /// The category of its content.
    pub category: DataCategory,
    /// The reason given.
    pub reason: Text,
}

/// A consent override, as listed for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentOverrideRecord {
    /// Id.
    pub id: ConsentOverrideId,
    /// When (the instant of the event that sent the referral).
    pub at: DateTime<Utc>,
    /// Who overrode (a project lead).
    pub user: UserId,
    /// Their organisation.
    pub organisation: OrganisationId,
    /// Their role.
    pub role: Role,
    /// Whose case.
    pub participant: ParticipantId,
    /// The referral sent.
    pub referral: ReferralId,
    /// The partner it was sent to.
    pub partner: OrganisationId,
    /// The category shared.
    pub category: DataCategory,
    /// The reason given (stored sealed, shown only here and in the case's event).
    pub reason: Text,
    /// The review, once someone reviewed it.
    pub review: Option<ConsentOverrideReview>,
}

/// The review of a consent override: the same as a break-glass access's (who judged it,
/// when, the finding; never the project lead who overrode).
pub type ConsentOverrideReview = BreakGlassReview;

/// The privacy operations: subject access export, signed checkpoints, break-glass access.
/// Implemented by the store; like [`crate::service::PerspectiefService`], every call is
/// authorised for `caller` and logged, denials included.
pub trait PrivacyService: Send + Sync {
    /// Everything held about a person (GDPR art. 15). Project lead only (see the module
    /// documentation); logged as an export for subject rights, and, since it holds content
    /// its maker may otherwise not read, recorded with its `reason` (the person's request) and
    /// listed for review with the break-glass reads ([`ReviewedAccess::SubjectExport`]).
    fn export_participant(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> impl Future<Output = Result<ParticipantExport, DomainError>> + Send;

    /// A signed checkpoint of the access log's head (auditor only).
    fn export_checkpoint(&self, caller: &Caller) -> impl Future<Output = Result<SignedCheckpoint, DomainError>> + Send;

    /// Read a whole case file in an emergency, outside the access matrix, with a reason
    /// (see [`AccessPolicy::decide_break_glass`]).
    fn break_glass_case(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> impl Future<Output = Result<Case, DomainError>> + Send;

    /// Break-glass accesses made at or after `from`, oldest first, at most `limit` (capped like
    /// any page), for review by whoever may read the audit log.
    fn break_glass_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<BreakGlassRecord>, DomainError>> + Send;

    /// Record the review of a break-glass access, once (see
    /// [`AccessPolicy::decide_break_glass_review`]); returns the reviewed record.
    fn review_break_glass(
        &self,
        caller: &Caller,
        access: BreakGlassId,
        note: Text,
    ) -> impl Future<Output = Result<BreakGlassRecord, DomainError>> + Send;

    /// Accounts that read case data and their tokens, created at or after `from`, oldest first,
    /// at most `limit` (capped like any page): who created each and which project lead
    /// confirmed it as the second person (see [`crate::accounts::decide_confirmation`]), for
    /// review with the break-glass reads by whoever may read the audit log.
    fn confirmation_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<crate::accounts::ConfirmationRecord>, DomainError>> + Send;

    /// Consent overrides (referrals sent without a covering consent) made at or after `from`,
    /// oldest first, at most `limit` (capped like any page), for review by whoever may read
    /// the audit log.
    fn consent_override_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ConsentOverrideRecord>, DomainError>> + Send;

    /// Record the review of a consent override, once, by whoever may read the audit log but
    /// never its author (the rule of [`AccessPolicy::decide_break_glass_review`]); returns the
    /// reviewed record.
    fn review_consent_override(
        &self,
        caller: &Caller,
        id: ConsentOverrideId,
        note: Text,
    ) -> impl Future<Output = Result<ConsentOverrideRecord, DomainError>> + Send;
}

/// One correction of a personal detail (rectification, GDPR art. 16): which field of the
/// profile changed in which event, by whom, from what to what. The old value is never lost: it
/// stays in the event history, and this is the view of it that staff read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileCorrection {
    /// The case version the change made.
    pub version: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who recorded it.
    pub by: UserId,
    /// The profile field, as the API names it (`given_names`, `date_of_birth`, ...,
    /// `project_worker`).
    pub field: String,
    /// The value before, as JSON (`null` or `[]` when it was empty).
    pub old: serde_json::Value,
    /// The value after, as JSON.
    pub new: serde_json::Value,
}

fn profile_fields(profile: &crate::participant::ParticipantProfile) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(profile) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// Every correction of a person's profile, oldest first, from their case events in version
/// order (starting with the registration; events before the first registration are ignored).
/// A change of project worker counts as a correction of `project_worker`.
pub fn profile_corrections(events: &[CaseEvent]) -> Vec<ProfileCorrection> {
    use crate::case::CaseChange;
    let mut current: Option<serde_json::Map<String, serde_json::Value>> = None;
    let mut out = Vec::new();
    for e in events {
        let correction = |field: &str, old: serde_json::Value, new: serde_json::Value| ProfileCorrection {
            version: e.version,
            at: e.at,
            by: e.actor,
            field: field.to_owned(),
            old,
            new,
        };
        match &e.change {
            CaseChange::Registered { profile, .. } => current = Some(profile_fields(profile)),
            CaseChange::ProfileUpdated { profile } => {
                let new = profile_fields(profile);
                if let Some(old) = &current {
                    let fields: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
                    for field in fields {
                        let (before, after) = (old.get(field), new.get(field));
                        if before != after {
                            let value = |v: Option<&serde_json::Value>| v.cloned().unwrap_or(serde_json::Value::Null);
                            out.push(correction(field, value(before), value(after)));
                        }
                    }
                }
                current = Some(new);
            }
            CaseChange::ProjectWorkerAssigned { from, to, .. } => {
                let (from, to) = (serde_json::Value::from(from.to_string()), serde_json::Value::from(to.to_string()));
                out.push(correction("project_worker", from, to.clone()));
                if let Some(c) = &mut current {
                    c.insert("project_worker".to_owned(), to);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
