//! An image layout inside a tar archive (plain, gzip or zstd), read where it lies: never extracted, never written.
//!
//! ```text
//! archive ─► [sniff: tar? gzip? zstd?] ─► listing pass (headers only) ─► entries (layout paths) + defects
//!                                                                   └─► open(path): a reader over the entry's bytes
//! ```
//!
//! - **Plain tar**: the listing pass reads the 512-byte headers only and steps over each entry's data by its size;
//!   afterwards an entry is opened as a reader over its byte range of the file, with positioned reads (`pread`),
//!   so parallel readers never share a cursor and each blob is still read exactly once.
//! - **gzip / zstd**: a compressed stream cannot be entered in the middle. The listing pass decompresses the whole
//!   stream once and keeps the content of small regular files (at most [`CACHE_FILE_MAX`] each,
//!   [`CACHE_TOTAL_MAX`] in all) in memory, so the walk (index.json, manifests, configs) never decompresses again.
//!   Every other entry is read by decompressing again from the nearest *parked* decoder: a decoder left where the
//!   previous reader stopped (at most [`MAX_PARKED`] are kept). Readers that arrive in archive order cost one more
//!   pass in all; in the worst case (each blob opened before the ones that precede it) each large blob costs a
//!   decompression of the archive up to its end. Nothing is written to disk.
//! - **Stdin**: a regular file redirected to stdin is read in place like any file; a pipe is held in memory
//!   (its size as piped, i.e. the compressed size of a compressed archive), because the walk needs `index.json`,
//!   which archives often store after the blobs it names.
//!
//! Entry names are normalised the way a layout directory would present them: a leading `./` and empty or `.`
//! components are dropped, a trailing `/` marks a directory, parent directories that have no entry of their own
//! are implied, and when the layout sits under a single top-level directory (`img/oci-layout`) that prefix is
//! removed. Archive defects (names outside the layout, duplicate names, hard links, truncation, corrupt headers,
//! no end-of-archive marker) are recorded in [`ArchiveInfo::defects`] for the `ARC` rules; entries outside the
//! layout, hard links and truncated entries are not listed, so nothing reads them.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{Entry, EntryKind, FileTree, SourceIssue};

const BLOCK: u64 = 512;
/// Entries listed at most (a hostile archive must not exhaust memory).
const MAX_ENTRIES: usize = 200_000;
/// Largest PAX extended header or GNU long name accepted.
const MAX_META: u64 = 1 << 20;
/// Compressed archives: regular files up to this size are kept in memory by the listing pass.
pub const CACHE_FILE_MAX: u64 = 256 << 10;
/// Compressed archives: at most this much is kept in memory in all.
pub const CACHE_TOTAL_MAX: u64 = 64 << 20;
/// Compressed archives: decoders kept, positioned, for later readers.
pub const MAX_PARKED: usize = 4;
/// `manifest.json` (docker save) is read up to this size.
const MAX_DOCKER_MANIFEST: u64 = 16 << 20;
/// Chunk size of an archive held in memory (stdin from a pipe).
const MEM_CHUNK: usize = 4 << 20;

/// How the tar stream is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// What is wrong with the archive as a container of an image layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefectKind {
    /// An absolute name, a name with a `..` component, or (when the layout sits under one top-level directory)
    /// an entry outside that directory. Not listed.
    Outside,
    /// The same name more than once (directories aside). The last one is listed, as extraction would keep it.
    Duplicate,
    /// A hard link. Not listed (links are never followed).
    HardLink,
    /// The archive ends inside a header or inside an entry's data. The cut entry is not listed.
    Truncated,
    /// A header that cannot be read (checksum, number fields, extended headers), a corrupt compressed stream, or
    /// a limit reached. Nothing after it is listed.
    Corrupt,
    /// The archive ends after a complete entry but without the end-of-archive marker (two zero blocks).
    EofMarkerMissing,
}

/// One archive defect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    pub kind: DefectKind,
    /// The entry's name as stored in the archive (lossy UTF-8), or the nearest name when there is none.
    pub name: String,
    /// Byte offset of the entry's header in the (uncompressed) tar stream.
    pub offset: u64,
    pub message: String,
}

/// Facts about an archive that rules look at.
#[derive(Debug, Clone, Default)]
pub struct ArchiveInfo {
    pub compression: Compression,
    /// The top-level directory the layout sits under, when it is not at the archive's root.
    pub prefix: Option<String>,
    pub defects: Vec<Defect>,
    /// `manifest.json` at the layout root (docker save): its bytes, or why they could not be read.
    pub docker_manifest: Option<Result<Vec<u8>, String>>,
    /// A docker-save archive in Docker's own format: `manifest.json` but neither `oci-layout` nor `index.json`.
    pub docker_legacy: bool,
}

/// Where the archive's bytes are.
enum Backing {
    /// A file read with positioned reads; `base` is where the archive starts (stdin may be positioned).
    File { file: File, base: u64, len: u64 },
    /// Bytes held in memory (stdin from a pipe), in chunks of [`MEM_CHUNK`].
    Memory { chunks: Vec<Vec<u8>>, len: u64 },
}

