//! The layer pass: one streaming read of a layer blob that hashes the compressed bytes (digest and size, exactly
//! as plain blob verification does), decompresses them, hashes the uncompressed stream (the DiffID) and parses the
//! tar stream entry by entry.
//!
//! ```text
//! blob ─► hash + count ─► [peek: gzip? zstd? tar?] ─► decoder ─► guard + hash (DiffID) ─► tar reader ─► LayerFacts
//! ```
//!
//! Nothing is held but fixed buffers (256 KiB each side, which each thread reuses from blob to blob: see [`buf`]),
//! the zstd window (at most 128 MiB, zstd's default limit) and the per-entry facts (names, kinds, link targets,
//! offsets, flags). The decoder is chosen from the bytes themselves (magic numbers), so a blob whose media type
//! names another compression is still read; the rules compare what was found with what the descriptors say. A
//! guard stops decompressing past a total size or a compression ratio, and records it.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use crate::digest::{Algorithm, Hasher};
use crate::mediatype::Compression;
use crate::options::Options;

pub mod buf;
pub mod tar;
pub mod tree;
pub mod window;

pub use tar::{Entry, Kind, TarFacts};

/// The compression a layer media type names: the OCI layer types, and Docker's with `--profile docker-compat`.
/// Other media types are opaque blobs (no layer pass).
pub fn layer_compression(media_type: &str, opts: &Options) -> Option<Compression> {
    match crate::mediatype::oci_layer(media_type) {
        Some((c, _)) => Some(c),
        None if opts.docker_compat() => crate::mediatype::docker_layer(media_type),
        None => None,
    }
}

/// What the cross-layer replay needs of the image graph (the walk's `Graph` implements it), so that the layer pass
/// does not depend on the walk.
pub trait ManifestLayers {
    /// The layer facts of each `layers[i]` of a manifest, in order (`None` where the blob is missing, unreadable
    /// or not read as a layer).
    fn manifest_layers(&self, manifest: usize) -> Vec<Option<&LayerFacts>>;

    /// The replays computed so far (see [`Stacks`]).
    fn layer_stacks(&self) -> &Mutex<Stacks>;
}

/// The cross-layer replays of a run: one per distinct stack of layer blobs, and which manifest uses which.
#[derive(Debug, Default)]
pub struct Stacks {
    by_blobs: HashMap<StackKey, Arc<tree::Stack>>,
    /// The replay of each manifest that asked for one, by document id.
    pub by_manifest: HashMap<usize, Arc<tree::Stack>>,
}

impl Stacks {
    /// Forget the replays once their images are checked and their layers' facts may go (keys are the facts'
    /// addresses, which a later layer's facts could reuse): only why a replay stopped stays, for the report.
    pub fn release(&mut self) {
        self.by_blobs.clear();
        self.by_manifest.retain(|_, s| s.stopped.is_some());
    }
}

/// A stack of layers as the replay sees it: which facts are at each position (one set of facts per blob, so this
/// is the sequence of layer blobs). Manifests that stack the same blobs in the same order get the same replay.
pub type StackKey = Vec<usize>;

/// The cross-layer replay of a manifest's layers: computed once per distinct stack of layer blobs (however many
/// manifests name it) and shared by the rules. Past `deadline` it stops between layers (`Stack::stopped`).
pub fn stack_of(
    graph: &impl ManifestLayers,
    manifest: usize,
    deadline: Option<std::time::Instant>,
) -> Arc<tree::Stack> {
    let layers = graph.manifest_layers(manifest);
    let key: StackKey = layers
        .iter()
        .map(|f| f.map_or(0, |f| std::ptr::from_ref(f) as usize))
        .collect();
    if let Ok(mut cache) = graph.layer_stacks().lock()
        && let Some(s) = cache.by_blobs.get(&*key).cloned()
    {
        cache.by_manifest.insert(manifest, s.clone());
        return s;
    }
    let stack = Arc::new(tree::replay_until(&layers, deadline));
    if let Ok(mut cache) = graph.layer_stacks().lock() {
        cache.by_blobs.insert(key, stack.clone());
        cache.by_manifest.insert(manifest, stack.clone());
    }
    stack
}

/// The decompression guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest uncompressed/compressed ratio, checked once `ratio_floor` bytes have been decompressed.
    pub max_ratio: u64,
    /// Largest uncompressed size of one layer, in bytes.
    pub max_size: u64,
    /// The ratio is only checked past this many uncompressed bytes (small layers of zeros are not bombs).
    pub ratio_floor: u64,
    /// Decompression stops here (the per-blob and per-run time limits; checked on every read of the decoder).
    pub deadline: Option<std::time::Instant>,
}

