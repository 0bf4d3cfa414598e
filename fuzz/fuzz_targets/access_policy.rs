//! The access policy against its documented matrix: see `perspectief_core::fuzzing`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| perspectief_core::fuzzing::access_policy(data));
