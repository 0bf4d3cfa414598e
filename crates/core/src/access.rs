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
//!
//! The organisations register holds no personal data (contact details are the organisation's
//! own desk), so everyone who works with Perspectief may read it; only the administrator keeps
//! it (see [`crate::organisation`]). The staff directory gives foundation staff the names
//! behind account ids (a project worker reads no user accounts), never to anyone outside.
//!
//! Reports (see [`crate::report`]): the subsidy report and its drill-down are *subsidy
//! reports* (aggregate figures; a drill-down names participants by internal id only); a
//! progress report is the participant's *reports* data, with each section shown only to a
//! reader who may read its category; a chain meeting's agenda is *chain meetings* data.
//!
//! Session attendance and chain-meeting items name participants, so they stay with the
//! foundation's staff; what a partner or the municipality learns about a person goes through
//! the per-participant case data above, under consent.
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
//! | consent override: send a referral to a partner without a covering consent | project lead (foundation staff) | [`AccessPolicy::decide_consent_override`]: with a mandatory reason, recorded in the event, stored sealed and listed for review (reviewed by someone else, as break-glass); never for criminal history |

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{ConsentId, OrganisationId, ParticipantId, UserId};
use crate::text::Text;

/// A category of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Who the person is: names, date of birth, nationality, V-number, location.
    Identity,
    /// The case file's core: plan, goals, agreements, contact moments, referrals.
    Guidance,
    /// Legal status and procedures.
    Legal,
    /// Medical and psychosocial information (GDPR art. 9).
    MedicalPsychosocial,
    /// Criminal history (GDPR art. 10).
    CriminalHistory,
    /// The return track: exploration, obstacles, reintegration, departure, judgment.
    Return,
    /// Progress reports to the municipal case manager.
    Reports,
}

impl DataCategory {
    /// All categories.
    pub const ALL: [DataCategory; 7] = [
        Self::Identity,
        Self::Guidance,
        Self::Legal,
        Self::MedicalPsychosocial,
        Self::CriminalHistory,
        Self::Return,
        Self::Reports,
    ];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Guidance => "guidance",
            Self::Legal => "legal",
            Self::MedicalPsychosocial => "medical_psychosocial",
            Self::CriminalHistory => "criminal_history",
            Self::Return => "return",
            Self::Reports => "reports",
        }
    }
}

impl fmt::Display for DataCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DataCategory {
    /// Position in [`DataCategory::ALL`].
    const fn index(self) -> usize {
        self as usize
    }

    /// The confidentiality level a case's data of this category has unless the case raises it:
    /// the foundation's floor per category. Identity, guidance and reports are
    /// *zaakvertrouwelijk* (for those working on the case), legal status and the return track
    /// *vertrouwelijk*, medical/psychosocial content *geheim* and criminal history
    /// *zeer geheim*.
    pub const fn default_level(self) -> ConfidentialityLevel {
        use ConfidentialityLevel as L;
        match self {
            Self::Identity | Self::Guidance | Self::Reports => L::Zaakvertrouwelijk,
            Self::Legal | Self::Return => L::Vertrouwelijk,
            Self::MedicalPsychosocial => L::Geheim,
            Self::CriminalHistory => L::ZeerGeheim,
        }
    }

    /// Whether this category's content is hidden from foundation staff who do not need it
    /// (field-level need-to-know: only the participant's own project worker reads it).
    pub const fn is_need_to_know(self) -> bool {
        matches!(self, Self::MedicalPsychosocial | Self::CriminalHistory)
    }

    /// The category named by its stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A confidentiality level (*vertrouwelijkheidaanduiding*), the eight levels of the ZGW APIs
/// (Open Zaak), lowest first. Every piece of case data carries one (see [`CaseLevels`]); a
/// partner organisation's [`Grant`] says up to which level it may receive data at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidentialityLevel {
    /// *openbaar*.
    Openbaar,
    /// *beperkt openbaar*.
    BeperktOpenbaar,
    /// *intern*.
    Intern,
    /// *zaakvertrouwelijk*.
    Zaakvertrouwelijk,
    /// *vertrouwelijk*.
    Vertrouwelijk,
    /// *confidentieel*.
    Confidentieel,
    /// *geheim*.
    Geheim,
    /// *zeer geheim*.
    ZeerGeheim,
}

impl ConfidentialityLevel {
    /// All levels, lowest first.
    pub const ALL: [ConfidentialityLevel; 8] = [
        Self::Openbaar,
        Self::BeperktOpenbaar,
        Self::Intern,
        Self::Zaakvertrouwelijk,
        Self::Vertrouwelijk,
        Self::Confidentieel,
        Self::Geheim,
        Self::ZeerGeheim,
    ];

