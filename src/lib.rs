//! ocicheck: a conformance validator for the OCI Image Format Specification, as a library.
//!
//! [`validate`] is the whole pipeline: it opens the input (an image layout directory, an archive holding one, or
//! a single JSON document), walks the content graph, verifies blobs, runs the JSON Schemas and the code rules, and
//! returns a [`Report`] whose [`Finding`]s are sorted deterministically. [`render`] turns reports into any of the
//! command line's formats (human, concise, JSON, SARIF, JUnit, GitHub annotations, HTML).
//!
//! ```text
//! input path ─► Source ─► Walker ─► Checks ─► Findings ─► Renderer
//! ```
//!
//! # Example
//!
//! Validate a layout of the conformance corpus (its manifest says `schemaVersion: 3`) and look at what was found;
//! `examples/validate.rs` does the same for a path given on its command line
//! (`cargo run --example validate -- DIR`).
//!
//! ```
//! use ocicheck::{Format, Options, Severity};
//!
//! let layout = concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/conformance/manifest/MAN001-schema-version-not-2/layout"
//! );
//! let opts = Options::builder().build()?;
//! let report = ocicheck::validate(layout.as_ref(), &opts)?;
//! for f in &report.findings {
//!     println!("{}[{}] {}: {}", f.severity, f.code, f.location.display(), f.message);
//! }
//! assert_eq!(report.summary.errors, 1);
//! assert_eq!(report.findings[0].code, "MAN001");
//! assert_eq!(report.findings[0].location.pointer.as_deref(), Some("/schemaVersion"));
//! // Exit status 1 of the command line: a finding at or above `--fail-on error`.
//! assert!(report.fails(Some(Severity::Error)));
//!
//! // The same report as the command line would print it, or as SARIF for code scanning.
//! let text = ocicheck::render(Format::Human, std::slice::from_ref(&report), &opts);
//! assert!(text.contains("error[MAN001] manifest-schema-version-not-2"));
//! let sarif = ocicheck::render(Format::Sarif, &[report], &opts);
//! assert!(sarif.contains("\"ruleId\": \"MAN001\""));
//! # Ok::<(), ocicheck::Error>(())
//! ```
//!
//! # The public surface
//!
//! - [`validate`] (a path: layout, archive, JSON document, `-` for stdin) and [`validate_document`] (bytes);
//! - [`Options`], made with [`Options::builder`] ([`OptionsBuilder`]), with [`Spec`], [`Profile`] and [`Level`];
//! - [`Report`], its [`Summary`] and [`Finding`]s with their [`Severity`] and [`Location`];
//! - [`render`] with a [`Format`];
//! - [`Error`]: why a run could not be done (the command line's exit status 2).
//!
//! Structs and enums that will grow are `#[non_exhaustive]`: build [`Options`] with its builder (or
//! [`Options::default`] and then its public fields), and give `match`es on [`Format`], [`Spec`], [`Profile`] and
//! [`Error`] a wildcard arm. The modules hidden from these docs are the command line's and the tests' and may
//! change in any release.
//!
//! # Features
//!
//! - `cli` (default): the `ocicheck` binary, with clap, clap_complete, clap_mangen and mimalloc, and the
//!   conformance corpus built into it. A library user turns it off:
//!   `ocicheck = { version = "0.1", default-features = false }`.

#[doc(hidden)]
pub mod baseline;
pub(crate) mod basis;
#[doc(hidden)]
pub mod catalog;
pub(crate) mod check;
#[doc(hidden)]
pub mod clauses;
#[doc(hidden)]
pub mod config;
#[doc(hidden)]
pub mod corpus;
pub(crate) mod coverage;
#[doc(hidden)]
pub mod digest;
pub(crate) mod finding;
#[doc(hidden)]
pub mod formats;
#[doc(hidden)]
pub mod fuzzing;
#[doc(hidden)]
pub mod gzip;
pub(crate) mod json;
pub(crate) mod kind;
#[doc(hidden)]
pub mod layer;
pub(crate) mod mediatype;
#[doc(hidden)]
pub mod memory;
#[doc(hidden)]
pub mod merge;
#[doc(hidden)]
pub mod options;
#[doc(hidden)]
pub mod output;
pub(crate) mod platform;
pub(crate) mod policy;
#[doc(hidden)]
pub mod progress;
#[doc(hidden)]
pub mod remote;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod rule;
#[doc(hidden)]
pub mod rules;
#[doc(hidden)]
pub mod schema;
#[doc(hidden)]
pub mod select;
pub(crate) mod selection;
#[doc(hidden)]
pub mod shard;
pub(crate) mod sniff;
#[doc(hidden)]
pub mod source;
pub(crate) mod spec;
#[doc(hidden)]
pub mod steps;
#[doc(hidden)]
pub mod suite;
#[doc(hidden)]
pub mod verify;
#[doc(hidden)]
pub mod walk;
pub mod zstd_frame;

