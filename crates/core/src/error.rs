//! The one error type of the domain, with a stable machine-readable code per variant.
//!
//! Adapters map [`DomainError::code`] to their own vocabulary (gRPC status and `ErrorInfo`
//! reason, CLI exit code and localised message) in one exhaustive table each. Codes are part of
//! the public contract: they never change meaning once released.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::trajectory::Phase;
pub use crate::violation::ViolationCode;

/// How many characters of a refused value an error message repeats: enough to recognise it,
/// too few to carry a document (a 100 KB value must not come back in a status header).
pub const ECHO_MAX_CHARS: usize = 40;

/// A refused value as a message repeats it: trimmed, in single quotes, at most
/// [`ECHO_MAX_CHARS`] characters (then `…`), and with control, direction and invisible
/// characters written as `\u{…}` escapes, so that a message cannot move a terminal's cursor,
/// split a log line or reverse the text after it. Every message that quotes input uses this.
///
/// ```
/// use perspectief_core::error::echo;
/// assert_eq!(echo(" XX "), "'XX'");
/// assert_eq!(echo("a\u{1b}[31m\r\nb"), "'a\\u{1b}[31m\\u{d}\\u{a}b'");
/// assert_eq!(echo(&"x".repeat(100_000)).chars().count(), 43);
/// ```
pub fn echo(value: &str) -> String {
    format!("'{}'", bounded(value.trim(), ECHO_MAX_CHARS))
}

/// `text` with control, direction and invisible characters escaped as `\u{…}`, cut after
/// `max_chars` characters with `…`. For messages that leave the process (a gRPC status, a log
/// line), where the whole text must stay small whatever went into it.
pub fn bounded(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        if crate::text::is_hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// One invalid field: which field (a dotted path such as `agreements[1].due_on`), a stable
/// code for the problem, and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldViolation {
    /// The field's path in the input, e.g. `v_number` or `agreements[0].description`.
    pub field: String,
    /// Why, as a stable code (`required`, `too_long`, `not_iso_3166`).
    pub code: ViolationCode,
    /// Plain-language explanation, naming what is expected.
    pub message: String,
}

impl FieldViolation {
    /// A violation of `field` with the given code and message.
    pub fn new(field: impl Into<String>, code: ViolationCode, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }
}

impl fmt::Display for FieldViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A value that failed its rule, before it is attached to a field name.
///
/// Value types (names, codes, numbers) know their rule but not where they were typed in;
/// [`ValueError::at`] names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// Why, as a stable code.
    pub code: ViolationCode,
    /// Plain-language explanation.
    pub message: String,
}

impl ValueError {
    pub(crate) fn new(code: ViolationCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// Attach the field this value came from.
    pub fn at(self, field: impl Into<String>) -> FieldViolation {
        FieldViolation::new(field, self.code, self.message)
    }
}

/// The trimmed value when it is present and at most `max` characters: the first two checks
/// of every bounded value (names, codes, numbers, addresses), with their one wording.
pub(crate) fn trimmed_within(value: &str, max: usize) -> Result<&str, ValueError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValueError::new(ViolationCode::Required, "must not be empty"));
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(ValueError::new(ViolationCode::TooLong, format!("at most {max} characters (got {len})")));
    }
    Ok(trimmed)
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}

/// The kinds of things the domain keeps, for errors that name what was not found or in which
/// state it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A participant and their case file.
    Participant,
    /// A revision of the perspective plan.
    PlanRevision,
    /// A goal in the plan.
    Goal,
    /// An agreement made in a contact moment.
    Agreement,
    /// A contact moment.
    ContactMoment,
    /// A referral to a chain partner.
    Referral,
    /// A return obstacle.
    ReturnObstacle,
    /// A return judgment.
    ReturnJudgment,
    /// A consent record.
    Consent,
    /// An information session.
    InformationSession,
    /// A chain-partner meeting.
    ChainMeeting,
    /// An item (one person) on a chain-partner meeting.
    MeetingItem,
    /// A subsidy period.
    SubsidyPeriod,
    /// A user account.
    User,
    /// An access token.
    Token,
    /// A break-glass access (an emergency read outside the access matrix).
    BreakGlassAccess,
    /// The review of a break-glass access.
    BreakGlassReview,
    /// A project lead's override of a missing consent (a referral sent without one).
    ConsentOverride,
    /// The review of a consent override.
    ConsentOverrideReview,
    /// An organisation in the organisations register.
    Organisation,
    /// A request to erase a participant (GDPR art. 17).
    ErasureRequest,
    /// A legal hold on a participant.
    LegalHold,
}

