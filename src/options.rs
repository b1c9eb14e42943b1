//! The options of a run and the defaults of its limits. Below everything that reads them (the sources, the layer
//! pass, the walk, the rules): it holds only plain data of its own and of the selection, the policy and the
//! progress sink, and the run's memory budget ([`crate::memory`]).

use crate::policy::{Level, Profile, Selector};
use crate::progress::Sink;
use crate::selection::{Selection, Shard};
use crate::spec::Spec;

/// Everything that changes what a run does. The decompression guards it implies are made by
/// `crate::layer::Limits::from_options` and `crate::source::archive::StreamLimits::from_options`. Other crates make
/// it with [`Options::builder`] (or [`Options::default`], then set its fields): it is `#[non_exhaustive]`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    pub spec: Spec,
    /// Media type of a single document (`--media-type`); otherwise taken from its `mediaType` or its shape.
    pub media_type: Option<String>,
    /// JSON documents larger than this are not parsed (a finding says so).
    pub max_json_size: u64,
    /// JSON values parsed in all documents of a run (`--max-json-values`): the parsed trees cost tens of bytes per
    /// value, so this bounds their memory. Documents past it are not parsed (a finding says so).
    pub max_json_values: usize,
    /// Bytes of JSON documents held in all (`--max-json-total`). Documents past it are not parsed.
    pub max_json_total: u64,
    /// Tar entries the layer pass keeps for the entry and cross-layer rules, all layers of a run together
    /// (`--max-layer-entries`; with 64 bytes of names per entry). Past it, entries are still read and counted
    /// but not kept, and a finding says so (LYR003).
    pub max_layer_entries: usize,
    /// Findings listed per rule and file (`--max-findings`); one more finding says how many were left out.
    pub max_findings: usize,
    /// Time one blob's verification may take (`--max-blob-time`); past it the blob gets a finding.
    pub max_blob_time: std::time::Duration,
    /// Time the whole run may take (`--max-time`); past it what is left is not checked, and a finding says so.
    pub max_time: std::time::Duration,
    /// Bytes of a piped stdin (or a named pipe) held in memory (`--max-stream-memory`); a longer stream is copied to
    /// an unnamed temporary file.
    pub max_stream_memory: u64,
    /// Bytes of a stream (stdin from a pipe, a named pipe, a device) read at most (`--max-input-size`): an endless
    /// stream must not fill `$TMPDIR`. A longer one is an error.
    pub max_input_size: u64,
    /// When the run started (set by [`crate::validate`] and `crate::validate_layout`; the time limits count from it).
    #[doc(hidden)]
    pub started: Option<std::time::Instant>,
    /// The memory cap of a run (`--max-memory`), which every large structure draws from: see [`crate::memory`].
    pub max_memory: u64,
    /// The run's memory budget (made by [`Options::start_clock`] from `max_memory` and `jobs`, and shared by
    /// every part of the run, the listing of the input included).
    pub memory: Option<std::sync::Arc<crate::memory::Budget>>,
    /// Threads for blob verification.
    pub jobs: usize,
    /// `--fast`: structure, digests and sizes only. Every blob is hashed, but layer blobs are not decompressed, so
    /// the rules that read layer contents do not run; the report says so ([`crate::Skipped`]).
    pub fast: bool,
    /// Level overrides, applied in order (later wins); see [`OptionsBuilder::level`](crate::OptionsBuilder::level).
    #[doc(hidden)]
    pub overrides: Vec<(Selector, Level)>,
    /// Decompression guard of the layer pass: largest uncompressed/compressed ratio of a layer (checked once
    /// 64 MiB have been decompressed). Default 10,000:1.
    pub max_layer_ratio: u64,
    /// Decompression guard of the layer pass: largest uncompressed size of one layer, in bytes. Default 64 GiB.
    pub max_layer_size: u64,
    /// A named policy (`--profile`); see [`Profile`].
    pub profile: Option<Profile>,
    /// Which images of a layout or archive to validate (`--ref`, `--platform`, `--digest`); empty = all. See
    /// [`OptionsBuilder::reference`](crate::OptionsBuilder::reference) and the two after it.
    #[doc(hidden)]
    pub select: Selection,
    /// Told how blob verification goes (the terminal progress bar); see `crate::progress`.
    #[doc(hidden)]
    pub progress: Option<Sink>,
    /// Keep the content graph in the report (`Report::contents`, for `--format html`).
    pub content_graph: bool,
    /// `--shard I/N`: validate only this share of the images of `index.json` (see [`crate::shard`]).
    pub shard: Option<Shard>,
    /// How a `docker://` input is read (the other inputs never touch the network).
    pub remote: Remote,
    /// A layout's `index.json` entries are walked and checked this many at a time, each batch's records dropped
    /// once it is checked, so that memory does not grow with the number of images (0: all at once, as a run with
    /// `--shard`, a selection or `--fast` always is). Not a user's setting: tests and the bench set it.
    pub batch_images: usize,
    /// Keep the list of the images validated for the report (`Report::images`): only a JSON report shows it
    /// (and a human one with a selection or `--shard`), and for a layout of 10,000 images it is 3 MB.
    pub list_images: bool,
}

/// The options of a registry input (`docker://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// `--referrers`: also validate what the Referrers API (or the referrers tag schema) lists for each manifest.
    pub referrers: bool,
    /// `--insecure`: plain HTTP and unverified TLS for a registry that is not on a loopback address.
    pub insecure: bool,
    /// `--timeout`: the longest wait for a connection, a response or the next bytes of one, and the longest a
    /// document body (a manifest, a referrers list, a token, an error body) may take to arrive whole.
    pub timeout: std::time::Duration,
    /// `--repos`, `--tags`, `--page-size`: what a registry's catalogue run (`docker://HOST`) covers.
    pub catalog: crate::catalog::Filter,
}