mod builder;
mod checks;

use std::path::Path;

pub use builder::OptionsBuilder;
pub use finding::{EntryLoc, Finding, Location, NotListed, Severity};
pub use memory::DEFAULT_MAX_MEMORY;
pub use options::{
    DEFAULT_MAX_BLOB_TIME, DEFAULT_MAX_FINDINGS, DEFAULT_MAX_JSON_TOTAL, DEFAULT_MAX_JSON_VALUES,
    DEFAULT_MAX_LAYER_ENTRIES, DEFAULT_MAX_TIME, MAX_FINDINGS_TOTAL, Options,
};
pub use output::Format;
pub use policy::{Level, Profile};
pub use report::{
    Input, NotValidated, NotValidatedItem, Report, Skipped, Summary, Suppressed, TOOL, Tool,
};
pub use select::ImageRef;
pub use spec::Spec;

pub(crate) use checks::{Checked, Early, Verify, run_checks, sort_findings};
use rule::{Policy, Rule};
use walk::{DocKind, Graph};

/// Why the tool could not do its job (the command line's exit status 2).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file (named first) that could not be read.
    Io(String, std::io::Error),
    /// What was asked for cannot be done: an input that is not what it seems (a directory that is no layout, a
    /// Docker manifest without `--profile docker-compat`), a selection that matches no image, an unknown rule.
    Usage(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(p, e) => write!(f, "{p}: {e}"),
            Error::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// Validate an image layout directory, an archive holding one (tar, tar.gz, tar.zst; told apart by content, not
/// by name), or a single JSON document. `-` reads stdin.
pub fn validate(path: &Path, opts: &Options) -> Result<Report, Error> {
    let opts = &opts.start_clock();
    // `docker://…` (a registry), `oci:DIR[:REF]` and `oci-archive:FILE[:REF]` (skopeo's names for local inputs).
    match remote::input(path, opts)? {
        remote::Input::Registry(r) => return remote::validate_registry(r, opts),
        remote::Input::Catalogue(r) => return catalog::validate_catalogue(r, opts),
        remote::Input::Local(p, opts) => return validate(&p, &opts),
        remote::Input::Path => {}
    }
    let display = path.display().to_string();
    if path.as_os_str() == "-" {
        return match source::archive::ArchiveSource::from_stdin_with(
            &source::archive::StreamLimits::from_options(opts),
        )
        .map_err(|e| Error::Io("stdin".into(), e))?
        {
            source::archive::Opened::Archive(src) => {
                misfit(sniff::not_a_layout_archive(src.as_ref(), "stdin"))?;
                layout_report(src.as_ref(), "-", opts)
            }
            source::archive::Opened::Document(bytes) => {
                misfit(stream_misfit("stdin", &bytes))?;
                no_selection(opts)?;
                docker_document("stdin", &bytes.bytes, opts)?;
                validate_stream_document("-", "-", bytes, opts)
            }
        };
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::Io(display.clone(), e))?;
    if meta.is_dir() {
        misfit(sniff::not_a_layout_dir(path, &display))?;
        let src = source::dir::DirSource::open_with(path, Some(opts.budget()))
            .map_err(|e| Error::Io(display.clone(), e))?;
        return layout_report(&src, &display, opts);
    }
    if !meta.is_file() {
        // A named pipe or `<(…)`: no random access, so it is read once into memory, like stdin.
        let name = path
            .file_name()
            .map_or_else(|| display.clone(), |n| n.to_string_lossy().into_owned());
        return match source::archive::ArchiveSource::from_stream_path_with(
            path,
            &source::archive::StreamLimits::from_options(opts),
        )
        .map_err(|e| Error::Io(display.clone(), e))?
        {
            source::archive::Opened::Archive(src) => {
                misfit(sniff::not_a_layout_archive(src.as_ref(), &display))?;
                layout_report(src.as_ref(), &display, opts)
            }
            source::archive::Opened::Document(bytes) => {
                misfit(stream_misfit(&display, &bytes))?;
                no_selection(opts)?;
                docker_document(&display, &bytes.bytes, opts)?;
                validate_stream_document(&name, &display, bytes, opts)
            }
        };
    }
    if let Some(head) = file_head(path, 8) {
        misfit(sniff::unreadable_bytes(&display, &head))?;
    }
    if let Some(src) = source::archive::ArchiveSource::open_path_with(
        path,
        &source::archive::StreamLimits::from_options(opts),
    )
    .map_err(|e| Error::Io(display.clone(), e))?
    {
        misfit(sniff::not_a_layout_archive(&src, &display))?;
        return layout_report(&src, &display, opts);
    }
    no_selection(opts)?;
    let name = path
        .file_name()
        .map_or_else(|| display.clone(), |n| n.to_string_lossy().into_owned());
    // Never more than --max-json-size in memory, however large the file.
    let file = std::fs::File::open(path).map_err(|e| Error::Io(display.clone(), e))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, opts.max_json_size.saturating_add(1)),
        &mut bytes,
    )
    .map_err(|e| Error::Io(display.clone(), e))?;
    if bytes.len() as u64 > opts.max_json_size {
        return Ok(oversized_document(&name, &display, meta.len(), opts));
    }
    docker_document(&display, &bytes, opts)?;
    validate_document(&name, &display, bytes, opts)
}

