//! The application layer: every decision a use case makes beyond loading and saving.
//!
//! The store (and through it the gRPC server and the CLI) runs each use case as *load →
//! authorise → decide → save*. Loading and saving are the adapter's; everything in between is
//! a function here or on a core type, called by the adapter with what it loaded. So a rule is
//! written once, in the core, and the adapters hold no `if` about the domain. The order is
//! fixed: **authorise first, always**, then validate and decide; a refusal at any step is the
//! adapter's to put on record, as every refusal is.
//!
//! - [`case`]: a case command's authorisation (the partner's answer to a referral, the consent
//!   override), the expected-version check, the worklist's caseload rule, and a refusal as
//!   the reader may see it ([`refusal_for`]).
//! - [`review`]: a reviewed access (break-glass read, consent override, erasure) is reviewed
//!   once.
//! - [`crate::report::progress`]: what a progress report shows
//!   ([`crate::access::AccessPolicy::decide_progress_report`]).
//! - [`crate::accounts`]: which organisation an account or a grant may belong to
//!   ([`crate::accounts::check_account_organisation`], [`crate::accounts::check_grant_organisation`]).
//! - [`crate::time`]: one [`crate::time::Clock`] handed to every adapter, and
//!   [`crate::time::DateRange`] for every period asked for.
//! - [`meeting`]: what a chain meeting's command brings to a participant's case file, decided
//!   and authorised in the meeting's transaction.
//! - [`profile`]: a partial update of a profile, merged once (the CLI's and the API's).

pub mod case;
pub mod meeting;
pub mod profile;
pub mod review;

pub use case::{AuthorisedCommand, authorise_command, caseload, check_version, refusal_for};
pub use profile::{ProfileField, ProfileFields, filled_in, merge_profile};
pub use review::review_once;
