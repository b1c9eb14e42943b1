//! The listing pass: the headers of the tar stream, read once from start to end, stepping over each entry's data,
//! until the end-of-archive marker, the end of the stream, or a header that cannot be read. What it finds is raw:
//! names as stored, defects of the stream itself; [`super::arrange`] makes a layout of it.

use std::collections::HashMap;
use std::io;
use std::ops::ControlFlow::{self, Break, Continue};
use std::sync::Arc;

use super::header::{
    BLOCK, checksum_ok, cstr, header_name, lossy, padding, parse_number, parse_pax,
};
use super::info::{Defect, DefectKind};
use super::stream::Stream;

/// Entries listed at most (a hostile archive must not exhaust memory).
const MAX_ENTRIES: usize = 200_000;
/// Largest PAX extended header or GNU long name accepted.
const MAX_META: u64 = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RawKind {
    File,
    Dir,
    Symlink,
    HardLink,
    Special,
}

#[derive(Debug)]
pub(super) struct RawEntry {
    pub(super) name: String,
    pub(super) non_utf8: bool,
    pub(super) kind: RawKind,
    /// Header offset.
    pub(super) offset: u64,
    pub(super) data_offset: u64,
    pub(super) size: u64,
    pub(super) link: String,
}

pub(super) struct Listing {
    pub(super) raw: Vec<RawEntry>,
    pub(super) defects: Vec<Defect>,
    /// Compressed archives: small files' content, by data offset.
    pub(super) cache: HashMap<u64, Arc<[u8]>>,
}

/// Read the headers of a tar stream, stepping over data, until the end-of-archive marker, the end of the stream,
/// or a header that cannot be read.
pub(super) fn list(s: &mut dyn Stream) -> Listing {
    let mut p = Lister {
        s,
        l: Listing {
            raw: Vec::new(),
            defects: Vec::new(),
            cache: HashMap::new(),
        },
        pending_path: None,
        pending_link: None,
        pending_size: None,
        last_name: String::new(),
    };
    while p.step().is_continue() {}
    p.guard_stopped();
    p.l
}

/// The listing pass between two headers.
struct Lister<'s> {
    s: &'s mut dyn Stream,
    l: Listing,
    /// What PAX records and GNU long names said about the next entry.
    pending_path: Option<Vec<u8>>,
    pending_link: Option<Vec<u8>>,
    pending_size: Option<u64>,
    /// The name of the last entry, for messages.
    last_name: String,
}

