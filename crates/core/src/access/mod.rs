//! Consent and the access policy: who may do what with which data, on a need-to-know basis.
//!
//! [`AccessPolicy::decide`] is a pure function: given an actor, an action, a resource and the
//! day, it allows (saying on which basis, for the access log) or denies (saying why).
//! **Default deny**: every combination not listed below is denied. Staff roles (project worker,
//! project lead, auditor, administrator) count only for users of the foundation itself: a
//! "project lead" account of another organisation gets nothing.
//!
//! # Data categories
//!
//! Case data is split by [`DataCategory`]. The domain brief names identity, legal,
//! medical/psychosocial, criminal history, return and reports; *guidance* is added for the
//! case file's core (plan, goals, agreements, contact moments, referrals), which is none of
//! those and must still be shareable on its own.
//!
//! # The matrix
//!
//! Case data (one participant, one category). "assigned" means the actor is the participant's
//! project worker; "consent" means an active consent of the participant covers the actor's
//! organisation and the category on that day.
//!
//! | role | actions | categories | condition |
//! |---|---|---|---|
//! | project worker | read, search, create, update, export | all | assigned |
//! | project worker | read, search | identity | not assigned (to find people, register attendance) |
//! | project lead | read, search | all but medical/psychosocial and criminal history | — |
//! | project lead | create, update, export, erase | all | — |
//! | municipal case manager | read, search, export | identity, guidance, legal, return, reports | grant and consent |
//! | chain partner | read, search | identity, legal, medical/psychosocial, return | grant and consent |
//! | chain partner | read | reports (a participant's progress report, showing only the sections of the categories above that the consent covers) | grant and consent |
//! | chain partner | read | a sent referral addressed to its organisation | addressee, grant, and consent for the referral's category or the project lead's recorded override |
//! | chain partner | update (answer: accept, reject, complete) | the same | the same |
//! | municipal case manager | read | a sent referral addressed to the municipality (never medical) | the same |
//! | chain partner, municipal case manager | read | a consent of the participant naming its organisation, given or withdrawn | named (basis: addressee; no grant needed: it must learn of a withdrawal) |
//! | auditor, administrator | — | none | — |
//!
//! "grant and consent" means: the organisation's [`Grant`] includes the category, an active
//! consent of the participant covers the organisation and the category, and the case's
//! [`ConfidentialityLevel`] for that category is at most the grant's maximum (checked in that
//! order, so a denial names the first thing missing; the level comes last so that only an
//! organisation the person consented to share with learns that a level was raised).
//!
//! **Field level, inside the foundation**: medical/psychosocial and criminal-history content is
//! read only by the participant's own project worker ([`DataCategory::is_need_to_know`]). The
//! project lead may write it, export it for the person (art. 15) and erase it, but reads it only
//! by breaking the glass; a case file read by the lead shows those parts hidden.
//!
//! Inside the foundation a referral is case data of its own category (a referral to the GGD
//! is medical/psychosocial data), as the service does for the referral commands. Outside the
//! foundation a referral is its addressee's alone, once sent: a proposal, or a referral to
//! another organisation, is never shared, whatever the consents say; and a consent naming
//! another organisation is never shared either (it would tell who else helps the person).
//!
//! **What a reader sees of one case** is decided once, by
//! [`AccessPolicy::decide_visibility`] (module [`crate::view`]): the categories shown, hidden
//! or withheld (with the reason), and the referrals, consents and judgment communications by
//! the rules of their kind. The case file, the case's events, the event feed and the progress
//! report are all produced from that one decision. Per kind of event, outside the foundation:
//!
//! | event | shown when |
//! |---|---|
//! | registered, profile updated, project worker assigned | identity is shown |
//! | contact logged, agreement made | the category of its content is shown |
//! | agreement settled | the agreement's category is shown |
//! | plan, goals, phase, direction, self-reliance, outflow | guidance is shown |
//! | return stance, exploration, obstacles, reintegration, departure, judgment recorded, consequences explained | return is shown (a judgment lists only the communications below) |
//! | judgment communicated | return is shown and it was communicated to the participant or to the reader's organisation (to the municipality: for the case manager) |
//! | referral proposed, referral advanced | the referral rule above (addressee, once sent); the foundation's notes on its steps and the consent override's reason are left out, a partner's answer keeps its note |
//! | consent given, consent withdrawn | the consent names the reader's organisation |
//! | obstacle identified or acted on (medical kind), reintegration plan (its care part) | also medical/psychosocial is shown |
//! | self-reliance assessed | per score, its domain's category is shown (health, addiction: medical; justice: criminal history) |
//! | outflow recorded (departure postponed on medical grounds) | also medical/psychosocial is shown |
//! | any of them naming another organisation (a contact's partner, a goal's partners, an obstacle's partner) | that organisation is left out |
//! | progress report sent | reports are shown |
//! | confidentiality set | its category is shown (without the reason, the foundation's own note) |
//!
//! Criminal history and medical/psychosocial content never reach the municipality; criminal
//! history never leaves the foundation, whatever the consent says (everyone deserves a new
//! start, and nobody outside needs it to help).
//!
//! Other resources:
//!
//! | resource | project worker | project lead | case manager | chain partner | auditor | administrator |
//! |---|---|---|---|---|---|---|
//! | participant directory (names, caseloads) | read, search | same | — | — | — | — |
//! | information sessions | read, search, create, update, export | same | — | — | — | — |
//! | chain meetings | read, search, create, update | same | — | — | — | — |
//! | subsidy periods | read | read, create, update | read | — | read | — |
//! | subsidy reports (aggregate) | read, export | read, export | read, export | — | read | — |
//! | audit log | — | read, search | — | — | read, search, export | — |
//! | user accounts | — | read | — | — | — | read, search, create, update, erase |
//! | access tokens | — | — | — | — | — | read, search, create, update, erase |
//! | account confirmations | — | update | — | — | — | — |
//! | organisations register (directory data: code, name, kind, domains, contact details, active) | read, search | same | read, search | read, search | read, search | read, search, create, update |
//! | staff directory (the foundation's staff: name and role, for listings) | read, search | same | — | — | read, search | read, search |
//! | encryption keys (counts per key, re-sealing) | — | — | — | — | — | read, update |
//! | the database (a backup: export; synthetic data into an empty one: create) | — | — | — | — | — | create, export |
//! | caseload (the worklist: one worker's cases, or everyone's) | search (their own) | search | — | — | — | — |
//! | late entries (which entries were recorded late: ids, kinds, dates, who; the threshold) | — | read, search, update | — | — | — | — |
//!
//! The organisations register holds no personal data (contact details are the organisation's
//! own desk), so everyone who works with Perspectief may read it; only the administrator keeps
//! it (see [`crate::organisation`]). Late entries are the project lead's review of how the
//! case file is kept: they name no content, but they are about the staff's work on
//! participants, so neither the auditor (who reviews access, not casework) nor the
//! administrator (who sees no case data) gets them. The staff directory gives foundation staff the names
//! behind account ids (a project worker reads no user accounts), never to anyone outside.
//!
//! Reports (see [`crate::report`]): the subsidy report and its drill-down are *subsidy
//! reports* (aggregate figures; a drill-down names participants by internal id only); a
//! progress report is the participant's *reports* data, with each section shown only to a
//! reader who may read its category; a chain meeting's agenda is *chain meetings* data.
//!
//! Session attendance and chain-meeting items name participants, so they stay with the
//! foundation's staff (listing meetings too: chain partners take part in the meeting, but the
//! foundation's record of it is not theirs to search); what a partner or the municipality
//! learns about a person goes through the per-participant case data above, under consent.
//! What a meeting records about a person (discussed, advice, decision, termination talk)
//! reaches their case file, so recording it is also updating that person's guidance data
//! (their own project worker, or the lead; see [`crate::app::meeting`]).
//!
//! Nobody creates, updates or erases audit records: only the system appends them.
//! Break-glass access and project-lead overrides are recorded decisions on top of this
//! matrix, not holes in it.
//!
//! Decisions composed from the matrix (see [`crate::privacy`]):
//!
//! | decision | who | rule |
//! |---|---|---|
//! | subject access export (GDPR art. 15) | project lead | [`AccessPolicy::decide_subject_export`]: export of *every* category **and** read of the audit log, since the export holds the person's access log; the assigned project worker lacks the latter, so prepares the request and the project lead issues it, with a reason that is listed for review (the export holds content the lead may otherwise not read) |
//! | break-glass read of a whole case | project worker, project lead (foundation staff) | [`AccessPolicy::decide_break_glass`]: with a mandatory reason, stored sealed and listed for review; never auditors, administrators or anyone outside the foundation |
//! | consent override: send a referral to a partner, or communicate a judgment to the municipality or a partner, without a covering consent | project lead (foundation staff) | [`AccessPolicy::decide_consent_override`]: with a mandatory reason, recorded in the event, stored sealed and listed for review (reviewed by someone else, as break-glass); never for criminal history |

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{ConsentId, OrganisationId, ParticipantId, UserId};
use crate::text::Text;