impl Limits {
    /// Why decompressing must stop, `size` bytes decompressed from `compressed` bytes of `what` ("the layer"), if
    /// it must: the deadline, the size limit or the ratio limit.
    pub fn exceeded(&self, size: u64, compressed: u64, what: &str) -> Option<String> {
        let compressed = compressed.max(1);
        if self
            .deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
        {
            Some(DEADLINE.to_string())
        } else if size > self.max_size {
            Some(format!(
                "{what} decompresses to more than {} bytes (--max-layer-size)",
                self.max_size
            ))
        } else if size > self.ratio_floor && size / compressed > self.max_ratio {
            Some(format!(
                "{size} bytes decompressed from {compressed}: a ratio above {}:1 (--max-layer-ratio)",
                self.max_ratio
            ))
        } else {
            None
        }
    }
}

/// The message of a [`StreamStop`] when [`Limits::deadline`] stopped the pass.
pub const DEADLINE: &str = "the time limit was reached";

impl Limits {
    /// The decompression guard (`--max-layer-ratio`, `--max-layer-size`) of the layer pass and of a compressed
    /// archive's listing, without a deadline (each sets its own).
    pub fn from_options(opts: &Options) -> Limits {
        Limits {
            max_ratio: opts.max_layer_ratio,
            max_size: opts.max_layer_size,
            ..Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_ratio: DEFAULT_MAX_RATIO,
            max_size: DEFAULT_MAX_SIZE,
            ratio_floor: RATIO_FLOOR,
            deadline: None,
        }
    }
}

pub use crate::options::{DEFAULT_MAX_RATIO, DEFAULT_MAX_SIZE};
/// The ratio is checked once 64 MiB have been decompressed.
pub const RATIO_FLOOR: u64 = 64 << 20;

/// What the first bytes of a blob say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Detected {
    Empty,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
    Tar,
    Unknown,
}

impl Detected {
    pub fn describe(self) -> &'static str {
        match self {
            Detected::Empty => "empty",
            Detected::Gzip => "gzip data",
            Detected::Zstd => "zstd data",
            Detected::Bzip2 => "bzip2 data",
            Detected::Xz => "xz data",
            Detected::Tar => "an uncompressed tar stream",
            Detected::Unknown => "neither gzip, zstd nor tar data",
        }
    }

    /// Whether this is what a layer of the given compression holds. Data that is not recognisably compressed
    /// counts as uncompressed (whether it is a valid tar stream is the tar reader's business).
    pub fn matches(self, c: Compression) -> bool {
        match c {
            Compression::Gzip => self == Detected::Gzip,
            Compression::Zstd => self == Detected::Zstd,
            Compression::None => {
                matches!(self, Detected::Tar | Detected::Unknown | Detected::Empty)
            }
        }
    }
}

/// Recognise gzip, zstd (a frame or a skippable frame), bzip2, xz and tar by their first bytes.
pub fn detect(b: &[u8]) -> Detected {
    if b.is_empty() {
        Detected::Empty
    } else if b.starts_with(&crate::gzip::MAGIC) {
        Detected::Gzip
    } else if crate::zstd_frame::starts_zstd(b) {
        Detected::Zstd
    } else if b.starts_with(b"BZh") {
        Detected::Bzip2
    } else if b.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Detected::Xz
    } else if b.len() >= tar::BLOCK && tar::looks_like_header(&b[..tar::BLOCK]) {
        Detected::Tar
    } else {
        Detected::Unknown
    }
}

