//! The archive reader: arbitrary bytes as an archive of a layout (see ocicheck::fuzzing::archive).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ocicheck::fuzzing::archive(data));