    /// The ZGW name (`openbaar`, `beperkt_openbaar`, ..., `zeer_geheim`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Openbaar => "openbaar",
            Self::BeperktOpenbaar => "beperkt_openbaar",
            Self::Intern => "intern",
            Self::Zaakvertrouwelijk => "zaakvertrouwelijk",
            Self::Vertrouwelijk => "vertrouwelijk",
            Self::Confidentieel => "confidentieel",
            Self::Geheim => "geheim",
            Self::ZeerGeheim => "zeer_geheim",
        }
    }

    /// The level named by its ZGW name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

impl fmt::Display for ConfidentialityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The confidentiality level of each data category of one case: the category's
/// [`DataCategory::default_level`] unless the case raised it.
///
/// ```
/// use perspectief_core::access::{CaseLevels, ConfidentialityLevel, DataCategory};
/// let levels = CaseLevels::DEFAULT.with(DataCategory::Legal, ConfidentialityLevel::Geheim);
/// assert_eq!(levels.of(DataCategory::Legal), ConfidentialityLevel::Geheim);
/// assert_eq!(levels.of(DataCategory::Return), ConfidentialityLevel::Vertrouwelijk);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseLevels([ConfidentialityLevel; 7]);

impl CaseLevels {
    /// Every category at its default level.
    pub const DEFAULT: CaseLevels = CaseLevels([
        DataCategory::Identity.default_level(),
        DataCategory::Guidance.default_level(),
        DataCategory::Legal.default_level(),
        DataCategory::MedicalPsychosocial.default_level(),
        DataCategory::CriminalHistory.default_level(),
        DataCategory::Return.default_level(),
        DataCategory::Reports.default_level(),
    ]);

    /// The level of a category.
    pub const fn of(&self, category: DataCategory) -> ConfidentialityLevel {
        self.0[category.index()]
    }

    /// The same levels with one category's changed.
    pub const fn with(mut self, category: DataCategory, level: ConfidentialityLevel) -> Self {
        self.0[category.index()] = level;
        self
    }
}

impl Default for CaseLevels {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A set of data categories, small and copyable (for [`Grant`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategorySet(u8);

impl CategorySet {
    /// No category.
    pub const EMPTY: CategorySet = CategorySet(0);

    /// Whether it holds a category.
    pub const fn contains(self, category: DataCategory) -> bool {
        self.0 & (1 << category.index()) != 0
    }

    /// The set with one more category.
    pub const fn with(self, category: DataCategory) -> Self {
        CategorySet(self.0 | (1 << category.index()))
    }

    /// The categories, in [`DataCategory::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = DataCategory> {
        DataCategory::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

impl FromIterator<DataCategory> for CategorySet {
    fn from_iter<I: IntoIterator<Item = DataCategory>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, CategorySet::with)
    }
}

/// What an organisation outside the foundation is authorised for (*autorisatie*, as in Open
/// Zaak): the data categories it may receive at all, and the highest confidentiality level.
/// The foundation's administrator sets it per organisation. A partner or municipal user sees a
/// piece of case data only when the grant **and** the participant's consent **and** the data's
/// level allow it. Without a grant ([`Grant::NONE`]) nothing is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The categories.
    pub categories: CategorySet,
    /// The highest level.
    pub max_level: ConfidentialityLevel,
}

impl Grant {
    /// No grant: nothing may be shared.
    pub const NONE: Grant = Grant { categories: CategorySet::EMPTY, max_level: ConfidentialityLevel::Openbaar };

    /// A grant of every category up to `max_level` (what the role rules allow still limits
    /// it: criminal history never leaves the foundation).
    pub fn all_categories(max_level: ConfidentialityLevel) -> Grant {
        Grant { categories: DataCategory::ALL.into_iter().collect(), max_level }
    }

    /// Whether it allows data of this category at this level.
    pub const fn allows(&self, category: DataCategory, level: ConfidentialityLevel) -> bool {
        self.categories.contains(category) && level as u8 <= self.max_level as u8
    }
}

impl Default for Grant {
    fn default() -> Self {
        Self::NONE
    }
}

/// A participant's consent: which organisation may receive which categories, for which
/// purpose, from when, until withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Id.
    pub id: ConsentId,
    /// The receiving organisation.
    pub organisation: OrganisationId,
    /// The categories it may receive.
    pub categories: BTreeSet<DataCategory>,
    /// For which purpose.
    pub purpose: Text,
    /// The day it was given.
    pub given_on: NaiveDate,
    /// The day it was withdrawn, if it was. Withdrawal takes effect that same day.
    pub withdrawn_on: Option<NaiveDate>,
    /// Who recorded it.
    pub recorded_by: UserId,
}

