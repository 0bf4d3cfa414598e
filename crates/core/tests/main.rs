//! Behaviour of the domain core through its public API. One test binary, one module per area.

// Test code may unwrap: a panic is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod support;

mod case_file;
mod confidentiality;
mod consent_share;
mod documents;
mod effective_dates;
mod fuzz_corpus;
mod inputs;
mod late;
mod privacy;
mod properties;
mod reports;
mod retention;
mod return_track;
mod rule_edges;
mod sessions_meetings;
mod text;
mod worklist_due;
