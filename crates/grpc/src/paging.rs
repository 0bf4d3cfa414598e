//! Page tokens for listings that continue after a position: a case's version, an audit record's
//! sequence number. A token names the listing it belongs to, so a token from another listing is
//! refused instead of silently skipping or repeating records (AIP-158). Partners treat tokens as
//! opaque; their form may change between releases.

use perspectief_core::DomainError;
use perspectief_core::ViolationCode;

use crate::convert::Field;

/// The token that continues the listing `scope` after position `after`.
fn token(scope: &str, after: u64) -> String {
    format!("{scope}.{after}")
}

/// Where the listing `scope` continues: after the position in `token`, or `from` when there is
/// no token. A token from another listing, or not one this service made, names the field.
pub fn resume(scope: &str, token: &str, from: u64) -> Result<u64, DomainError> {
    if token.is_empty() {
        return Ok(from);
    }
    token.strip_prefix(scope).and_then(|rest| rest.strip_prefix('.')).and_then(|n| n.parse::<u64>().ok()).ok_or_else(
        || {
            Field::root().child("page_token").invalid(
                ViolationCode::NotAPageToken,
                "not a page token of this listing: pass the next_page_token of the previous page with the same request",
            )
        },
    )
}

/// The next page's token when a page of `returned` items out of at most `limit` may have more
/// after `last`; empty when the page was not full (there is nothing more now).
pub fn next(scope: &str, returned: usize, limit: u32, last: Option<u64>) -> String {
    match last {
        Some(last) if returned >= limit as usize => token(scope, last),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_continues_only_its_own_listing() {
        let t = next("events-a", 2, 2, Some(7));
        assert_eq!(resume("events-a", &t, 0).unwrap(), 7);
        assert_eq!(resume("events-a", "", 3).unwrap(), 3);
        for bad in ["events-b.7", "events-a.x", "events-a", "7"] {
            let e = resume("events-a", bad, 0).unwrap_err();
            assert_eq!(e.violations().unwrap().iter().next().unwrap().field, "page_token", "{bad}");
        }
        assert_eq!(resume("events-a", &next("events-a", 1, 2, Some(7)).to_string(), 5).unwrap(), 5, "last page");
    }
}
