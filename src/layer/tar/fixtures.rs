//! Tar streams for the unit tests of the tar modules.

use super::facts::TarFacts;
use super::scan::scan;
use crate::corpus::tar::TarEntry;

pub(super) fn facts(bytes: &[u8]) -> TarFacts {
    let mut f = TarFacts::default();
    scan(bytes, &mut f).expect("in-memory reads do not fail");
    f
}

pub(super) fn entry(path: &str) -> TarEntry {
    TarEntry {
        path: path.into(),
        ..TarEntry::default()
    }
}

pub(super) fn fix_checksum(h: &mut [u8]) {
    let sum: u32 = h[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}