impl Backing {
    fn len(&self) -> u64 {
        match self {
            Backing::File { len, .. } | Backing::Memory { len, .. } => *len,
        }
    }

    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        let len = self.len();
        if off >= len || buf.is_empty() {
            return Ok(0);
        }
        let n = usize::try_from((len - off).min(buf.len() as u64)).unwrap_or(buf.len());
        let buf = &mut buf[..n];
        match self {
            Backing::File { file, base, .. } => read_at(file, base.saturating_add(off), buf),
            Backing::Memory { chunks, .. } => {
                let Ok(off) = usize::try_from(off) else {
                    return Ok(0);
                };
                let (i, within) = (off / MEM_CHUNK, off % MEM_CHUNK);
                let Some(chunk) = chunks.get(i) else {
                    return Ok(0);
                };
                let avail = chunk.get(within..).unwrap_or_default();
                let n = avail.len().min(buf.len());
                buf[..n].copy_from_slice(&avail[..n]);
                Ok(n)
            }
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, off: u64, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    loop {
        match file.read_at(buf, off) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

#[cfg(windows)]
fn read_at(file: &File, off: u64, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::windows::fs::FileExt;
    file.seek_read(buf, off)
}

/// A reader over a byte range of the backing.
struct RangeReader {
    backing: Arc<Backing>,
    pos: u64,
    end: u64,
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.end {
            return Ok(0);
        }
        let want = usize::try_from(self.end - self.pos)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.backing.read_at(self.pos, &mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive is shorter than when it was listed",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// A decoder positioned in the uncompressed stream.
struct Parked {
    dec: Box<dyn Read + Send>,
    pos: u64,
}

/// Where a listed regular file's bytes are in the (uncompressed) tar stream.
#[derive(Debug, Clone, Copy)]
struct Span {
    offset: u64,
    size: u64,
}

/// An image layout inside a tar archive.
pub struct ArchiveSource {
    backing: Arc<Backing>,
    compression: Compression,
    entries: Vec<Entry>,
    spans: HashMap<String, Span>,
    /// Compressed archives: small files kept by the listing pass, by data offset.
    cache: HashMap<u64, Arc<[u8]>>,
    parked: Mutex<Vec<Parked>>,
    info: ArchiveInfo,
    /// What is not listed, as a layout directory would not list it (directories nested too deep).
    issues: Vec<SourceIssue>,
}

/// What a stream (stdin, a named pipe) held.
pub enum Opened {
    Archive(Box<ArchiveSource>),
    /// Not an archive: the bytes, to be validated as a single document.
    Document(StreamDocument),
}

/// A stream that is not an archive: its first bytes (at most [`StreamLimits::max_document`] + 1) and its length.
pub struct StreamDocument {
    pub bytes: Vec<u8>,
    pub total: u64,
}

/// How a stream (stdin from a pipe, a named pipe) is held.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    /// The decompression guard of the listing pass over a gzip or zstd archive (the layer pass's own:
    /// `--max-layer-ratio`, `--max-layer-size`, and the run's deadline): past it the rest of the archive is not
    /// listed, and a defect says so.
    pub decompression: crate::layer::Limits,
    /// Bytes held in memory; the rest of a longer stream is copied, as it arrives, to an unnamed temporary file
    /// (deleted when the run ends, however it ends). Never the input, and never extracted: the same bytes.
    pub memory: u64,
    /// A stream that turns out not to be an archive is a document: this much of it is kept (`--max-json-size`).
    pub max_document: u64,
}

pub use crate::options::DEFAULT_STREAM_MEMORY;

impl StreamLimits {
    /// How stdin from a pipe (or a named pipe) is held, and the decompression guard of a compressed archive, as
    /// the run's options say.
    pub fn from_options(opts: &crate::options::Options) -> StreamLimits {
        StreamLimits {
            decompression: crate::layer::Limits {
                deadline: opts.run_deadline(),
                ..crate::layer::Limits::from_options(opts)
            },
            memory: opts.max_stream_memory,
            max_document: opts.max_json_size,
        }
    }
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            decompression: crate::layer::Limits::default(),
            memory: DEFAULT_STREAM_MEMORY,
            max_document: 16 << 20,
        }
    }
}

impl ArchiveSource {
    /// Open `path` as an archive; `Ok(None)` when its content is not a tar archive (plain, gzip or zstd).
    pub fn open_path(path: &Path) -> io::Result<Option<ArchiveSource>> {
        Self::open_path_with(path, &StreamLimits::default())
    }

    /// [`ArchiveSource::open_path`] within the given limits.
    pub fn open_path_with(path: &Path, limits: &StreamLimits) -> io::Result<Option<ArchiveSource>> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Self::from_backing(Backing::File { file, base: 0, len }, limits)?.ok())
    }

    /// Read stdin: in place when it is a regular file, else (a pipe) into memory. Input that is not an archive is
    /// handed back as bytes, to be validated as a single document.
    pub fn from_stdin() -> io::Result<Opened> {
        Self::from_stdin_with(&StreamLimits::default())
    }

    /// [`ArchiveSource::from_stdin`] within the given limits.
    pub fn from_stdin_with(limits: &StreamLimits) -> io::Result<Opened> {
        Self::opened(stdin_backing(limits)?, limits)
    }

    /// A path that is not a regular file (a named pipe, `<(…)` process substitution, a character device): read
    /// once, like stdin from a pipe.
    pub fn from_stream_path(path: &Path) -> io::Result<Opened> {
        Self::from_stream_path_with(path, &StreamLimits::default())
    }

    /// [`ArchiveSource::from_stream_path`] within the given limits.
    pub fn from_stream_path_with(path: &Path, limits: &StreamLimits) -> io::Result<Opened> {
        Self::opened(spool(File::open(path)?, limits)?, limits)
    }

    fn opened(backing: Backing, limits: &StreamLimits) -> io::Result<Opened> {
        match Self::from_backing(backing, limits)? {
            Ok(s) => Ok(Opened::Archive(Box::new(s))),
            Err(backing) => {
                let total = backing.len();
                let mut bytes = Vec::new();
                RangeReader {
                    pos: 0,
                    end: total.min(limits.max_document.saturating_add(1)),
                    backing,
                }
                .read_to_end(&mut bytes)?;
                Ok(Opened::Document(StreamDocument { bytes, total }))
            }
        }
    }

    /// Open bytes held in memory as an archive (tests, and stdin from a pipe).
    pub fn from_bytes(bytes: Vec<u8>) -> io::Result<Option<ArchiveSource>> {
        Ok(Self::from_backing(memory_backing(bytes), &StreamLimits::default())?.ok())
    }