mod category;
pub use category::*;
mod grant;
pub use grant::*;
mod composed;

/// A role in the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Project worker (*projectmedewerker*).
    ProjectWorker,
    /// Project lead (*projectleider*).
    ProjectLead,
    /// The municipality's case manager.
    MunicipalCaseManager,
    /// An employee of a chain-partner organisation.
    ChainPartner,
    /// Checks the access log and the accounts; sees no case data.
    Auditor,
    /// Manages accounts and tokens; sees no case data.
    Administrator,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 6] = [
        Self::ProjectWorker,
        Self::ProjectLead,
        Self::MunicipalCaseManager,
        Self::ChainPartner,
        Self::Auditor,
        Self::Administrator,
    ];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProjectWorker => "project_worker",
            Self::ProjectLead => "project_lead",
            Self::MunicipalCaseManager => "municipal_case_manager",
            Self::ChainPartner => "chain_partner",
            Self::Auditor => "auditor",
            Self::Administrator => "administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who acts: a user, their organisation and their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// The user.
    pub user: UserId,
    /// Their organisation.
    pub organisation: OrganisationId,
    /// Their role.
    pub role: Role,
    /// Their organisation's grant (for users outside the foundation; staff roles are decided
    /// by the role rules and ignore it).
    #[serde(default)]
    pub grant: Grant,
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read one record.
    Read,
    /// Search or list.
    Search,
    /// Create.
    Create,
    /// Change.
    Update,
    /// Export (reports, subject access).
    Export,
    /// Erase (retention, art. 17).
    Erase,
}

