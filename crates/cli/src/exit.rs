//! Exit codes (after BSD `sysexits.h`) and the one failure type of the command line. Every
//! [`DomainError`] maps to exactly one code, in [`from_domain`].

use perspectief_core::DomainError;
use perspectief_core::error::{EntityKind, FieldViolation};

use crate::t;

/// A command, option or value the command line does not accept.
pub const USAGE: u8 = 64;
/// Input that is not valid, or that a rule of the plan refuses.
pub const VALIDATION: u8 = 65;
/// A participant, goal, user, file ... that does not exist.
pub const NOT_FOUND: u8 = 66;
/// Someone else changed the record meanwhile, or it exists already: reload and try again.
pub const CONFLICT: u8 = 75;
/// No acting user, or the role may not do this.
pub const PERMISSION: u8 = 77;
/// The database or the server cannot be reached, or the command is not available in this mode.
pub const UNAVAILABLE: u8 = 69;
/// An internal error (a bug): report it with its reference.
pub const INTERNAL: u8 = 70;
/// Reading or writing a file failed.
pub const IO: u8 = 74;
/// The configuration (config file, key, database URL) is not usable.
pub const CONFIG: u8 = 78;

/// A failure: the exit code and a message for a person.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// A validation failure naming a field (a command-line flag).
    pub fn field(flag: &str, problem: impl Into<String>) -> Self {
        Self::new(VALIDATION, t!("error-field", field = flag, problem = problem.into()))
    }

    pub fn io(what: &std::path::Path, e: &std::io::Error) -> Self {
        Self::new(IO, t!("error-io", path = what.display(), reason = e))
    }
}

pub type Result<T> = std::result::Result<T, Failure>;

/// The flag a domain field is given with: `date_of_birth` → `--date-of-birth`; nested paths keep
/// their shape (`agreements[0].description`).
pub fn flag_of(field: &str) -> String {
    if field.contains(['.', '[']) { field.to_owned() } else { format!("--{}", field.replace('_', "-")) }
}

fn violation(v: &FieldViolation) -> String {
    let id = format!("violation-{}", v.code);
    // A late entry that contradicts a later fact: name that fact, in the reader's language.
    let fact = (v.code == perspectief_core::ViolationCode::ContradictsLaterFact)
        .then(|| perspectief_core::LaterFact::from_message(&v.message))
        .flatten();
    // Not allowed in the case's present state: the core's reason, in the reader's language.
    let not_now = (v.code == perspectief_core::ViolationCode::NotAllowedNow)
        .then(|| perspectief_core::NotNow::from_message(&v.message))
        .flatten()
        .map(|n| format!("not-now-{}", n.code()));
    let problem = if let Some((kind, on)) = fact {
        t!("violation-later-fact", fact = crate::i18n::term("change", &kind), on = on)
    } else if let Some(reason) = not_now.filter(|id| crate::i18n::has(id)) {
        t!(&reason)
    } else if crate::i18n::has(&id) {
        t!(&id)
    } else {
        v.message.clone()
    };
    t!("error-field", field = flag_of(&v.field), problem = problem)
}

/// The exit code and plain-language message of a domain error.
pub fn from_domain(e: DomainError) -> Failure {
    use DomainError as E;
    match &e {
        E::InvalidInput(v) => {
            let lines: Vec<String> = v.iter().map(violation).collect();
            Failure::new(VALIDATION, format!("{}\n  {}", t!("error-invalid-input"), lines.join("\n  ")))
        }
        E::RuleViolated { rule } => {
            let id = format!("rule-{}", rule.code());
            let text = if crate::i18n::has(&id) { t!(&id) } else { rule.explanation().to_owned() };
            Failure::new(VALIDATION, t!("error-rule", rule = text))
        }
        E::IllegalPhaseTransition { from, to, .. } => Failure::new(
            VALIDATION,
            t!(
                "error-phase-transition",
                from = crate::i18n::term("phase", from.as_str()),
                to = crate::i18n::term("phase", to.as_str())
            ),
        ),
        E::IllegalStatusTransition { entity, from, to } => Failure::new(
            VALIDATION,
            t!(
                "error-status-transition",
                entity = crate::i18n::term("entity", entity.as_str()),
                from = crate::i18n::term("status", from.as_ref()),
                to = crate::i18n::term("status", to.as_ref())
            ),
        ),
        E::TrajectoryClosed { action, outflow_on, dated } => Failure::new(
            VALIDATION,
            match (outflow_on, dated) {
                (Some(outflow), Some(date)) if date > outflow => {
                    t!("error-trajectory-closed-dated", action = action, outflow = outflow, date = date)
                }
                (Some(outflow), _) => t!("error-trajectory-closed", action = action, outflow = outflow),
                (None, _) => t!("error-trajectory-closed-undated", action = action),
            },
        ),
        E::ConsentRequired { organisation, category } => Failure::new(
            VALIDATION,
            t!(
                "error-consent-required",
                organisation = organisation.to_string(),
                category = crate::i18n::term("category", category.as_str())
            ),
        ),
        E::NotFound { entity, id } => not_found(*entity, id),
        E::AlreadyExists { entity, id } => Failure::new(
            CONFLICT,
            t!("error-already-exists", entity = crate::i18n::term("entity", entity.as_str()), id = id),
        ),
        E::VersionConflict { expected, current } => {
            Failure::new(CONFLICT, t!("error-version-conflict", expected = expected, current = current))
        }
        E::AccessDenied(reason) => Failure::new(PERMISSION, t!("error-access-denied", reason = deny_text(reason))),
        E::Unavailable { reason } => Failure::new(UNAVAILABLE, t!("error-unavailable", reason = reason)),
        E::Internal { reference } => Failure::new(INTERNAL, t!("error-internal", reference = reference)),
    }
}

