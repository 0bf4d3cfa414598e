//! The store's own guarantees: settings, encryption and keys, the tamper-evident access log,
//! durability through kill -9, no lost updates under concurrency, online backup.
//! (The behaviour every service implementation shares is in the conformance suite of
//! perspectief-tests.)

#![allow(clippy::unwrap_used)]

mod support;

mod accounts;
mod backup;
mod case_cache;
mod case_import;
mod erasure;
mod history_import;
mod key_rotation;
mod keys;
mod kill9;
mod late;
mod lost_update;
mod organisations;
mod paging;
mod privacy;
mod reporting;
mod retention;
mod settings;
mod tamper;
mod worklist;