/// The first bytes of a blob, as hex, for messages.
pub fn hex_prefix(b: &[u8]) -> String {
    b.iter()
        .take(8)
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the uncompressed stream stopped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamStop {
    /// Uncompressed bytes produced before the stop.
    pub uncompressed: u64,
    /// Compressed bytes read before the stop.
    pub compressed: u64,
    /// The tar entry being read at that point (path, offset of its header).
    pub entry: Option<(String, u64)>,
    pub message: String,
}

/// Everything the layer pass learned about one blob.
#[derive(Debug)]
pub struct LayerFacts {
    /// The compression the media type it was scanned for names.
    pub declared: Compression,
    /// What the first bytes say.
    pub detected: Detected,
    /// The first bytes (up to 8), for messages: see [`LayerFacts::magic`].
    magic: [u8; 8],
    magic_len: u8,
    /// The decoder used; `None` when the data could not be decoded at all (bzip2, xz, unknown data under a
    /// compressed media type).
    pub decoded_as: Option<Compression>,
    /// Uncompressed bytes produced.
    pub uncompressed: u64,
    /// The DiffIDs (one per algorithm asked for), only when the whole stream was decompressed: each an algorithm
    /// tag byte ([`diff_tag`]) then the hash value (see [`LayerFacts::diff_ids`]).
    diff_ids: Box<[u8]>,
    /// The decoder failed (corrupt or truncated compressed data). Rare, as is `limit`: both kept out of line.
    pub decode_error: Option<Box<StreamStop>>,
    /// The decompression guard stopped the pass.
    pub limit: Option<Box<StreamStop>>,
    pub tar: TarFacts,
    /// Entry indices sorted by normalised path (then archive order), built on first use; see [`LayerFacts::by_path`].
    pub sorted: std::sync::OnceLock<Box<[u32]>>,
}

/// The tag byte of a DiffID's algorithm in [`LayerFacts`]'s packed list.
fn diff_tag(a: Algorithm) -> u8 {
    match a {
        Algorithm::Sha256 => 0,
        Algorithm::Sha512 => 1,
        Algorithm::Blake3 => 2,
    }
}

/// The algorithm of a tag byte, and the length of its hash value.
fn diff_untag(t: u8) -> Option<(Algorithm, usize)> {
    match t {
        0 => Some((Algorithm::Sha256, 32)),
        1 => Some((Algorithm::Sha512, 64)),
        2 => Some((Algorithm::Blake3, 32)),
        _ => None,
    }
}

impl LayerFacts {
    /// Why part of the layer went unchecked, when a limit kept it from being checked whole (the report's list of
    /// what was not validated says so).
    pub fn unchecked_reason(&self) -> Option<String> {
        if let Some(stop) = &self.limit {
            return Some(format!(
                "the decompression guard stopped reading it: {}; its entries were checked only that far, and the layers above it not against it",
                stop.message
            ));
        }
        (self.tar.dropped > 0).then(|| {
            format!(
                "{} of its tar entries were over the entry limits (--max-layer-entries) and not checked",
                self.tar.dropped
            )
        })
    }

    /// Entry indices sorted by normalised path, equal paths in archive order. Entries whose name climbs above the
    /// root are left out. Four bytes per entry, shared by every rule that looks entries up by path.
    pub fn by_path(&self) -> &[u32] {
        self.sorted.get_or_init(|| {
            let t = &self.tar;
            let mut v: Vec<u32> = (0..t.entries.len())
                .filter(|&i| !t.entries[i].has(tar::flag::ESCAPES))
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
            // Ties are broken by index, so an unstable sort gives the same order; archives are often sorted by
            // name already, which pattern-defeating quicksort notices.
            v.sort_unstable_by(|&a, &b| {
                t.path(&t.entries[a as usize])
                    .cmp(t.path(&t.entries[b as usize]))
                    .then(a.cmp(&b))
            });
            v.into_boxed_slice()
        })
    }

    /// Every entry whose normalised path is `path`, in archive order.
    pub fn entries_at<'s>(&'s self, path: &'s str) -> impl Iterator<Item = &'s Entry> + 's {
        let idx = self.by_path();
        let t = &self.tar;
        let i = idx.partition_point(|&i| t.path(&t.entries[i as usize]) < path);
        idx[i..]
            .iter()
            .map(|&i| &t.entries[i as usize])
            .take_while(move |e| t.path(e) == path)
    }

    /// The first entry (in archive order) whose normalised path is `path`.
    pub fn find(&self, path: &str) -> Option<&Entry> {
        let idx = self.by_path();
        let t = &self.tar;
        let i = idx.partition_point(|&i| t.path(&t.entries[i as usize]) < path);
        idx.get(i)
            .map(|&i| &t.entries[i as usize])
            .filter(|e| t.path(e) == path)
    }

    /// The first entry (in sorted order) strictly below the directory `dir`, if any.
    pub fn find_below(&self, dir: &str) -> Option<&Entry> {
        let idx = self.by_path();
        let t = &self.tar;
        let prefix = format!("{dir}/");
        let i = idx.partition_point(|&i| t.path(&t.entries[i as usize]) < prefix.as_str());
        idx.get(i)
            .map(|&i| &t.entries[i as usize])
            .filter(|e| t.path(e).starts_with(&prefix))
    }

    /// The DiffIDs computed (`alg:hex`, one per algorithm asked for, in that order).
    pub fn diff_ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = &self.diff_ids[..];
        while let Some((&t, after)) = rest.split_first() {
            let Some((a, n)) = diff_untag(t).filter(|&(_, n)| after.len() >= n) else {
                break;
            };
            out.push(format!("{}:{}", a.name(), crate::digest::hex(&after[..n])));
            rest = &after[n..];
        }
        out
    }

    /// The DiffID computed with the algorithm named `algorithm` (`sha256`), if it was computed.
    pub fn diff_id_for(&self, algorithm: &str) -> Option<String> {
        let prefix = format!("{algorithm}:");
        self.diff_ids().into_iter().find(|d| d.starts_with(&prefix))
    }

    /// The first bytes of the blob (up to 8), for messages.
    pub fn magic(&self) -> &[u8] {
        &self.magic[..usize::from(self.magic_len).min(self.magic.len())]
    }

    /// Whether the entry list describes the whole layer (for cross-layer analysis).
    pub fn complete(&self) -> bool {
        self.decode_error.is_none() && self.limit.is_none() && self.tar.complete()
    }
}