/// Why access was refused, in the user's language: built from the reason's typed parts (a
/// role, an action, a resource, a category), never the core's English sentence. A resource
/// the texts do not name (a composed rule's own description) is shown as the core names it.
pub fn deny_text(reason: &perspectief_core::access::DenyReason) -> String {
    use crate::i18n::term;
    use perspectief_core::access::DenyReason as D;
    let category = |c: &perspectief_core::DataCategory| term("category", c.as_str());
    match reason {
        D::RoleNotEntitled { role, action, resource } => t!(
            "deny-role_not_entitled",
            role = term("role", role.as_str()),
            action = term("action", action.as_str()),
            resource = term("resource", resource)
        ),
        D::CategoryNotForRole { role, action, category: c } => t!(
            "deny-category_not_for_role",
            role = term("role", role.as_str()),
            action = term("action", action.as_str()),
            category = category(c)
        ),
        D::NotAssigned => t!("deny-not_assigned"),
        D::NoConsent { category: c } => t!("deny-no_consent", category = category(c)),
        D::NotAddressee => t!("deny-not_addressee"),
        D::NotSent => t!("deny-not_sent"),
        D::NotFoundationStaff { role } => t!("deny-not_foundation_staff", role = term("role", role.as_str())),
        D::NotGranted { category: c } => t!("deny-not_granted", category = category(c)),
        D::AboveGrantLevel { category: c, level, max } => t!(
            "deny-above_grant_level",
            category = category(c),
            level = term("level", level.as_str()),
            max = term("level", max.as_str())
        ),
        D::NeedToKnow { category: c } => t!("deny-need_to_know", category = category(c)),
        D::PurposeNotForRole { role, purpose } => t!(
            "deny-purpose_not_for_role",
            role = term("role", role.as_str()),
            purpose = term("purpose", purpose.as_str())
        ),
    }
}

/// The command that lists the records of a kind, so that a not-found error can say where the
/// right id is to be found: (the command, whether it takes the participant). One table for every
/// kind; `None` where no listing shows them.
pub const fn listing_command(entity: EntityKind) -> Option<(&'static str, bool)> {
    use EntityKind as K;
    Some(match entity {
        K::Participant => ("participant list", false),
        K::PlanRevision => ("plan show", true),
        K::Goal => ("goal list", true),
        K::Agreement => ("agreement list", true),
        K::ContactMoment => ("contact list", true),
        K::Referral => ("referral list", true),
        K::ReturnObstacle | K::ReturnJudgment => ("return show", true),
        K::Consent => ("consent list", true),
        K::InformationSession => ("session list", false),
        K::SubsidyPeriod => ("period list", false),
        K::User => ("user list", false),
        K::Token => ("token list", false),
        K::BreakGlassAccess | K::BreakGlassReview => ("privacy reviews", false),
        K::ConsentOverride | K::ConsentOverrideReview => ("privacy overrides", false),
        K::Organisation => ("organisation list", false),
        K::ErasureRequest => ("privacy erase list", false),
        K::LegalHold => ("privacy hold list", false),
        K::ChainMeeting => ("meeting list", false),
        // A meeting's items are shown by `meeting show MEETING`, which the error cannot name.
        K::MeetingItem => return None,
    })
}

/// "No goal with id X; see `perspectief goal list PARTICIPANT`": the not-found failure of every
/// kind, naming the listing command where there is one.
pub fn not_found(entity: EntityKind, id: &str) -> Failure {
    let what = crate::i18n::term("entity", entity.as_str());
    let message = match listing_command(entity) {
        Some((command, takes_participant)) => {
            let listing = if takes_participant {
                format!("perspectief {command} {}", t!("listing-participant"))
            } else {
                format!("perspectief {command}")
            };
            t!("error-not-found-listing", entity = what, id = id, listing = listing)
        }
        None => t!("error-not-found", entity = what, id = id),
    };
    Failure::new(NOT_FOUND, message)
}

impl From<DomainError> for Failure {
    fn from(e: DomainError) -> Self {
        from_domain(e)
    }
}

impl From<perspectief_store::StoreError> for Failure {
    fn from(e: perspectief_store::StoreError) -> Self {
        use perspectief_store::StoreError as S;
        let code = match &e {
            S::Database(_) | S::Io { .. } => UNAVAILABLE,
            _ => CONFIG,
        };
        Failure::new(code, e.to_string())
    }
}