impl Lister<'_> {
    fn defect(&mut self, kind: DefectKind, name: &str, offset: u64, message: String) {
        self.l.defects.push(Defect {
            kind,
            name: name.to_string(),
            offset,
            message,
        });
    }

    /// `, after `NAME``, for messages about what follows the last entry.
    fn after(&self) -> String {
        if self.last_name.is_empty() {
            String::new()
        } else {
            format!(", after `{}`", self.last_name)
        }
    }

    /// One header and what it describes; `Break` at the end of what can be listed.
    fn step(&mut self) -> ControlFlow<()> {
        let off = self.s.pos();
        let b = self.header(off)?;
        let flag = b[156];
        let Some(header_size) = parse_number(&b[124..136]) else {
            self.defect(
                DefectKind::Corrupt,
                &lossy(&header_name(&b)).0,
                off,
                format!(
                    "the size field of the header at offset {off} is not a number; nothing after it was read"
                ),
            );
            return Break(());
        };
        if matches!(flag, b'x' | b'g' | b'L' | b'K') {
            self.meta(&b, flag, header_size, off)
        } else {
            self.entry(&b, flag, header_size, off)
        }
    }

    /// The next header block, checked; `Break` at the end-of-archive marker, the end of the stream, a block that
    /// is no header, or the entry limit.
    fn header(&mut self, off: u64) -> ControlFlow<(), [u8; BLOCK as usize]> {
        if self.l.raw.len() >= MAX_ENTRIES {
            let after = self.after();
            self.defect(
                DefectKind::Corrupt,
                "",
                off,
                format!(
                    "more than {MAX_ENTRIES} entries; the rest of the archive (from offset {off}{after}) was not read"
                ),
            );
            return Break(());
        }
        let mut b = [0u8; BLOCK as usize];
        let n = match self.s.read_full(&mut b) {
            Ok(n) => n,
            Err(e) => {
                let after = self.after();
                self.defect(
                    eof_or_corrupt(&e),
                    "",
                    off,
                    format!("the archive cannot be read past offset {off}{after}: {e}"),
                );
                return Break(());
            }
        };
        if n == 0 {
            let after = self.after();
            self.defect(
                DefectKind::EofMarkerMissing,
                "",
                off,
                format!(
                    "the archive ends at offset {off}{after}, without the end-of-archive marker (two zero blocks); entries may be missing"
                ),
            );
            return Break(());
        }
        if n < b.len() {
            let after = self.after();
            self.defect(
                DefectKind::Truncated,
                "",
                off,
                format!(
                    "the archive ends {n} bytes into the 512-byte header at offset {off}{after}; what followed is missing"
                ),
            );
            return Break(());
        }
        if b.iter().all(|&x| x == 0) {
            return Break(()); // the end-of-archive marker
        }
        if !checksum_ok(&b) {
            let before = if self.last_name.is_empty() {
                String::new()
            } else {
                format!("; the entry before it is `{}`", self.last_name)
            };
            self.defect(
                DefectKind::Corrupt,
                "",
                off,
                format!(
                    "the 512 bytes at offset {off} are not a tar header (wrong checksum{before}); nothing from there on was read"
                ),
            );
            return Break(());
        }
        Continue(b)
    }

    /// A PAX extended or global header, or a GNU long name or long link name: what it says about the next entry.
    fn meta(
        &mut self,
        b: &[u8; BLOCK as usize],
        flag: u8,
        header_size: u64,
        off: u64,
    ) -> ControlFlow<()> {
        let name = lossy(&header_name(b)).0;
        if header_size > MAX_META {
            self.defect(
                DefectKind::Corrupt,
                &name,
                off,
                format!(
                    "the extended header at offset {off} is {header_size} bytes, more than the {MAX_META} accepted; nothing after it was read"
                ),
            );
            return Break(());
        }
        let mut data = vec![0u8; usize::try_from(header_size).unwrap_or(0)];
        let got = match self.s.read_full(&mut data) {
            Ok(g) => g,
            Err(e) => {
                self.defect(
                    eof_or_corrupt(&e),
                    &name,
                    off,
                    format!("the archive cannot be read past offset {off}: {e}"),
                );
                return Break(());
            }
        };
        let pad = padding(header_size);
        let padded = if got == data.len() {
            self.s.skip(pad, None).unwrap_or(0)
        } else {
            0
        };
        if got < data.len() || padded < pad {
            self.defect(
                DefectKind::Truncated,
                &name,
                off,
                format!(
                    "the archive ends inside the extended header at offset {off} ({got} of {header_size} bytes)"
                ),
            );
            return Break(());
        }
        match flag {
            b'x' => self.pax(&data, &name, off)?,
            b'g' => {
                if let Err(why) = parse_pax(&data) {
                    self.defect(
                        DefectKind::Corrupt,
                        &name,
                        off,
                        format!(
                            "the global PAX header at offset {off} is malformed ({why}); nothing after it was read"
                        ),
                    );
                    return Break(());
                }
            }
            b'L' => self.pending_path = Some(cstr(&data).to_vec()),
            _ => self.pending_link = Some(cstr(&data).to_vec()),
        }
        Continue(())
    }

    /// The records of a PAX extended header that the listing uses: `path`, `linkpath`, `size`.
    fn pax(&mut self, data: &[u8], name: &str, off: u64) -> ControlFlow<()> {
        let records = match parse_pax(data) {
            Ok(records) => records,
            Err(why) => {
                self.defect(
                    DefectKind::Corrupt,
                    name,
                    off,
                    format!(
                        "the PAX header at offset {off} is malformed ({why}); nothing after it was read"
                    ),
                );
                return Break(());
            }
        };
        for (k, v) in records {
            match k.as_str() {
                "path" => self.pending_path = Some(v),
                "linkpath" => self.pending_link = Some(v),
                "size" => {
                    self.pending_size = std::str::from_utf8(&v).ok().and_then(|t| t.parse().ok());
                    if self.pending_size.is_none() {
                        self.defect(
                            DefectKind::Corrupt,
                            name,
                            off,
                            format!(
                                "the PAX header at offset {off} gives a size that is not a number; nothing after it was read"
                            ),
                        );
                        return Break(());
                    }
                }
                _ => {}
            }
        }
        Continue(())
    }

    /// An entry: listed (with its data kept, for a small file of a compressed archive), its data stepped over.
    fn entry(
        &mut self,
        b: &[u8; BLOCK as usize],
        flag: u8,
        header_size: u64,
        off: u64,
    ) -> ControlFlow<()> {
        let size = self.pending_size.take().unwrap_or(header_size);
        let name_bytes = self.pending_path.take().unwrap_or_else(|| header_name(b));
        let link_bytes = self
            .pending_link
            .take()
            .unwrap_or_else(|| cstr(&b[157..257]).to_vec());
        let (name, non_utf8) = lossy(&name_bytes);
        self.last_name.clone_from(&name);
        let (kind, data_size, listed) = raw_kind(flag, size);
        let data_offset = self.s.pos();
        let mut kept = Vec::new();
        let keep = kind == RawKind::File && self.s.wants_cache(data_size);
        let got = match self.s.skip(data_size, keep.then_some(&mut kept)) {
            Ok(g) => g,
            Err(e) => {
                self.defect(
                    eof_or_corrupt(&e),
                    &name,
                    off,
                    format!(
                        "the archive cannot be read inside `{name}` (entry at offset {off}): {e}; it and everything after it were not read"
                    ),
                );
                return Break(());
            }
        };
        if got < data_size {
            self.defect(
                DefectKind::Truncated,
                &name,
                off,
                format!(
                    "the archive ends {got} bytes into the data of `{name}` (entry at offset {off}), which should hold {data_size} bytes; the entry was not read"
                ),
            );
            return Break(());
        }
        if keep {
            self.l.cache.insert(data_offset, Arc::from(kept));
        }
        if listed {
            self.l.raw.push(RawEntry {
                name: name.clone(),
                non_utf8,
                kind,
                offset: off,
                data_offset,
                size: data_size,
                link: lossy(&link_bytes).0,
            });
        }
        let pad = padding(data_size);
        match self.s.skip(pad, None) {
            Ok(p) if p == pad => Continue(()),
            _ => {
                self.defect(
                    DefectKind::Truncated,
                    &name,
                    off,
                    format!(
                        "the archive ends inside the padding after `{name}` (entry at offset {off}); the entry's data is complete"
                    ),
                );
                Break(())
            }
        }
    }

    /// When the decompression guard stopped the stream, the read that failed was the guard's: whatever the defect
    /// at the break says, it is replaced by one that says the guard stopped it.
    fn guard_stopped(&mut self) {
        let Some(why) = self.s.stopped().map(str::to_string) else {
            return;
        };
        let pos = self.s.pos();
        let (name, offset) = self
            .l
            .defects
            .pop()
            .map_or((String::new(), pos), |d| (d.name, d.offset));
        let inside = if name.is_empty() {
            String::new()
        } else {
            format!(" inside `{name}` (entry at offset {offset})")
        };
        self.l.defects.push(Defect {
            kind: DefectKind::Corrupt,
            name,
            offset,
            message: format!(
                "decompressing the archive stopped after {pos} bytes{inside}: {why}; nothing after it was listed"
            ),
        });
    }
}