    /// The archive, or (`Err`) the backing handed back when the content is not a tar archive.
    fn from_backing(
        backing: Backing,
        limits: &StreamLimits,
    ) -> io::Result<Result<ArchiveSource, Arc<Backing>>> {
        let backing = Arc::new(backing);
        let Some(compression) = sniff(&backing) else {
            return Ok(Err(backing));
        };
        let listing = match compression {
            Compression::None => list(&mut PlainStream {
                backing: backing.clone(),
                pos: 0,
            }),
            c => {
                let compressed = Arc::new(AtomicU64::new(0));
                let range = Counting {
                    inner: RangeReader {
                        backing: backing.clone(),
                        pos: 0,
                        end: backing.len(),
                    },
                    read: compressed.clone(),
                };
                list(&mut DecodedStream {
                    dec: decode(range, c)?,
                    pos: 0,
                    cached: 0,
                    guard: Guard {
                        limits: limits.decompression,
                        compressed,
                        stopped: None,
                    },
                })
            }
        };
        let mut s = ArchiveSource {
            backing,
            compression,
            entries: Vec::new(),
            spans: HashMap::new(),
            cache: listing.cache,
            parked: Mutex::new(Vec::new()),
            issues: Vec::new(),
            info: ArchiveInfo {
                compression,
                defects: listing.defects,
                ..ArchiveInfo::default()
            },
        };
        s.arrange(listing.raw);
        if s.entry("manifest.json")
            .is_some_and(|e| e.kind == EntryKind::File)
        {
            s.info.docker_manifest =
                Some(match s.read_capped("manifest.json", MAX_DOCKER_MANIFEST) {
                    Ok(Ok(b)) => Ok(b),
                    Ok(Err(len)) => Err(format!(
                        "manifest.json is {len} bytes, more than the {MAX_DOCKER_MANIFEST} read"
                    )),
                    Err(e) => Err(e.to_string()),
                });
        }
        let has = |p: &str| s.entry(p).is_some();
        s.info.docker_legacy = !has("oci-layout") && !has("index.json") && has("manifest.json");
        Ok(Ok(s))
    }

    /// Facts about the archive.
    pub fn info(&self) -> &ArchiveInfo {
        &self.info
    }

    /// Normalise names, find the layout root, drop what is outside it, note duplicates and links, imply parent
    /// directories.
    fn arrange(&mut self, raw: Vec<RawEntry>) {
        let defects = &mut self.info.defects;
        // path → (entry, span, header offset)
        let mut listed: BTreeMap<String, (Entry, Option<Span>, u64)> = BTreeMap::new();
        for r in raw {
            let (path, dir_hint) = match normalize(&r.name) {
                Ok(p) => p,
                Err(why) => {
                    defects.push(Defect {
                        kind: DefectKind::Outside,
                        name: r.name.clone(),
                        offset: r.offset,
                        message: format!(
                            "`{}` {why}; it is not part of the layout and was not read",
                            r.name
                        ),
                    });
                    continue;
                }
            };
            if path.is_empty() {
                continue; // the archive's root directory itself
            }
            let kind = match r.kind {
                RawKind::HardLink => {
                    defects.push(Defect {
                        kind: DefectKind::HardLink,
                        name: r.name.clone(),
                        offset: r.offset,
                        message: format!(
                            "`{path}` is a hard link to `{}`; links are not followed, so it was not read",
                            r.link
                        ),
                    });
                    continue;
                }
                RawKind::File if dir_hint && r.size == 0 => EntryKind::Dir,
                RawKind::File => EntryKind::File,
                RawKind::Dir => EntryKind::Dir,
                RawKind::Symlink => EntryKind::Symlink,
                RawKind::Special => EntryKind::Special,
            };
            if let Some((prev, _, prev_off)) = listed.get(&path)
                && !(prev.kind == EntryKind::Dir && kind == EntryKind::Dir)
            {
                let what = if prev.kind != kind {
                    format!("{} then {}", prev.kind.describe(), kind.describe())
                } else if prev.size != r.size {
                    format!("{} bytes then {} bytes", prev.size, r.size)
                } else {
                    format!("{} each time", kind.describe())
                };
                defects.push(Defect {
                    kind: DefectKind::Duplicate,
                    name: r.name.clone(),
                    offset: r.offset,
                    message: format!(
                        "`{path}` is in the archive more than once (headers at offsets {prev_off} and {}: {what}); extraction keeps the last one, which is what was validated",
                        r.offset
                    ),
                });
            }
            let span = (kind == EntryKind::File).then_some(Span {
                offset: r.data_offset,
                size: r.size,
            });
            listed.insert(
                path.clone(),
                (
                    Entry {
                        path,
                        kind,
                        size: if kind == EntryKind::File { r.size } else { 0 },
                        non_utf8: r.non_utf8,
                    },
                    span,
                    r.offset,
                ),
            );
        }

        // The layout root: the archive's root, or the one top-level directory that holds a layout.
        let at_root = listed.contains_key("oci-layout") || listed.contains_key("index.json");
        if !at_root {
            let mut candidates: Vec<&str> = listed
                .keys()
                .filter_map(|p| {
                    p.strip_suffix("/oci-layout")
                        .or_else(|| p.strip_suffix("/index.json"))
                })
                .filter(|d| !d.contains('/'))
                .collect();
            candidates.dedup();
            if let [one] = candidates[..] {
                self.info.prefix = Some(one.to_string());
            }
        }
        if let Some(prefix) = &self.info.prefix {
            let under = format!("{prefix}/");
            let old = std::mem::take(&mut listed);
            for (path, (mut e, span, off)) in old {
                if path == *prefix {
                    continue;
                }
                match path.strip_prefix(&under) {
                    Some(rest) => {
                        e.path = rest.to_string();
                        listed.insert(rest.to_string(), (e, span, off));
                    }
                    None => defects.push(Defect {
                        kind: DefectKind::Outside,
                        name: path.clone(),
                        offset: off,
                        message: format!(
                            "`{path}` is outside `{prefix}/`, the directory that holds the layout; it was not read"
                        ),
                    }),
                }
            }
        }

        // Parent directories without an entry of their own.
        let paths: Vec<String> = listed.keys().cloned().collect();
        for p in paths {
            let mut acc = String::new();
            let parts: Vec<&str> = p.split('/').collect();
            for part in &parts[..parts.len().saturating_sub(1)] {
                if !acc.is_empty() {
                    acc.push('/');
                }
                acc.push_str(part);
                listed.entry(acc.clone()).or_insert_with(|| {
                    (
                        Entry {
                            path: acc.clone(),
                            kind: EntryKind::Dir,
                            size: 0,
                            non_utf8: false,
                        },
                        None,
                        0,
                    )
                });
            }
        }
        // The depth limit of a layout directory: nothing deeper is listed, and each directory at the limit is an
        // issue, so that an archive and its directory give the same findings.
        let max = super::dir::MAX_DEPTH;
        listed.retain(|p, _| p.split('/').count() <= max);
        for (p, (e, _, _)) in &listed {
            if e.kind == EntryKind::Dir && p.split('/').count() == max {
                self.issues.push(super::dir::too_deep(p.clone()));
            }
        }
        for (path, (e, span, _)) in listed {
            if let Some(s) = span {
                self.spans.insert(path, s);
            }
            self.entries.push(e);
        }
    }