impl EntityKind {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Participant => "participant",
            Self::PlanRevision => "plan_revision",
            Self::Goal => "goal",
            Self::Agreement => "agreement",
            Self::ContactMoment => "contact_moment",
            Self::Referral => "referral",
            Self::ReturnObstacle => "return_obstacle",
            Self::ReturnJudgment => "return_judgment",
            Self::Consent => "consent",
            Self::InformationSession => "information_session",
            Self::ChainMeeting => "chain_meeting",
            Self::MeetingItem => "meeting_item",
            Self::SubsidyPeriod => "subsidy_period",
            Self::User => "user",
            Self::Token => "token",
            Self::BreakGlassAccess => "break_glass_access",
            Self::BreakGlassReview => "break_glass_review",
            Self::ConsentOverride => "consent_override",
            Self::ConsentOverrideReview => "consent_override_review",
            Self::Organisation => "organisation",
            Self::ErasureRequest => "erasure_request",
            Self::LegalHold => "legal_hold",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str().replace('_', " "))
    }
}

/// A business rule from the activity plan that a command would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Goals belong to a perspective plan (3.2.b): draw up the plan first.
    PlanRequired,
    /// A final return judgment rests on a plan the participant agreed on or before the day it
    /// is formed (5.2.b(3)).
    AgreedPlanRequired,
    /// Return exploration starts only after the person said they consider return (5.2.b(1)).
    ReturnNotConsidered,
    /// Removing obstacles starts only after the person decided to return (5.2.b(2)).
    ReturnNotDecided,
    /// Obstacles are identified within a return exploration (5.2.b(1)).
    ReturnExplorationRequired,
    /// The return exploration was already started.
    ReturnExplorationAlreadyStarted,
    /// A new direction must differ from the current one.
    DirectionUnchanged,
    /// A date or time lies in the future although it records something that happened.
    DateInFuture,
    /// A date lies before the trajectory started.
    DateBeforeRegistration,
    /// The plan revision was already agreed.
    PlanAlreadyAgreed,
    /// Only the latest plan revision can be agreed.
    PlanRevisionSuperseded,
    /// The consent was already withdrawn.
    ConsentAlreadyWithdrawn,
    /// The participant is already on the list.
    AlreadyRegistered,
    /// The participant is not on the list.
    NotRegistered,
    /// A rescheduled goal needs a new deadline after the missed one.
    DeadlineNotMoved,
    /// Communication of a judgment can only be recorded on or after the day it was formed.
    CommunicatedBeforeFormed,
    /// Communicating a judgment to the municipality needs the participant's consent covering
    /// reports (as a progress report does), or the project lead's override.
    MunicipalityConsentRequired,
    /// Attendance can only be registered once the session has taken place.
    SessionNotYetHeld,
    /// The chain meeting's decision needs a termination advice to decide on.
    AdviceRequired,
    /// Return is voluntary: the plan's direction is return only when the person considers it.
    ReturnDirectionWithoutConsideration,
    /// The stance on return comes out of orientation talks (5.2.a(2)).
    OrientationRequired,
    /// The chain meeting already decided on the advice.
    AlreadyDecided,
    /// An inactive organisation takes no new referrals, consents, partners or accounts.
    OrganisationInactive,
    /// Access to case data needs a second person: not the one who asked for it.
    SecondPersonRequired,
    /// Confirmed already, or needs no confirmation.
    AlreadyConfirmed,
    /// A token is confirmed after its account.
    AccountNotConfirmed,
    /// A legal hold is set on the participant: nothing of them is erased until it is lifted.
    LegalHoldSet,
    /// The participant's trajectory has not ended with an outflow: the guidance still needs
    /// the case file, so it is not erased on request; record the outflow first.
    ErasureNeedsOutflow,
    /// An outflow "ended by chain decision" and the termination talk rest on an advice to end
    /// guidance that the chain meeting adopted (3.2.g).
    AdoptedAdviceRequired,
}