impl Action {
    /// All actions.
    pub const ALL: [Action; 6] = [Self::Read, Self::Search, Self::Create, Self::Update, Self::Export, Self::Erase];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Search => "search",
            Self::Create => "create",
            Self::Update => "update",
            Self::Export => "export",
            Self::Erase => "erase",
        }
    }
}

/// What the policy needs to know about a participant.
#[derive(Debug, Clone, Copy)]
pub struct ParticipantScope<'a> {
    /// The participant.
    pub participant: ParticipantId,
    /// Their project worker.
    pub project_worker: UserId,
    /// Their consents.
    pub consents: &'a [Consent],
    /// The confidentiality level of each category of their case.
    pub levels: CaseLevels,
}

/// What is acted on.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// One category of one participant's case data.
    CaseData {
        /// The participant.
        scope: ParticipantScope<'a>,
        /// The category.
        category: DataCategory,
    },
    /// A referral, as seen by the organisation it is addressed to.
    Referral {
        /// The participant.
        scope: ParticipantScope<'a>,
        /// The addressee.
        addressed_to: OrganisationId,
        /// Whether it was ever sent (a proposal that was not sent, also one revoked before it
        /// was sent, is the foundation's alone).
        sent: bool,
        /// Whether it was sent without a covering consent, on the project lead's recorded
        /// override: the addressee then reads it on that decision instead of a consent.
        on_override: bool,
        /// The data category of its content (see [`crate::contact::PartnerDomain::category`]).
        category: DataCategory,
    },
    /// A consent of the participant (given or withdrawn), as seen by the organisation it names.
    Consent {
        /// The participant.
        scope: ParticipantScope<'a>,
        /// The consent.
        consent: ConsentId,
        /// The organisation it names.
        organisation: OrganisationId,
    },
    /// The directory of participants: finding someone by name, listing a caseload.
    ParticipantDirectory,
    /// Information sessions (dates, themes, counts).
    InformationSessions,
    /// Chain-partner meetings.
    ChainMeetings,
    /// Subsidy periods and targets.
    SubsidyPeriods,
    /// Aggregate accountability reports.
    SubsidyReports,
    /// The access/audit log.
    AuditLog,
    /// User accounts.
    UserAccounts,
    /// Access tokens.
    AccessTokens,
    /// The second person's confirmation of an account or token that can read case data
    /// (see [`crate::accounts::decide_confirmation`]).
    AccountConfirmations,
    /// The organisations register (directory data only).
    Organisations,
    /// The staff directory: names and roles of the foundation's staff.
    StaffDirectory,
    /// The database's encryption keys: which key sealed how many values, and re-sealing them
    /// under the current key so an old one can be retired (never the keys themselves).
    EncryptionKeys,
    /// The whole database at once: a backup copy (`Export`), or filling an empty one with
    /// synthetic data (`Create`). The administrator's alone.
    Database,
    /// A caseload as a whole (the worklist): the cases of one project worker, or of every
    /// worker (`None`). Searched by that worker, or by the project lead; never a way to one
    /// person's data, which each item's own read decides.
    Caseload {
        /// Whose caseload; `None` for everyone's.
        project_worker: Option<UserId>,
    },
    /// The late-entry register (see [`crate::late`]): which case entries were recorded late
    /// (participant ids, kinds of change, dates, who recorded them; never content), and the
    /// foundation's threshold for it. The project lead's: it reviews how the case file was kept.
    LateEntries,
}