    fn decoder(&self) -> io::Result<Box<dyn Read + Send>> {
        decoder(&self.backing, self.compression)
    }

    /// A decoder positioned at `offset` of the uncompressed stream: the parked one nearest below it, or a new one.
    fn cursor_at(&self, offset: u64) -> io::Result<Parked> {
        let parked = self.parked.lock().ok().and_then(|mut pool| {
            let best = pool
                .iter()
                .enumerate()
                .filter(|(_, p)| p.pos <= offset)
                .max_by_key(|(_, p)| p.pos)
                .map(|(i, _)| i)?;
            Some(pool.swap_remove(best))
        });
        let mut cur = match parked {
            Some(p) => p,
            None => Parked {
                dec: self.decoder()?,
                pos: 0,
            },
        };
        let mut left = offset - cur.pos;
        let mut scratch = vec![0u8; 64 << 10];
        while left > 0 {
            let want = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .min(scratch.len());
            match cur.dec.read(&mut scratch[..want]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the archive is shorter than when it was listed",
                    ));
                }
                Ok(n) => {
                    left -= n as u64;
                    cur.pos += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(cur)
    }

    fn park(&self, p: Parked) {
        if let Ok(mut pool) = self.parked.lock() {
            if pool.len() >= MAX_PARKED {
                // Drop the one furthest back: a fresh decoder starts there anyway.
                if let Some(i) = pool
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, q)| q.pos)
                    .map(|(i, _)| i)
                {
                    if pool[i].pos >= p.pos {
                        return;
                    }
                    pool.swap_remove(i);
                }
            }
            pool.push(p);
        }
    }
}

impl FileTree for ArchiveSource {
    fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        self.file_entry(path)?;
        let Some(span) = self.spans.get(path).copied() else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{path} has no data in the archive"),
            ));
        };
        if let Some(bytes) = self.cache.get(&span.offset) {
            return Ok(Box::new(io::Cursor::new(bytes.clone())));
        }
        match self.compression {
            Compression::None => Ok(Box::new(RangeReader {
                backing: self.backing.clone(),
                pos: span.offset,
                end: span.offset.saturating_add(span.size),
            })),
            _ => Ok(Box::new(EntryReader {
                src: self,
                cur: Some(self.cursor_at(span.offset)?),
                remaining: span.size,
            })),
        }
    }

    fn position(&self, path: &str) -> Option<u64> {
        self.spans.get(path).map(|s| s.offset)
    }
}

impl super::Source for ArchiveSource {
    fn tree(&self) -> Option<&dyn FileTree> {
        Some(self)
    }

    fn archive(&self) -> Option<&ArchiveInfo> {
        Some(&self.info)
    }

    fn issues(&self) -> &[SourceIssue] {
        &self.issues
    }

    fn display_path<'p>(&self, path: &'p str) -> Cow<'p, str> {
        // The layout's files sit under the directory the layout was found in.
        match &self.info.prefix {
            Some(prefix) => Cow::Owned(format!("{prefix}/{path}")),
            None => Cow::Borrowed(path),
        }
    }
}

/// A reader over one entry of a compressed archive; parks its decoder when dropped.
struct EntryReader<'a> {
    src: &'a ArchiveSource,
    cur: Option<Parked>,
    remaining: u64,
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let Some(cur) = self.cur.as_mut() else {
            return Err(io::Error::other("the decoder failed earlier"));
        };
        let want = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        match cur.dec.read(&mut buf[..want]) {
            Ok(0) => {
                self.cur = None;
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the archive is shorter than when it was listed",
                ))
            }
            Ok(n) => {
                cur.pos += n as u64;
                self.remaining -= n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                self.cur = None;
                Err(e)
            }
        }
    }
}

impl Drop for EntryReader<'_> {
    fn drop(&mut self) {
        if let Some(p) = self.cur.take() {
            self.src.park(p);
        }
    }
}

fn decoder(backing: &Arc<Backing>, c: Compression) -> io::Result<Box<dyn Read + Send>> {
    let range = RangeReader {
        backing: backing.clone(),
        pos: 0,
        end: backing.len(),
    };
    decode(range, c)
}

fn decode<R: Read + Send + 'static>(range: R, c: Compression) -> io::Result<Box<dyn Read + Send>> {
    Ok(match c {
        Compression::None => Box::new(range),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            range,
        ))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(range)?),
    })
}

// --- stdin ---------------------------------------------------------------------------------------------------

fn memory_backing(bytes: Vec<u8>) -> Backing {
    let len = bytes.len() as u64;
    let chunks = if bytes.len() <= MEM_CHUNK {
        vec![bytes]
    } else {
        bytes.chunks(MEM_CHUNK).map(<[u8]>::to_vec).collect()
    };
    Backing::Memory { chunks, len }
}

fn stdin_backing(limits: &StreamLimits) -> io::Result<Backing> {
    #[cfg(unix)]
    {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let fd = io::stdin().as_fd().try_clone_to_owned()?;
        let mut file = File::from(fd);
        let meta = file.metadata()?;
        if meta.is_file() {
            let base = file.stream_position()?;
            let len = meta.len().saturating_sub(base);
            return Ok(Backing::File { file, base, len });
        }
    }
    spool(io::stdin().lock(), limits)
}

/// Read a stream to its end: into memory, in chunks (no reallocation of what was read), up to `limits.memory`;
/// a longer stream goes whole to an unnamed temporary file instead, so memory stays bounded.
fn spool(mut r: impl Read, limits: &StreamLimits) -> io::Result<Backing> {
    let mut chunks = Vec::new();
    let mut len = 0u64;
    loop {
        if len >= limits.memory {
            return spool_to_file(chunks, r);
        }
        let mut chunk = Vec::with_capacity(MEM_CHUNK);
        (&mut r).take(MEM_CHUNK as u64).read_to_end(&mut chunk)?;
        if chunk.is_empty() {
            break;
        }
        len += chunk.len() as u64;
        let full = chunk.len() == MEM_CHUNK;
        chunks.push(chunk);
        if !full {
            break;
        }
    }
    Ok(Backing::Memory { chunks, len })
}