/// An input that is not what the user thinks (see [`sniff`]) is a usage error.
fn misfit(hint: Option<String>) -> Result<(), Error> {
    hint.map_or(Ok(()), |h| Err(Error::Usage(h)))
}

/// A Docker manifest or manifest list given alone is not validated without `--profile docker-compat` (or an
/// explicit `--media-type`): a usage error that says so, as IDX022 does in a layout.
fn docker_document(display: &str, bytes: &[u8], opts: &Options) -> Result<(), Error> {
    if opts.docker_compat() || opts.media_type.is_some() {
        return Ok(());
    }
    misfit(sniff::docker_document(display, bytes))
}

/// The first `n` bytes of a file (fewer when it is shorter), or `None` when it cannot be read (the caller's own
/// open then reports why).
fn file_head(path: &Path, n: u64) -> Option<Vec<u8>> {
    let f = std::fs::File::open(path).ok()?;
    let mut head = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(f, n), &mut head).ok()?;
    Some(head)
}

/// [`sniff::unreadable_bytes`] for a stream that is not an archive.
fn stream_misfit(what: &str, doc: &source::archive::StreamDocument) -> Option<String> {
    if doc.total == 0 || !doc.bytes.is_empty() {
        sniff::unreadable_bytes(what, &doc.bytes)
    } else {
        None
    }
}

/// The report on a single document too large to read (`--max-json-size`): one finding that says so.
pub(crate) fn oversized_document(name: &str, display: &str, size: u64, opts: &Options) -> Report {
    let mut graph = walk::Graph {
        spec: Some(opts.spec),
        ..walk::Graph::default()
    };
    graph.note_file(name);
    graph.oversized.push((name.to_string(), size, Vec::new()));
    let checked = run_checks(&mut graph, None, None, Verify::Done, opts, None);
    finish(
        Input {
            path: display.to_string(),
            kind: "document",
            media_type: opts.media_type.clone(),
            media_type_source: Some(if opts.media_type.is_some() {
                "flag"
            } else {
                "none"
            }),
        },
        checked,
        &graph,
        opts,
    )
}

