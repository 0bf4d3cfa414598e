//! Shared end-to-end test support for Perspectief.
//!
//! [`conformance`] is the suite every implementation of the application service must pass;
//! the test binary of this package runs it against the store on SQLite (in memory and on a
//! file) and PostgreSQL. [`fixtures`] holds the values the test crates share, [`tls`] certificates made for a test.

pub mod conformance;
pub mod fixtures;
pub mod tls;
