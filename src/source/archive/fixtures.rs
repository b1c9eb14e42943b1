//! Archives for the unit tests of the archive modules.

use std::io::Read;

use super::info::DefectKind;
use super::reader::ArchiveSource;
use crate::corpus::tar::TarEntry;
use crate::source::FileTree;

pub(super) fn file(path: &str, content: &str) -> TarEntry {
    TarEntry {
        path: path.into(),
        content: Some(content.into()),
        ..TarEntry::default()
    }
}

pub(super) fn entry(path: &str, kind: &str, link: &str) -> TarEntry {
    TarEntry {
        path: path.into(),
        kind: Some(kind.into()),
        link: (!link.is_empty()).then(|| link.into()),
        ..TarEntry::default()
    }
}

pub(super) fn open(bytes: Vec<u8>) -> ArchiveSource {
    ArchiveSource::from_bytes(bytes)
        .expect("no I/O error in memory")
        .expect("an archive")
}

pub(super) fn read(s: &ArchiveSource, path: &str) -> String {
    let mut out = String::new();
    s.open(path)
        .and_then(|mut r| r.read_to_string(&mut out))
        .expect("readable");
    out
}

pub(super) fn kinds(s: &ArchiveSource) -> Vec<DefectKind> {
    s.info().defects.iter().map(|d| d.kind).collect()
}

pub(super) fn layout() -> Vec<TarEntry> {
    vec![
        entry("./", "dir", ""),
        file("./oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}"),
        file("./index.json", "{}"),
        file("./blobs/sha256/aa", "blob a"),
    ]
}
