//! The corpus as a product: `ocicheck conformance list`, `export` and `run`.
//!
//! - [`entries`] describes every case in a form any tool can read: its kind (layout directory, archive, single
//!   document), its expected verdict (`valid`, `invalid-must`, `warn-should`), its clause ids and expected codes,
//!   and whether the expectation holds for any validator (`portable`) or only under ocicheck-specific settings
//!   (a resource limit, a profile, injected I/O faults).
//! - [`export`](mod@export) materialises every case as real files plus `index.json` and `cases.tsv`, the manifest of
//!   expectations.
//! - [`run`] runs any validator (a command line with `{}` for the case's path) over an export and scores its exit
//!   statuses; [`run::compare`] puts several runs side by side (the matrix of `docs/compliance.md`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::corpus::{self, Case, CaseKind};

pub mod cli;
pub mod export;
pub mod run;

pub use export::export;

/// One case as the manifest of an export describes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// `group/NAME`, e.g. `manifest/MAN001-schema-version-not-2`.
    pub id: String,
    /// `layout`, `archive` or `document`.
    pub kind: String,
    /// The spec document the case is about (`layout`, `descriptor`, `manifest`, `index`, `config`, `annotation`,
    /// `json`, `layer`, `archive`): a bad case's group; for a valid case, the document of its first clause.
    pub document: String,
    /// `valid`, `invalid-must` (a MUST is broken: a validator must reject it) or `warn-should` (only a SHOULD or
    /// an optional check is broken: accepting and rejecting are both defensible).
    pub verdict: String,
    /// The input, relative to the export directory.
    pub path: String,
    /// The spec version the expectation is for (`v1.1.1` or `main`).
    pub spec: String,
    /// Whether the expectation holds for any validator run with its defaults; otherwise `requires` says what
    /// ocicheck-specific setting it depends on.
    pub portable: bool,
    #[serde(default)]
    pub requires: Vec<String>,
    /// The ocicheck flags the case runs with (beyond the input path).
    #[serde(default)]
    pub flags: Vec<String>,
    /// The rule codes ocicheck reports, exactly.
    pub expect: Vec<String>,
    pub clauses: Vec<String>,
    /// For a document: its media type (from the case, its `mediaType`, or its shape).
    #[serde(default)]
    pub media_type: Option<String>,
    /// For a document: `manifest`, `index`, `config`, `oci-layout` or `descriptor`.
    #[serde(default)]
    pub doc_kind: Option<String>,
    /// For a layout: the first `org.opencontainers.image.ref.name` of its `index.json`, if any.
    #[serde(default, rename = "ref")]
    pub ref_name: Option<String>,
    pub description: String,
}

/// The manifest written as `index.json` at the root of an export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// `ocicheck-conformance/1`.
    pub format: String,
    /// The ocicheck version that exported it.
    pub exporter: String,
    pub cases: Vec<Entry>,
}

pub const MANIFEST_FORMAT: &str = "ocicheck-conformance/1";

/// The document a case is about.
fn document_of(case: &Case) -> String {
    let group = case.id.split('/').next().unwrap_or_default();
    if case.file.kind == CaseKind::Archive || group == "archive" {
        return "archive".into();
    }
    if group != "valid" && group != "tools" {
        return group.to_string();
    }
    let doc = case
        .file
        .clauses
        .first()
        .and_then(|c| crate::clauses::lookup(c))
        .map_or("", |c| c.doc);
    match doc {
        "image-layout.md" => "layout",
        "descriptor.md" => "descriptor",
        "manifest.md" => "manifest",
        "image-index.md" => "index",
        "config.md" => "config",
        "annotations.md" => "annotation",
        "considerations.md" => "json",
        "layer.md" => "layer",
        _ => "layout",
    }
    .to_string()
}

fn kind_str(k: CaseKind) -> &'static str {
    match k {
        CaseKind::Layout => "layout",
        CaseKind::Archive => "archive",
        CaseKind::Document => "document",
    }
}

/// The ocicheck flags of a case, and the settings among them that make its expectation ocicheck-specific.
fn flags_of(case: &Case) -> (Vec<String>, Vec<String>) {
    let o = &case.file.options;
    let mut flags = Vec::new();
    let mut requires = Vec::new();
    if let Some(s) = &o.spec {
        flags.extend(["--spec".to_string(), s.clone()]);
    }
    if let Some(p) = &o.profile {
        flags.extend(["--profile".to_string(), p.clone()]);
        requires.push(format!("--profile {p}"));
    }
    if let Some(m) = &o.media_type {
        flags.extend(["--media-type".to_string(), m.clone()]);
    }
    for (flag, list) in [
        ("--allow", &o.allow),
        ("--warn", &o.warn),
        ("--deny", &o.deny),
    ] {
        for c in list {
            flags.extend([flag.to_string(), c.clone()]);
        }
    }
    // --deny turns a lesser finding into an error: a policy, not the spec.
    for c in &o.deny {
        requires.push(format!("--deny {c}"));
    }
    if let Some(m) = o.max_json_size {
        flags.extend(["--max-json-size".to_string(), m.to_string()]);
        requires.push(format!("--max-json-size {m}"));
    }
    if let Some(m) = o.max_layer_size {
        flags.extend(["--max-layer-size".to_string(), m.to_string()]);
        requires.push(format!("--max-layer-size {m}"));
    }
    if let Some(m) = o.max_layer_ratio {
        flags.extend(["--max-layer-ratio".to_string(), m.to_string()]);
        requires.push(format!("--max-layer-ratio {m}"));
    }
    for (flag, v) in [
        ("--max-blob-time", o.max_blob_time),
        ("--max-time", o.max_time),
    ] {
        if let Some(s) = v {
            flags.extend([flag.to_string(), s.to_string()]);
            requires.push(format!("{flag} {s}"));
        }
    }
    for p in &o.unreadable {
        requires.push(format!(
            "{p} unreadable (I/O fault injected by the test runner)"
        ));
    }
    (flags, requires)
}

