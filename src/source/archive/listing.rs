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
use super::info::{Defect, DefectKind, Defects};
use super::stream::Stream;
use crate::memory::{Budget, Use};

/// Entries listed at most (a hostile archive must not exhaust memory).
const MAX_ENTRIES: usize = 200_000;

/// Past a limit of the listing, entries that may be the layout's own root files are still kept (the last of each
/// name, this many names at most), so that the limit never reads as a missing `index.json`.
const MAX_ROOT_FILES: usize = 64;
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
    pub(super) defects: Defects,
    /// Compressed archives: small files' content, by data offset.
    pub(super) cache: HashMap<u64, Arc<[u8]>>,
    /// No limit of the listing was reached: what is not listed is not in the archive (as far as it could be read).
    pub(super) complete: bool,
}

/// Read the headers of a tar stream, stepping over data, until the end-of-archive marker, the end of the stream,
/// or a header that cannot be read. The entries listed draw from `budget` (the run's memory budget, of which the
/// listing takes at most half: [`crate::source::listing_cost`]); past it, or past [`MAX_ENTRIES`], the headers are
/// still read, but only the layout's own root files are kept, and a defect says what was not listed.
pub(super) fn list(s: &mut dyn Stream, budget: Option<&Arc<Budget>>) -> Listing {
    let mut p = Lister {
        s,
        l: Listing {
            raw: Vec::new(),
            defects: Defects::default(),
            cache: HashMap::new(),
            complete: true,
        },
        pending_path: None,
        pending_link: None,
        pending_size: None,
        last_name: String::new(),
        budget: budget.cloned(),
        lean: None,
    };
    while p.step().is_continue() {}
    p.guard_stopped();
    p.stopped_keeping();
    p.l
}

/// Where a limit of the listing was reached, why, and what was not listed from there on.
struct Lean {
    offset: u64,
    after: String,
    why: String,
    unlisted: u64,
    roots: usize,
}

/// Whether an entry may be one of the layout's own root files (`oci-layout`, `index.json`, docker save's
/// `manifest.json`), at the archive's root or under one top-level directory.
fn root_file(name: &str) -> bool {
    let n = name.trim_start_matches("./").trim_end_matches('/');
    let base = n.rsplit('/').next().unwrap_or(n);
    n.len() <= 512
        && n.matches('/').count() <= 1
        && matches!(base, "oci-layout" | "index.json" | "manifest.json")
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
    /// The run's memory budget, which the entries listed draw from.
    budget: Option<Arc<Budget>>,
    /// Past a limit of the listing: only root files are kept.
    lean: Option<Lean>,
}

