//! The rule phase on large synthetic layers, with a two-second --max-time that must hold (see
//! ocicheck::fuzzing::rules).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ocicheck::fuzzing::rules(data));