/// The first `org.opencontainers.image.ref.name` of an `index.json`.
pub(crate) fn first_ref(index_json: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(index_json).ok()?;
    v.get("manifests")?
        .as_array()?
        .iter()
        .find_map(|m| {
            m.get("annotations")?
                .get("org.opencontainers.image.ref.name")?
                .as_str()
        })
        .map(str::to_string)
}

/// The input's file name inside the case's export directory.
fn input_name(case: &Case) -> String {
    case.input_path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into())
}

/// Describe one case (without its bytes; [`export()`] fills in `ref`).
pub fn entry(case: &Case) -> Result<Entry, String> {
    let (flags, requires) = flags_of(case);
    let spec = case
        .file
        .options
        .spec
        .as_deref()
        .and_then(crate::Spec::parse)
        .unwrap_or_default();
    let (media_type, doc_kind) = if case.file.kind == CaseKind::Document {
        let bytes = std::fs::read(case.input_path()).unwrap_or_default();
        match crate::document_kind(&bytes, case.file.options.media_type.as_deref()) {
            Ok((k, _)) => (
                Some(k.media_type().to_string()),
                Some(
                    match k {
                        crate::walk::DocKind::OciLayout => "oci-layout",
                        crate::walk::DocKind::Index => "index",
                        crate::walk::DocKind::Manifest => "manifest",
                        crate::walk::DocKind::Config => "config",
                        crate::walk::DocKind::Descriptor => "descriptor",
                    }
                    .to_string(),
                ),
            ),
            Err(_) => (None, None),
        }
    } else {
        (None, None)
    };
    Ok(Entry {
        id: case.id.clone(),
        kind: kind_str(case.file.kind).into(),
        document: document_of(case),
        verdict: case.verdict()?.into(),
        path: format!("{}/{}", case.id, input_name(case)),
        spec: spec.as_str().into(),
        portable: requires.is_empty(),
        requires,
        flags,
        expect: case.file.expect.clone(),
        clauses: case.file.clauses.clone(),
        media_type,
        doc_kind,
        ref_name: None,
        description: case.file.description.clone(),
    })
}

/// Every case of the corpus under `root`, described.
pub fn entries(root: &Path) -> Result<Vec<Entry>, String> {
    corpus::load_all(root)?.iter().map(entry).collect()
}

/// `conformance list`: one line per case.
pub fn list_text(entries: &[Entry]) -> String {
    let w = entries.iter().map(|e| e.id.len()).max().unwrap_or(0);
    let mut s = String::new();
    for e in entries {
        let mut extra = Vec::new();
        if e.spec != crate::Spec::V1_1_1.as_str() {
            extra.push(format!("spec {}", e.spec));
        }
        if !e.portable {
            extra.push(format!("ocicheck-specific: {}", e.requires.join(", ")));
        }
        s.push_str(&format!(
            "{:<w$}  {:<8}  {:<12}  {:<22}  {}{}\n",
            e.id,
            e.kind,
            e.verdict,
            if e.expect.is_empty() {
                "-".to_string()
            } else {
                e.expect.join(",")
            },
            e.clauses.join(","),
            if extra.is_empty() {
                String::new()
            } else {
                format!("  ({})", extra.join("; "))
            },
        ));
    }
    let count = |v: &str| entries.iter().filter(|e| e.verdict == v).count();
    s.push_str(&format!(
        "\n{} cases: {} valid, {} invalid-must, {} warn-should\n",
        entries.len(),
        count("valid"),
        count("invalid-must"),
        count("warn-should")
    ));
    s
}

/// The JSON manifest (also `conformance list --format json`).
pub fn manifest_json(entries: &[Entry]) -> String {
    let m = Manifest {
        format: MANIFEST_FORMAT.into(),
        exporter: format!("{} {}", crate::TOOL.name, crate::TOOL.version),
        cases: entries.to_vec(),
    };
    let mut s = serde_json::to_string_pretty(&m).unwrap_or_default();
    s.push('\n');
    s
}

/// `cases.tsv`: one line per case, tab-separated, lists comma-separated, `-` for nothing.
pub fn cases_tsv(entries: &[Entry]) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let or_dash = |s: String| if s.is_empty() { "-".to_string() } else { s };
    let mut s = String::from(
        "id\tkind\tdocument\tverdict\tpath\tspec\tportable\texpect\tclauses\tmedia_type\tref\trequires\tdescription\n",
    );
    for e in entries {
        let row = [
            clean(&e.id),
            e.kind.clone(),
            e.document.clone(),
            e.verdict.clone(),
            clean(&e.path),
            e.spec.clone(),
            e.portable.to_string(),
            or_dash(e.expect.join(",")),
            or_dash(e.clauses.join(",")),
            or_dash(e.media_type.clone().unwrap_or_default()),
            or_dash(clean(&e.ref_name.clone().unwrap_or_default())),
            or_dash(clean(&e.requires.join("; "))),
            clean(&e.description),
        ];
        s.push_str(&row.join("\t"));
        s.push('\n');
    }
    s
}
