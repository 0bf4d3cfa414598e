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