impl Rule {
    /// Every rule, for tables that must cover them all (messages, status codes).
    pub const ALL: [Rule; 29] = [
        Self::PlanRequired,
        Self::AgreedPlanRequired,
        Self::ReturnNotConsidered,
        Self::ReturnNotDecided,
        Self::ReturnExplorationRequired,
        Self::ReturnExplorationAlreadyStarted,
        Self::DirectionUnchanged,
        Self::DateInFuture,
        Self::DateBeforeRegistration,
        Self::PlanAlreadyAgreed,
        Self::PlanRevisionSuperseded,
        Self::ConsentAlreadyWithdrawn,
        Self::AlreadyRegistered,
        Self::NotRegistered,
        Self::DeadlineNotMoved,
        Self::CommunicatedBeforeFormed,
        Self::MunicipalityConsentRequired,
        Self::SessionNotYetHeld,
        Self::AdviceRequired,
        Self::ReturnDirectionWithoutConsideration,
        Self::OrientationRequired,
        Self::AlreadyDecided,
        Self::OrganisationInactive,
        Self::SecondPersonRequired,
        Self::AlreadyConfirmed,
        Self::AccountNotConfirmed,
        Self::LegalHoldSet,
        Self::ErasureNeedsOutflow,
        Self::AdoptedAdviceRequired,
    ];