impl Consent {
    /// In force on `day`: given on or before it, not withdrawn on or before it.
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.given_on <= day && self.withdrawn_on.is_none_or(|w| day < w)
    }

    /// Covers this organisation and category on `day`.
    pub fn covers(&self, organisation: OrganisationId, category: DataCategory, day: NaiveDate) -> bool {
        self.organisation == organisation && self.categories.contains(&category) && self.is_active_on(day)
    }
}

/// The first consent that covers an organisation and category on a day.
pub fn covering_consent(
    consents: &[Consent],
    organisation: OrganisationId,
    category: DataCategory,
    day: NaiveDate,
) -> Option<&Consent> {
    consents.iter().find(|c| c.covers(organisation, category, day))
}

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

impl AccessPolicy {
    /// Whether `actor` may export everything held about a person (GDPR art. 15): the export
    /// holds every data category and the person's access log, so it needs
    /// [`Action::Export`] on each category and [`Action::Read`] on the audit log. The basis is
    /// the one for the guidance category (the case file's core).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::access::*;
    /// use perspectief_core::{OrganisationId, ParticipantId, UserId};
    ///
    /// let foundation = OrganisationId::from_u128(100);
    /// let policy = AccessPolicy { foundation };
    /// let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// let staff = |user, role| Actor { user: UserId::from_u128(user), organisation: foundation, role, grant: Grant::NONE };
    /// let (worker, lead) = (staff(1, Role::ProjectWorker), staff(2, Role::ProjectLead));
    /// let scope = ParticipantScope {
    ///     participant: ParticipantId::from_u128(7),
    ///     project_worker: worker.user,
    ///     consents: &[],
    ///     levels: CaseLevels::DEFAULT,
    /// };
    /// assert!(policy.decide_subject_export(&lead, &scope, today).is_allowed());
    /// // Even the assigned worker may not: the export includes the access log.
    /// assert!(!policy.decide_subject_export(&worker, &scope, today).is_allowed());
    /// ```
    pub fn decide_subject_export(&self, actor: &Actor, scope: &ParticipantScope<'_>, today: NaiveDate) -> Decision {
        let mut basis = None;
        for category in DataCategory::ALL {
            match self.decide(actor, Action::Export, &Resource::CaseData { scope: *scope, category }, today) {
                Decision::Allowed { basis: b } => {
                    if category == DataCategory::Guidance {
                        basis = Some(b);
                    }
                }
                denied => return denied,
            }
        }
        match self.decide(actor, Action::Read, &Resource::AuditLog, today) {
            Decision::Allowed { .. } => allow(basis.unwrap_or(Basis::RoleRule)),
            denied => denied,
        }
    }

    /// Whether `actor` may break the glass: read a whole case file they otherwise may not, in an
    /// emergency, giving a reason (the caller must require one; the reason is recorded sealed
    /// and listed for review). Allowed to the foundation's project workers and project lead
    /// only; auditors and administrators never see case data, and nobody outside the
    /// foundation breaks its glass.
    ///
    /// The basis recorded is [`Basis::BreakGlass`], so the access log says the read was an
    /// emergency one (its operation is [`crate::privacy::BREAK_GLASS_OPERATION`]).
    pub fn decide_break_glass(&self, actor: &Actor) -> Decision {
        let staff = matches!(actor.role, Role::ProjectWorker | Role::ProjectLead | Role::Auditor | Role::Administrator);
        if staff && actor.organisation != self.foundation {
            return deny(DenyReason::NotFoundationStaff { role: actor.role });
        }
        match actor.role {
            Role::ProjectWorker | Role::ProjectLead => allow(Basis::BreakGlass),
            role => deny(DenyReason::RoleNotEntitled {
                role,
                action: Action::Read,
                resource: "case_data (break-glass)".to_owned(),
            }),
        }
    }

    /// Whether `actor` may review a break-glass access made by `accessed_by`: whoever may
    /// search the audit log (the project lead, the auditor), but never their own access.
    pub fn decide_break_glass_review(&self, actor: &Actor, accessed_by: UserId, today: NaiveDate) -> Decision {
        match self.decide(actor, Action::Search, &Resource::AuditLog, today) {
            Decision::Allowed { basis } if actor.user != accessed_by => allow(basis),
            Decision::Allowed { .. } => deny(DenyReason::RoleNotEntitled {
                role: actor.role,
                action: Action::Update,
                resource: "break_glass (own access)".to_owned(),
            }),
            denied => denied,
        }
    }
}