impl Resource<'_> {
    /// Stable snake_case name of the kind of resource.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::CaseData { .. } => "case_data",
            Self::Referral { .. } => "referral",
            Self::Consent { .. } => "consent",
            Self::ParticipantDirectory => "participant_directory",
            Self::InformationSessions => "information_sessions",
            Self::ChainMeetings => "chain_meetings",
            Self::SubsidyPeriods => "subsidy_periods",
            Self::SubsidyReports => "subsidy_reports",
            Self::AuditLog => "audit_log",
            Self::UserAccounts => "user_accounts",
            Self::AccessTokens => "access_tokens",
            Self::AccountConfirmations => "account_confirmations",
            Self::Organisations => "organisations",
            Self::StaffDirectory => "staff_directory",
            Self::EncryptionKeys => "encryption_keys",
            Self::Database => "database",
            Self::Caseload { .. } => "caseload",
            Self::LateEntries => "late_entries",
        }
    }
}

/// Why an action is allowed: recorded in the access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", content = "consent", rename_all = "snake_case")]
pub enum Basis {
    /// The role's rule allows it.
    RoleRule,
    /// The actor is the participant's project worker.
    Assignment,
    /// A consent of the participant.
    Consent(ConsentId),
    /// The record is addressed to the actor's organisation: a referral sent to it (on a
    /// consent override; under a consent the basis is that consent), or a consent naming it.
    Addressee,
    /// An emergency read outside the matrix (break-glass): allowed only with a recorded reason,
    /// and listed for review. Never the outcome of [`AccessPolicy::decide`].
    BreakGlass,
}

/// Why an action is denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DenyReason {
    /// The role may not do this with this kind of resource at all.
    #[error("the role {role} may not {action} {resource}")]
    RoleNotEntitled {
        /// Role.
        role: Role,
        /// Action.
        action: Action,
        /// Resource kind.
        resource: String,
    },
    /// The role never sees this category.
    #[error("the role {role} may not {action} {category} data")]
    CategoryNotForRole {
        /// Role.
        role: Role,
        /// Action.
        action: Action,
        /// Category.
        category: DataCategory,
    },
    /// Only the assigned project worker (or the project lead) may do this.
    #[error("only the participant's own project worker or the project lead may do this")]
    NotAssigned,
    /// No active consent covers the organisation and category.
    #[error("the participant has not consented to share {category} data with your organisation")]
    NoConsent {
        /// Category.
        category: DataCategory,
    },
    /// The referral is addressed to another organisation.
    #[error("this referral is addressed to another organisation")]
    NotAddressee,
    /// The referral has not been sent (yet).
    #[error("this referral has not been sent to your organisation")]
    NotSent,
    /// A staff role held by a user outside the foundation.
    #[error("the role {role} is only valid for the foundation's own staff")]
    NotFoundationStaff {
        /// Role.
        role: Role,
    },
    /// The organisation's grant does not include this category.
    #[error("your organisation is not authorised for {category} data (ask the foundation about its grant)")]
    NotGranted {
        /// Category.
        category: DataCategory,
    },
    /// The data's confidentiality level is above what the organisation's grant allows.
    #[error("this {category} data is {level}, above your organisation's maximum level {max}")]
    AboveGrantLevel {
        /// Category.
        category: DataCategory,
        /// The data's level.
        level: ConfidentialityLevel,
        /// The grant's maximum.
        max: ConfidentialityLevel,
    },
    /// Medical/psychosocial and criminal-history content is read only by the participant's own
    /// project worker, even inside the foundation.
    #[error("{category} content is only for the participant's own project worker")]
    NeedToKnow {
        /// Category.
        category: DataCategory,
    },
    /// The caller stated a purpose its role cannot have (a chain partner works for chain
    /// cooperation only): see [`AccessPolicy::decide_purpose`].
    #[error("the role {role} may not work for the purpose {}", purpose.as_str())]
    PurposeNotForRole {
        /// Role.
        role: Role,
        /// The purpose stated.
        purpose: crate::service::Purpose,
    },
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Allowed, on this basis.
    Allowed {
        /// The basis.
        basis: Basis,
    },
    /// Denied, for this reason.
    Denied {
        /// The reason.
        reason: DenyReason,
    },
}