    /// Stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::PlanRequired => "plan_required",
            Self::AgreedPlanRequired => "agreed_plan_required",
            Self::ReturnNotConsidered => "return_not_considered",
            Self::ReturnNotDecided => "return_not_decided",
            Self::ReturnExplorationRequired => "return_exploration_required",
            Self::ReturnExplorationAlreadyStarted => "return_exploration_already_started",
            Self::DirectionUnchanged => "direction_unchanged",
            Self::DateInFuture => "date_in_future",
            Self::DateBeforeRegistration => "date_before_registration",
            Self::PlanAlreadyAgreed => "plan_already_agreed",
            Self::PlanRevisionSuperseded => "plan_revision_superseded",
            Self::ConsentAlreadyWithdrawn => "consent_already_withdrawn",
            Self::AlreadyRegistered => "already_registered",
            Self::NotRegistered => "not_registered",
            Self::DeadlineNotMoved => "deadline_not_moved",
            Self::CommunicatedBeforeFormed => "communicated_before_formed",
            Self::MunicipalityConsentRequired => "municipality_consent_required",
            Self::SessionNotYetHeld => "session_not_yet_held",
            Self::AdviceRequired => "advice_required",
            Self::ReturnDirectionWithoutConsideration => "return_direction_without_consideration",
            Self::OrientationRequired => "orientation_required",
            Self::AlreadyDecided => "already_decided",
            Self::OrganisationInactive => "organisation_inactive",
            Self::SecondPersonRequired => "second_person_required",
            Self::AlreadyConfirmed => "already_confirmed",
            Self::AccountNotConfirmed => "account_not_confirmed",
            Self::LegalHoldSet => "legal_hold_set",
            Self::ErasureNeedsOutflow => "erasure_needs_outflow",
            Self::AdoptedAdviceRequired => "adopted_advice_required",
        }
    }

    /// What the rule says, in words a person can act on.
    pub const fn explanation(self) -> &'static str {
        match self {
            Self::PlanRequired => "draw up a perspective plan before adding goals",
            Self::AgreedPlanRequired => {
                "a final return judgment needs a perspective plan the participant agreed to on or before the day it is formed"
            }
            Self::ReturnNotConsidered => {
                "return can only be explored after the participant said they consider return; record that first"
            }
            Self::ReturnNotDecided => {
                "obstacles are removed, and departure prepared, only after the participant decided to return; record that decision first"
            }
            Self::ReturnExplorationRequired => "start the return exploration before listing obstacles",
            Self::ReturnExplorationAlreadyStarted => "the return exploration was already started; update it instead",
            Self::DirectionUnchanged => "the plan already has this direction",
            Self::DateInFuture => "this records something that happened, so its date cannot lie in the future",
            Self::DateBeforeRegistration => "the date lies before the participant's registration",
            Self::PlanAlreadyAgreed => "this plan revision was already agreed",
            Self::PlanRevisionSuperseded => {
                "only the latest plan revision can be agreed; revise the plan again instead"
            }
            Self::ConsentAlreadyWithdrawn => "this consent was already withdrawn",
            Self::AlreadyRegistered => "the participant is already registered",
            Self::NotRegistered => "the participant is not registered here",
            Self::DeadlineNotMoved => "a missed goal is rescheduled with a new deadline later than the old one",
            Self::CommunicatedBeforeFormed => "a judgment cannot be communicated before the day it was formed",
            Self::MunicipalityConsentRequired => {
                "communicating a judgment to the municipality needs the participant's consent covering reports, or the project lead's override with a reason"
            }
            Self::SessionNotYetHeld => "attendance can be registered once the session has taken place",
            Self::AdviceRequired => "record a termination advice for this participant before the chain decision",
            Self::OrientationRequired => {
                "the stance on return comes out of orientation talks: log an orientation talk (5.2.a(2)) first"
            }
            Self::AlreadyDecided => {
                "the chain meeting already decided on this advice; record a new advice in a later meeting"
            }
            Self::OrganisationInactive => {
                "this organisation is no longer active: it takes no new referrals, consents, partners or accounts (the administrator can make it active again)"
            }
            Self::SecondPersonRequired => {
                "access to case data is confirmed by a second person: a confirmed project lead other than the one who asked for it (an account by someone other than its holder)"
            }
            Self::AlreadyConfirmed => "this is confirmed already, or needs no confirmation",
            Self::AccountNotConfirmed => "confirm the account before its tokens",
            Self::LegalHoldSet => {
                "a legal hold is set on this participant: nothing of them is erased until the project lead lifts it (perspectief privacy hold lift)"
            }
            Self::ErasureNeedsOutflow => {
                "the trajectory has not ended with an outflow and the guidance still needs the case file: record the outflow first (perspectief outflow record), then request the erasure"
            }
            Self::AdoptedAdviceRequired => {
                "this needs an advice to end guidance that the chain meeting adopted: record the advice and the meeting's decision first (perspectief meeting advise, perspectief meeting decide)"
            }
            Self::ReturnDirectionWithoutConsideration => {
                "return is voluntary: the plan's direction can be return (or a third country) only while the participant considers or decided return"
            }
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.explanation())
    }
}

/// Field violations of one input, all of them at once so a person can fix everything in one go.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Violations(pub Vec<FieldViolation>);