impl AccessPolicy {
    /// Whether `actor` may override a missing consent: have a referral sent to a partner that
    /// no active consent of the participant covers, giving a reason (the caller must require
    /// one; it is recorded in the event, stored sealed and listed for review, see
    /// [`crate::privacy::ConsentOverrideRecord`]). Only the foundation's project lead; the
    /// project worker asks the lead. Whether an override is needed at all is the case's
    /// ([`crate::case::Case::consent_override_request`]), and criminal history is never
    /// shared, override or not ([`crate::privacy::share_basis`]).
    pub fn decide_consent_override(&self, actor: &Actor) -> Decision {
        let staff = matches!(actor.role, Role::ProjectWorker | Role::ProjectLead | Role::Auditor | Role::Administrator);
        if staff && actor.organisation != self.foundation {
            return deny(DenyReason::NotFoundationStaff { role: actor.role });
        }
        match actor.role {
            Role::ProjectLead => allow(Basis::RoleRule),
            role => deny(DenyReason::RoleNotEntitled {
                role,
                action: Action::Update,
                resource: "referral (consent override)".to_owned(),
            }),
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
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    const WORKER: UserId = UserId::from_u128(1);
    const FOUNDATION: OrganisationId = OrganisationId::from_u128(100);
    const IOM: OrganisationId = OrganisationId::from_u128(101);
    const GEMEENTE: OrganisationId = OrganisationId::from_u128(102);
    const POLICY: AccessPolicy = AccessPolicy { foundation: FOUNDATION };

    /// Users outside the foundation get a grant of every category at every level, so that
    /// the tests below are about roles and consent; the grant's own tests narrow it.
    fn actor(role: Role, user: u128, org: OrganisationId) -> Actor {
        let grant =
            Grant { categories: DataCategory::ALL.into_iter().collect(), max_level: ConfidentialityLevel::ZeerGeheim };
        Actor { user: UserId::from_u128(user), organisation: org, role, grant }
    }

    fn consent(org: OrganisationId, cats: &[DataCategory], given: u32, withdrawn: Option<u32>) -> Consent {
        Consent {
            id: ConsentId::from_u128(u128::from(given) * 1000 + org.as_uuid().as_u128()),
            organisation: org,
            categories: cats.iter().copied().collect(),
            purpose: Text::parse("terugkeerbegeleiding").unwrap(),
            given_on: day(given),
            withdrawn_on: withdrawn.map(day),
            recorded_by: WORKER,
        }
    }

    fn case(consents: &[Consent], category: DataCategory) -> Resource<'_> {
        Resource::CaseData {
            scope: ParticipantScope {
                participant: ParticipantId::from_u128(7),
                project_worker: WORKER,
                consents,
                levels: CaseLevels::DEFAULT,
            },
            category,
        }
    }

    #[test]
    fn the_lead_reads_medical_and_criminal_content_only_by_breaking_the_glass() {
        let lead = actor(Role::ProjectLead, 3, FOUNDATION);
        for cat in DataCategory::ALL {
            for action in Action::ALL {
                let d = POLICY.decide(&lead, action, &case(&[], cat), day(28));
                let hidden = cat.is_need_to_know() && matches!(action, Action::Read | Action::Search);
                assert_eq!(d.is_allowed(), !hidden, "{action} {cat}");
                if hidden {
                    assert_eq!(d, Decision::Denied { reason: DenyReason::NeedToKnow { category: cat } });
                }
            }
        }
        assert_eq!(POLICY.decide_break_glass(&lead), Decision::Allowed { basis: Basis::BreakGlass });
    }

    #[test]
    fn a_partner_needs_grant_and_level_and_consent() {
        let consents = [consent(IOM, &DataCategory::ALL, 1, None)];
        let scope = |levels| ParticipantScope {
            participant: ParticipantId::from_u128(7),
            project_worker: WORKER,
            consents: &consents,
            levels,
        };
        let read = |a: &Actor, levels, category| {
            POLICY.decide(a, Action::Read, &Resource::CaseData { scope: scope(levels), category }, day(15))
        };
        let grant = |cats: &[DataCategory], max_level| Actor {
            grant: Grant { categories: cats.iter().copied().collect(), max_level },
            ..actor(Role::ChainPartner, 9, IOM)
        };
        let (legal, medical) = (DataCategory::Legal, DataCategory::MedicalPsychosocial);
        let defaults = CaseLevels::DEFAULT;

        // No grant: nothing, whatever the consent.
        let none = Actor { grant: Grant::NONE, ..actor(Role::ChainPartner, 9, IOM) };
        assert_eq!(
            read(&none, defaults, legal),
            Decision::Denied { reason: DenyReason::NotGranted { category: legal } }
        );
        // A grant for legal data up to vertrouwelijk: legal yes, medical (another category) no.
        let askv = grant(&[legal], ConfidentialityLevel::Vertrouwelijk);
        assert_eq!(read(&askv, defaults, legal), Decision::Allowed { basis: Basis::Consent(consents[0].id) });
        assert_eq!(
            read(&askv, defaults, medical),
            Decision::Denied { reason: DenyReason::NotGranted { category: medical } }
        );
        // Medical data is geheim by default: a grant up to vertrouwelijk does not reach it.
        let ggd = grant(&[medical], ConfidentialityLevel::Vertrouwelijk);
        assert_eq!(
            read(&ggd, defaults, medical),
            Decision::Denied {
                reason: DenyReason::AboveGrantLevel {
                    category: medical,
                    level: ConfidentialityLevel::Geheim,
                    max: ConfidentialityLevel::Vertrouwelijk
                }
            }
        );
        assert!(read(&grant(&[medical], ConfidentialityLevel::Geheim), defaults, medical).is_allowed());
        // A case that raised its legal level to geheim is out of the legal partner's reach.
        let raised = defaults.with(legal, ConfidentialityLevel::Geheim);
        assert!(matches!(read(&askv, raised, legal), Decision::Denied { reason: DenyReason::AboveGrantLevel { .. } }));
        // Without consent the raised level is not told: the denial names the missing consent.
        let unconsented = ParticipantScope { consents: &[], ..scope(raised) };
        assert_eq!(
            POLICY.decide(&askv, Action::Read, &Resource::CaseData { scope: unconsented, category: legal }, day(15)),
            Decision::Denied { reason: DenyReason::NoConsent { category: legal } }
        );
        // And the grant never replaces consent.
        let no_consent = ParticipantScope { consents: &[], ..scope(defaults) };
        assert_eq!(
            POLICY.decide(&askv, Action::Read, &Resource::CaseData { scope: no_consent, category: legal }, day(15)),
            Decision::Denied { reason: DenyReason::NoConsent { category: legal } }
        );
        // The same for a referral addressed to the partner, at the case's level for its category.
        let referral = |levels| Resource::Referral {
            scope: scope(levels),
            addressed_to: IOM,
            sent: true,
            on_override: false,
            category: legal,
        };
        assert!(POLICY.decide(&askv, Action::Update, &referral(defaults), day(15)).is_allowed());
        assert!(!POLICY.decide(&askv, Action::Update, &referral(raised), day(15)).is_allowed());
        assert!(!POLICY.decide(&none, Action::Read, &referral(defaults), day(15)).is_allowed());
        // Staff are decided by their role rules, not by a grant.
        let worker = Actor { grant: Grant::NONE, ..actor(Role::ProjectWorker, 1, FOUNDATION) };
        assert!(read(&worker, raised, legal).is_allowed());
    }

    #[test]
    fn levels_order_as_zgw_and_every_category_has_a_floor() {
        assert!(ConfidentialityLevel::ALL.windows(2).all(|w| w[0] < w[1]));
        for level in ConfidentialityLevel::ALL {
            assert_eq!(ConfidentialityLevel::parse(level.as_str()), Some(level));
        }
        for cat in DataCategory::ALL {
            assert_eq!(CaseLevels::DEFAULT.of(cat), cat.default_level());
            assert!(cat.default_level() >= ConfidentialityLevel::Zaakvertrouwelijk, "{cat}");
            assert_eq!(DataCategory::parse(cat.as_str()), Some(cat));
        }
        let set: CategorySet = [DataCategory::Legal, DataCategory::Return].into_iter().collect();
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![DataCategory::Legal, DataCategory::Return]);
    }