impl Decision {
    /// Whether it is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed { .. })
    }

    /// `Ok(basis)` or the denial as a domain error.
    pub fn into_result(self) -> Result<Basis, crate::DomainError> {
        match self {
            Self::Allowed { basis } => Ok(basis),
            Self::Denied { reason } => Err(crate::DomainError::AccessDenied(reason)),
        }
    }
}

fn allow(basis: Basis) -> Decision {
    Decision::Allowed { basis }
}

fn deny(reason: DenyReason) -> Decision {
    Decision::Denied { reason }
}

/// The access policy of one foundation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPolicy {
    /// The foundation whose staff the staff roles belong to.
    pub foundation: OrganisationId,
}

impl AccessPolicy {
    /// Whether aggregate figures shown to `actor` must have their small cells suppressed (and
    /// no drill-down to persons): for every reader outside the foundation, whose own staff keep
    /// the full view. One rule for the subsidy report and the self-reliance cohort.
    pub fn suppresses_small_cells(&self, actor: &Actor) -> bool {
        actor.organisation != self.foundation
    }

    /// Whether `actor` may work for the `purpose` it states: only one of its role's
    /// ([`crate::service::Purpose::permitted_for`]); the access log records the purpose, so a
    /// role cannot claim another's (a chain partner's case work, say). A refusal is an access
    /// refusal like any other, decided before the call is served (it needs no organisation).
    ///
    /// ```
    /// use perspectief_core::access::{AccessPolicy, Actor, DenyReason, Grant, Role};
    /// use perspectief_core::service::Purpose;
    /// use perspectief_core::{OrganisationId, UserId};
    ///
    /// let partner = Actor {
    ///     user: UserId::from_u128(5),
    ///     organisation: OrganisationId::from_u128(9),
    ///     role: Role::ChainPartner,
    ///     grant: Grant::NONE,
    /// };
    /// assert_eq!(AccessPolicy::decide_purpose(&partner, Purpose::ChainCooperation), Ok(()));
    /// assert_eq!(
    ///     AccessPolicy::decide_purpose(&partner, Purpose::CaseWork),
    ///     Err(DenyReason::PurposeNotForRole { role: Role::ChainPartner, purpose: Purpose::CaseWork })
    /// );
    /// ```
    pub fn decide_purpose(actor: &Actor, purpose: crate::service::Purpose) -> Result<(), DenyReason> {
        if crate::service::Purpose::permitted_for(actor.role).contains(&purpose) {
            Ok(())
        } else {
            Err(DenyReason::PurposeNotForRole { role: actor.role, purpose })
        }
    }

