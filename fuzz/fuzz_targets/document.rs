//! Document validation: arbitrary bytes as a single JSON document (see ocicheck::fuzzing::document).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ocicheck::fuzzing::document(data));