/// What a type flag lists, how much data follows its header, and whether it is listed at all. Header-only types
/// carry no data whatever their size field says (as Go's archive/tar reads them).
fn raw_kind(flag: u8, size: u64) -> (RawKind, u64, bool) {
    match flag {
        b'0' | 0 | b'7' => (RawKind::File, size, true),
        b'1' => (RawKind::HardLink, 0, true),
        b'2' => (RawKind::Symlink, 0, true),
        b'3' | b'4' | b'6' => (RawKind::Special, 0, true),
        b'5' => (RawKind::Dir, 0, true),
        // GNU dump directory: a directory followed by a listing.
        b'D' => (RawKind::Dir, size, true),
        // GNU sparse, multi-volume continuation: the data is not the file's content.
        b'S' | b'M' | b'N' => (RawKind::Special, size, true),
        // GNU volume label: not a file.
        b'V' => (RawKind::Special, size, false),
        // POSIX: an unknown type is read as a regular file.
        _ => (RawKind::File, size, true),
    }
}

fn eof_or_corrupt(e: &io::Error) -> DefectKind {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        DefectKind::Truncated
    } else {
        DefectKind::Corrupt
    }
}

#[cfg(test)]
mod tests {
    use crate::corpus::tar::{TarEntry, TarOptions, write};
    use crate::source::FileTree;
    use crate::source::archive::backing::memory_backing;
    use crate::source::archive::fixtures::{file, kinds, layout, open, read};
    use crate::source::archive::{ArchiveSource, DefectKind, StreamLimits};