    /// Decide whether `actor` may perform `action` on `resource` on `today`. Default deny; see
    /// the module documentation for the matrix.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::access::*;
    /// use perspectief_core::{OrganisationId, ParticipantId, UserId};
    ///
    /// let policy = AccessPolicy { foundation: OrganisationId::from_u128(100) };
    /// let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// let worker = UserId::from_u128(1);
    /// let scope = ParticipantScope {
    ///     participant: ParticipantId::from_u128(7),
    ///     project_worker: worker,
    ///     consents: &[],
    ///     levels: CaseLevels::DEFAULT,
    /// };
    /// // IOM is authorised for return data up to "vertrouwelijk" (its grant).
    /// let grant = Grant {
    ///     categories: [DataCategory::Return].into_iter().collect(),
    ///     max_level: ConfidentialityLevel::Vertrouwelijk,
    /// };
    /// let iom = Actor {
    ///     user: UserId::from_u128(9),
    ///     organisation: OrganisationId::from_u128(90),
    ///     role: Role::ChainPartner,
    ///     grant,
    /// };
    ///
    /// // Without consent, a chain partner sees nothing of the return track.
    /// let d = policy.decide(&iom, Action::Read, &Resource::CaseData { scope, category: DataCategory::Return }, today);
    /// assert!(!d.is_allowed());
    /// ```
    pub fn decide(&self, actor: &Actor, action: Action, resource: &Resource<'_>, today: NaiveDate) -> Decision {
        use Action::*;
        use Role::*;
        let staff_role = matches!(actor.role, ProjectWorker | ProjectLead | Auditor | Administrator);
        if staff_role && actor.organisation != self.foundation {
            return deny(DenyReason::NotFoundationStaff { role: actor.role });
        }
        let not_entitled =
            || deny(DenyReason::RoleNotEntitled { role: actor.role, action, resource: resource.kind().to_owned() });
        match resource {
            Resource::CaseData { scope, category } => decide_case_data(actor, action, scope, *category, today),
            Resource::Referral { scope, addressed_to, sent, on_override, category } => match actor.role {
                // Outside the foundation a referral is its addressee's alone, once sent: a
                // proposal, or a referral to another organisation, is never shared with anyone
                // else, whatever the consents say.
                ChainPartner | MunicipalCaseManager
                    if action == Read || (action == Update && actor.role == ChainPartner) =>
                {
                    if *addressed_to != actor.organisation {
                        deny(DenyReason::NotAddressee)
                    } else if !*sent {
                        deny(DenyReason::NotSent)
                    } else if !outside_readable(actor.role, *category) {
                        // Criminal history never leaves the foundation; medical content never
                        // reaches the municipality.
                        deny(DenyReason::CategoryNotForRole { role: actor.role, action, category: *category })
                    } else {
                        match by_grant_and_consent(actor, scope, *category, today) {
                            // Sent on the project lead's recorded override: the addressee reads
                            // it on that decision (its grant still applies).
                            Decision::Denied { reason: DenyReason::NoConsent { .. } } if *on_override => {
                                allow(Basis::Addressee)
                            }
                            decision => decision,
                        }
                    }
                }
                // A partner answers the referrals addressed to it, nothing more.
                ChainPartner | MunicipalCaseManager => not_entitled(),
                // Foundation staff act on case data of the referral's own category, as the
                // service does for referral commands: a referral to the GGD is medical content.
                _ => decide_case_data(actor, action, scope, *category, today),
            },
            Resource::Consent { scope, organisation, .. } => match actor.role {
                // An organisation outside the foundation reads the consents that name it, given
                // or withdrawn (it must learn of a withdrawal), never those naming others: they
                // would tell it who else helps the person, and with what.
                ChainPartner | MunicipalCaseManager if action == Read => {
                    if *organisation == actor.organisation {
                        // On the basis that it names the reader, not under the consent: no
                        // case data is shared by it.
                        allow(Basis::Addressee)
                    } else {
                        deny(DenyReason::NotAddressee)
                    }
                }
                ChainPartner | MunicipalCaseManager => not_entitled(),
                // Inside the foundation a consent is guidance data.
                _ => decide_case_data(actor, action, scope, DataCategory::Guidance, today),
            },
            Resource::Caseload { project_worker } => match actor.role {
                // A project worker lists their own caseload, on their assignment.
                ProjectWorker if action == Search && *project_worker == Some(actor.user) => allow(Basis::Assignment),
                ProjectWorker if action == Search => deny(DenyReason::NotAssigned),
                ProjectLead if action == Search => allow(Basis::RoleRule),
                _ => not_entitled(),
            },
            other => {
                let allowed: &[Action] = match (other, actor.role) {
                    (Resource::ParticipantDirectory, ProjectWorker | ProjectLead) => &[Read, Search],
                    (Resource::InformationSessions, ProjectWorker | ProjectLead) => {
                        &[Read, Search, Create, Update, Export]
                    }
                    (Resource::ChainMeetings, ProjectWorker | ProjectLead) => &[Read, Search, Create, Update],
                    (Resource::SubsidyPeriods, ProjectLead) => &[Read, Create, Update],
                    (Resource::SubsidyPeriods, ProjectWorker | MunicipalCaseManager | Auditor) => &[Read],
                    (Resource::SubsidyReports, ProjectWorker | ProjectLead | MunicipalCaseManager) => &[Read, Export],
                    (Resource::SubsidyReports, Auditor) => &[Read],
                    (Resource::AuditLog, ProjectLead) => &[Read, Search],
                    (Resource::AuditLog, Auditor) => &[Read, Search, Export],
                    (Resource::UserAccounts, ProjectLead) => &[Read],
                    (Resource::AccountConfirmations, ProjectLead) => &[Update],
                    (Resource::UserAccounts | Resource::AccessTokens, Administrator) => {
                        &[Read, Search, Create, Update, Erase]
                    }
                    (Resource::Organisations, Administrator) => &[Read, Search, Create, Update],
                    (Resource::Organisations, _) => &[Read, Search],
                    (Resource::EncryptionKeys, Administrator) => &[Read, Update],
                    (Resource::Database, Administrator) => &[Create, Export],
                    (Resource::LateEntries, ProjectLead) => &[Read, Search, Update],
                    (Resource::StaffDirectory, ProjectWorker | ProjectLead | Auditor | Administrator) => {
                        &[Read, Search]
                    }
                    _ => &[],
                };
                if allowed.contains(&action) { allow(Basis::RoleRule) } else { not_entitled() }
            }
        }
    }
}