    #[test]
    fn the_assigned_worker_may_do_everything_but_erase() {
        let me = actor(Role::ProjectWorker, 1, FOUNDATION);
        for cat in DataCategory::ALL {
            for action in Action::ALL {
                let d = POLICY.decide(&me, action, &case(&[], cat), day(28));
                assert_eq!(d.is_allowed(), action != Action::Erase, "{action} {cat}");
            }
        }
    }

    #[test]
    fn another_worker_only_finds_people() {
        let colleague = actor(Role::ProjectWorker, 2, FOUNDATION);
        for cat in DataCategory::ALL {
            for action in Action::ALL {
                let allowed = POLICY.decide(&colleague, action, &case(&[], cat), day(28)).is_allowed();
                let expected = cat == DataCategory::Identity && matches!(action, Action::Read | Action::Search);
                assert_eq!(allowed, expected, "{action} {cat}");
            }
        }
        let d = POLICY.decide(&colleague, Action::Read, &case(&[], DataCategory::MedicalPsychosocial), day(28));
        assert_eq!(d, Decision::Denied { reason: DenyReason::NotAssigned });
    }

    #[test]
    fn partners_need_consent_for_the_category_and_lose_it_on_withdrawal() {
        let iom = actor(Role::ChainPartner, 9, IOM);
        let consents = [consent(IOM, &[DataCategory::Return, DataCategory::Identity], 10, Some(20))];
        let read_return = |d| POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Return), day(d));
        assert!(!read_return(9).is_allowed(), "before consent");
        assert_eq!(read_return(10), Decision::Allowed { basis: Basis::Consent(consents[0].id) });
        assert!(read_return(19).is_allowed());
        assert!(!read_return(20).is_allowed(), "withdrawal takes effect that day");
        assert_eq!(
            POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Legal), day(15)),
            Decision::Denied { reason: DenyReason::NoConsent { category: DataCategory::Legal } }
        );
        assert!(!POLICY.decide(&iom, Action::Update, &case(&consents, DataCategory::Return), day(15)).is_allowed());
    }

    #[test]
    fn partners_read_a_progress_report_only_with_consent_for_reports() {
        let iom = actor(Role::ChainPartner, 9, IOM);
        let consents = [consent(IOM, &[DataCategory::Reports], 10, None)];
        assert_eq!(
            POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Reports), day(15)),
            Decision::Allowed { basis: Basis::Consent(consents[0].id) }
        );
        assert!(!POLICY.decide(&iom, Action::Read, &case(&[], DataCategory::Reports), day(15)).is_allowed());
        for action in [Action::Search, Action::Export, Action::Create, Action::Update, Action::Erase] {
            assert!(!POLICY.decide(&iom, action, &case(&consents, DataCategory::Reports), day(15)).is_allowed());
        }
        assert!(!POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Guidance), day(15)).is_allowed());
    }

    #[test]
    fn consent_for_another_organisation_does_not_count() {
        let iom = actor(Role::ChainPartner, 9, IOM);
        let consents = [consent(GEMEENTE, &[DataCategory::Return], 1, None)];
        assert!(!POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Return), day(15)).is_allowed());
    }

    #[test]
    fn criminal_history_never_leaves_the_foundation_whatever_the_consent() {
        let all: Vec<DataCategory> = DataCategory::ALL.to_vec();
        for (role, org) in [(Role::ChainPartner, IOM), (Role::MunicipalCaseManager, GEMEENTE)] {
            let consents = [consent(org, &all, 1, None)];
            let a = actor(role, 9, org);
            for action in Action::ALL {
                let d = POLICY.decide(&a, action, &case(&consents, DataCategory::CriminalHistory), day(15));
                assert!(!d.is_allowed(), "{role} {action}");
            }
        }
        let gemeente = actor(Role::MunicipalCaseManager, 8, GEMEENTE);
        let consents = [consent(GEMEENTE, &all, 1, None)];
        assert!(
            !POLICY
                .decide(&gemeente, Action::Read, &case(&consents, DataCategory::MedicalPsychosocial), day(15))
                .is_allowed()
        );
        assert!(POLICY.decide(&gemeente, Action::Read, &case(&consents, DataCategory::Reports), day(15)).is_allowed());
    }

    #[test]
    fn auditors_and_administrators_see_no_case_data() {
        for role in [Role::Auditor, Role::Administrator] {
            let a = actor(role, 5, FOUNDATION);
            for cat in DataCategory::ALL {
                for action in Action::ALL {
                    assert!(!POLICY.decide(&a, action, &case(&[], cat), day(15)).is_allowed());
                }
            }
        }
        let auditor = actor(Role::Auditor, 5, FOUNDATION);
        assert!(POLICY.decide(&auditor, Action::Read, &Resource::AuditLog, day(15)).is_allowed());
        let admin = actor(Role::Administrator, 6, FOUNDATION);
        assert!(POLICY.decide(&admin, Action::Create, &Resource::AccessTokens, day(15)).is_allowed());
        assert!(!POLICY.decide(&admin, Action::Read, &Resource::AuditLog, day(15)).is_allowed());
    }

    #[test]
    fn nobody_writes_the_audit_log() {
        for role in Role::ALL {
            let a = actor(role, 5, FOUNDATION);
            for action in [Action::Create, Action::Update, Action::Erase] {
                assert!(!POLICY.decide(&a, action, &Resource::AuditLog, day(15)).is_allowed(), "{role} {action}");
            }
        }
    }

    #[test]
    fn partners_see_only_sent_referrals_addressed_to_them_under_consent() {
        let iom = actor(Role::ChainPartner, 9, IOM);
        let consents = [consent(IOM, &[DataCategory::Return], 1, None)];
        let scope = ParticipantScope {
            participant: ParticipantId::from_u128(7),
            project_worker: WORKER,
            consents: &consents,
            levels: CaseLevels::DEFAULT,
        };
        let referral =
            |to, sent, category| Resource::Referral { scope, addressed_to: to, sent, on_override: false, category };
        let sent_return = referral(IOM, true, DataCategory::Return);
        assert_eq!(
            POLICY.decide(&iom, Action::Update, &sent_return, day(15)),
            Decision::Allowed { basis: Basis::Consent(consents[0].id) }
        );
        assert_eq!(
            POLICY.decide(&iom, Action::Read, &referral(IOM, false, DataCategory::Return), day(15)),
            Decision::Denied { reason: DenyReason::NotSent }
        );
        assert_eq!(
            POLICY.decide(&iom, Action::Read, &referral(GEMEENTE, true, DataCategory::Return), day(15)),
            Decision::Denied { reason: DenyReason::NotAddressee }
        );
        assert_eq!(
            POLICY.decide(&iom, Action::Read, &referral(IOM, true, DataCategory::MedicalPsychosocial), day(15)),
            Decision::Denied { reason: DenyReason::NoConsent { category: DataCategory::MedicalPsychosocial } }
        );
        assert!(!POLICY.decide(&iom, Action::Erase, &sent_return, day(15)).is_allowed());
        // Sent on the project lead's override: the addressee reads it without a consent, still
        // within its grant; the override never reaches anyone else.
        let on_override =
            |to, category| Resource::Referral { scope, addressed_to: to, sent: true, on_override: true, category };
        assert_eq!(
            POLICY.decide(&iom, Action::Read, &on_override(IOM, DataCategory::Legal), day(15)),
            Decision::Allowed { basis: Basis::Addressee }
        );
        assert_eq!(
            POLICY.decide(&iom, Action::Read, &on_override(GEMEENTE, DataCategory::Legal), day(15)),
            Decision::Denied { reason: DenyReason::NotAddressee }
        );
        let ungranted = Actor { grant: Grant::NONE, ..iom };
        assert_eq!(
            POLICY.decide(&ungranted, Action::Read, &on_override(IOM, DataCategory::Legal), day(15)),
            Decision::Denied { reason: DenyReason::NotGranted { category: DataCategory::Legal } }
        );
    }

    #[test]
    fn outside_the_foundation_a_referral_is_its_addressees_alone() {
        let all: Vec<DataCategory> = DataCategory::ALL.to_vec();
        let consents = [consent(GEMEENTE, &all, 1, None), consent(IOM, &all, 1, None)];
        let scope = ParticipantScope {
            participant: ParticipantId::from_u128(7),
            project_worker: WORKER,
            consents: &consents,
            levels: CaseLevels::DEFAULT,
        };
        let referral =
            |to, category| Resource::Referral { scope, addressed_to: to, sent: true, on_override: false, category };
        // The municipality, with consent for everything, never reads a referral to a partner.
        let gemeente = actor(Role::MunicipalCaseManager, 8, GEMEENTE);
        for category in DataCategory::ALL {
            assert_eq!(
                POLICY.decide(&gemeente, Action::Read, &referral(IOM, category), day(15)),
                Decision::Denied { reason: DenyReason::NotAddressee },
                "{category}"
            );
        }
        // Addressed to the municipality: it reads it, but never medical content.
        assert!(
            POLICY.decide(&gemeente, Action::Read, &referral(GEMEENTE, DataCategory::Guidance), day(15)).is_allowed()
        );
        assert!(
            !POLICY
                .decide(&gemeente, Action::Read, &referral(GEMEENTE, DataCategory::MedicalPsychosocial), day(15))
                .is_allowed()
        );
        assert!(
            !POLICY
                .decide(&gemeente, Action::Update, &referral(GEMEENTE, DataCategory::Guidance), day(15))
                .is_allowed()
        );
        // Criminal history never leaves the foundation, not even to the addressee.
        let iom = actor(Role::ChainPartner, 9, IOM);
        let criminal = referral(IOM, DataCategory::CriminalHistory);
        assert!(!POLICY.decide(&iom, Action::Read, &criminal, day(15)).is_allowed());
        // The addressee reads and answers; it does not search or export referrals.
        assert!(
            POLICY.decide(&iom, Action::Read, &referral(IOM, DataCategory::MedicalPsychosocial), day(15)).is_allowed()
        );
        assert!(!POLICY.decide(&iom, Action::Search, &referral(IOM, DataCategory::Legal), day(15)).is_allowed());
        // Inside the foundation a referral is case data of its category.
        let worker = actor(Role::ProjectWorker, 1, FOUNDATION);
        assert_eq!(
            POLICY.decide(&worker, Action::Read, &referral(IOM, DataCategory::Legal), day(15)),
            Decision::Allowed { basis: Basis::Assignment }
        );
    }

    #[test]
    fn an_organisation_reads_the_consents_that_name_it_and_no_others() {
        let consents = [consent(IOM, &[DataCategory::Return], 1, Some(3))];
        let scope = ParticipantScope {
            participant: ParticipantId::from_u128(7),
            project_worker: WORKER,
            consents: &consents,
            levels: CaseLevels::DEFAULT,
        };
        let resource = Resource::Consent { scope, consent: consents[0].id, organisation: IOM };
        // Withdrawn or not, and without a grant: it must learn of the withdrawal.
        let iom = Actor { grant: Grant::NONE, ..actor(Role::ChainPartner, 9, IOM) };
        assert_eq!(
            POLICY.decide(&iom, Action::Read, &resource, day(15)),
            Decision::Allowed { basis: Basis::Addressee }
        );
        assert!(!POLICY.decide(&iom, Action::Update, &resource, day(15)).is_allowed());
        let gemeente = actor(Role::MunicipalCaseManager, 8, GEMEENTE);
        assert_eq!(
            POLICY.decide(&gemeente, Action::Read, &resource, day(15)),
            Decision::Denied { reason: DenyReason::NotAddressee }
        );
        // Inside the foundation a consent is guidance data.
        let other = actor(Role::ProjectWorker, 2, FOUNDATION);
        assert_eq!(
            POLICY.decide(&other, Action::Read, &resource, day(15)),
            Decision::Denied { reason: DenyReason::NotAssigned }
        );
    }

    #[test]
    fn staff_roles_count_only_inside_the_foundation() {
        for role in [Role::ProjectLead, Role::ProjectWorker, Role::Auditor, Role::Administrator] {
            let outsider = actor(role, 1, IOM);
            let d = POLICY.decide(&outsider, Action::Read, &case(&[], DataCategory::Identity), day(15));
            assert_eq!(d, Decision::Denied { reason: DenyReason::NotFoundationStaff { role } }, "{role}");
            assert!(!POLICY.decide(&outsider, Action::Read, &Resource::AuditLog, day(15)).is_allowed());
        }
    }

    #[test]
    fn session_attendance_and_meeting_items_stay_with_staff() {
        let gemeente = actor(Role::MunicipalCaseManager, 8, GEMEENTE);
        for r in [Resource::InformationSessions, Resource::ChainMeetings] {
            assert!(!POLICY.decide(&gemeente, Action::Read, &r, day(15)).is_allowed(), "{}", r.kind());
            assert!(POLICY.decide(&actor(Role::ProjectWorker, 1, FOUNDATION), Action::Read, &r, day(15)).is_allowed());
        }
    }

    #[test]
    fn only_the_project_lead_exports_everything_about_a_person() {
        let consents = [consent(GEMEENTE, &DataCategory::ALL, 1, None)];
        let scope = ParticipantScope {
            participant: ParticipantId::from_u128(7),
            project_worker: WORKER,
            consents: &consents,
            levels: CaseLevels::DEFAULT,
        };
        let lead = actor(Role::ProjectLead, 3, FOUNDATION);
        assert_eq!(POLICY.decide_subject_export(&lead, &scope, day(15)), Decision::Allowed { basis: Basis::RoleRule });
        for (role, user, org) in [
            (Role::ProjectWorker, 1, FOUNDATION),
            (Role::ProjectWorker, 2, FOUNDATION),
            (Role::MunicipalCaseManager, 8, GEMEENTE),
            (Role::ChainPartner, 9, GEMEENTE),
            (Role::Auditor, 5, FOUNDATION),
            (Role::Administrator, 6, FOUNDATION),
            (Role::ProjectLead, 3, IOM),
        ] {
            let a = actor(role, user, org);
            assert!(!POLICY.decide_subject_export(&a, &scope, day(15)).is_allowed(), "{role} of {org:?}");
        }
    }

    #[test]
    fn only_foundation_case_workers_break_the_glass() {
        for role in Role::ALL {
            let inside = POLICY.decide_break_glass(&actor(role, 4, FOUNDATION)).is_allowed();
            assert_eq!(inside, matches!(role, Role::ProjectWorker | Role::ProjectLead), "{role}");
            assert!(!POLICY.decide_break_glass(&actor(role, 4, IOM)).is_allowed(), "{role} outside");
        }
    }

    #[test]
    fn break_glass_is_reviewed_by_the_lead_or_the_auditor_but_never_by_oneself() {
        let someone = UserId::from_u128(44);
        for role in Role::ALL {
            let reviewer = actor(role, 4, FOUNDATION);
            let allowed = POLICY.decide_break_glass_review(&reviewer, someone, day(15)).is_allowed();
            assert_eq!(allowed, matches!(role, Role::ProjectLead | Role::Auditor), "{role}");
            assert!(!POLICY.decide_break_glass_review(&reviewer, reviewer.user, day(15)).is_allowed(), "{role} self");
        }
    }

    #[test]
    fn default_deny_for_unlisted_combinations() {
        let partner = actor(Role::ChainPartner, 9, IOM);
        for r in [
            Resource::InformationSessions,
            Resource::ChainMeetings,
            Resource::SubsidyPeriods,
            Resource::SubsidyReports,
            Resource::AuditLog,
            Resource::UserAccounts,
            Resource::AccessTokens,
            Resource::AccountConfirmations,
        ] {
            for action in Action::ALL {
                assert!(!POLICY.decide(&partner, action, &r, day(15)).is_allowed(), "{} {action}", r.kind());
            }
        }
    }
}