/// The chunks read so far and the rest of the stream, copied to an unnamed temporary file (in `$TMPDIR`; it has no
/// name to leave behind, and goes when the file is closed).
fn spool_to_file(chunks: Vec<Vec<u8>>, mut r: impl Read) -> io::Result<Backing> {
    use std::io::Write as _;
    let mut file = tempfile::tempfile().map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "the stream is larger than what is held in memory, and no temporary file could be made in {} to hold it: {e}",
                std::env::temp_dir().display()
            ),
        )
    })?;
    let mut len = 0u64;
    for c in chunks {
        file.write_all(&c)?;
        len += c.len() as u64;
    }
    len += io::copy(&mut r, &mut file)?;
    file.flush()?;
    Ok(Backing::File { file, base: 0, len })
}

// --- detection -----------------------------------------------------------------------------------------------

/// What the first bytes say: a tar stream, plain or compressed; `None` for anything else.
fn sniff(backing: &Arc<Backing>) -> Option<Compression> {
    let mut head = [0u8; 4];
    let n = backing.read_at(0, &mut head).ok()?;
    let c = match &head[..n] {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd] => Compression::Zstd,
        _ => Compression::None,
    };
    let mut block = [0u8; BLOCK as usize];
    let mut r = decoder(backing, c).ok()?;
    let mut got = 0;
    while got < block.len() {
        match r.read(&mut block[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if got < block.len() {
        return None;
    }
    (block.iter().all(|&b| b == 0) || checksum_ok(&block)).then_some(c)
}

/// Whether the bytes look like a tar archive (plain or compressed).
pub fn looks_like_archive(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let Ok(meta) = file.metadata() else {
        return false;
    };
    sniff(&Arc::new(Backing::File {
        file,
        base: 0,
        len: meta.len(),
    }))
    .is_some()
}

// --- the listing pass ----------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawKind {
    File,
    Dir,
    Symlink,
    HardLink,
    Special,
}

#[derive(Debug)]
struct RawEntry {
    name: String,
    non_utf8: bool,
    kind: RawKind,
    /// Header offset.
    offset: u64,
    data_offset: u64,
    size: u64,
    link: String,
}

struct Listing {
    raw: Vec<RawEntry>,
    defects: Vec<Defect>,
    cache: HashMap<u64, Arc<[u8]>>,
}

/// The tar stream as the listing pass reads it.
trait Stream {
    fn pos(&self) -> u64;
    /// Fill `buf`; fewer bytes only at the end of the stream.
    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Step over `n` bytes (keeping them when `keep` is given); fewer only at the end of the stream.
    fn skip(&mut self, n: u64, keep: Option<&mut Vec<u8>>) -> io::Result<u64>;
    /// Whether small files should be kept in memory (compressed streams).
    fn wants_cache(&mut self, size: u64) -> bool;
    /// Why the decompression guard stopped the stream, if it did.
    fn stopped(&self) -> Option<&str> {
        None
    }
}

struct PlainStream {
    backing: Arc<Backing>,
    pos: u64,
}

impl Stream for PlainStream {
    fn pos(&self) -> u64 {
        self.pos
    }

    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut got = 0;
        while got < buf.len() {
            let n = self.backing.read_at(self.pos, &mut buf[got..])?;
            if n == 0 {
                break;
            }
            got += n;
            self.pos += n as u64;
        }
        Ok(got)
    }

    fn skip(&mut self, n: u64, _keep: Option<&mut Vec<u8>>) -> io::Result<u64> {
        let step = n.min(self.backing.len().saturating_sub(self.pos));
        self.pos += step;
        Ok(step)
    }

    fn wants_cache(&mut self, _size: u64) -> bool {
        false
    }
}

/// The listing pass over a gzip or zstd archive.
struct DecodedStream {
    dec: Box<dyn Read + Send>,
    pos: u64,
    cached: u64,
    guard: Guard,
}