/// What to do for one blob.
#[derive(Debug, Clone)]
pub struct Request {
    /// The compression the layer's media type names.
    pub declared: Compression,
    /// The algorithm of the blob's digest, when this tool can verify it.
    pub blob_algorithm: Option<Algorithm>,
    /// Algorithms of the DiffIDs that name this layer.
    pub diff_algorithms: Vec<Algorithm>,
    pub limits: Limits,
    /// What all the layers of the run may keep together (`--max-layer-entries`).
    pub budget: Option<Arc<tar::KeepBudget>>,
}

/// The result of the pass: the same blob facts plain hashing gives, plus the layer facts.
#[derive(Debug)]
pub struct Outcome {
    pub size: u64,
    pub computed: Option<String>,
    /// A read error of the source (the blob is unreadable); no layer facts then.
    pub error: Option<String>,
    pub facts: Option<LayerFacts>,
}

/// Reads the blob, hashing and counting every byte once.
struct RawReader<'a, R> {
    inner: R,
    hasher: &'a mut Option<Hasher>,
    size: &'a Cell<u64>,
    error: &'a mut Option<String>,
}

impl<R: Read> Read for RawReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                if let Some(h) = self.hasher.as_mut() {
                    h.update(&buf[..n]);
                }
                self.size.set(self.size.get() + n as u64);
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                *self.error = Some(e.to_string());
                Err(e)
            }
        }
    }
}

/// Reads the uncompressed stream: hashes it, counts it, and enforces the limits.
struct DiffReader<'a, R> {
    inner: R,
    hashers: &'a mut Vec<Hasher>,
    size: u64,
    compressed: &'a Cell<u64>,
    limits: Limits,
    tripped: &'a mut Option<String>,
}

impl<R: Read> Read for DiffReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.tripped.is_some() {
            return Err(io::Error::other("decompression limit"));
        }
        // Never read more than one byte past the size limit, so that the guard stops where it says.
        let allowed = self
            .limits
            .max_size
            .saturating_sub(self.size)
            .saturating_add(1);
        let len = usize::try_from(allowed).map_or(buf.len(), |a| a.min(buf.len()));
        let n = self.inner.read(&mut buf[..len])?;
        for h in self.hashers.iter_mut() {
            h.update(&buf[..n]);
        }
        self.size += n as u64;
        let reason = self
            .limits
            .exceeded(self.size, self.compressed.get(), "the layer");
        if let Some(r) = reason {
            *self.tripped = Some(r);
            return Err(io::Error::other("decompression limit"));
        }
        Ok(n)
    }
}

