//! The one table from domain errors to gRPC status codes, with google.rpc details: every error
//! carries exactly one `ErrorInfo` with a stable UPPER_SNAKE reason; invalid input adds
//! `BadRequest` field violations; a version conflict adds `PreconditionFailure`.

use perspectief_core::ViolationCode;
use perspectief_core::access::DenyReason;
use perspectief_core::error::bounded;
use perspectief_core::{DomainError, FieldViolation as FieldViolation_, Rule, Violations};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

/// The longest status message, in characters. A status travels in HTTP/2 trailers, which a
/// client limits (16 KiB by default): a longer one turns an INVALID_ARGUMENT into a protocol
/// error. The core already quotes input through [`perspectief_core::error::echo`]; these bounds
/// hold whatever a message was made of.
const MAX_MESSAGE_CHARS: usize = 500;
/// The longest field path, field description or `ErrorInfo` value, in characters.
const MAX_DETAIL_CHARS: usize = 200;
/// The bytes of field paths and descriptions one status lists at most: the first violations
/// that fit (at least one), enough for every input the domain validates in one go.
const MAX_VIOLATION_BYTES: usize = 4000;

/// The domain of every `ErrorInfo`.
pub const ERROR_DOMAIN: &str = "perspectief.nl";

/// The gRPC code for a domain error.
pub fn code(e: &DomainError) -> Code {
    match e {
        DomainError::InvalidInput(_) => Code::InvalidArgument,
        DomainError::IllegalPhaseTransition { .. }
        | DomainError::IllegalStatusTransition { .. }
        | DomainError::TrajectoryClosed { .. }
        | DomainError::ConsentRequired { .. }
        | DomainError::RuleViolated { .. } => Code::FailedPrecondition,
        DomainError::NotFound { .. } => Code::NotFound,
        DomainError::AlreadyExists { .. } => Code::AlreadyExists,
        DomainError::VersionConflict { .. } => Code::Aborted,
        DomainError::AccessDenied(_) => Code::PermissionDenied,
        DomainError::Unavailable { .. } => Code::Unavailable,
        DomainError::Internal { .. } => Code::Internal,
    }
}

/// A domain error as a gRPC status with details. The message is the domain's plain-language
/// message, which never holds SQL, paths or personal data. The `ErrorInfo` metadata carries
/// the error's structured parts (ids, states, the denial's reason), so a client can act on
/// them without parsing the message and the Rust client can rebuild the same [`DomainError`].
pub fn to_status(e: &DomainError) -> Status {
    let reason = e.code().to_uppercase();
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: &str| meta.push((k.to_owned(), bounded(v, MAX_DETAIL_CHARS)));
    match e {
        DomainError::IllegalPhaseTransition { from, to, reason } => {
            put("from", from.as_str());
            put("to", to.as_str());
            put("reason", reason);
        }
        DomainError::IllegalStatusTransition { entity, from, to } => {
            put("entity", entity.as_str());
            put("from", from);
            put("to", to);
        }
        DomainError::TrajectoryClosed { action, outflow_on, dated } => {
            put("action", action);
            if let Some(day) = outflow_on {
                put("outflow_on", &day.to_string());
            }
            if let Some(day) = dated {
                put("dated", &day.to_string());
            }
        }
        DomainError::ConsentRequired { organisation, category } => {
            put("organisation", &organisation.to_string());
            put("category", category.as_str());
        }
        DomainError::RuleViolated { rule } => put("rule", rule.code()),
        DomainError::NotFound { entity, id } | DomainError::AlreadyExists { entity, id } => {
            put("entity", entity.as_str());
            put("id", id);
        }
        DomainError::VersionConflict { expected, current } => {
            put("expected", &expected.to_string());
            put("current", &current.to_string());
        }
        DomainError::AccessDenied(d) => deny_metadata(d, &mut put),
        DomainError::Unavailable { reason } => put("reason", reason),
        DomainError::Internal { reference } => put("reference", reference),
        // Its details are the field violations below.
        DomainError::InvalidInput(_) => {}
    }
    let mut details = ErrorDetails::with_error_info(
        reason,
        ERROR_DOMAIN,
        meta.into_iter().collect::<std::collections::HashMap<_, _>>(),
    );
    match e {
        DomainError::InvalidInput(v) => {
            let mut budget = MAX_VIOLATION_BYTES;
            let violations: Vec<FieldViolation> = v
                .iter()
                .map(|f| FieldViolation {
                    field: bounded(&f.field, MAX_DETAIL_CHARS),
                    description: bounded(&f.message, MAX_DETAIL_CHARS),
                    reason: bounded(&f.code.code().to_uppercase(), MAX_DETAIL_CHARS),
                    localized_message: None,
                })
                .enumerate()
                .take_while(|(i, f)| {
                    let size = f.field.len() + f.description.len() + f.reason.len();
                    let fits = *i == 0 || size <= budget;
                    budget = budget.saturating_sub(size);
                    fits
                })
                .map(|(_, f)| f)
                .collect();
            details.set_bad_request(violations);
        }
        DomainError::Unavailable { .. } => {
            // A busy database or a connection hiccup: worth a retry shortly.
            details.set_retry_info(Some(std::time::Duration::from_secs(1)));
        }
        DomainError::VersionConflict { expected, current } => {
            details.add_precondition_failure_violation(
                "VERSION",
                "etag",
                format!("the request was based on version {expected}; the current version is {current}"),
            );
        }
        DomainError::IllegalPhaseTransition { .. }
        | DomainError::IllegalStatusTransition { .. }
        | DomainError::TrajectoryClosed { .. }
        | DomainError::RuleViolated { .. }
        | DomainError::NotFound { .. }
        | DomainError::AlreadyExists { .. }
        | DomainError::AccessDenied(_)
        | DomainError::ConsentRequired { .. }
        | DomainError::Internal { .. } => {}
    }
    Status::with_error_details(code(e), bounded(&e.to_string(), MAX_MESSAGE_CHARS), details)
}

