//! The import spreadsheet's checks: see `perspectief_cli::fuzzing`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| perspectief_cli::fuzzing::csv_import(data));
