//! The archive as a source: opened (a file in place, a stream spooled), listed once, arranged as a layout, and
//! then read entry by entry: a plain archive by positioned reads over each entry's byte range, a compressed one
//! from the cache of small files or by decompressing again from the nearest parked decoder.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::arrange::{Span, arrange};
use super::backing::{
    Backing, RangeReader, Spool, memory_backing, stdin_backing, stream_path_backing,
};
use super::docker;
use super::info::{ArchiveInfo, Compression};
use super::listing::list;
use super::sniff::{sniff, window_too_large};
use super::stream::{decoder_within, stream_of, zstd_window};
use crate::memory::{Budget, Held};
use crate::source::{Entry, FileTree, SourceIssue};

/// Compressed archives: decoders kept, positioned, for later readers.
pub const MAX_PARKED: usize = 4;

/// A decoder positioned in the uncompressed stream, and its window reserved from the run's memory budget.
struct Parked {
    dec: Box<dyn Read + Send>,
    pos: u64,
    _window: Option<Held>,
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
    /// No limit of the listing was reached.
    complete: bool,
    /// The run's memory budget, which the decoders' windows draw from.
    budget: Option<Arc<Budget>>,
    /// The `window_log_max` of a zstd archive's decoders.
    window_log: u32,
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

/// How a stream (stdin from a pipe, a named pipe) is held, and the limits of the listing.
#[derive(Debug, Clone)]
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
    /// Bytes of a stream read at most (`--max-input-size`); a longer one is an error (exit status 2).
    pub max_input: u64,
    /// When reading a stream stops (the run's deadline), with `--max-time` in seconds for the message.
    pub deadline: Option<(std::time::Instant, u64)>,
    /// The run's memory budget: the listing's entries and the small files it keeps (at most half of it), and the
    /// zstd decoders' windows draw from it. `None`: no budget.
    pub budget: Option<Arc<Budget>>,
}

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
            max_input: opts.max_input_size,
            deadline: opts.run_deadline().map(|d| (d, opts.max_time.as_secs())),
            budget: Some(opts.budget()),
        }
    }
}

impl StreamLimits {
    fn spool(&self) -> Spool {
        Spool {
            memory: self.memory,
            max_input: self.max_input,
            deadline: self.deadline,
        }
    }
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            decompression: crate::layer::Limits::default(),
            memory: crate::options::DEFAULT_STREAM_MEMORY,
            max_document: 16 << 20,
            max_input: crate::options::DEFAULT_MAX_INPUT_SIZE,
            deadline: None,
            budget: None,
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
        Self::opened(stdin_backing(&limits.spool())?, limits)
    }

    /// A path that is not a regular file (a named pipe, `<(…)` process substitution, a character device): read
    /// once, like stdin from a pipe.
    pub fn from_stream_path(path: &Path) -> io::Result<Opened> {
        Self::from_stream_path_with(path, &StreamLimits::default())
    }

    /// [`ArchiveSource::from_stream_path`] within the given limits.
    pub fn from_stream_path_with(path: &Path, limits: &StreamLimits) -> io::Result<Opened> {
        Self::opened(stream_path_backing(path, &limits.spool())?, limits)
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
    pub(super) fn from_backing(
        backing: Backing,
        limits: &StreamLimits,
    ) -> io::Result<Result<ArchiveSource, Arc<Backing>>> {
        let backing = Arc::new(backing);
        let Some(compression) = sniff(&backing) else {
            return Ok(Err(backing));
        };
        if compression == Compression::Zstd
            && let Some(e) = window_too_large(&backing)
        {
            return Err(e);
        }
        let budget = limits.budget.as_ref();
        let listing = list(
            stream_of(&backing, compression, limits.decompression, budget)?.as_mut(),
            budget,
        );
        let mut defects = listing.defects;
        let arranged = arrange(listing.raw, &mut defects);
        let window_log = if compression == Compression::Zstd {
            zstd_window(&backing).0
        } else {
            crate::layer::window::MAX_WINDOW_LOG
        };
        let mut s = ArchiveSource {
            backing,
            compression,
            entries: arranged.entries,
            spans: arranged.spans,
            cache: listing.cache,
            parked: Mutex::new(Vec::new()),
            issues: arranged.issues,
            info: ArchiveInfo {
                compression,
                prefix: arranged.prefix,
                defects: defects.finish(),
                ..ArchiveInfo::default()
            },
            complete: listing.complete,
            budget: limits.budget.clone(),
            window_log,
        };
        s.info.docker_manifest = docker::manifest(&s);
        s.info.docker_legacy = docker::legacy(&s);
        Ok(Ok(s))
    }

    /// Facts about the archive.
    pub fn info(&self) -> &ArchiveInfo {
        &self.info
    }

    /// A decoder at the start of the archive, its window reserved; when the window does not fit, the parked
    /// decoders (whose windows are reserved too) are let go first.
    fn decoder(&self) -> io::Result<Parked> {
        let new = || {
            let range = RangeReader {
                backing: self.backing.clone(),
                pos: 0,
                end: self.backing.len(),
            };
            decoder_within(
                range,
                self.compression,
                self.window_log,
                self.budget.as_ref(),
            )
        };
        let (dec, window) = match new() {
            Ok(d) => d,
            Err(_) if self.parked.lock().is_ok_and(|p| !p.is_empty()) => {
                if let Ok(mut pool) = self.parked.lock() {
                    pool.clear();
                }
                new()?
            }
            Err(e) => return Err(e),
        };
        Ok(Parked {
            dec,
            pos: 0,
            _window: window,
        })
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
            None => self.decoder()?,
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

    fn complete(&self) -> bool {
        self.complete
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

    fn any_order(&self) -> bool {
        false
    }

    fn position(&self, path: &str) -> Option<u64> {
        self.spans.get(path).map(|s| s.offset)
    }
}

impl crate::source::Source for ArchiveSource {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::tar::{TarOptions, write};
    use crate::source::EntryKind;
    use crate::source::archive::CACHE_FILE_MAX;
    use crate::source::archive::fixtures::{file, layout, open, read};

    #[test]
    fn lists_like_a_directory_and_reads_by_offset() {
        let s = open(write(&layout(), &TarOptions::default()));
        let paths: Vec<(&str, EntryKind)> =
            s.entries().iter().map(|e| (&*e.path, e.kind)).collect();
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
}
