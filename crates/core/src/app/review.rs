//! Reviews of accesses listed for review (break-glass reads, consent overrides, erasures on
//! request): who may review is the access policy's
//! ([`crate::access::AccessPolicy::decide_break_glass_review`],
//! [`crate::access::AccessPolicy::decide_erasure_review`]); that each is reviewed once is here.

use crate::error::{DomainError, EntityKind};

/// A review is recorded once: `already_reviewed` refuses a second one as `already_exists` for
/// `entity` (the review's kind) and the reviewed access's `id`. The adapter asks again when it
/// writes the review (a concurrent review may have come first), with the same answer.
pub fn review_once(already_reviewed: bool, entity: EntityKind, id: impl std::fmt::Display) -> Result<(), DomainError> {
    if already_reviewed { Err(DomainError::AlreadyExists { entity, id: id.to_string() }) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_review_already_exists() {
        assert_eq!(review_once(false, EntityKind::BreakGlassReview, "x"), Ok(()));
        assert_eq!(
            review_once(true, EntityKind::ConsentOverrideReview, "x"),
            Err(DomainError::AlreadyExists { entity: EntityKind::ConsentOverrideReview, id: "x".into() })
        );
    }
}