/// A document read from a stream (stdin, a named pipe): `bytes` hold at most `--max-json-size` + 1 bytes, and
/// `total` what the stream held.
fn validate_stream_document(
    name: &str,
    display: &str,
    bytes: source::archive::StreamDocument,
    opts: &Options,
) -> Result<Report, Error> {
    if bytes.total > opts.max_json_size {
        return Ok(oversized_document(name, display, bytes.total, opts));
    }
    validate_document(name, display, bytes.bytes, opts)
}

fn no_selection(opts: &Options) -> Result<(), Error> {
    if let Some(s) = opts.shard {
        return Err(Error::Usage(format!(
            "--shard {s}: shares out the images of a layout or an archive, but the input is a single document"
        )));
    }
    if opts.select.is_empty() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{}: picks images of a layout or an archive, but the input is a single document",
            opts.select.describe()
        )))
    }
}

/// Validate a layout; with a selection that matches no image, the usage error that says what there is.
fn layout_report(src: &dyn source::Source, display: &str, opts: &Options) -> Result<Report, Error> {
    let (report, unmatched) = layout_report_inner(src, display, opts);
    match unmatched {
        Some(msg) => Err(Error::Usage(msg)),
        None => Ok(report),
    }
}

/// Validate an image layout from any source (a directory, an archive).
#[doc(hidden)]
pub fn validate_layout(src: &dyn source::Source, display: &str, opts: &Options) -> Report {
    layout_report_inner(src, display, &opts.start_clock()).0
}

fn layout_report_inner(
    src: &dyn source::Source,
    display: &str,
    opts: &Options,
) -> (Report, Option<String>) {
    // A batch of images at a time, where that applies; else the whole walk, then its checks.
    let (graph, mut checked, batched) =
        match src.tree().filter(|_| checks::batches::applies(src, opts)) {
            Some(tree) => {
                let b = checks::batches::check(src, tree, opts);
                (b.graph, b.checked, Some((b.images, b.not_validated)))
            }
            None => {
                let (graph, checked) = walk_and_check(src, opts);
                (graph, checked, None)
            }
        };
    let archive = src.archive();
    if archive.is_some_and(|a| a.docker_legacy) {
        // Not an OCI layout at all: the archive rules say so once; the layout rules would only repeat it.
        checked.findings.retain(|f| f.code.starts_with("ARC"));
        checked.not_listed.retain(|n| n.code.starts_with("ARC"));
        checked.limits.retain(|l| l.code.starts_with("ARC"));
    }
    let (mut images, not_validated) = match batched {
        Some((images, n)) => (images, n),
        None => (
            select::images(&graph),
            coverage::not_validated(&graph, opts),
        ),
    };
    if let Some(s) = opts.shard {
        // Each image is listed by one shard, that of the index.json entry that first reached it (the head of its
        // via), so that the shards' lists are disjoint and together the whole run's.
        images.retain(|i| shard::entry_position(&i.via).is_some_and(|k| s.of_entry(k) == s.index));
    }
    let unmatched = (!opts.select.is_empty() && images.is_empty()).then(|| {
        // What there is to pick from: a walk of the JSON documents without the selection.
        let all = Options {
            select: select::Selection::default(),
            ..opts.clone()
        };
        format!(
            "{}: no image of {display} matches ({})",
            opts.select.describe(),
            select::available(&walk::walk_layout(src, &all))
        )
    });
    let mut report = finish(
        Input {
            path: display.to_string(),
            kind: if archive.is_some() {
                "archive"
            } else {
                "layout"
            },
            media_type: None,
            media_type_source: None,
        },
        checked,
        &graph,
        opts,
    );
    report.images_selected = !opts.select.is_empty() || opts.shard.is_some();
    if let Some(s) = opts.shard {
        let files = report
            .findings
            .iter()
            .map(|f| f.location.file.as_str())
            .chain(report.not_listed.iter().map(|n| n.file.as_str()))
            .chain(images.iter().map(|i| &*i.file));
        report.shard = Some(report::ShardInfo {
            index: s.index,
            count: s.count,
            order: shard::ranks(&graph, files)
                .into_iter()
                .map(|(f, r)| (src.display_path(&f).into_owned(), r))
                .collect(),
        });
    }
    report.images = Some(images);
    if opts.fast {
        report.skipped = Some(fast_skipped(&graph, opts));
    }
    display_locations(&mut report.findings, src);
    report.not_validated = not_validated;
    for i in report
        .not_validated
        .iter_mut()
        .flat_map(|n| n.items.iter_mut())
    {
        if let std::borrow::Cow::Owned(f) = src.display_path(&i.file) {
            i.file = f;
        }
        for v in &mut i.via {
            if let std::borrow::Cow::Owned(x) = src.display_path(v) {
                *v = x;
            }
        }
    }
    display_notes(&mut report.not_listed, src);
    if let Some(g) = &mut report.contents {
        g.relocate(|p| src.display_path(p).into_owned());
    }
    (report, unmatched)
}

