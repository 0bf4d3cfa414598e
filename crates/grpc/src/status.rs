//! The one table from domain errors to gRPC status codes, with google.rpc details: every error
//! carries exactly one `ErrorInfo` with a stable UPPER_SNAKE reason; invalid input adds
//! `BadRequest` field violations; a version conflict adds `PreconditionFailure`.

use perspectief_core::DomainError;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The domain of every `ErrorInfo`.
pub const ERROR_DOMAIN: &str = "perspectief.nl";

/// The gRPC code for a domain error.
pub fn code(e: &DomainError) -> Code {
    match e {
        DomainError::InvalidInput(_) => Code::InvalidArgument,
        DomainError::IllegalPhaseTransition { .. }
        | DomainError::IllegalStatusTransition { .. }
        | DomainError::TrajectoryClosed { .. }
        | DomainError::RuleViolated { .. } => Code::FailedPrecondition,
        DomainError::NotFound { .. } => Code::NotFound,
        DomainError::AlreadyExists { .. } => Code::AlreadyExists,
        DomainError::VersionConflict { .. } => Code::Aborted,
        DomainError::AccessDenied(_) => Code::PermissionDenied,
        DomainError::Unavailable { .. } => Code::Unavailable,
        DomainError::Internal { .. } => Code::Internal,
        // DomainError is non-exhaustive: a new variant is an internal error until mapped here.
        _ => Code::Internal,
    }
}

/// A domain error as a gRPC status with details. The message is the domain's plain-language
/// message, which never holds SQL, paths or personal data.
pub fn to_status(e: &DomainError) -> Status {
    let reason = e.code().to_uppercase();
    let mut details = ErrorDetails::with_error_info(reason, ERROR_DOMAIN, []);
    match e {
        DomainError::InvalidInput(v) => {
            for f in v.iter() {
                details.add_bad_request_violation(f.field.clone(), f.message.clone());
            }
        }
        DomainError::VersionConflict { expected, current } => {
            details.add_precondition_failure_violation(
                "VERSION",
                "etag",
                format!("the request was based on version {expected}; the current version is {current}"),
            );
        }
        _ => {}
    }
    Status::with_error_details(code(e), e.to_string(), details)
}

/// A field of a request that is not valid, as INVALID_ARGUMENT with a BadRequest violation.
pub fn invalid_field(field: &str, message: &str) -> Status {
    to_status(&DomainError::field(field, "invalid", message))
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
            (DomainError::field("v_number", "not_a_v_number", "10 digits"), Code::InvalidArgument, "INVALID_INPUT"),
            (
                DomainError::IllegalPhaseTransition { from: Phase::Intake, to: Phase::Closed, reason: "outflow" },
                Code::FailedPrecondition,
                "ILLEGAL_PHASE_TRANSITION",
            ),
            (DomainError::RuleViolated { rule: Rule::PlanRequired }, Code::FailedPrecondition, "PLAN_REQUIRED"),
            (DomainError::TrajectoryClosed { action: "set_goal" }, Code::FailedPrecondition, "TRAJECTORY_CLOSED"),
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
        let status = to_status(&DomainError::field("agreements[0].due_on", "before_made", "due before it was made"));
        let violations = status.get_error_details().bad_request().unwrap().field_violations.clone();
        assert_eq!(violations[0].field, "agreements[0].due_on");
        let status = to_status(&DomainError::VersionConflict { expected: 3, current: 5 });
        let failure = status.get_error_details().precondition_failure().unwrap().violations[0].clone();
        assert!(failure.description.contains('5'), "{}", failure.description);
        let internal = to_status(&DomainError::Internal { reference: "ref123".into() });
        assert!(!internal.message().contains("SELECT") && internal.message().contains("ref123"));
    }
}