impl Violations {
    /// The violations, in input order.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldViolation> {
        self.0.iter()
    }

    /// Whether the field (exact path) has a violation.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|v| v.field == field)
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in the domain.
///
/// | code | variant | what a person should do |
/// |---|---|---|
/// | `invalid_input` | [`DomainError::InvalidInput`] | correct the named fields |
/// | `illegal_phase_transition` | [`DomainError::IllegalPhaseTransition`] | follow the legal phase path |
/// | `illegal_status_transition` | [`DomainError::IllegalStatusTransition`] | choose a status reachable from the current one |
/// | `trajectory_closed` | [`DomainError::TrajectoryClosed`] | nothing, unless the entry happened on or before the outflow day (then give that date): the trajectory ended with an outflow |
/// | [`Rule::code`] (e.g. `plan_required`) | [`DomainError::RuleViolated`] | do what the rule asks first |
/// | `not_found` | [`DomainError::NotFound`] | check the id |
/// | `already_exists` | [`DomainError::AlreadyExists`] | use the existing record |
/// | `version_conflict` | [`DomainError::VersionConflict`] | reload and try again |
/// | `access_denied` | [`DomainError::AccessDenied`] | ask someone entitled, or record consent |
/// | `consent_required` | [`DomainError::ConsentRequired`] | record the participant's consent for the organisation and category, or have the project lead override with a reason |
/// | `unavailable` | [`DomainError::Unavailable`] | try again later |
/// | `internal` | [`DomainError::Internal`] | report the reference |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// One or more fields of the input are invalid.
    #[error("invalid input: {0}")]
    InvalidInput(Violations),
    /// The trajectory cannot move between these phases.
    #[error("the trajectory cannot go from phase {from} to {to}: {reason}")]
    IllegalPhaseTransition {
        /// Current phase.
        from: Phase,
        /// Requested phase.
        to: Phase,
        /// Why not, in plain language.
        reason: Cow<'static, str>,
    },
    /// A record cannot move between these statuses.
    #[error("the {entity} cannot go from status {from} to {to}")]
    IllegalStatusTransition {
        /// What kind of record.
        entity: EntityKind,
        /// Current status (stable snake_case).
        from: Cow<'static, str>,
        /// Requested status (stable snake_case).
        to: Cow<'static, str>,
    },
    /// The trajectory ended with an outflow: what is dated after the outflow day, and what
    /// would steer the trajectory or takes no date, is refused; only the post-outflow actions
    /// ([`crate::CaseCommand::allowed_after_outflow`]) and late entries dated on or before the
    /// outflow day remain.
    #[error("{}", closed_message(action, *outflow_on, *dated))]
    TrajectoryClosed {
        /// The refused action (stable snake_case command name).
        action: Cow<'static, str>,
        /// The outflow's day: the trajectory's last. `None` for a reader who may not see the
        /// outflow ([`crate::app::refusal_for`]): a refusal discloses no more than a read would.
        outflow_on: Option<chrono::NaiveDate>,
        /// The refused command's effective date, when it has one
        /// ([`crate::CaseCommand::effective_on`]).
        dated: Option<chrono::NaiveDate>,
    },
    /// A rule of the activity plan forbids this now.
    #[error("{rule}")]
    RuleViolated {
        /// The rule.
        rule: Rule,
    },
    /// No such record.
    #[error("no {entity} with id {id}")]
    NotFound {
        /// What kind of record.
        entity: EntityKind,
        /// The id that was asked for.
        id: String,
    },
    /// The record exists already.
    #[error("a {entity} with id {id} exists already")]
    AlreadyExists {
        /// What kind of record.
        entity: EntityKind,
        /// Its id.
        id: String,
    },
    /// Someone else changed the record since it was read.
    #[error(
        "the record was changed by someone else: you had version {expected}, the current version is {current}; reload and try again"
    )]
    VersionConflict {
        /// The version the command was based on.
        expected: u64,
        /// The version stored now.
        current: u64,
    },
    /// The access policy denies the action.
    #[error("access denied: {0}")]
    AccessDenied(crate::access::DenyReason),
    /// Sharing with an organisation outside the foundation (sending a referral, a progress
    /// report) needs an active consent of the participant covering that organisation and the
    /// data's category, or a project lead's recorded override.
    #[error(
        "the participant has not consented to share {category} data with organisation {organisation}; record the consent, or have the project lead override with a reason"
    )]
    ConsentRequired {
        /// The receiving organisation.
        organisation: crate::ids::OrganisationId,
        /// The category of what would be shared.
        category: crate::access::DataCategory,
    },
    /// The service cannot be reached or is overloaded; trying again later may work.
    #[error("the service is unavailable: {reason}; try again later")]
    Unavailable {
        /// What is unavailable (never SQL, paths or personal data).
        reason: String,
    },
    /// Something broke inside; the reference finds the details in the server's log.
    #[error("an internal error occurred (reference {reference}); report it with this reference")]
    Internal {
        /// An opaque reference to the log entry.
        reference: String,
    },
}

