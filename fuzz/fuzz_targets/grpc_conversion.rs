//! Proto requests to core values: see `perspectief_grpc::fuzzing`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| perspectief_grpc::fuzzing::grpc_conversion(data));
