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

use check::{DescCx, DocCx, ImageCx, LayoutCx, Out};
use rule::{Check, Policy, Rule};
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
    graph.file_order.insert(name.into(), 0);
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
    let mut checked = run_checks(
        &mut graph,
        Some(src.entries()),
        Some(src),
        verify,
        opts,
        early,
    );
    let archive = src.archive();
    if archive.is_some_and(|a| a.docker_legacy) {
        // Not an OCI layout at all: the archive rules say so once; the layout rules would only repeat it.
        checked.findings.retain(|f| f.code.starts_with("ARC"));
        checked.not_listed.retain(|n| n.code.starts_with("ARC"));
        checked.limits.retain(|l| l.code.starts_with("ARC"));
    }
    let mut images = select::images(&graph);
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
    report.not_validated = coverage::not_validated(&graph, opts);
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

/// What the checks found: the findings listed, the notes of those counted but not listed, and the limits that
/// kept something from being checked (the first [`check::MAX_LIMIT_HITS`], and how many in all).
pub(crate) struct Checked {
    pub findings: Vec<Finding>,
    pub not_listed: Vec<report::NotListed>,
    pub limits: Vec<report::LimitHit>,
    pub limits_total: usize,
}

/// Sort findings by file (in the order the walk met them), then position, code and message; drop exact duplicates.
pub(crate) fn sort_findings(findings: &mut Vec<Finding>, graph: &Graph) {
    let order = |f: &Finding| graph.rank(f.location.file.as_str()).unwrap_or(usize::MAX);
    // File (in walk order), then the chain that reached it, so each file's findings stay together; then position
    // in the file (line, column, pointer, tar entry in stream order), code and message.
    findings.sort_by(|a, b| {
        (
            order(a),
            &a.location.file,
            &a.location.via,
            a.location.line,
            a.location.column,
        )
            .cmp(&(
                order(b),
                &b.location.file,
                &b.location.via,
                b.location.line,
                b.location.column,
            ))
            .then_with(|| a.location.pointer.cmp(&b.location.pointer))
            .then_with(|| a.location.entry.cmp(&b.location.entry))
            .then_with(|| a.code.cmp(b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
}

/// The rules a run applies, at their levels.
fn enabled_rules(
    all: &[&'static Rule],
    policy: &Policy,
    opts: &Options,
) -> Vec<(&'static Rule, Severity)> {
    all.iter()
        .filter_map(|r| policy.severity(r.code).map(|s| (*r, s)))
        // With --fast no layer pass ran: the report lists these rules as not run.
        .filter(|(r, _)| !(opts.fast && rules::layer::reads_layer_contents(r)))
        .collect()
}

/// A layout's root documents (`oci-layout`, `index.json`) checked as soon as the walk has read them, before it
/// reads anything `index.json` names ([`walk::walk_layout_checking_roots`]): their schemas and document rules read
/// their whole trees, which are then held with nothing else (the tree of an `index.json` of 10,000 entries is
/// 7.6 MB). What they found goes on with the rest of the run's checks ([`run_checks`]), which check their
/// descriptors, `index.json`'s a group of entries at a time.
pub(crate) struct Early {
    sink: check::Sink,
    /// The documents checked.
    docs: Vec<usize>,
    cut: Option<String>,
}

impl Early {
    /// Check every document of `graph` (the walk calls this before it follows anything: the root documents).
    pub(crate) fn check(graph: &Graph, opts: &Options) -> Early {
        let all: Vec<&'static Rule> = rules::all().collect();
        let policy = Policy::new(&all, opts.spec, &opts.effective_overrides());
        let enabled = enabled_rules(&all, &policy, opts);
        let per_doc: Vec<&(&'static Rule, Severity)> = enabled
            .iter()
            .filter(|(r, _)| !matches!(r.check, Check::Layout(_)))
            .collect();
        let mut sink = check::Sink::with_budget(opts.max_findings, opts.budget());
        let deadline = opts.run_deadline();
        let late = || deadline.is_some_and(|d| std::time::Instant::now() >= d);
        let mut cut = None;
        let docs: Vec<&walk::Doc> = graph.docs.iter().collect();
        for (i, doc) in docs.iter().enumerate() {
            if late() {
                cut = Some(format!(
                    "the schemas of {} of {} documents were not checked, and no rule ran but those that report limits",
                    docs.len() - i,
                    docs.len()
                ));
                break;
            }
            schema_check(graph, doc, rules::schema_owners(), &policy, opts, &mut sink);
        }
        let scope = Scope {
            graph,
            entries: None,
            docs: &docs,
            descs: &[],
            blobs: None,
            opts,
        };
        scope.run_rules(&per_doc, &mut sink, &late, &mut cut, |code, n| {
            format!(
                "the root documents (oci-layout, index.json) were not checked by every rule ({code} was running when it passed; {} of {} rules were left on the one it was checking), and no rule ran but those that report limits",
                per_doc.len() - n,
                per_doc.len()
            )
        });
        Early {
            sink,
            docs: docs.iter().map(|d| d.id).collect(),
            cut,
        }
    }
}

/// Run the schemas and every enabled rule over a graph. The run's deadline (`--max-time`) holds here too: past
/// it, the rules left do not run (nor the rest of the one running), and a finding says so (LAY014).
///
/// The schemas and the document, descriptor and image rules run group by group of documents (in walk order): a
/// group's documents are parsed again with what their checks read (a manifest's config, `index.json`), checked,
/// and dropped, so that a layout's parsed trees are never all held at once. With [`Verify::PerGroup`] the blobs a
/// group reaches are verified just before its checks, and the layers no later group reaches are checked by the
/// layout-level layer rules right after them and their facts released, so that a layout's layers are not all held
/// at once either. The other layout-level rules run last, on what the graph keeps of every document and blob.
pub(crate) fn run_checks(
    graph: &mut Graph,
    entries: Option<&[source::Entry]>,
    src: Option<&dyn source::Source>,
    verify: Verify,
    opts: &Options,
    early: Option<Early>,
) -> Checked {
    let all: Vec<&'static Rule> = rules::all().collect();
    let policy = Policy::new(&all, opts.spec, &opts.effective_overrides());
    let owners = rules::schema_owners();
    let deadline = opts.run_deadline();
    let late = || deadline.is_some_and(|d| std::time::Instant::now() >= d);
    // What the root documents' own checks found while the walk had read nothing else, and where the checks
    // stopped at the deadline, if they did.
    let (mut sink, early_docs, mut cut) = match early {
        Some(e) => (e.sink, e.docs, e.cut),
        None => (
            check::Sink::with_budget(opts.max_findings, opts.budget()),
            Vec::new(),
            None,
        ),
    };

    // The documents this run checks: all of them, or those of its shard or step.
    let ids: Vec<usize> = match &graph.scope {
        Some(s) => s
            .docs
            .iter()
            .copied()
            .filter(|&i| i < graph.docs.len())
            .collect(),
        None => (0..graph.docs.len()).collect(),
    };
    let enabled = enabled_rules(&all, &policy, opts);
    type Enabled<'r> = Vec<&'r (&'static Rule, Severity)>;
    let (per_doc, layout): (Enabled, Enabled) = enabled
        .iter()
        .partition(|(r, _)| !matches!(r.check, Check::Layout(_)));
    // The layout-level rules that read what the layer pass found, for blobs checked (and released) group by group.
    let of_layers: Enabled = layout
        .iter()
        .copied()
        .filter(|(r, _)| rules::layer::reads_layer_contents(r))
        .collect();
    // A shard's or step's own entries, taken out of its scope (read only here, and the graph is borrowed mutably
    // while the groups are checked).
    let layout_entries: Option<Vec<source::Entry>> = match (&mut graph.scope, entries) {
        (Some(s), Some(_)) => Some(std::mem::take(&mut s.entries)),
        _ => None,
    };

    // `index.json` checked early is checked in parts here: its descriptors, a group of entries at a time.
    let in_parts = graph
        .parts_of_index_json()
        .filter(|(d, _)| graph.flat && early_docs.contains(d));
    let groups = doc_groups(graph, &ids, in_parts);
    // Its descriptors: the entries of `manifests` by position (in walk order, so sorted), and the others.
    let (index_entries, index_others): (Vec<(u32, usize)>, Vec<usize>) = match in_parts {
        Some((d, _)) => {
            let (entries, others): (Vec<&walk::DescOcc>, Vec<&walk::DescOcc>) = graph
                .descs_of(d)
                .partition(|x| x.entry_position().is_some());
            (
                entries
                    .iter()
                    .filter_map(|x| Some((x.entry_position()?, x.id)))
                    .collect(),
                others.iter().map(|x| x.id).collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    debug_assert!(index_entries.windows(2).all(|w| w[0].0 < w[1].0));
    let mut parts = match (verify, src) {
        (Verify::PerGroup, Some(src)) => Some((
            src,
            verify::Verifier::new(src, graph, opts),
            Lifetimes::of(graph, &groups),
        )),
        _ => None,
    };
    let mut checked = 0;
    for (gi, group) in groups.iter().enumerate() {
        // The descriptors this group checks: those of its documents, or a part of `index.json`'s entries.
        let mut desc_ids: Vec<usize> = match &group.entries {
            Some(range) => {
                // Looked up in the list by position, not by a scan of every entry for each group (an index.json
                // of a million entries has 15,625 groups); the first group also checks `subject`.
                let at = |k: u32| index_entries.partition_point(|(p, _)| *p < k);
                let mut ids: Vec<usize> = index_entries[at(range.start)..at(range.end)]
                    .iter()
                    .map(|(_, i)| *i)
                    .collect();
                if range.start == 0 {
                    ids.extend(index_others.iter().copied());
                }
                ids
            }
            None => group
                .docs
                .iter()
                .flat_map(|&d| graph.descs_of(d))
                .map(|x| x.id)
                .collect(),
        };
        // This group's blobs verified first (those an earlier group has not), when verification goes with the
        // checks.
        let mut release = Vec::new();
        if let Some((src, v, life)) = &mut parts {
            let (reached, last) = life.blobs(graph, &desc_ids, gi);
            v.run(*src, graph, opts, Some(&reached));
            release = last;
        }
        let mut parse: Vec<usize> = group.docs.iter().flat_map(|&d| graph.needs(d)).collect();
        parse.sort_unstable();
        parse.dedup();
        graph.load(&parse, src, opts);
        if let Some(range) = &group.entries
            && !graph.load_parts(range.clone(), src, opts)
        {
            // Not checked (and so listed as not validated) rather than checked against nothing.
            desc_ids.clear();
        }
        {
            let graph: &Graph = graph;
            // Those checked early have had their schemas and document rules.
            let docs: Vec<&walk::Doc> = group
                .docs
                .iter()
                .filter(|i| !early_docs.contains(i))
                .filter_map(|&i| graph.docs.get(i))
                .collect();
            if cut.is_none() {
                for (i, &doc) in docs.iter().enumerate() {
                    if late() {
                        cut = Some(format!(
                            "the schemas of {} of {} documents were not checked, and no rule ran but those that report limits",
                            ids.len() - checked - i,
                            ids.len()
                        ));
                        break;
                    }
                    schema_check(graph, doc, owners, &policy, opts, &mut sink);
                }
            }
            // The descriptors, with the blob each points at, looked up once for all descriptor rules.
            let descs: Vec<(&walk::DescOcc, Option<&walk::Blob>)> = desc_ids
                .iter()
                .filter_map(|&i| graph.descs.get(i))
                .map(|d| (d, d.blob_path().and_then(|p| graph.blobs.get(&*p))))
                .collect();
            let scope = Scope {
                graph,
                entries,
                docs: &docs,
                descs: &descs,
                blobs: None,
                opts,
            };
            scope.run_rules(&per_doc, &mut sink, &late, &mut cut, |code, n| {
                format!(
                    "{} of {} documents were not checked by every rule ({code} was running when it passed; {} of {} rules were left on the one it was checking), and no rule ran on them but those that report limits",
                    ids.len() - checked,
                    ids.len(),
                    per_doc.len() - n,
                    per_doc.len()
                )
            });
            if !release.is_empty() {
                // The layers no later group reaches: their own rules run now, and then their facts can go.
                let scope = Scope {
                    graph,
                    entries: layout_entries.as_deref().or(entries),
                    docs: &[],
                    descs: &[],
                    blobs: Some(&release),
                    opts,
                };
                scope.run_rules(&of_layers, &mut sink, &late, &mut cut, |code, n| {
                    layout_rules_cut(code, n, of_layers.len())
                });
            }
        }
        if parts.is_some() {
            graph.release_layers(release.iter().map(|p| &**p));
        }
        checked += group.docs.len();
        graph.unload(&parse, opts);
        if group.entries.is_some() {
            // The bytes stay for the next part.
            let next_part = groups.get(gi + 1).is_some_and(|g| g.entries.is_some());
            graph.unload_parts(!next_part, opts);
        }
    }
    if let Some((src, mut v, _)) = parts {
        // What no group reached (blobs no document of this run points at) is verified last, and checked with the
        // layout.
        v.run(src, graph, opts, None);
        v.finish(graph);
    }

    let graph: &Graph = graph;
    let docs: Vec<&walk::Doc> = ids.iter().filter_map(|&i| graph.docs.get(i)).collect();
    let entries = layout_entries.as_deref().or(entries);
    let scope = Scope {
        graph,
        entries,
        docs: &docs,
        descs: &[],
        blobs: None,
        opts,
    };
    scope.run_rules(&layout, &mut sink, &late, &mut cut, |code, n| {
        layout_rules_cut(code, n, layout.len())
    });
    stopped_replays(graph, &docs, &policy, opts, &mut sink);
    if let Some(what) = cut {
        let rule = &rules::layout::run_time_limit::RULE;
        if let Some(sev) = policy.severity(rule.code) {
            let origin = rule.origin(opts.spec);
            let mut out = Out::new(&origin, sev, graph, None, &mut sink);
            out.limit(
                report::Location::file(match (entries, docs.first()) {
                    (None, Some(doc)) => &*doc.file,
                    _ => "index.json",
                }),
                format!(
                    "the run reached --max-time ({} s) during the checks: {what}",
                    opts.max_time.as_secs()
                ),
                Some("--max-time"),
            );
        }
    }
    let (mut limits, mut limits_total) = sink.take_limits();
    debug_assert!(
        limits.iter().all(|l| rules::reports_limits(l.code)),
        "a rule reports limits without being in rules::LIMIT_RULES: {limits:?}"
    );
    let (mut findings, mut not_listed) = sink.finish();
    // Findings the memory budget kept out of the report are counted, not listed: a limit too, since the report
    // cannot show them (the other notes are the user's own caps, --max-findings).
    for n in not_listed.iter().filter(|n| n.limit == "max-memory") {
        limits_total += 1;
        if limits.len() < check::MAX_LIMIT_HITS {
            limits.push(report::LimitHit {
                code: n.code,
                file: n.file.clone(),
                raise: Some("--max-memory"),
                message: n.message.clone(),
            });
        }
    }
    if let Some(s) = &graph.scope {
        // The document, descriptor and image rules ran on this step's documents only, and their findings are this
        // step's wherever they are located (an image's platform disagreeing with its index.json entry is reported
        // in index.json by the shard of the image). The layout-level rules looked at the whole layout: of theirs,
        // only what is located in this step's own files.
        let layout: std::collections::HashSet<&str> = all
            .iter()
            .filter(|r| matches!(r.check, Check::Layout(_)))
            .map(|r| r.code)
            .collect();
        findings.retain(|f| !layout.contains(f.code) || s.owns(&f.location.file));
        not_listed.retain(|n| !layout.contains(n.code) || s.owns(&n.file));
        let before = limits.len();
        limits.retain(|l| !layout.contains(l.code) || s.owns(&l.file));
        limits_total -= before - limits.len();
    }
    Checked {
        findings,
        not_listed,
        limits,
        limits_total,
    }
}

/// What the deadline left undone when it passed during the `n`th of `of` layout-level rules (`code`).
fn layout_rules_cut(code: &str, n: usize, of: usize) -> String {
    format!(
        "{} of {of} layout-level rules were not run, or not to the end ({code} was running when it passed), but those that report limits",
        of - n
    )
}

/// The cross-layer replays that the node limit stopped (computed by the image rules that ran): a limit of LYR003
/// each, at the manifest (one the time limit stopped is the run's LAY014).
fn stopped_replays(
    graph: &Graph,
    docs: &[&walk::Doc],
    policy: &Policy,
    opts: &Options,
    sink: &mut check::Sink,
) {
    let rule = &rules::layer::decompression_limit::RULE;
    let Some(sev) = policy.severity(rule.code) else {
        return;
    };
    let mut stopped: Vec<(usize, String)> = match graph.layer_stacks.lock() {
        Ok(stacks) => stacks
            .by_manifest
            .iter()
            .filter_map(|(m, s)| s.stopped.clone().map(|why| (*m, why)))
            .filter(|(_, why)| !why.contains(layer::tree::TIME_STOP))
            .collect(),
        Err(_) => return,
    };
    stopped.sort();
    let origin = rule.origin(opts.spec);
    for (m, why) in stopped {
        let Some(&doc) = docs.iter().find(|d| d.id == m) else {
            continue;
        };
        let mut out = Out::new(&origin, sev, graph, Some(doc), sink);
        out.limit(
            report::Location {
                via: graph.via_of_doc(doc.id),
                ..report::Location::file(doc.file.to_string())
            },
            format!("the image's layers were checked one by one, but {why}"),
            None,
        );
    }
}

/// What the rules of one run check: the graph, the layout's entries (none for a single document), and the
/// documents and descriptors in scope (all of them, or those of a shard or step).
struct Scope<'g> {
    graph: &'g Graph,
    entries: Option<&'g [source::Entry]>,
    docs: &'g [&'g walk::Doc],
    descs: &'g [(&'g walk::DescOcc, Option<&'g walk::Blob>)],
    /// The blobs the layout-level rules look at, when not all of the run's (see [`LayoutCx::only`]).
    blobs: Option<&'g [std::sync::Arc<str>]>,
    opts: &'g Options,
}

impl Scope<'_> {
    /// Run `list` in order until `late()` says the deadline has passed, then (as when `cut` is already set) only
    /// those that report limits, so that the report names every limit it hit. When the deadline passes during the
    /// `n`th rule, `cut` gets `why(its code, n)`.
    fn run_rules(
        &self,
        list: &[&(&'static Rule, Severity)],
        sink: &mut check::Sink,
        late: &dyn Fn() -> bool,
        cut: &mut Option<String>,
        why: impl Fn(&str, usize) -> String,
    ) {
        for (n, &&(rule, sev)) in list.iter().enumerate() {
            if cut.is_some() {
                if rules::reports_limits(rule.code) {
                    self.run_rule(rule, sev, sink, &|| false);
                }
                continue;
            }
            self.run_rule(rule, sev, sink, late);
            if late() {
                *cut = Some(why(rule.code, n));
            }
        }
    }

    /// Run one enabled rule over what it checks, stopping between nodes once `late()` says the deadline has
    /// passed.
    fn run_rule(
        &self,
        rule: &'static Rule,
        sev: Severity,
        sink: &mut check::Sink,
        late: &dyn Fn() -> bool,
    ) {
        let Scope {
            graph,
            entries,
            docs,
            descs,
            blobs,
            opts,
        } = *self;
        let origin = rule.origin(opts.spec);
        match rule.check {
            Check::Schema => {}
            Check::Layout(f) => {
                // A single document has no layout: of the layout-level rules, only the document limits apply.
                let doc_limit =
                    entries.is_none() && rule.code == rules::json::document_too_large::RULE.code;
                if let Some(entries) = entries.or(doc_limit.then_some(&[][..])) {
                    let cx = LayoutCx {
                        graph,
                        entries,
                        only: blobs,
                        opts,
                    };
                    let mut out = Out::new(&origin, sev, graph, None, sink);
                    f(&cx, &mut out);
                }
            }
            Check::Document(f) => {
                for &doc in docs {
                    if late() {
                        return;
                    }
                    let cx = DocCx { graph, doc, opts };
                    let mut out = Out::new(&origin, sev, graph, Some(doc), sink);
                    f(&cx, &mut out);
                }
            }
            Check::Descriptor(f) => {
                for &(desc, blob) in descs {
                    if late() {
                        return;
                    }
                    let doc = &graph.docs[desc.doc];
                    let cx = DescCx {
                        graph,
                        desc,
                        doc,
                        blob,
                        opts,
                    };
                    let mut out = Out::new(&origin, sev, graph, Some(doc), sink);
                    f(&cx, &mut out);
                }
            }
            Check::Image(f) => {
                for &manifest in docs.iter().filter(|d| d.kind == DocKind::Manifest) {
                    if late() {
                        return;
                    }
                    let config = graph.config_of(manifest.id);
                    let cx = ImageCx {
                        graph,
                        manifest,
                        config,
                        opts,
                    };
                    let mut out = Out::new(&origin, sev, graph, Some(manifest), sink);
                    f(&cx, &mut out);
                }
            }
        }
    }
}

/// Whether a run's blobs are verified before its checks, or group by group with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verify {
    /// Before `run_checks` (or never: a single document, a registry's images verified as they come).
    Done,
    /// With each group of documents, the blobs it reaches; a layer's facts are released once the last group that
    /// reaches it is checked, so that a layout's layers are not all held at once.
    PerGroup,
}

impl Verify {
    /// Group by group where reading blobs in any order is as fast (a directory; a compressed archive decompresses
    /// forward only, so its blobs are read in one pass in archive order).
    pub(crate) fn for_source(src: &dyn source::Source) -> Verify {
        match src.tree() {
            Some(t) if t.any_order() => Verify::PerGroup,
            _ => Verify::Done,
        }
    }
}

/// The group in which each blob is reached for the last time.
struct Lifetimes {
    /// Each document's group (`u32::MAX`: in none).
    group_of: Vec<u32>,
    /// Of `index.json` checked in parts: its id, and the group of its first entries (the others follow, one group
    /// per [`GROUP_DOCS`] entries).
    parts: Option<(usize, usize)>,
}

impl Lifetimes {
    fn of(graph: &Graph, groups: &[Group]) -> Lifetimes {
        let mut group_of = vec![u32::MAX; graph.docs.len()];
        let mut parts = None;
        for (gi, g) in groups.iter().enumerate() {
            for &d in &g.docs {
                if let Some(slot) = group_of.get_mut(d) {
                    *slot = u32::try_from(gi).unwrap_or(u32::MAX);
                }
            }
            if g.entries.as_ref().is_some_and(|r| r.start == 0) {
                parts = graph.parts_of_index_json().map(|(d, _)| (d, gi));
            }
        }
        Lifetimes { group_of, parts }
    }

    /// The group that checks a descriptor.
    fn group_of(&self, d: &walk::DescOcc) -> u32 {
        match self.parts {
            Some((doc, first)) if d.doc == doc => {
                let k = d.entry_position().unwrap_or(0) as usize / GROUP_DOCS;
                u32::try_from(first + k).unwrap_or(u32::MAX)
            }
            _ => self.group_of.get(d.doc).copied().unwrap_or(u32::MAX),
        }
    }

    /// The blobs the descriptors `descs` of group `gi` point at (sorted), and of those the ones no later group
    /// points at.
    fn blobs(
        &self,
        graph: &Graph,
        descs: &[usize],
        gi: usize,
    ) -> (Vec<std::sync::Arc<str>>, Vec<std::sync::Arc<str>>) {
        let mut reached: Vec<std::sync::Arc<str>> = descs
            .iter()
            .filter_map(|&i| graph.descs.get(i))
            .filter_map(|d| d.blob_path())
            .filter_map(|p| {
                graph
                    .blobs
                    .get_key_value(p.as_str())
                    .map(|(k, _)| k.clone())
            })
            .collect();
        reached.sort_unstable();
        reached.dedup();
        let last = reached
            .iter()
            .filter(|p| {
                // No later group reaches it. Looked for from the last reference back: references are in walk
                // order, as groups are, so for a blob that 200,000 entries name this stops at once in every group
                // but the last (a scan of every reference in every group was quadratic).
                graph.blobs.get(&***p).is_some_and(|b| {
                    !b.refs
                        .iter()
                        .rev()
                        .filter_map(|&r| graph.descs.get(r))
                        .map(|d| self.group_of(d))
                        .any(|g| g != u32::MAX && g as usize > gi)
                })
            })
            .cloned()
            .collect();
        (reached, last)
    }
}

/// Schema validation of one parsed document.
fn schema_check(
    graph: &Graph,
    doc: &walk::Doc,
    owners: &std::collections::HashMap<&'static str, &'static Rule>,
    policy: &Policy,
    opts: &Options,
    sink: &mut check::Sink,
) {
    let Some(v) = doc.value() else { return };
    for e in schema::validate_document(doc.kind, v, &|value| schema_input(doc, value, opts)) {
        let Some(rule) = owners.get(e.location.as_str()) else {
            // Every keyword is owned (a test checks it); an unowned one would be a catalogue defect.
            continue;
        };
        let Some(sev) = policy.severity(rule.code) else {
            continue;
        };
        let origin = rule.origin(opts.spec);
        let mut out = Out::new(&origin, sev, graph, Some(doc), sink);
        out.at(&e.pointer, e.message);
    }
}

/// At most this many documents, or this many bytes of them, are checked together (and parsed at once, with what
/// their checks read).
const GROUP_DOCS: usize = 64;
const GROUP_BYTES: usize = 4 << 20;

/// What one step of the checks takes at once.
#[derive(Debug, Default)]
struct Group {
    /// Documents, with their descriptors.
    docs: Vec<usize>,
    /// Or entries of `index.json`'s `manifests` (by position), when it is checked in parts.
    entries: Option<std::ops::Range<u32>>,
}

/// The documents to check, in order, cut into groups: consecutive in walk order (an index's manifests, then their
/// configs), so that what is parsed at once stays small however many images there are. Documents of an input that
/// is no layout are all resident: one group. `index.json` checked in parts (`in_parts`: its id and how many entries
/// it has) gives a group of descriptors per [`GROUP_DOCS`] entries, in its place.
fn doc_groups(graph: &Graph, docs: &[usize], in_parts: Option<(usize, usize)>) -> Vec<Group> {
    if !graph.flat {
        return vec![Group {
            docs: docs.to_vec(),
            entries: None,
        }];
    }
    let mut groups = Vec::new();
    let mut group = Vec::new();
    let mut bytes = 0usize;
    for &d in docs {
        if let Some((_, n)) = in_parts.filter(|(p, _)| *p == d) {
            if !group.is_empty() {
                groups.push(Group {
                    docs: std::mem::take(&mut group),
                    entries: None,
                });
                bytes = 0;
            }
            // At least one group, which also checks its `subject`.
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            let step = GROUP_DOCS as u32;
            let mut start = 0u32;
            loop {
                let end = start.saturating_add(step).min(n);
                groups.push(Group {
                    docs: Vec::new(),
                    entries: Some(start..end),
                });
                if end >= n {
                    break;
                }
                start = end;
            }
            continue;
        }
        bytes = bytes.saturating_add(graph.docs[d].len);
        group.push(d);
        if group.len() >= GROUP_DOCS || bytes >= GROUP_BYTES {
            groups.push(Group {
                docs: std::mem::take(&mut group),
                entries: None,
            });
            bytes = 0;
        }
    }
    if !group.is_empty() {
        groups.push(Group {
            docs: group,
            entries: None,
        });
    }
    groups
}

/// The value a document's schema sees: with `--profile docker-compat`, a Docker manifest, manifest list or config
/// names its OCI equivalent in `mediaType`, so that only what differs from the OCI format is reported.
fn schema_input(doc: &walk::Doc, value: &mut serde_json::Value, opts: &Options) {
    if opts.docker_compat()
        && let Some(m) = value.get_mut("mediaType")
        && let Some(oci) = m.as_str().and_then(mediatype::oci_equivalent)
        && DocKind::from_media_type(oci) == Some(doc.kind)
    {
        *m = serde_json::Value::String(oci.to_string());
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
