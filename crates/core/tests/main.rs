//! Behaviour of the domain core through its public API. One test binary, one module per area.

mod support;

mod case_file;
mod inputs;
mod properties;
mod return_track;
mod sessions_meetings;