/// Read everything left, discarding it (the readers below hash it).
fn drain(r: &mut impl Read) -> io::Result<()> {
    let mut buf = buf::Scratch::take();
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The `window_log_max` of a zstd layer's decoder and the reservation of its window in the run's memory budget
/// (none without a budget), from the first frame's header in `peek`: when it does not fit, why not. A decoder
/// waits while other layers' decoders hold the windows it needs.
fn reserve_window(
    peek: &[u8],
    req: &Request,
) -> Result<(u32, Option<crate::memory::Held>), String> {
    let Some(memory) = req.budget.as_ref().and_then(|b| b.memory.as_ref()) else {
        return Ok((window::MAX_WINDOW_LOG, None));
    };
    // A header past the first bytes (behind a long skippable frame): the largest window zstd decodes by default.
    // Never less than the window of zstd's levels up to 19 without `--long`, so that later frames of a layer made
    // of many (zstd:chunked) fit too.
    let asked = window::first_window(peek).unwrap_or(1 << window::MAX_WINDOW_LOG);
    let log = window::log_for(asked.max(window::COMMON_WINDOW));
    match memory.hold_waiting(window::cost(log), req.limits.deadline) {
        Ok(held) => Ok((log, Some(held))),
        Err(_)
            if req
                .limits
                .deadline
                .is_some_and(|d| std::time::Instant::now() >= d) =>
        {
            Err(DEADLINE.to_string())
        }
        Err(e) => Err(format!(
            "the layer's zstd frames ask for a window of {}; {}, so it was not decompressed",
            crate::memory::size(asked),
            e.describe()
        )),
    }
}

/// Run the layer pass over a blob's bytes.
pub fn scan(reader: impl Read, req: &Request) -> Outcome {
    let mut file = reader;
    let mut blob_hasher = req.blob_algorithm.map(Algorithm::hasher);
    let raw_size = Cell::new(0u64);
    let mut raw_error: Option<String> = None;

    // Decide on the decoder from the first bytes.
    let mut peek = Vec::with_capacity(tar::BLOCK);
    {
        let mut raw = RawReader {
            inner: &mut file,
            hasher: &mut blob_hasher,
            size: &raw_size,
            error: &mut raw_error,
        };
        if let Err(e) = (&mut raw).take(tar::BLOCK as u64).read_to_end(&mut peek)
            && raw_error.is_none()
        {
            raw_error = Some(e.to_string());
        }
    }
    if let Some(e) = raw_error {
        return Outcome {
            size: raw_size.get(),
            computed: None,
            error: Some(e),
            facts: None,
        };
    }
    let detected = detect(&peek);
    let decoder = match detected {
        Detected::Gzip => Some(Compression::Gzip),
        Detected::Zstd => Some(Compression::Zstd),
        Detected::Tar => Some(Compression::None),
        Detected::Empty | Detected::Unknown => {
            (req.declared == Compression::None).then_some(Compression::None)
        }
        Detected::Bzip2 | Detected::Xz => None,
    };
    let reuse_blob_digest = decoder == Some(Compression::None)
        && req.blob_algorithm.is_some()
        && req.diff_algorithms.len() == 1
        && req.diff_algorithms.first() == req.blob_algorithm.as_ref();
    let mut diff_hashers: Vec<Hasher> = if reuse_blob_digest {
        Vec::new()
    } else {
        req.diff_algorithms.iter().map(|a| a.hasher()).collect()
    };
    let mut tripped: Option<String> = None;
    let mut tar_facts = TarFacts::default();
    tar_facts.budget = req.budget.clone();
    let mut decode_error: Option<io::Error> = None;
    let mut uncompressed = 0u64;
    // A zstd decoder's window, reserved before it is made (and given back when this pass ends).
    let mut window: Option<(u32, Option<crate::memory::Held>)> = None;
    if decoder == Some(Compression::Zstd) {
        match reserve_window(&peek, req) {
            Ok(w) => window = Some(w),
            Err(why) => tripped = Some(why),
        }
    }

    if let Some(c) = decoder.filter(|_| tripped.is_none()) {
        let raw = RawReader {
            inner: &mut file,
            hasher: &mut blob_hasher,
            size: &raw_size,
            error: &mut raw_error,
        };
        let buffered = buf::Buffered::new(io::Cursor::new(&peek[..]).chain(raw));
        let decoded: Result<Box<dyn Read + '_>, io::Error> = match c {
            Compression::Gzip => Ok(Box::new(crate::gzip::MultiGz::new(buffered))),
            Compression::Zstd => {
                zstd::stream::read::Decoder::with_buffer(buffered).and_then(|mut d| {
                    if let Some((log, _)) = window {
                        d.window_log_max(log)?;
                    }
                    Ok(Box::new(d) as Box<dyn Read + '_>)
                })
            }
            Compression::None => Ok(Box::new(buffered)),
        };
        match decoded {
            Ok(decoded) => {
                let diff = DiffReader {
                    inner: decoded,
                    hashers: &mut diff_hashers,
                    size: 0,
                    compressed: &raw_size,
                    limits: req.limits,
                    tripped: &mut tripped,
                };
                let mut tar_in = buf::Buffered::new(diff);
                let res = tar::scan(&mut tar_in, &mut tar_facts)
                    // The tar stream may end (broken) before the data does: the DiffID covers all of it.
                    .and_then(|()| drain(&mut tar_in));
                if let Err(e) = res {
                    decode_error = Some(e);
                }
                uncompressed = tar_in.get_ref().size;
            }
            Err(e) => decode_error = Some(e),
        }
    }
    // Whatever the decoder left (after an error, a limit, or undecodable data) is still part of the blob digest.
    if raw_error.is_none() {
        let mut raw = RawReader {
            inner: &mut file,
            hasher: &mut blob_hasher,
            size: &raw_size,
            error: &mut raw_error,
        };
        let _ = drain(&mut raw);
    }
    if let Some(e) = raw_error {
        return Outcome {
            size: raw_size.get(),
            computed: None,
            error: Some(e),
            facts: None,
        };
    }
    // The blob's hash value, and its `alg:hex` (what the walk compares with the name).
    let mut blob_raw = [0u8; 64];
    let blob_hash = blob_hasher.map(|h| (h.algorithm(), h.finish_into(&mut blob_raw)));
    let computed =
        blob_hash.map(|(a, n)| format!("{}:{}", a.name(), crate::digest::hex(&blob_raw[..n])));
    let stop_at = |message: String| {
        let entry = tar_facts
            .entries
            .last()
            .map(|e| (tar_facts.name(e).to_string(), e.offset));
        StreamStop {
            uncompressed,
            compressed: raw_size.get(),
            entry,
            message,
        }
    };
    // A later frame that asks for a larger window than the first one was reserved for: the budget's limit, not
    // a corrupt stream.
    if tripped.is_none()
        && let Some((log, Some(_))) = &window
        && *log < window::MAX_WINDOW_LOG
        && decode_error
            .as_ref()
            .is_some_and(|e| e.to_string().contains("too much memory"))
    {
        tripped = Some(format!(
            "a zstd frame of the layer asks for a larger window than its first frame ({}), which is what the run's memory budget (--max-memory) gave its decoder",
            crate::memory::size(1 << log)
        ));
    }
    drop(window);
    let limit = tripped.map(&stop_at);
    let decode_error = if limit.is_some() {
        None
    } else {
        decode_error.map(|e| stop_at(e.to_string()))
    };
    let finished = decoder.is_some() && limit.is_none() && decode_error.is_none();
    let mut diff_ids = Vec::new();
    if finished && reuse_blob_digest {
        if let Some((a, n)) = blob_hash {
            diff_ids.push(diff_tag(a));
            diff_ids.extend_from_slice(&blob_raw[..n]);
        }
    } else if finished {
        for h in diff_hashers {
            let mut raw = [0u8; 64];
            diff_ids.push(diff_tag(h.algorithm()));
            let n = h.finish_into(&mut raw);
            diff_ids.extend_from_slice(&raw[..n]);
        }
    }
    let mut magic = [0u8; 8];
    let magic_len = peek.len().min(magic.len());
    magic[..magic_len].copy_from_slice(&peek[..magic_len]);

    Outcome {
        size: raw_size.get(),
        computed,
        error: None,
        facts: Some(LayerFacts {
            declared: req.declared,
            detected,
            magic,
            magic_len: magic_len as u8,
            decoded_as: decoder,
            uncompressed,
            diff_ids: diff_ids.into_boxed_slice(),
            decode_error: decode_error.map(Box::new),
            limit: limit.map(Box::new),
            tar: tar_facts,
            sorted: std::sync::OnceLock::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::tar::{self as w, TarEntry, TarOptions};
    use std::io::Write as _;

    fn layer(entries: &[TarEntry]) -> Vec<u8> {
        w::write(entries, &TarOptions::default())
    }

    fn gzip(raw: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        e.write_all(raw).unwrap_or_default();
        e.finish().unwrap_or_default()
    }

    fn req(declared: Compression) -> Request {
        Request {
            declared,
            blob_algorithm: Some(Algorithm::Sha256),
            diff_algorithms: vec![Algorithm::Sha256],
            limits: Limits::default(),
            budget: None,
        }
    }

    fn one_file() -> Vec<u8> {
        layer(&[TarEntry {
            path: "a".into(),
            content: Some("hello".into()),
            ..TarEntry::default()
        }])
    }

    #[test]
    fn digests_agree_with_plain_hashing_for_each_compression() {
        let raw = one_file();
        let diff = Algorithm::Sha256.digest_of(&raw);
        for (c, bytes) in [
            (Compression::None, raw.clone()),
            (Compression::Gzip, gzip(&raw)),
            (
                Compression::Zstd,
                zstd::encode_all(&raw[..], 3).unwrap_or_default(),
            ),
        ] {
            let o = scan(&bytes[..], &req(c));
            assert_eq!(o.size, bytes.len() as u64);
            assert_eq!(o.computed, Some(Algorithm::Sha256.digest_of(&bytes)));
            let f = o.facts.expect("facts");
            assert_eq!(f.diff_ids(), vec![diff.clone()], "{c:?}");
            assert_eq!(f.uncompressed, raw.len() as u64);
            assert_eq!(f.tar.entries.len(), 1);
            assert!(f.complete());
        }
    }

    #[test]
    fn multi_member_gzip_and_skippable_zstd_frames() {
        let raw = one_file();
        let (a, b) = raw.split_at(700);
        let mut two = gzip(a);
        two.extend(gzip(b));
        let f = scan(&two[..], &req(Compression::Gzip))
            .facts
            .expect("facts");
        assert!(f.complete() && f.decode_error.is_none(), "{f:?}");
        assert_eq!(f.diff_ids(), vec![Algorithm::Sha256.digest_of(&raw)]);

        let mut z = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        z.extend(zstd::encode_all(a, 3).unwrap_or_default());
        z.extend(zstd::encode_all(b, 3).unwrap_or_default());
        let f = scan(&z[..], &req(Compression::Zstd)).facts.expect("facts");
        assert_eq!(f.detected, Detected::Zstd);
        assert!(f.complete(), "{f:?}");
        assert_eq!(f.diff_ids(), vec![Algorithm::Sha256.digest_of(&raw)]);
    }

    /// A zstd frame with the given window (its content size left out, so the header names the window).
    fn zstd_frame(window_log: u32, data: &[u8]) -> Vec<u8> {
        let mut e = zstd::stream::Encoder::new(Vec::new(), 3).expect("encoder");
        e.window_log(window_log).expect("window log");
        e.include_contentsize(false).expect("no content size");
        e.write_all(data).expect("write");
        e.finish().expect("finish")
    }

    #[test]
    fn zstd_windows_are_reserved_from_the_memory_budget() {
        let raw = one_file();
        let with = |limit: u64| {
            let memory = Arc::new(crate::memory::Budget::with_limit(256 << 20, limit));
            let r = Request {
                budget: Some(Arc::new(tar::KeepBudget::new(1000, Some(memory.clone())))),
                ..req(Compression::Zstd)
            };
            (memory, r)
        };
        // Room enough: decoded, and the window given back when the pass ends.
        let (memory, r) = with(64 << 20);
        let f = scan(&zstd_frame(22, &raw)[..], &r).facts.expect("facts");
        assert!(f.complete(), "{f:?}");
        assert_eq!(memory.used_by(crate::memory::Use::Window), 0);
        assert!(memory.peak() >= 8 << 20, "at least the common window");
        // No room for the window: not decompressed, a limit that names --max-memory; the blob still hashed.
        let (_, r) = with(4 << 20);
        let bytes = zstd_frame(22, &raw);
        let o = scan(&bytes[..], &r);
        assert_eq!(o.computed, Some(Algorithm::Sha256.digest_of(&bytes)));
        let f = o.facts.expect("facts");
        let stop = f.limit.as_ref().expect("a limit");
        assert!(stop.message.contains("--max-memory"), "{stop:?}");
        assert!(f.diff_ids().is_empty() && f.tar.entries.is_empty());
        // A later frame that asks for more than the first one was given: a limit, not a corrupt stream.
        let (a, b) = raw.split_at(700);
        let mut two = zstd_frame(20, a);
        two.extend(zstd_frame(26, b));
        let (_, r) = with(200 << 20);
        let f = scan(&two[..], &r).facts.expect("facts");
        assert!(f.decode_error.is_none(), "{f:?}");
        let stop = f.limit.as_ref().expect("a limit");
        assert!(
            stop.message.contains("larger window than its first frame"),
            "{stop:?}"
        );
        // The first frame's large window is what it gets (within the budget).
        let mut two = zstd_frame(26, a);
        two.extend(zstd_frame(20, b));
        let f = scan(&two[..], &r).facts.expect("facts");
        assert!(f.complete(), "{f:?}");
    }

    #[test]
    fn mislabelled_and_corrupt_data() {
        let raw = one_file();
        // gzip under +zstd: read as gzip, the mismatch is for the rules.
        let f = scan(&gzip(&raw)[..], &req(Compression::Zstd))
            .facts
            .expect("facts");
        assert_eq!(f.detected, Detected::Gzip);
        assert!(!f.detected.matches(Compression::Zstd));
        assert!(f.complete());
        // Truncated gzip: a decode error, the blob digest still covers every byte.
        let g = gzip(&raw);
        let cut = &g[..g.len() - 12];
        let o = scan(cut, &req(Compression::Gzip));
        assert_eq!(o.computed, Some(Algorithm::Sha256.digest_of(cut)));
        let f = o.facts.expect("facts");
        assert!(f.decode_error.is_some(), "{f:?}");
        assert!(f.diff_ids().is_empty());
        // Garbage after the gzip member.
        let mut g2 = gzip(&raw);
        g2.extend_from_slice(b"garbage!");
        let f = scan(&g2[..], &req(Compression::Gzip)).facts.expect("facts");
        assert!(f.decode_error.is_some(), "{f:?}");
        // Truncated zstd.
        let z = zstd::encode_all(&raw[..], 3).unwrap_or_default();
        let f = scan(&z[..z.len() - 5], &req(Compression::Zstd))
            .facts
            .expect("facts");
        assert!(f.decode_error.is_some(), "{f:?}");
        // Random bytes under +gzip: not decodable at all.
        let f = scan(&b"not a layer at all"[..], &req(Compression::Gzip))
            .facts
            .expect("facts");
        assert_eq!(f.detected, Detected::Unknown);
        assert_eq!(f.decoded_as, None);
        // Empty blob under the plain tar type.
        let f = scan(&b""[..], &req(Compression::None))
            .facts
            .expect("facts");
        assert_eq!(
            f.tar.end,
            tar::End::MissingMarker {
                offset: 0,
                zero_blocks: 0
            }
        );
    }

    #[test]
    fn the_guard_stops_bombs() {
        let raw = layer(&[TarEntry {
            path: "zeros".into(),
            content: Some("\0".repeat(4 << 20)),
            ..TarEntry::default()
        }]);
        let z = zstd::encode_all(&raw[..], 19).unwrap_or_default();
        let mut r = req(Compression::Zstd);
        r.limits = Limits {
            max_ratio: 100,
            max_size: 1 << 30,
            ratio_floor: 1 << 20,
            deadline: None,
        };
        let o = scan(&z[..], &r);
        assert_eq!(o.computed, Some(Algorithm::Sha256.digest_of(&z)));
        let f = o.facts.expect("facts");
        let stop = f.limit.as_ref().expect("ratio limit");
        assert!(stop.message.contains("ratio"), "{stop:?}");
        assert!(f.diff_ids().is_empty());
        r.limits = Limits {
            max_ratio: 1_000_000,
            max_size: 100_000,
            ratio_floor: 1 << 20,
            deadline: None,
        };
        let f = scan(&z[..], &r).facts.expect("facts");
        assert!(
            f.limit
                .expect("size limit")
                .message
                .contains("max-layer-size")
        );
    }

    /// Random bytes and damaged gzip/zstd streams, under every declared compression: no panic, and the blob
    /// digest and size are always those of plain hashing; the replay of whatever was read does not panic either.
    #[test]
    fn hostile_blobs_do_not_panic() {
        let raw = layer(&[
            TarEntry {
                path: "d/".into(),
                kind: Some("dir".into()),
                ..TarEntry::default()
            },
            TarEntry {
                path: "d/f".into(),
                content: Some("x".repeat(3000)),
                ..TarEntry::default()
            },
            TarEntry {
                path: "d/l".into(),
                kind: Some("symlink".into()),
                link: Some("../..".into()),
                ..TarEntry::default()
            },
            TarEntry {
                path: "d/l/x/.wh.y".into(),
                ..TarEntry::default()
            },
            TarEntry {
                path: "h".into(),
                kind: Some("hardlink".into()),
                link: Some("d/f".into()),
                ..TarEntry::default()
            },
        ]);
        let streams = [
            raw.clone(),
            gzip(&raw),
            zstd::encode_all(&raw[..], 3).unwrap_or_default(),
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..600 {
            let mut b = if round % 4 == 0 {
                (0..(rand() % 3000) as usize)
                    .map(|_| rand() as u8)
                    .collect()
            } else {
                let mut b = streams[round % 3].clone();
                for _ in 0..(1 + rand() % 4) {
                    let i = (rand() as usize) % b.len();
                    b[i] = rand() as u8;
                }
                b
            };
            if round % 7 == 0 {
                let n = (rand() as usize) % (b.len() + 1);
                b.truncate(n);
            }
            for c in [Compression::None, Compression::Gzip, Compression::Zstd] {
                let o = scan(&b[..], &req(c));
                assert_eq!(o.size, b.len() as u64);
                assert_eq!(o.computed, Some(Algorithm::Sha256.digest_of(&b)));
                let f = o.facts.expect("facts");
                let _ = tree::replay(&[Some(&f), Some(&f)]);
            }
        }
    }

    /// The same layout gives byte-identical reports whatever the number of threads verifying layers.
    #[test]
    fn reports_do_not_depend_on_the_thread_count() {
        let recipe: crate::corpus::recipe::Recipe = toml::from_str(
            r#"
            [index]
            manifests = [{ node = "a" }, { node = "b" }]
            [nodes.a]
            kind = "image"
            platform = { os = "linux", architecture = "amd64" }
            layers = ["l1", "l2", "l3"]
            [nodes.b]
            kind = "image"
            platform = { os = "linux", architecture = "arm64" }
            layers = ["l3", "l2"]
            [nodes.l1]
            kind = "layer"
            entries = [{ path = "/abs" }, { path = "x" }, { path = "./x" }, { path = "s", type = "symlink", link = "/etc" }]
            [nodes.l2]
            kind = "layer"
            compression = "zstd"
            entries = [{ path = ".wh.nothing" }, { path = "s/passwd" }, { path = "h", type = "hardlink", link = "x" }]
            [nodes.l3]
            kind = "layer"
            compression = "none"
            entries = [{ path = ".wh.x" }, { path = "x" }, { path = "t", omit = ["mtime"] }]
            tar = { trailing = "tail" }
            "#,
        )
        .expect("recipe");
        let built = crate::corpus::recipe::build(&recipe, &[], &[]).expect("build");
        let dir = tempfile::tempdir().expect("tempdir");
        crate::corpus::recipe::write_tree(&built, dir.path()).expect("write");
        let src = crate::source::dir::DirSource::open(dir.path()).expect("source");
        let render = |jobs: usize| {
            let opts = crate::Options {
                jobs,
                // LYR017 is off by default; this test wants the cross-layer replay's findings too.
                overrides: vec![(
                    crate::rule::Selector::Code("LYR017"),
                    crate::rule::Level::Deny,
                )],
                ..crate::Options::default()
            };
            crate::report::human::render(&crate::validate_layout(&src, "layout", &opts))
        };
        let one = render(1);
        assert!(
            one.contains("LYR017") && one.contains("LYR010") && one.contains("LYR006"),
            "{one}"
        );
        for jobs in [2, 3, 8] {
            assert_eq!(render(jobs), one, "--jobs {jobs}");
        }
    }

    #[test]
    fn read_errors_are_blob_errors() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                self.0 -= 1;
                buf[0] = 0x1f;
                Ok(1)
            }
        }
        let o = scan(Failing(3), &req(Compression::Gzip));
        assert_eq!(o.error.as_deref(), Some("disk on fire"));
        assert!(o.facts.is_none());
    }
}