/// A layout's whole walk, then its checks (with `--shard`, those of the shard).
fn walk_and_check(src: &dyn source::Source, opts: &Options) -> (Graph, Checked) {
    // The root documents are checked as soon as they are read, by the run that owns them.
    let mut early = None;
    let mut graph = if opts.shard.is_none_or(|s| s.has_layout()) {
        walk::walk_layout_checking_roots(src, opts, &mut |g| early = Some(Early::check(g, opts)))
    } else {
        walk::walk_layout(src, opts)
    };
    if let Some(s) = opts.shard {
        let scope = shard::Plan::of(&graph).shard(&graph, src.entries(), s);
        graph.scope = Some(scope);
    }
    let verify = Verify::for_source(src);
    if verify == Verify::Done {
        verify::verify(src, &mut graph, opts);
    }
    let checked = run_checks(
        &mut graph,
        Some(src.entries()),
        Some(src),
        verify,
        opts,
        early,
    );
    (graph, checked)
}

/// Locations as the source shows its files (the one place a layout path becomes what the report prints: for an
/// archive whose layout sits under a directory, the path inside the archive). Archive findings already name
/// archive entries.
pub(crate) fn display_locations(findings: &mut [Finding], src: &dyn source::Source) {
    let shown = |p: &mut String| {
        if let std::borrow::Cow::Owned(s) = src.display_path(p) {
            *p = s;
        }
    };
    for f in findings.iter_mut().filter(|f| !f.code.starts_with("ARC")) {
        shown(&mut f.location.file);
        f.location.via.iter_mut().for_each(shown);
    }
}

/// The notes of findings not listed, located as the findings are.
pub(crate) fn display_notes(notes: &mut [report::NotListed], src: &dyn source::Source) {
    let shown = |p: &mut String| {
        if let std::borrow::Cow::Owned(s) = src.display_path(p) {
            *p = s;
        }
    };
    for n in notes.iter_mut().filter(|n| !n.code.starts_with("ARC")) {
        shown(&mut n.file);
        n.via.iter_mut().for_each(shown);
    }
}

/// What `--fast` left out: the layer blobs it verified by digest and size only, and the rules that did not run.
fn fast_skipped(graph: &Graph, opts: &Options) -> report::Skipped {
    let (layers, bytes) = verify::layer_blobs(graph, opts);
    report::Skipped::fast(layers, bytes, fast_not_run(opts))
}

/// The enabled rules that read layer contents, which `--fast` does not run.
pub(crate) fn fast_not_run(opts: &Options) -> Vec<&'static str> {
    let all: Vec<&'static Rule> = rules::all().collect();
    let policy = Policy::new(&all, opts.spec, &opts.effective_overrides());
    all.iter()
        .filter(|r| rules::layer::reads_layer_contents(r) && policy.severity(r.code).is_some())
        .map(|r| r.code)
        .collect()
}