impl Lister<'_> {
    /// From here on keep only the layout's root files: a limit of the listing was reached at `offset`.
    fn stop_keeping(&mut self, offset: u64, after: String, why: String) {
        if self.lean.is_none() {
            self.lean = Some(Lean {
                offset,
                after,
                why,
                unlisted: 0,
                roots: 0,
            });
        }
    }

    /// The defect of a limit of the listing, once the stream has been read.
    fn stopped_keeping(&mut self) {
        let Some(lean) = self.lean.take() else {
            return;
        };
        self.l.complete = false;
        self.defect(
            DefectKind::Limit,
            "",
            lean.offset,
            format!(
                "{}: from offset {}{} on, {} entries were not listed or checked (the rest of the archive was read for the layout's own oci-layout, index.json and manifest.json only)",
                lean.why, lean.offset, lean.after, lean.unlisted
            ),
        );
    }

    /// Keep an entry, if the listing's limits let it.
    fn keep(&mut self, e: RawEntry) {
        if self.lean.is_none()
            && let Some(b) = &self.budget
        {
            let cost = crate::source::listing_cost(&e.name, e.link.len());
            if let Err(x) = b.try_reserve_within(Use::Listing, cost, b.limit() / 2) {
                let why = format!(
                    "the archive's entries take what the run's memory budget leaves the listing ({}, half of what --max-memory leaves to reserve); raise --max-memory",
                    x.describe()
                );
                self.stop_keeping(e.offset, String::new(), why);
            }
        }
        let Some(lean) = &mut self.lean else {
            self.l.raw.push(e);
            return;
        };
        if !root_file(&e.name) {
            lean.unlisted += 1;
            return;
        }
        let start = self.l.raw.len() - lean.roots;
        match self.l.raw[start..].iter().position(|r| r.name == e.name) {
            Some(i) => self.l.raw[start + i] = e,
            None if lean.roots < MAX_ROOT_FILES => {
                lean.roots += 1;
                self.l.raw.push(e);
            }
            _ => lean.unlisted += 1,
        }
    }

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
        if self.lean.is_none() && self.l.raw.len() >= MAX_ENTRIES {
            let after = self.after();
            self.stop_keeping(off, after, format!("more than {MAX_ENTRIES} entries"));
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
        let keep = kind == RawKind::File
            && (self.lean.is_none() || root_file(&name))
            && self.s.wants_cache(data_size);
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
            self.keep(RawEntry {
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
        // A limit, not the end of what can be read: what was not listed may be there.
        self.l.complete = false;
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
            kind: DefectKind::Limit,
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
    } else if e.kind() == io::ErrorKind::OutOfMemory
        || e.to_string().contains(crate::zstd_frame::WINDOW_TOO_LARGE)
    {
        // A later zstd frame asks for a larger window than the decoder may hold or was given (the memory
        // budget): a limit, not a defect.
        DefectKind::Limit
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
        let listed =
            |s: &ArchiveSource| s.entries().iter().any(|e| &*e.path == "blobs/sha256/after");
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
                assert!(
                    !listed(&s) && !s.complete(),
                    "a limit, not the end of the archive"
                );
                let d = &s.info().defects;
                assert_eq!(kinds(&s), vec![DefectKind::Limit], "{d:?}");
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
    fn a_listing_past_its_memory_budget_still_finds_the_layout_files() {
        // Long names (GNU and PAX) before `index.json`: the budget runs out on them.
        let mut entries = vec![file("oci-layout", "{}")];
        for i in 0..40 {
            let mut e = file(&format!("extra/{i}-{}", "n".repeat(100 << 10)), "x");
            e.longname = Some(if i % 2 == 0 { "gnu" } else { "pax" }.into());
            entries.push(e);
        }
        entries.push(file("index.json", "{\"late\": true}"));
        entries.push(file("blobs/sha256/aa", "a"));
        let raw = write(&entries, &TarOptions::default());
        for bytes in [raw.clone(), zstd::encode_all(&raw[..], 3).expect("zstd")] {
            let budget =
                std::sync::Arc::new(crate::memory::Budget::with_limit(256 << 20, 20 << 20));
            let l = StreamLimits {
                budget: Some(budget.clone()),
                ..StreamLimits::default()
            };
            let s = match ArchiveSource::from_backing(memory_backing(bytes), &l) {
                Ok(Ok(s)) => s,
                _ => panic!("an archive"),
            };
            assert!(s.entry("oci-layout").is_some() && s.entry("index.json").is_some());
            assert!(s.entry("blobs/sha256/aa").is_none(), "past the limit");
            assert!(!s.complete());
            assert!(budget.used_by(crate::memory::Use::Listing) <= 10 << 20);
            let d = &s.info().defects;
            assert_eq!(kinds(&s), vec![DefectKind::Limit], "{d:?}");
            assert!(d[0].message.contains("raise --max-memory"), "{d:?}");
            assert!(
                d[0].message.contains("entries were not listed or checked"),
                "{d:?}"
            );
        }
        // Within the budget, all of it.
        let s = open(raw);
        assert!(s.complete() && s.entry("blobs/sha256/aa").is_some());
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