/// The reason of a denial as key-value details (`deny_reason` and what it names): in a
/// denial's ErrorInfo and in a case file's withheld categories.
pub(crate) fn deny_metadata(d: &DenyReason, put: &mut impl FnMut(&str, &str)) {
    match d {
        DenyReason::RoleNotEntitled { role, action, resource } => {
            put("deny_reason", "role_not_entitled");
            put("role", role.as_str());
            put("action", action.as_str());
            put("resource", resource);
        }
        DenyReason::CategoryNotForRole { role, action, category } => {
            put("deny_reason", "category_not_for_role");
            put("role", role.as_str());
            put("action", action.as_str());
            put("category", category.as_str());
        }
        DenyReason::NotAssigned => put("deny_reason", "not_assigned"),
        DenyReason::NoConsent { category } => {
            put("deny_reason", "no_consent");
            put("category", category.as_str());
        }
        DenyReason::NotAddressee => put("deny_reason", "not_addressee"),
        DenyReason::NotSent => put("deny_reason", "not_sent"),
        DenyReason::NotFoundationStaff { role } => {
            put("deny_reason", "not_foundation_staff");
            put("role", role.as_str());
        }
        DenyReason::NotGranted { category } => {
            put("deny_reason", "not_granted");
            put("category", category.as_str());
        }
        DenyReason::AboveGrantLevel { category, level, max } => {
            put("deny_reason", "above_grant_level");
            put("category", category.as_str());
            put("level", level.as_str());
            put("max_level", max.as_str());
        }
        DenyReason::NeedToKnow { category } => {
            put("deny_reason", "need_to_know");
            put("category", category.as_str());
        }
        DenyReason::PurposeNotForRole { role, purpose } => {
            put("deny_reason", "purpose_not_for_role");
            put("role", role.as_str());
            put("purpose", purpose.as_str());
        }
    }
}

/// A unit enum value from its stable snake_case name (the names its serde form uses).
fn named<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    use serde::de::IntoDeserializer;
    T::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(name)).ok()
}

/// A name or reason the core keeps as a static text, back from a status: bounded, so a
/// misbehaving server cannot make it arbitrarily large.
fn owned(text: &str) -> std::borrow::Cow<'static, str> {
    std::borrow::Cow::Owned(bounded(text, MAX_DETAIL_CHARS))
}