/// How a single document's kind was decided.
pub(crate) fn document_kind(
    bytes: &[u8],
    flag: Option<&str>,
) -> Result<(DocKind, &'static str), Error> {
    if let Some(m) = flag {
        return DocKind::from_media_type(m)
            .map(|k| (k, "flag"))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--media-type {m}: not a JSON media type of the OCI image spec"
                ))
            });
    }
    let parsed = json::parse_limited(bytes, DEFAULT_MAX_JSON_VALUES);
    let v = parsed.value.as_ref();
    let has = |k: &str| v.and_then(|v| v.get(k)).is_some();
    // A bare descriptor names the media type of what it points at, so it is recognised by its digest first.
    if has("digest") && !has("schemaVersion") && !has("manifests") && !has("config") {
        return Ok((DocKind::Descriptor, "shape"));
    }
    if let Some(k) = v
        .and_then(|v| v.get("mediaType"))
        .and_then(json::Value::as_str)
        .and_then(DocKind::from_media_type)
    {
        return Ok((k, "field"));
    }
    // An image config has a `config` member too (its execution parameters), so `rootfs` and the platform decide
    // first; a manifest's `config` is a descriptor.
    let config_is_descriptor = v
        .and_then(|v| v.get("config"))
        .is_some_and(|c| c.get("digest").is_some() || c.get("mediaType").is_some());
    let shape = if has("imageLayoutVersion") {
        Some(DocKind::OciLayout)
    } else if has("manifests") {
        Some(DocKind::Index)
    } else if has("rootfs") || (has("architecture") && has("os") && !config_is_descriptor) {
        Some(DocKind::Config)
    } else if has("config") || has("layers") {
        Some(DocKind::Manifest)
    } else {
        None
    };
    match shape {
        Some(k) => Ok((k, "shape")),
        // Not JSON at all: its kind cannot be known, but the syntax error is still a finding. No kind-specific
        // check runs on a document that did not parse.
        None if parsed.value.is_none() => Ok((DocKind::Manifest, "none")),
        None => Err(Error::Usage(
            "cannot tell what kind of document this is (no known mediaType, no recognisable fields); give --media-type"
                .into(),
        )),
    }
}

/// Validate a single JSON document held in memory: `name` is how locations name it, `display` the input path
/// the report shows. Its kind comes from [`Options::media_type`], else its `mediaType`, else its shape.
pub fn validate_document(
    name: &str,
    display: &str,
    bytes: Vec<u8>,
    opts: &Options,
) -> Result<Report, Error> {
    let opts = &opts.start_clock();
    let (kind, how) = document_kind(&bytes, opts.media_type.as_deref())?;
    let mut graph = walk::walk_document(name, bytes, kind, opts);
    let checked = run_checks(&mut graph, None, None, Verify::Done, opts, None);
    Ok(finish(
        Input {
            path: display.to_string(),
            kind: "document",
            media_type: (how != "none").then(|| kind.media_type().to_string()),
            media_type_source: Some(how),
        },
        checked,
        &graph,
        opts,
    ))
}

pub(crate) fn finish(input: Input, checked: Checked, graph: &Graph, opts: &Options) -> Report {
    let Checked {
        mut findings,
        not_listed,
        limits,
        limits_total,
    } = checked;
    sort_findings(&mut findings, graph);
    let summary = Report::summarize(&findings, &not_listed);
    Report {
        tool: TOOL,
        spec: opts.spec.as_str(),
        input,
        findings,
        summary,
        images: None,
        images_selected: false,
        shard: None,
        skipped: None,
        incomplete: report::Incomplete::of(limits, limits_total),
        not_validated: None,
        not_listed,
        settings: None,
        suppressed: None,
        contents: opts
            .content_graph
            .then(|| report::contents::of_graph(graph)),
        fingerprints: None,
    }
}

/// The threshold for exit status 1 from a `--fail-on` value.
#[doc(hidden)]
pub fn parse_fail_on(s: &str) -> Option<Option<Severity>> {
    match s {
        "error" => Some(Some(Severity::Error)),
        "warning" => Some(Some(Severity::Warning)),
        "info" => Some(Some(Severity::Info)),
        "never" => Some(None),
        _ => None,
    }
}

/// Render `reports` (one section per input) in `format`, as `ocicheck validate --format FORMAT` prints them:
/// without colour, with paths as the reports hold them, and (JUnit) failing the test cases of errors, the
/// command line's default `--fail-on`. `opts` are those of the run: the SARIF, JUnit and HTML formats describe
/// the rules as they were configured. The HTML report draws the content graph only when the run kept it
/// ([`OptionsBuilder::content_graph`]).
pub fn render(format: Format, reports: &[Report], opts: &Options) -> String {
    let cx = output::Context {
        opts,
        fail_on: Some(Severity::Error),
        color: false,
        cwd: None,
    };
    output::render(format, reports, &cx)
}