fn decide_case_data(
    actor: &Actor,
    action: Action,
    scope: &ParticipantScope<'_>,
    category: DataCategory,
    today: NaiveDate,
) -> Decision {
    use Action::*;
    use DataCategory::*;
    use Role::*;
    let category_denied = || deny(DenyReason::CategoryNotForRole { role: actor.role, action, category });
    let by_consent = || by_grant_and_consent(actor, scope, category, today);
    match actor.role {
        // The lead oversees every case, but reads medical and criminal content only by
        // breaking the glass; exporting it for the person (art. 15) and writing stay open.
        ProjectLead if category.is_need_to_know() && matches!(action, Read | Search) => {
            deny(DenyReason::NeedToKnow { category })
        }
        ProjectLead => allow(Basis::RoleRule),
        ProjectWorker => {
            if action == Erase {
                category_denied()
            } else if scope.project_worker == actor.user {
                allow(Basis::Assignment)
            } else if category == Identity && matches!(action, Read | Search) {
                allow(Basis::RoleRule)
            } else {
                deny(DenyReason::NotAssigned)
            }
        }
        MunicipalCaseManager => {
            if !matches!(action, Read | Search | Export)
                || !matches!(category, Identity | Guidance | Legal | Return | Reports)
            {
                category_denied()
            } else {
                by_consent()
            }
        }
        ChainPartner => {
            let readable = match category {
                Identity | Legal | MedicalPsychosocial | Return => matches!(action, Read | Search),
                // Progress reports: read one participant's, never search across them.
                Reports => action == Read,
                _ => false,
            };
            if !readable { category_denied() } else { by_consent() }
        }
        Auditor | Administrator => category_denied(),
    }
}

/// Whether an outside role may ever read this category (the role rule of the matrix, before
/// grant and consent): criminal history never, medical content never for the municipality.
const fn outside_readable(role: Role, category: DataCategory) -> bool {
    use DataCategory::*;
    match role {
        Role::ChainPartner => !matches!(category, CriminalHistory),
        Role::MunicipalCaseManager => !matches!(category, CriminalHistory | MedicalPsychosocial),
        _ => false,
    }
}

/// Outside the foundation: the organisation's grant must include the category and reach the
/// data's level, and then a consent of the participant must cover it.
fn by_grant_and_consent(
    actor: &Actor,
    scope: &ParticipantScope<'_>,
    category: DataCategory,
    today: NaiveDate,
) -> Decision {
    let level = scope.levels.of(category);
    if !actor.grant.categories.contains(category) {
        return deny(DenyReason::NotGranted { category });
    }
    // Consent before the level: an organisation the person did not consent to share with is
    // not told that this case's level was raised (which would hint at what it holds).
    let Some(consent) = covering_consent(scope.consents, actor.organisation, category, today) else {
        return deny(DenyReason::NoConsent { category });
    };
    if !actor.grant.allows(category, level) {
        return deny(DenyReason::AboveGrantLevel { category, level, max: actor.grant.max_level });
    }
    allow(Basis::Consent(consent.id))
}

#[cfg(test)]
mod tests;