/// The decompression guard of the listing pass. (Readers opened later stop at entry ends the listing found, so
/// they decompress no more than it did.)
struct Guard {
    limits: crate::layer::Limits,
    /// Compressed bytes the decoder has taken.
    compressed: Arc<AtomicU64>,
    /// Why decompression stopped, once it has.
    stopped: Option<String>,
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Stream for DecodedStream {
    fn pos(&self) -> u64 {
        self.pos
    }

    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut got = 0;
        while got < buf.len() {
            let g = &mut self.guard;
            if let Some(why) = &g.stopped {
                return Err(io::Error::other(why.clone()));
            }
            let compressed = g.compressed.load(Ordering::Relaxed);
            if let Some(why) = g.limits.exceeded(self.pos, compressed, "the archive") {
                g.stopped = Some(why.clone());
                return Err(io::Error::other(why));
            }
            match self.dec.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => {
                    got += n;
                    self.pos += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(got)
    }

    fn skip(&mut self, n: u64, mut keep: Option<&mut Vec<u8>>) -> io::Result<u64> {
        let mut buf = vec![
            0u8;
            (64 << 10)
                .min(usize::try_from(n).unwrap_or(usize::MAX))
                .max(1)
        ];
        let mut done = 0u64;
        while done < n {
            let want = usize::try_from(n - done)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            let got = self.read_full(&mut buf[..want])?;
            if let Some(k) = keep.as_deref_mut() {
                k.extend_from_slice(&buf[..got]);
            }
            done += got as u64;
            if got < want {
                break;
            }
        }
        Ok(done)
    }

    fn stopped(&self) -> Option<&str> {
        self.guard.stopped.as_deref()
    }

    fn wants_cache(&mut self, size: u64) -> bool {
        if size > CACHE_FILE_MAX || self.cached + size > CACHE_TOTAL_MAX {
            return false;
        }
        self.cached += size;
        true
    }
}

fn padding(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

/// Read the headers of a tar stream, stepping over data, until the end-of-archive marker, the end of the stream,
/// or a header that cannot be read.
fn list(s: &mut dyn Stream) -> Listing {
    let mut l = Listing {
        raw: Vec::new(),
        defects: Vec::new(),
        cache: HashMap::new(),
    };
    let mut pending_path: Option<Vec<u8>> = None;
    let mut pending_link: Option<Vec<u8>> = None;
    let mut pending_size: Option<u64> = None;
    let mut last_name = String::new();
    let defect = |l: &mut Listing, kind, name: &str, offset, message: String| {
        l.defects.push(Defect {
            kind,
            name: name.to_string(),
            offset,
            message,
        });
    };
    loop {
        let off = s.pos();
        let (after, before) = if last_name.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!(", after `{last_name}`"),
                format!("; the entry before it is `{last_name}`"),
            )
        };
        if l.raw.len() >= MAX_ENTRIES {
            defect(
                &mut l,
                DefectKind::Corrupt,
                "",
                off,
                format!(
                    "more than {MAX_ENTRIES} entries; the rest of the archive (from offset {off}{after}) was not read"
                ),
            );
            break;
        }
        let mut b = [0u8; BLOCK as usize];
        let n = match s.read_full(&mut b) {
            Ok(n) => n,
            Err(e) => {
                let kind = eof_or_corrupt(&e);
                defect(
                    &mut l,
                    kind,
                    "",
                    off,
                    format!("the archive cannot be read past offset {off}{after}: {e}"),
                );
                break;
            }
        };
        if n == 0 {
            defect(
                &mut l,
                DefectKind::EofMarkerMissing,
                "",
                off,
                format!(
                    "the archive ends at offset {off}{after}, without the end-of-archive marker (two zero blocks); entries may be missing"
                ),
            );
            break;
        }
        if n < b.len() {
            defect(
                &mut l,
                DefectKind::Truncated,
                "",
                off,
                format!(
                    "the archive ends {n} bytes into the 512-byte header at offset {off}{after}; what followed is missing"
                ),
            );
            break;
        }
        if b.iter().all(|&x| x == 0) {
            break; // the end-of-archive marker
        }
        if !checksum_ok(&b) {
            defect(
                &mut l,
                DefectKind::Corrupt,
                "",
                off,
                format!(
                    "the 512 bytes at offset {off} are not a tar header (wrong checksum{before}); nothing from there on was read"
                ),
            );
            break;
        }
        let flag = b[156];
        let header_size = match parse_number(&b[124..136]) {
            Some(v) => v,
            None => {
                defect(
                    &mut l,
                    DefectKind::Corrupt,
                    &lossy(&header_name(&b)).0,
                    off,
                    format!(
                        "the size field of the header at offset {off} is not a number; nothing after it was read"
                    ),
                );
                break;
            }
        };
        if matches!(flag, b'x' | b'g' | b'L' | b'K') {
            let name = lossy(&header_name(&b)).0;
            if header_size > MAX_META {
                defect(
                    &mut l,
                    DefectKind::Corrupt,
                    &name,
                    off,
                    format!(
                        "the extended header at offset {off} is {header_size} bytes, more than the {MAX_META} accepted; nothing after it was read"
                    ),
                );
                break;
            }
            let mut data = vec![0u8; usize::try_from(header_size).unwrap_or(0)];
            let got = match s.read_full(&mut data) {
                Ok(g) => g,
                Err(e) => {
                    defect(
                        &mut l,
                        eof_or_corrupt(&e),
                        &name,
                        off,
                        format!("the archive cannot be read past offset {off}: {e}"),
                    );
                    break;
                }
            };
            let pad = padding(header_size);
            let padded = if got == data.len() {
                s.skip(pad, None).unwrap_or(0)
            } else {
                0
            };
            if got < data.len() || padded < pad {
                defect(
                    &mut l,
                    DefectKind::Truncated,
                    &name,
                    off,
                    format!(
                        "the archive ends inside the extended header at offset {off} ({got} of {header_size} bytes)"
                    ),
                );
                break;
            }
            match flag {
                b'x' => match parse_pax(&data) {
                    Ok(records) => {
                        for (k, v) in records {
                            match k.as_str() {
                                "path" => pending_path = Some(v),
                                "linkpath" => pending_link = Some(v),
                                "size" => {
                                    pending_size =
                                        std::str::from_utf8(&v).ok().and_then(|t| t.parse().ok());
                                    if pending_size.is_none() {
                                        defect(
                                            &mut l,
                                            DefectKind::Corrupt,
                                            &name,
                                            off,
                                            format!(
                                                "the PAX header at offset {off} gives a size that is not a number; nothing after it was read"
                                            ),
                                        );
                                        return l;
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    Err(why) => {
                        defect(
                            &mut l,
                            DefectKind::Corrupt,
                            &name,
                            off,
                            format!(
                                "the PAX header at offset {off} is malformed ({why}); nothing after it was read"
                            ),
                        );
                        break;
                    }
                },
                b'g' => {
                    if let Err(why) = parse_pax(&data) {
                        defect(
                            &mut l,
                            DefectKind::Corrupt,
                            &name,
                            off,
                            format!(
                                "the global PAX header at offset {off} is malformed ({why}); nothing after it was read"
                            ),
                        );
                        break;
                    }
                }
                b'L' => pending_path = Some(cstr(&data).to_vec()),
                _ => pending_link = Some(cstr(&data).to_vec()),
            }
            continue;
        }
        let size = pending_size.take().unwrap_or(header_size);
        let name_bytes = pending_path.take().unwrap_or_else(|| header_name(&b));
        let link_bytes = pending_link
            .take()
            .unwrap_or_else(|| cstr(&b[157..257]).to_vec());
        let (name, non_utf8) = lossy(&name_bytes);
        last_name.clone_from(&name);
        // Header-only types carry no data whatever their size field says (as Go's archive/tar reads them).
        let (kind, data_size, listed) = match flag {
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
        };
        let data_offset = s.pos();
        let mut kept = Vec::new();
        let keep = kind == RawKind::File && s.wants_cache(data_size);
        let got = match s.skip(data_size, keep.then_some(&mut kept)) {
            Ok(g) => g,
            Err(e) => {
                defect(
                    &mut l,
                    eof_or_corrupt(&e),
                    &name,
                    off,
                    format!(
                        "the archive cannot be read inside `{name}` (entry at offset {off}): {e}; it and everything after it were not read"
                    ),
                );
                break;
            }
        };
        if got < data_size {
            defect(
                &mut l,
                DefectKind::Truncated,
                &name,
                off,
                format!(
                    "the archive ends {got} bytes into the data of `{name}` (entry at offset {off}), which should hold {data_size} bytes; the entry was not read"
                ),
            );
            break;
        }
        if keep {
            l.cache.insert(data_offset, Arc::from(kept));
        }
        if listed {
            l.raw.push(RawEntry {
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
        match s.skip(pad, None) {
            Ok(p) if p == pad => {}
            _ => {
                defect(
                    &mut l,
                    DefectKind::Truncated,
                    &name,
                    off,
                    format!(
                        "the archive ends inside the padding after `{name}` (entry at offset {off}); the entry's data is complete"
                    ),
                );
                break;
            }
        }
    }
    if let Some(why) = s.stopped() {
        // The read that failed was the guard's: whatever the defect at the break says, the guard stopped it.
        let pos = s.pos();
        let (name, offset) = l
            .defects
            .pop()
            .map_or((String::new(), pos), |d| (d.name, d.offset));
        let inside = if name.is_empty() {
            String::new()
        } else {
            format!(" inside `{name}` (entry at offset {offset})")
        };
        l.defects.push(Defect {
            kind: DefectKind::Corrupt,
            name,
            offset,
            message: format!(
                "decompressing the archive stopped after {pos} bytes{inside}: {why}; nothing after it was listed"
            ),
        });
    }
    l
}

fn eof_or_corrupt(e: &io::Error) -> DefectKind {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        DefectKind::Truncated
    } else {
        DefectKind::Corrupt
    }
}

fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// The name of a header: `prefix/name` for POSIX ustar headers with a prefix, else `name`.
fn header_name(b: &[u8; BLOCK as usize]) -> Vec<u8> {
    let name = cstr(&b[0..100]);
    let prefix = cstr(&b[345..500]);
    if &b[257..263] == b"ustar\0" && !prefix.is_empty() {
        let mut v = prefix.to_vec();
        v.push(b'/');
        v.extend_from_slice(name);
        v
    } else {
        name.to_vec()
    }
}

fn lossy(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
    }
}

/// A numeric header field: octal text (NUL or space padded) or GNU base-256. `None` when malformed, negative or
/// larger than 64 bits.
fn parse_number(field: &[u8]) -> Option<u64> {
    let first = *field.first()?;
    if first & 0x80 != 0 {
        if first == 0xff {
            return None; // negative
        }
        let mut v = u64::from(first & 0x7f);
        for &b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let t: &[u8] = {
        let start = field
            .iter()
            .position(|&b| b != b' ' && b != 0)
            .unwrap_or(field.len());
        let rest = &field[start..];
        let end = rest
            .iter()
            .position(|&b| b == b' ' || b == 0)
            .unwrap_or(rest.len());
        &rest[..end]
    };
    let mut v = 0u64;
    for &c in t {
        if !(b'0'..=b'7').contains(&c) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// The header checksum, as unsigned or (old writers) signed byte sums with the field itself taken as spaces.
fn checksum_ok(b: &[u8; BLOCK as usize]) -> bool {
    let Some(stored) = parse_number(&b[148..156]) else {
        return false;
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &x) in b.iter().enumerate() {
        let x = if (148..156).contains(&i) { b' ' } else { x };
        unsigned += u64::from(x);
        signed += i64::from(x as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// PAX records: `<len> <key>=<value>\n`, where `len` counts the whole record.
fn parse_pax(data: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let sp = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or("a record has no length")?;
        let len: usize = std::str::from_utf8(&rest[..sp])
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or("a record length is not a number")?;
        if len <= sp + 1 || len > rest.len() {
            return Err(format!("a record length ({len}) does not fit the data"));
        }
        let rec = &rest[sp + 1..len];
        let Some(rec) = rec.strip_suffix(b"\n") else {
            return Err("a record does not end with a newline".into());
        };
        let eq = rec
            .iter()
            .position(|&b| b == b'=')
            .ok_or("a record has no `=`")?;
        out.push((
            String::from_utf8_lossy(&rec[..eq]).into_owned(),
            rec[eq + 1..].to_vec(),
        ));
        rest = &rest[len..];
    }
    Ok(out)
}

/// A name as a layout directory would present it, and whether it names a directory (trailing `/`). `Err` says
/// why the name is outside the layout.
fn normalize(name: &str) -> Result<(String, bool), &'static str> {
    if name.starts_with('/') {
        return Err("is an absolute path");
    }
    let dir = name.ends_with('/');
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("climbs out of its directory with `..`"),
            p => parts.push(p),
        }
    }
    Ok((parts.join("/"), dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::tar::{TarEntry, TarOptions, write};

    fn file(path: &str, content: &str) -> TarEntry {
        TarEntry {
            path: path.into(),
            content: Some(content.into()),
            ..TarEntry::default()
        }
    }

    fn entry(path: &str, kind: &str, link: &str) -> TarEntry {
        TarEntry {
            path: path.into(),
            kind: Some(kind.into()),
            link: (!link.is_empty()).then(|| link.into()),
            ..TarEntry::default()
        }
    }

    fn open(bytes: Vec<u8>) -> ArchiveSource {
        ArchiveSource::from_bytes(bytes)
            .expect("no I/O error in memory")
            .expect("an archive")
    }

    fn read(s: &ArchiveSource, path: &str) -> String {
        let mut out = String::new();
        s.open(path)
            .and_then(|mut r| r.read_to_string(&mut out))
            .expect("readable");
        out
    }

    fn kinds(s: &ArchiveSource) -> Vec<DefectKind> {
        s.info().defects.iter().map(|d| d.kind).collect()
    }

    fn layout() -> Vec<TarEntry> {
        vec![
            entry("./", "dir", ""),
            file("./oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}"),
            file("./index.json", "{}"),
            file("./blobs/sha256/aa", "blob a"),
        ]
    }

    #[test]
    fn lists_like_a_directory_and_reads_by_offset() {
        let s = open(write(&layout(), &TarOptions::default()));
        let paths: Vec<(&str, EntryKind)> = s
            .entries()
            .iter()
            .map(|e| (e.path.as_str(), e.kind))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("blobs", EntryKind::Dir),
                ("blobs/sha256", EntryKind::Dir),
                ("blobs/sha256/aa", EntryKind::File),
                ("index.json", EntryKind::File),
                ("oci-layout", EntryKind::File),
            ]
        );
        assert_eq!(read(&s, "blobs/sha256/aa"), "blob a");
        assert_eq!(read(&s, "index.json"), "{}");
        assert!(s.info().defects.is_empty(), "{:?}", s.info().defects);
        assert!(s.open("blobs").is_err());
        assert!(s.open("nope").is_err());
    }

    #[test]
    fn gzip_and_zstd_read_the_same() {
        let raw = write(&layout(), &TarOptions::default());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &raw).expect("gzip");
        let gz = gz.finish().expect("gzip");
        let zst = zstd::encode_all(&raw[..], 1).expect("zstd");
        for (bytes, c) in [(gz, Compression::Gzip), (zst, Compression::Zstd)] {
            let s = open(bytes);
            assert_eq!(s.info().compression, c);
            assert_eq!(read(&s, "blobs/sha256/aa"), "blob a");
            assert_eq!(s.entries().len(), 5);
        }
    }

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
    fn compressed_entries_beyond_the_cache_are_read_by_decompressing_again() {
        let big = "x".repeat(usize::try_from(CACHE_FILE_MAX).unwrap_or(0) + 10);
        let entries = vec![
            file("oci-layout", "{}"),
            file("blobs/sha256/big1", &big),
            file("index.json", "{}"),
            file("blobs/sha256/big2", &format!("{big}2")),
        ];
        let raw = write(&entries, &TarOptions::default());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &raw).expect("gzip");
        let s = open(gz.finish().expect("gzip"));
        // Out of archive order, twice, and in parallel: every read is whole and right.
        for _ in 0..2 {
            assert_eq!(read(&s, "blobs/sha256/big2").len(), big.len() + 1);
            assert_eq!(read(&s, "blobs/sha256/big1"), big);
        }
        std::thread::scope(|sc| {
            for p in ["blobs/sha256/big1", "blobs/sha256/big2"] {
                let s = &s;
                sc.spawn(move || assert!(read(s, p).starts_with("xxx")));
            }
        });
        assert!(s.parked.lock().map(|p| p.len()).unwrap_or(0) <= MAX_PARKED);
    }

    #[test]
    fn a_single_top_level_directory_is_the_layout_root() {
        let entries = vec![
            entry("img/", "dir", ""),
            file("img/oci-layout", "{}"),
            file("img/index.json", "{}"),
            file("img/blobs/sha256/aa", "a"),
            file("README", "hello"),
        ];
        let s = open(write(&entries, &TarOptions::default()));
        assert_eq!(s.info().prefix.as_deref(), Some("img"));
        assert!(s.entry("oci-layout").is_some());
        assert_eq!(read(&s, "blobs/sha256/aa"), "a");
        assert_eq!(kinds(&s), vec![DefectKind::Outside]);
        assert_eq!(s.info().defects[0].name, "README");
    }

    #[test]
    fn traversal_names_are_never_listed() {
        let entries = vec![
            file("oci-layout", "{}"),
            file("../../etc/passwd", "root"),
            file("/etc/shadow", "x"),
            file("blobs/../index.json", "{}"),
        ];
        let s = open(write(&entries, &TarOptions::default()));
        assert_eq!(kinds(&s), vec![DefectKind::Outside; 3]);
        assert!(
            s.entries()
                .iter()
                .all(|e| !e.path.contains("..") && !e.path.starts_with('/'))
        );
        assert!(s.entry("index.json").is_none());
        assert!(s.entry("etc/shadow").is_none());
    }

    #[test]
    fn duplicates_keep_the_last_and_are_reported() {
        let mut entries = layout();
        entries.push(file("index.json", "{\"second\": true}"));
        entries.push(entry("blobs/", "dir", ""));
        entries.push(entry("blobs/", "dir", ""));
        let s = open(write(&entries, &TarOptions::default()));
        assert_eq!(kinds(&s), vec![DefectKind::Duplicate]);
        assert_eq!(read(&s, "index.json"), "{\"second\": true}");
    }

    #[test]
    fn links_are_not_followed() {
        let mut entries = layout();
        entries.push(entry("blobs/sha256/bb", "hardlink", "blobs/sha256/aa"));
        entries.push(entry("blobs/sha256/cc", "symlink", "/etc/passwd"));
        let s = open(write(&entries, &TarOptions::default()));
        assert_eq!(kinds(&s), vec![DefectKind::HardLink]);
        assert!(s.entry("blobs/sha256/bb").is_none());
        assert_eq!(
            s.entry("blobs/sha256/cc").map(|e| e.kind),
            Some(EntryKind::Symlink)
        );
        assert!(s.open("blobs/sha256/cc").is_err());
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
    fn hostile_bytes_never_panic() {
        // Random bytes, all-zero, tiny inputs: not archives, or empty archives.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in [0usize, 1, 511, 512, 513, 4096, 70_000] {
            let bytes: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
            let _ = ArchiveSource::from_bytes(bytes);
        }
        assert!(
            ArchiveSource::from_bytes(vec![0; 1024])
                .ok()
                .flatten()
                .is_some_and(|s| s.entries().is_empty())
        );
        // A valid first header followed by garbage, and every prefix of a real archive.
        let full = write(&layout(), &TarOptions::default());
        for cut in (0..full.len()).step_by(97) {
            let _ = ArchiveSource::from_bytes(full[..cut].to_vec());
        }
        let mut garbled = full.clone();
        for i in (512..garbled.len()).step_by(7) {
            garbled[i] = rnd() as u8;
        }
        let _ = ArchiveSource::from_bytes(garbled);
        // Every byte of every header flipped, one at a time.
        for i in 0..512 * 3 {
            let mut b = full.clone();
            b[i] ^= 0xa5;
            if let Ok(Some(s)) = ArchiveSource::from_bytes(b) {
                for e in s.entries().to_vec() {
                    let _ = s.read_capped(&e.path, 1 << 20);
                }
            }
        }
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

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"0000644\0"), Some(0o644));
        assert_eq!(parse_number(b"  17 \0"), Some(0o17));
        assert_eq!(parse_number(b"\0\0\0"), Some(0));
        assert_eq!(parse_number(b"0009\0"), None);
        assert_eq!(parse_number(&[0xff, 0xff]), None);
        assert_eq!(parse_number(&[0x80, 0, 0, 1, 0]), Some(256));
        assert_eq!(
            parse_number(&[0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            None
        );
        assert_eq!(normalize("./a//b/./c/"), Ok(("a/b/c".into(), true)));
        assert!(normalize("a/../b").is_err());
        assert!(normalize("/a").is_err());
        assert_eq!(normalize("./"), Ok((String::new(), true)));
    }
}