/// Rebuild the domain error a Perspectief server sent (the client side of [`to_status`]).
/// Statuses that did not come from the domain (transport failures, deadlines, a proxy's
/// answer) become `unavailable` or `internal` with the status's own description.
pub fn from_status(status: &Status) -> DomainError {
    let details = status.get_error_details();
    let Some(info) = details.error_info().filter(|i| i.domain == ERROR_DOMAIN).cloned() else {
        return transport_error(status);
    };
    let m = |k: &str| meta(&info, k);
    let reason = info.reason.to_lowercase();
    let unknown = || DomainError::Internal { reference: format!("unrecognised error {}", info.reason) };
    match reason.as_str() {
        "invalid_input" => {
            let violations = details
                .bad_request()
                .map(|b| {
                    b.field_violations
                        .iter()
                        .map(|v| {
                            FieldViolation_::new(
                                v.field.clone(),
                                ViolationCode::received(&v.reason.to_lowercase()),
                                v.description.clone(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            DomainError::InvalidInput(Violations(violations))
        }
        "illegal_phase_transition" => match (named(m("from")), named(m("to"))) {
            (Some(from), Some(to)) => DomainError::IllegalPhaseTransition { from, to, reason: owned(m("reason")) },
            _ => unknown(),
        },
        "illegal_status_transition" => match named(m("entity")) {
            Some(entity) => DomainError::IllegalStatusTransition { entity, from: owned(m("from")), to: owned(m("to")) },
            None => unknown(),
        },
        "trajectory_closed" => {
            let day = |k: &str| chrono::NaiveDate::parse_from_str(m(k), "%Y-%m-%d").ok();
            DomainError::TrajectoryClosed {
                action: owned(m("action")),
                outflow_on: day("outflow_on"),
                dated: day("dated"),
            }
        }
        "consent_required" => {
            match (perspectief_core::OrganisationId::parse(m("organisation")), named(m("category"))) {
                (Ok(organisation), Some(category)) => DomainError::ConsentRequired { organisation, category },
                _ => unknown(),
            }
        }
        "not_found" | "already_exists" => match named(m("entity")) {
            Some(entity) if reason == "not_found" => DomainError::NotFound { entity, id: m("id").to_owned() },
            Some(entity) => DomainError::AlreadyExists { entity, id: m("id").to_owned() },
            None => unknown(),
        },
        "version_conflict" => match (m("expected").parse(), m("current").parse()) {
            (Ok(expected), Ok(current)) => DomainError::VersionConflict { expected, current },
            _ => unknown(),
        },
        "access_denied" => deny_reason(&info).map_or_else(unknown, DomainError::AccessDenied),
        "unavailable" => DomainError::Unavailable { reason: m("reason").to_owned() },
        "internal" => DomainError::Internal { reference: m("reference").to_owned() },
        // Authentication refusals, limits and the like: not domain errors.
        "unauthenticated" | "message_too_large" | "on_behalf_of_refused" | "too_many_refusals" => {
            transport_error(status)
        }
        _ => named::<Rule>(m("rule")).map_or_else(unknown, |rule| DomainError::RuleViolated { rule }),
    }
}

fn meta<'a>(info: &'a tonic_types::ErrorInfo, key: &str) -> &'a str {
    info.metadata.get(key).map(String::as_str).unwrap_or_default()
}

fn deny_reason(info: &tonic_types::ErrorInfo) -> Option<DenyReason> {
    deny_reason_of(&info.metadata)
}

/// A denial's reason from its key-value details (see [`deny_metadata`]).
pub(crate) fn deny_reason_of(details: &std::collections::HashMap<String, String>) -> Option<DenyReason> {
    let m = |k: &str| details.get(k).map(String::as_str).unwrap_or_default();
    Some(match m("deny_reason") {
        "role_not_entitled" => DenyReason::RoleNotEntitled {
            role: named(m("role"))?,
            action: named(m("action"))?,
            resource: m("resource").to_owned(),
        },
        "category_not_for_role" => DenyReason::CategoryNotForRole {
            role: named(m("role"))?,
            action: named(m("action"))?,
            category: named(m("category"))?,
        },
        "not_assigned" => DenyReason::NotAssigned,
        "no_consent" => DenyReason::NoConsent { category: named(m("category"))? },
        "not_addressee" => DenyReason::NotAddressee,
        "not_sent" => DenyReason::NotSent,
        "not_foundation_staff" => DenyReason::NotFoundationStaff { role: named(m("role"))? },
        "not_granted" => DenyReason::NotGranted { category: named(m("category"))? },
        "above_grant_level" => DenyReason::AboveGrantLevel {
            category: named(m("category"))?,
            level: named(m("level"))?,
            max: named(m("max_level"))?,
        },
        "need_to_know" => DenyReason::NeedToKnow { category: named(m("category"))? },
        "purpose_not_for_role" => {
            DenyReason::PurposeNotForRole { role: named(m("role"))?, purpose: named(m("purpose"))? }
        }
        _ => return None,
    })
}

/// A status that is not a domain error, as the domain error a caller can act on.
fn transport_error(status: &Status) -> DomainError {
    match status.code() {
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled | Code::ResourceExhausted => {
            DomainError::Unavailable { reason: format!("{:?}: {}", status.code(), status.message()) }
        }
        Code::Unauthenticated => DomainError::Unavailable {
            reason: "the server did not accept the token (unknown, expired or revoked)".to_owned(),
        },
        _ => DomainError::Internal { reference: format!("{:?}: {}", status.code(), status.message()) },
    }
}

/// A field of a request that is not valid, as INVALID_ARGUMENT with a BadRequest violation.
pub fn invalid_field(field: &str, message: &str) -> Status {
    to_status(&DomainError::field(field, ViolationCode::Invalid, message))
}

#[cfg(test)]
mod tests {
    use perspectief_core::access::{DataCategory, DenyReason};
    use perspectief_core::trajectory::Phase;
    use perspectief_core::{EntityKind, Rule};

    use super::*;

    #[test]
    fn every_domain_error_has_its_code_and_one_reason() {
        let cases = [
            (
                DomainError::field("v_number", ViolationCode::NotAVNumber, "10 digits"),
                Code::InvalidArgument,
                "INVALID_INPUT",
            ),
            (
                DomainError::IllegalPhaseTransition {
                    from: Phase::Intake,
                    to: Phase::Closed,
                    reason: "outflow".into(),
                },
                Code::FailedPrecondition,
                "ILLEGAL_PHASE_TRANSITION",
            ),
            (DomainError::RuleViolated { rule: Rule::PlanRequired }, Code::FailedPrecondition, "PLAN_REQUIRED"),
            (
                DomainError::TrajectoryClosed {
                    action: "set_goal".into(),
                    outflow_on: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()),
                    dated: chrono::NaiveDate::from_ymd_opt(2026, 12, 4),
                },
                Code::FailedPrecondition,
                "TRAJECTORY_CLOSED",
            ),
            (
                DomainError::ConsentRequired {
                    organisation: perspectief_core::OrganisationId::from_u128(90),
                    category: DataCategory::Return,
                },
                Code::FailedPrecondition,
                "CONSENT_REQUIRED",
            ),
            (DomainError::NotFound { entity: EntityKind::Goal, id: "x".into() }, Code::NotFound, "NOT_FOUND"),
            (
                DomainError::AlreadyExists { entity: EntityKind::Goal, id: "x".into() },
                Code::AlreadyExists,
                "ALREADY_EXISTS",
            ),
            (DomainError::VersionConflict { expected: 3, current: 5 }, Code::Aborted, "VERSION_CONFLICT"),
            (
                DomainError::AccessDenied(DenyReason::NoConsent { category: DataCategory::Return }),
                Code::PermissionDenied,
                "ACCESS_DENIED",
            ),
            (DomainError::Unavailable { reason: "down".into() }, Code::Unavailable, "UNAVAILABLE"),
            (DomainError::Internal { reference: "abc".into() }, Code::Internal, "INTERNAL"),
        ];
        for (error, code, reason) in cases {
            let status = to_status(&error);
            assert_eq!(status.code(), code, "{error}");
            assert_eq!(status.get_error_details().error_info().unwrap().reason, reason);
        }
    }

    #[test]
    fn field_errors_and_conflicts_carry_their_details() {
        let status =
            to_status(&DomainError::field("agreements[0].due_on", ViolationCode::BeforeMade, "due before it was made"));
        let violations = status.get_error_details().bad_request().unwrap().field_violations.clone();
        assert_eq!(violations[0].field, "agreements[0].due_on");
        let status = to_status(&DomainError::VersionConflict { expected: 3, current: 5 });
        let failure = status.get_error_details().precondition_failure().unwrap().violations[0].clone();
        assert!(failure.description.contains('5'), "{}", failure.description);
        let internal = to_status(&DomainError::Internal { reference: "ref123".into() });
        assert!(!internal.message().contains("SELECT") && internal.message().contains("ref123"));
        // A busy database: try again, after the delay given.
        let busy = to_status(&DomainError::Unavailable { reason: "the database is busy".into() });
        assert_eq!(busy.code(), Code::Unavailable);
        assert!(busy.get_error_details().retry_info().and_then(|r| r.retry_delay).is_some());
    }

    #[test]
    fn the_client_rebuilds_every_domain_error_the_server_sends() {
        use perspectief_core::access::{Action, Role};
        let errors = [
            DomainError::InvalidInput(Violations(vec![
                FieldViolation_::new("goal.deadline", ViolationCode::NotADate, "not a date"),
                FieldViolation_::new("name", ViolationCode::Required, "this field is required"),
            ])),
            DomainError::IllegalPhaseTransition {
                from: Phase::Intake,
                to: Phase::Closed,
                reason: "a trajectory is closed only by recording its outflow".into(),
            },
            DomainError::IllegalStatusTransition {
                entity: EntityKind::Goal,
                from: "achieved".into(),
                to: "open".into(),
            },
            DomainError::TrajectoryClosed {
                action: "set_goal".into(),
                outflow_on: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()),
                dated: chrono::NaiveDate::from_ymd_opt(2026, 12, 4),
            },
            DomainError::ConsentRequired {
                organisation: perspectief_core::OrganisationId::from_u128(90),
                category: DataCategory::MedicalPsychosocial,
            },
            DomainError::RuleViolated { rule: Rule::PlanRequired },
            DomainError::RuleViolated { rule: Rule::OrientationRequired },
            DomainError::NotFound { entity: EntityKind::Referral, id: "r1".into() },
            DomainError::AlreadyExists { entity: EntityKind::ChainMeeting, id: "m1".into() },
            DomainError::VersionConflict { expected: 3, current: 5 },
            DomainError::AccessDenied(DenyReason::RoleNotEntitled {
                role: Role::Auditor,
                action: Action::Update,
                resource: "case".into(),
            }),
            DomainError::AccessDenied(DenyReason::CategoryNotForRole {
                role: Role::ChainPartner,
                action: Action::Read,
                category: DataCategory::MedicalPsychosocial,
            }),
            DomainError::AccessDenied(DenyReason::NotAssigned),
            DomainError::AccessDenied(DenyReason::NoConsent { category: DataCategory::Return }),
            DomainError::AccessDenied(DenyReason::NotAddressee),
            DomainError::AccessDenied(DenyReason::NotSent),
            DomainError::AccessDenied(DenyReason::NotFoundationStaff { role: Role::ProjectLead }),
            DomainError::AccessDenied(DenyReason::PurposeNotForRole {
                role: Role::ChainPartner,
                purpose: perspectief_core::service::Purpose::CaseWork,
            }),
            DomainError::Unavailable { reason: "the database is busy".into() },
            DomainError::Internal { reference: "ref-42".into() },
        ];
        for error in errors {
            assert_eq!(from_status(&to_status(&error)), error);
        }
        let foreign = Status::unavailable("connection refused");
        assert_eq!(from_status(&foreign).code(), "unavailable");
        let foreign = Status::internal("a proxy failed");
        assert_eq!(from_status(&foreign).code(), "internal");
    }
}
