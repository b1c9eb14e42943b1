//! The layer pass: arbitrary bytes as a layer blob (see ocicheck::fuzzing::layer).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ocicheck::fuzzing::layer(data));