fn closed_message(action: &str, outflow_on: Option<chrono::NaiveDate>, dated: Option<chrono::NaiveDate>) -> String {
    match (outflow_on, dated) {
        (Some(outflow_on), Some(day)) if day > outflow_on => format!(
            "the trajectory ended with the outflow on {outflow_on}; '{action}' dated {day} lies after it (only entries dated on or before the outflow day, and aftercare, can still be recorded)"
        ),
        (Some(outflow_on), _) => {
            format!("the trajectory ended with the outflow on {outflow_on}, so '{action}' is no longer possible")
        }
        (None, _) => format!("the trajectory has ended, so '{action}' is no longer possible"),
    }
}

impl DomainError {
    /// The stable machine-readable code (snake_case); see the table on [`DomainError`].
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput(_) => "invalid_input",
            Self::IllegalPhaseTransition { .. } => "illegal_phase_transition",
            Self::IllegalStatusTransition { .. } => "illegal_status_transition",
            Self::TrajectoryClosed { .. } => "trajectory_closed",
            Self::RuleViolated { rule } => rule.code(),
            Self::NotFound { .. } => "not_found",
            Self::AlreadyExists { .. } => "already_exists",
            Self::VersionConflict { .. } => "version_conflict",
            Self::AccessDenied(_) => "access_denied",
            Self::ConsentRequired { .. } => "consent_required",
            Self::Unavailable { .. } => "unavailable",
            Self::Internal { .. } => "internal",
        }
    }

    /// The field violations, when the input was invalid.
    pub fn violations(&self) -> Option<&Violations> {
        match self {
            Self::InvalidInput(v) => Some(v),
            _ => None,
        }
    }

    /// A single field violation as an error.
    pub fn field(field: impl Into<String>, code: ViolationCode, message: impl Into<String>) -> Self {
        Self::InvalidInput(Violations(vec![FieldViolation::new(field, code, message)]))
    }

    pub(crate) fn rule(rule: Rule) -> Self {
        Self::RuleViolated { rule }
    }

    pub(crate) fn not_found(entity: EntityKind, id: impl fmt::Display) -> Self {
        Self::NotFound { entity, id: id.to_string() }
    }
}

impl From<FieldViolation> for DomainError {
    fn from(v: FieldViolation) -> Self {
        Self::InvalidInput(Violations(vec![v]))
    }
}

impl From<Violations> for DomainError {
    fn from(v: Violations) -> Self {
        Self::InvalidInput(v)
    }
}

/// Collects field violations while parsing an input, so that all of them are reported together.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    violations: Vec<FieldViolation>,
}

impl Collector {
    /// Parse one field; on failure, remember the violation and return `None`.
    pub(crate) fn field<T>(&mut self, field: &str, result: Result<T, ValueError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e.at(field));
                None
            }
        }
    }

    /// Remember a violation, once per field (an edge check and the domain value's own check
    /// may both find the same problem).
    pub(crate) fn push(&mut self, v: FieldViolation) {
        if !self.violations.iter().any(|x| x.field == v.field) {
            self.violations.push(v);
        }
    }

    /// Finish: `Ok(value)` when no field failed.
    pub(crate) fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, DomainError> {
        if !self.violations.is_empty() {
            let mut v = self.violations;
            v.sort_by(|a, b| a.field.cmp(&b.field));
            return Err(DomainError::InvalidInput(Violations(v)));
        }
        // A field parsed without a violation always yields a value, so `build` only returns
        // None if a parse above was skipped: report that as a violation rather than panic.
        build().ok_or_else(|| DomainError::field("input", ViolationCode::Incomplete, "the input is incomplete"))
    }
}