    /// A gzip and a zstd archive whose one blob is `size` bytes of a repeating pattern (highly compressible).
    fn bombs(size: u64) -> Vec<Vec<u8>> {
        let entries = vec![
            file("oci-layout", "{}"),
            file("index.json", "{}"),
            TarEntry {
                path: "blobs/sha256/big".into(),
                size: Some(size),
                ..TarEntry::default()
            },
            file(
                "blobs/sha256/after",
                "listed only when the guard lets the listing through",
            ),
        ];
        let raw = write(&entries, &TarOptions::default());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &raw).expect("gzip");
        vec![
            gz.finish().expect("gzip"),
            zstd::encode_all(&raw[..], 19).expect("zstd"),
        ]
    }

    fn guarded(bytes: Vec<u8>, limits: crate::layer::Limits) -> ArchiveSource {
        let l = StreamLimits {
            decompression: limits,
            ..StreamLimits::default()
        };
        match ArchiveSource::from_backing(memory_backing(bytes), &l) {
            Ok(Ok(s)) => s,
            _ => panic!("an archive, read from memory"),
        }
    }

    #[test]
    fn the_decompression_guard_stops_the_listing_of_a_compressed_archive() {
        let listed = |s: &ArchiveSource| s.entries().iter().any(|e| e.path == "blobs/sha256/after");
        for bytes in bombs(8 << 20) {
            // Within the default limits: everything is listed, no defect.
            let s = guarded(bytes.clone(), crate::layer::Limits::default());
            assert!(listed(&s) && kinds(&s).is_empty(), "{:?}", s.info().defects);
            let cases = [
                (
                    crate::layer::Limits {
                        max_size: 1 << 20,
                        ..crate::layer::Limits::default()
                    },
                    "decompresses to more than 1048576 bytes (--max-layer-size)",
                ),
                (
                    crate::layer::Limits {
                        max_ratio: 10,
                        ratio_floor: 1 << 20,
                        ..crate::layer::Limits::default()
                    },
                    ":1 (--max-layer-ratio)",
                ),
                (
                    crate::layer::Limits {
                        deadline: Some(std::time::Instant::now()),
                        ..crate::layer::Limits::default()
                    },
                    crate::layer::DEADLINE,
                ),
            ];
            for (limits, why) in cases {
                let s = guarded(bytes.clone(), limits);
                assert!(!listed(&s));
                let d = &s.info().defects;
                assert_eq!(kinds(&s), vec![DefectKind::Corrupt], "{d:?}");
                assert!(
                    d[0].message
                        .starts_with("decompressing the archive stopped after "),
                    "{d:?}"
                );
                assert!(d[0].message.contains(why), "{d:?}");
                assert!(
                    d[0].message.ends_with("; nothing after it was listed"),
                    "{d:?}"
                );
            }
        }
    }

    #[test]
    fn truncation_and_missing_end_marker() {
        let full = write(&layout(), &TarOptions::default());
        // Cut inside the last file's data.
        let s = open(full[..full.len() - 1024 - 512 + 3].to_vec());
        assert_eq!(kinds(&s), vec![DefectKind::Truncated]);
        assert!(s.entry("blobs/sha256/aa").is_none());
        assert!(s.entry("index.json").is_some());
        // Cut inside a header.
        let s = open(full[..512 * 3 + 100].to_vec());
        assert_eq!(kinds(&s), vec![DefectKind::Truncated]);
        // No end-of-archive marker.
        let s = open(write(
            &layout(),
            &TarOptions {
                no_eof: true,
                ..TarOptions::default()
            },
        ));
        assert_eq!(kinds(&s), vec![DefectKind::EofMarkerMissing]);
        assert_eq!(read(&s, "blobs/sha256/aa"), "blob a");
    }

    #[test]
    fn long_names_pax_and_gnu() {
        let long = format!("blobs/sha512/{}", "a".repeat(128));
        let mut e1 = file(&long, "pax");
        e1.longname = Some("pax".into());
        let mut e2 = file(&format!("blobs/sha512/{}", "b".repeat(128)), "gnu");
        e2.longname = Some("gnu".into());
        let s = open(write(&[e1, e2], &TarOptions::default()));
        assert_eq!(read(&s, &long), "pax");
        assert_eq!(
            read(&s, &format!("blobs/sha512/{}", "b".repeat(128))),
            "gnu"
        );
    }

    #[test]
    fn huge_sizes_are_truncation_not_allocation() {
        // A header claiming an 8 EiB file (base-256) and a PAX size beyond the data.
        let mut raw = write(&[file("blobs/sha256/aa", "abc")], &TarOptions::default());
        raw[124..136].copy_from_slice(&[
            0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        fix_checksum(&mut raw[..512]);
        let s = open(raw);
        assert_eq!(kinds(&s), vec![DefectKind::Truncated]);
        let mut e = file("blobs/sha256/aa", "abc");
        e.pax.insert("size".into(), "99999999999999".into());
        let s = open(write(&[e], &TarOptions::default()));
        assert_eq!(kinds(&s), vec![DefectKind::Truncated]);
        let mut e = file("x", "abc");
        e.pax.insert("size".into(), "-1".into());
        let s = open(write(&[e], &TarOptions::default()));
        assert_eq!(kinds(&s), vec![DefectKind::Corrupt]);
    }

    fn fix_checksum(h: &mut [u8]) {
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&x| u32::from(x)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    }
}