/// Default `--timeout`, in seconds.
pub const DEFAULT_REMOTE_TIMEOUT: u64 = 30;

impl Default for Remote {
    fn default() -> Self {
        Remote {
            referrers: false,
            insecure: false,
            timeout: std::time::Duration::from_secs(DEFAULT_REMOTE_TIMEOUT),
            catalog: crate::catalog::Filter::default(),
        }
    }
}

impl Options {
    /// Whether Docker's media types are validated like their OCI equivalents (`--profile docker-compat`).
    pub fn docker_compat(&self) -> bool {
        self.profile == Some(Profile::DockerCompat)
    }

    /// When the run must stop (`--max-time` from [`Options::started`]), if it has started.
    pub fn run_deadline(&self) -> Option<std::time::Instant> {
        self.started.and_then(|s| s.checked_add(self.max_time))
    }

    /// These options with the run's clock started now and its memory budget made, unless they already were.
    pub fn start_clock(&self) -> Options {
        Options {
            started: Some(self.started.unwrap_or_else(std::time::Instant::now)),
            memory: Some(self.budget()),
            ..self.clone()
        }
    }

    /// The run's memory budget; a fresh one (of `--max-memory`) when the run has not been started with
    /// [`Options::start_clock`].
    pub fn budget(&self) -> std::sync::Arc<crate::memory::Budget> {
        self.memory.clone().unwrap_or_else(|| {
            std::sync::Arc::new(crate::memory::Budget::new(self.max_memory, self.jobs))
        })
    }

    /// The level overrides in force: the profile's first, then the user's (later ones win).
    pub fn effective_overrides(&self) -> Vec<(Selector, Level)> {
        let mut v = self.profile.map(Profile::overrides).unwrap_or_default();
        v.extend(self.overrides.iter().cloned());
        v
    }
}

/// See [`Options::batch_images`].
pub const DEFAULT_BATCH_IMAGES: usize = 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            spec: Spec::V1_1_1,
            media_type: None,
            max_json_size: 16 << 20,
            max_json_values: DEFAULT_MAX_JSON_VALUES,
            max_json_total: DEFAULT_MAX_JSON_TOTAL,
            max_findings: DEFAULT_MAX_FINDINGS,
            max_layer_entries: DEFAULT_MAX_LAYER_ENTRIES,
            max_blob_time: std::time::Duration::from_secs(DEFAULT_MAX_BLOB_TIME),
            max_time: std::time::Duration::from_secs(DEFAULT_MAX_TIME),
            max_stream_memory: DEFAULT_STREAM_MEMORY,
            max_input_size: DEFAULT_MAX_INPUT_SIZE,
            started: None,
            max_memory: crate::memory::DEFAULT_MAX_MEMORY,
            memory: None,
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            fast: false,
            overrides: Vec::new(),
            max_layer_ratio: DEFAULT_MAX_RATIO,
            max_layer_size: DEFAULT_MAX_SIZE,
            profile: None,
            select: Selection::default(),
            progress: None,
            content_graph: false,
            shard: None,
            remote: Remote::default(),
            batch_images: DEFAULT_BATCH_IMAGES,
            list_images: true,
        }
    }
}

/// The options that raise a limit, as limit messages name them.
pub const LIMIT_OPTIONS: &[&str] = &[
    "--max-json-size",
    "--max-json-values",
    "--max-json-total",
    "--max-layer-size",
    "--max-layer-ratio",
    "--max-layer-entries",
    "--max-blob-time",
    "--max-time",
    "--max-input-size",
    "--max-memory",
];

/// The option a limit's message names (the first of [`LIMIT_OPTIONS`] it contains), if any.
pub fn option_named_in(message: &str) -> Option<&'static str> {
    LIMIT_OPTIONS.iter().copied().find(|o| {
        message.match_indices(o).any(|(i, _)| {
            !message[i + o.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
        })
    })
}

/// Default `--max-json-values`: JSON values parsed in all documents of a run.
pub const DEFAULT_MAX_JSON_VALUES: usize = 100_000;
/// Default `--max-json-total`: bytes of JSON documents held in all.
pub const DEFAULT_MAX_JSON_TOTAL: u64 = 64 << 20;
/// Default `--max-layer-entries`: tar entries kept by the layer pass, all layers together.
pub const DEFAULT_MAX_LAYER_ENTRIES: usize = 1_000_000;
/// Default `--max-findings`: findings listed per rule and file.
pub const DEFAULT_MAX_FINDINGS: usize = 100;
/// Findings listed in all, whatever `--max-findings` (each is a few hundred bytes; a hostile input must not
/// turn into gigabytes of report).
pub const MAX_FINDINGS_TOTAL: usize = 20_000;
/// Default `--max-blob-time`, in seconds.
pub const DEFAULT_MAX_BLOB_TIME: u64 = 600;
/// Default `--max-time`, in seconds.
pub const DEFAULT_MAX_TIME: u64 = 3600;

/// Default `--max-layer-ratio`: deflate cannot exceed about 1032:1, so this only stops zstd (or nested) bombs.
pub const DEFAULT_MAX_RATIO: u64 = 10_000;
/// Default `--max-layer-size`: 64 GiB uncompressed.
pub const DEFAULT_MAX_SIZE: u64 = 64 << 30;
/// Default `--max-input-size`: 64 GiB, the default `--max-layer-size` (a stream larger than the largest layer
/// the run would decompress is not an image it could check).
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 64 << 30;
/// Default `--max-stream-memory` (`StreamLimits::memory`): 64 MiB.
pub const DEFAULT_STREAM_MEMORY: u64 = 64 << 20;
