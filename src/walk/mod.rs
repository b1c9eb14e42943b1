//! The content graph: documents, the descriptors inside them, and the blobs they point at, each with the chain of
//! descriptors that first reached it ("via").
//!
//! The walk starts at `index.json` (or the single document), follows descriptors by media type, parses JSON
//! documents (each blob read once, however many descriptors point at it), and treats everything else as an opaque
//! blob. Unknown media types are walked as opaque blobs, never reported as errors. Blob verification (digests and
//! sizes of everything not already read as JSON) runs afterwards, in parallel, in [`crate::verify`].

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Read;
use std::sync::{Arc, Mutex};

use crate::digest::{Algorithm, Digest};
use crate::json::{self, Value};
use crate::mediatype as mt;
use crate::source::{BlobStat, BlobStore, EntryKind, FileTree, RootDoc, Source};
use crate::{Options, Spec};

pub use crate::kind::DocKind;

mod batches;
pub(crate) use batches::{Batch, Batches, Earlier};
pub use batches::{RefAt, RefKind};

/// A JSON document the walk read. Its parsed tree (and, in a layout, its bytes: they are read again and compared
/// with what was walked) is kept while the walk follows what it holds and while its own checks run (see [`Graph::load`]), unless it is resident
/// (every document of an input that is not a layout). What other documents' checks and the report read of it is in
/// [`Doc::facts`], so that a layout of 10,000 images never holds 10,000 parsed trees at once.
#[derive(Debug)]
pub struct Doc {
    pub id: usize,
    /// Shared with the record of the blob it was read from, when it was one (one copy of the path).
    pub file: Arc<str>,
    pub kind: DocKind,
    /// Its bytes and parsed tree while it is loaded or resident ([`Doc::bytes`], [`Doc::parsed`]): out of line,
    /// so that the records of a layout's 20,000 documents, unloaded but for a group at a time, stay small.
    held: Option<Box<Held>>,
    /// How many bytes it has (also while they are not held).
    pub len: usize,
    /// The SHA-256 of its bytes, when they are dropped with the tree: what they are checked against when read
    /// again.
    sum: Option<[u8; 32]>,
    /// The descriptor occurrence that first reached it (the last step of its via chain: see
    /// [`Graph::via_of_doc`]).
    pub referrer: Option<usize>,
    pub is_index_json: bool,
    /// Kept parsed for the whole run.
    pub resident: bool,
    /// What others read of it, taken when it was parsed.
    pub facts: DocFacts,
}

/// What the checks of other documents, the verification of layers and the report read of a document, recorded
/// when it is parsed (its tree is not kept: see [`Doc`]).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DocFacts {
    /// JSON values it holds (what its parsed tree costs the memory budget).
    pub values: usize,
    /// It parsed to a value.
    pub has_value: bool,
    /// `mediaType`, as a string (the same few strings for thousands of documents: one copy of each).
    pub media_type: Option<Arc<str>>,
    /// `artifactType` is there (whatever its type).
    pub has_artifact_type: bool,
    /// `artifactType`, as a string.
    pub artifact_type: Option<Arc<str>>,
    /// `config.mediaType`, as a string.
    pub config_media_type: Option<Arc<str>>,
    /// Of an image config: those of `os`, `architecture`, `variant` and `os.version` that are strings (what the
    /// index entries that lead to it are compared with: see [`DocFacts::platform_field`]).
    pub platform_fields: Box<[(&'static str, Arc<str>)]>,
    /// Of an image config: per `rootfs.diff_ids[i]`, the digest algorithm it names when this tool verifies it.
    pub diff_algorithms: Box<[Option<Algorithm>]>,
}

/// The fields of an image config that an index entry's `platform` also gives.
const PLATFORM_FIELDS: [&str; 4] = ["os", "architecture", "variant", "os.version"];

impl DocFacts {
    /// Of an image config: its field `key` (one of `os`, `architecture`, `variant`, `os.version`), if it is a
    /// string.
    pub fn platform_field(&self, key: &str) -> Option<&str> {
        self.platform_fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| &**v)
    }

    /// Of an image config: `os/arch[/variant]`, when `os` and `architecture` are strings.
    pub fn platform(&self) -> Option<String> {
        let f = |k| self.platform_field(k);
        let mut t = format!("{}/{}", f("os")?, f("architecture")?);
        if let Some(v) = f("variant") {
            t.push('/');
            t.push_str(v);
        }
        Some(t)
    }

    fn of(kind: DocKind, parsed: &json::Parsed, spec: Spec, strings: &mut Interner) -> DocFacts {
        let mut f = DocFacts {
            values: parsed.values,
            ..DocFacts::default()
        };
        let Some(v) = parsed.value.as_ref() else {
            return f;
        };
        let mut text = |x: Option<&Value>| {
            x.and_then(Value::as_str)
                .map(|s| strings.intern(s.to_string()))
        };
        f.has_value = true;
        f.media_type = text(v.get("mediaType"));
        f.has_artifact_type = v.get("artifactType").is_some();
        f.artifact_type = text(v.get("artifactType"));
        f.config_media_type = text(v.get("config").and_then(|c| c.get("mediaType")));
        if kind == DocKind::Config {
            f.platform_fields = PLATFORM_FIELDS
                .iter()
                .filter_map(|&k| Some((k, strings.intern(v.get(k)?.as_str()?.to_string()))))
                .collect();
            f.diff_algorithms = v
                .pointer("/rootfs/diff_ids")
                .and_then(Value::as_array)
                .unwrap_or_default()
                .iter()
                .map(|d| {
                    d.as_str()
                        .and_then(Digest::parse)
                        .and_then(|d| d.verifiable(spec))
                })
                .collect();
        }
        f
    }
}

/// What a document holds while it is loaded (by default: nothing yet).
#[derive(Debug, Default)]
struct Held {
    bytes: Arc<Vec<u8>>,
    /// `None` while only the bytes are held.
    parsed: Option<json::Parsed>,
    /// Of a document checked a part at a time ([`Graph::load_parts`]): the entries of its `manifests` loaded now, by
    /// position (sorted), and the JSON values they hold (what they cost the memory budget).
    parts: Vec<(u32, Value)>,
    parts_values: usize,
    /// Line and column lookups, built on first use.
    lines: std::sync::OnceLock<json::LineIndex>,
}

/// What an unloaded document shows of its parse.
static NOT_PARSED: json::Parsed = json::Parsed {
    value: None,
    error: None,
    notices: Vec::new(),
    notices_dropped: 0,
    values: 0,
    too_many_values: false,
};

impl Doc {
    /// A document just read and parsed.
    fn new(file: Arc<str>, kind: DocKind, bytes: Arc<Vec<u8>>, parsed: json::Parsed) -> Doc {
        Doc {
            id: 0,
            file,
            kind,
            len: bytes.len(),
            held: Some(Box::new(Held {
                bytes,
                parsed: Some(parsed),
                ..Held::default()
            })),
            sum: None,
            referrer: None,
            is_index_json: false,
            resident: false,
            facts: DocFacts::default(),
        }
    }

    pub fn value(&self) -> Option<&Value> {
        self.parsed().value.as_ref()
    }

    /// Of a document checked a part at a time (`index.json`): the entry at `position` of its `manifests` (or its
    /// `subject`, [`SUBJECT_PART`]), while it is loaded ([`Graph::load_parts`]).
    fn part(&self, position: u32) -> Option<&Value> {
        let parts = &self.held.as_ref()?.parts;
        let i = parts.binary_search_by_key(&position, |(p, _)| *p).ok()?;
        parts.get(i).map(|(_, v)| v)
    }

    /// The value at a JSON pointer: in the parsed tree while it is loaded, or else in a part loaded
    /// ([`Doc::part`]).
    pub fn resolve(&self, pointer: &str) -> Option<&Value> {
        if let Some(v) = self.value() {
            return v.pointer(pointer);
        }
        if let Some(rest) = pointer.strip_prefix("/subject")
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return self.part(SUBJECT_PART)?.pointer(rest);
        }
        let rest = pointer.strip_prefix("/manifests/")?;
        let (k, rest) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        self.part(k.parse().ok().filter(|&k| k != SUBJECT_PART)?)?
            .pointer(rest)
    }

    /// The parsed document while it is loaded; an empty parse otherwise.
    pub fn parsed(&self) -> &json::Parsed {
        self.held
            .as_ref()
            .and_then(|h| h.parsed.as_ref())
            .unwrap_or(&NOT_PARSED)
    }

    /// Its bytes while it is loaded (or resident); empty otherwise.
    pub fn bytes(&self) -> &[u8] {
        self.held.as_ref().map_or(&[], |h| &h.bytes[..])
    }

    /// Whether it holds its parsed tree now.
    pub fn loaded(&self) -> bool {
        self.held.as_ref().is_some_and(|h| h.parsed.is_some())
    }

    /// 1-based line and column of a byte offset (cheap however many findings a document draws).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        match &self.held {
            Some(h) => h
                .lines
                .get_or_init(|| json::LineIndex::new(&h.bytes))
                .line_col(&h.bytes, offset),
            None => json::LineIndex::new(&[]).line_col(&[], offset),
        }
    }

    /// Drop the parsed tree (unless resident), giving its share of the memory budget back; the bytes go too when
    /// they can be read again ([`Doc::sum`]). Their share of the budget stays reserved, as if they were held: the
    /// bytes of one file may back two documents (one blob parsed as two kinds).
    fn unload(&mut self, memory: &crate::memory::Budget) {
        if self.resident || !self.loaded() {
            return;
        }
        self.unload_tree(memory);
        if self.sum.is_some() {
            self.held = None;
        }
    }

    /// Drop its parsed tree, keeping its bytes.
    fn unload_tree(&mut self, memory: &crate::memory::Budget) {
        if self.resident || !self.loaded() {
            return;
        }
        if let Some(h) = &mut self.held {
            h.parsed = None;
            h.lines = std::sync::OnceLock::new();
        }
        memory.release(crate::memory::Use::Json, self.tree_cost());
    }

    /// Whether its bytes are held now.
    fn has_bytes(&self) -> bool {
        self.bytes().len() == self.len
    }

    /// What its parsed tree (and the schema's copy of it) costs the memory budget: [`json_cost`] less the bytes.
    fn tree_cost(&self) -> u64 {
        json_cost(self.len, self.facts.values).saturating_sub(self.len as u64)
    }

    /// Parse the document again from its bytes (the same bytes, so the same tree), within the memory budget.
    /// `bytes`: what was read again, when they were not held.
    fn reload(
        &mut self,
        bytes: Option<Vec<u8>>,
        memory: &crate::memory::Budget,
    ) -> Result<(), crate::memory::Exhausted> {
        if self.loaded() {
            return Ok(());
        }
        memory.try_reserve(crate::memory::Use::Json, self.tree_cost())?;
        let held = self.held.get_or_insert_with(Box::default);
        if let Some(b) = bytes {
            held.bytes = Arc::new(b);
        }
        // The first parse stayed within its limit, so this one does (it holds the same values).
        held.parsed = Some(json::parse_limited(&held.bytes, self.facts.values.max(1)));
        Ok(())
    }
}

/// The SHA-256 of a document's bytes.
fn sum_of(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// Where a descriptor sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An entry of an index's `manifests` (including `index.json`).
    IndexEntry,
    /// A manifest's `config`.
    Config,
    /// A manifest's `layers[i]`.
    Layer(usize),
    /// A manifest's or index's `subject`.
    Subject,
    /// The input itself is a descriptor.
    Root,
}

/// One descriptor, where it appears.
#[derive(Debug)]
pub struct DescOcc {
    pub id: usize,
    /// The document that holds it.
    pub doc: usize,
    /// Of an index entry, its position in `manifests` (where it sits: see [`DescOcc::pointer`]).
    position: u32,
    pub role: Role,
    pub digest: Option<Digest>,
    /// The document parsed from the blob it points at, if it is a JSON kind this tool reads.
    pub target_doc: Option<usize>,
    /// Its `mediaType` and `size` (read where it sits when recorded: the holder's tree is not kept).
    pub media_type: Option<Arc<str>>,
    pub size: Option<i64>,
    /// What only some descriptors have (most are layers and configs, which have none of it).
    rare: Option<Box<DescRare>>,
}

/// The fields of a [`DescOcc`] that most descriptors leave empty, kept behind one pointer.
#[derive(Debug, Default)]
struct DescRare {
    digest_text: Option<String>,
    platform: Option<String>,
    ref_name: Option<String>,
}

/// The digest a descriptor names, if it parses.
fn digest_of(desc: &Value) -> Option<Digest> {
    desc.get("digest")
        .and_then(Value::as_str)
        .and_then(Digest::parse)
}

/// What a [`DescOcc`] records of the descriptor's value.
struct DescFacts {
    digest: Option<Digest>,
    media_type: Option<String>,
    size: Option<i64>,
    digest_text: Option<String>,
    platform: Option<String>,
    ref_name: Option<String>,
}

impl DescFacts {
    fn of(d: &Value, role: Role) -> DescFacts {
        let digest = digest_of(d);
        DescFacts {
            digest_text: digest
                .is_none()
                .then(|| d.get("digest").and_then(Value::as_str))
                .flatten()
                .map(|s| json::shorten(s, 80)),
            digest,
            media_type: d
                .get("mediaType")
                .and_then(Value::as_str)
                .map(str::to_string),
            size: d.get("size").and_then(Value::as_i64),
            platform: (role == Role::IndexEntry)
                .then(|| d.get("platform").and_then(crate::selection::platform_text))
                .flatten(),
            ref_name: (role == Role::IndexEntry)
                .then(|| {
                    d.get("annotations")
                        .and_then(|a| a.get(crate::selection::REF_NAME))
                })
                .flatten()
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }
}

/// One shared copy of each media type string the descriptors name (a layout of 10,000 images names a handful).
#[derive(Default)]
struct Interner(std::collections::HashSet<Arc<str>>);

impl Interner {
    fn intern(&mut self, s: String) -> Arc<str> {
        if let Some(a) = self.0.get(s.as_str()) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(a.clone());
        a
    }
}

/// What [`DescOcc::value`] gives when the pointer does not resolve (it always does: descriptors are recorded from
/// the parsed document itself).
static NO_VALUE: Value = Value {
    offset: 0,
    kind: json::Kind::Null,
};

impl DescOcc {
    /// The descriptor's JSON value, read where it sits in the document that holds it (not a copy: an index of
    /// 10,000 images would hold every descriptor twice). Only while that document is loaded ([`Graph::load`]);
    /// what others read of a descriptor is in its fields.
    pub fn value<'g>(&self, g: &'g Graph) -> &'g Value {
        let at = |v: &'g Value, key: &str, i: usize| v.get(key)?.as_array()?.get(i);
        let doc = &g.docs[self.doc];
        match doc.value() {
            Some(v) => match self.role {
                Role::IndexEntry => at(v, "manifests", self.position as usize),
                Role::Layer(i) => at(v, "layers", i),
                Role::Config => v.get("config"),
                Role::Subject => v.get("subject"),
                Role::Root => Some(v),
            },
            // Of `index.json` checked a part at a time, the part that holds it.
            None => match self.role {
                Role::IndexEntry => doc.part(self.position),
                Role::Subject => doc.part(SUBJECT_PART),
                _ => None,
            },
        }
        .unwrap_or(&NO_VALUE)
    }

    /// Where it sits in the document that holds it, as a JSON pointer (`/manifests/3`, `/layers/0`, `/config`,
    /// `/subject`; empty for the input itself): worked out from its role, not kept for each of 50,000 descriptors.
    pub fn pointer(&self) -> String {
        match self.role {
            Role::IndexEntry => format!("/manifests/{}", self.position),
            Role::Layer(i) => format!("/layers/{i}"),
            Role::Config => "/config".to_string(),
            Role::Subject => "/subject".to_string(),
            Role::Root => String::new(),
        }
    }

    /// The `mediaType`, if it is a string.
    pub fn media_type(&self, _g: &Graph) -> Option<&str> {
        self.media_type.as_deref()
    }

    /// The `size` as an int64, if it is one.
    pub fn size(&self, _g: &Graph) -> Option<i64> {
        self.size
    }

    /// Its `digest` as written (shortened), when that is no digest.
    pub fn digest_text(&self) -> Option<&str> {
        self.rare.as_ref()?.digest_text.as_deref()
    }

    /// Of an index entry: its `platform` as `os/arch[/variant]`.
    pub fn platform(&self) -> Option<&str> {
        self.rare.as_ref()?.platform.as_deref()
    }

    /// Of an index entry: its `org.opencontainers.image.ref.name`.
    pub fn ref_name(&self) -> Option<&str> {
        self.rare.as_ref()?.ref_name.as_deref()
    }

    /// Of an index entry, its position in `manifests`.
    pub fn entry_position(&self) -> Option<u32> {
        (self.role == Role::IndexEntry).then_some(self.position)
    }

    /// The blob path it points at, if its digest parses.
    pub fn blob_path(&self) -> Option<String> {
        self.digest.as_ref().map(Digest::blob_path)
    }
}

/// A blob of the layout: present, referenced, or both.
#[derive(Debug, Default)]
pub struct Blob {
    /// Shared with the key of [`Graph::blobs`] (one copy of the path).
    pub path: Arc<str>,
    /// The digest its path spells, if the path is a valid digest.
    pub digest: Option<Digest>,
    /// What is at the path; `None` when nothing is.
    pub entry: Option<EntryKind>,
    pub size: Option<u64>,
    /// The digest of the content, computed with the algorithm its path names (when this tool can verify it):
    /// whether it matched the name, and what it was when it did not.
    pub computed: Option<Computed>,
    /// Why the content could not be read, or how far a time limit let it be read: rare, so kept out of line.
    rare: Option<Box<BlobRare>>,
    /// Descriptor occurrences that point here, in walk order.
    pub refs: Vec<usize>,
    /// Already read whole (as a JSON document) during the walk.
    pub loaded: bool,
    /// Verification tried it (whatever it found, even when the time limit kept it from being read): a later part of
    /// the run does not try again.
    pub read: bool,
    /// What the layer pass found, for blobs a layer descriptor with an OCI layer media type points at.
    pub layer: Option<Box<crate::layer::LayerFacts>>,
    /// Its place in the order files were first met, plus one (0: not met yet): see [`Graph::rank`].
    rank: u32,
}

/// What few blobs have.
#[derive(Debug, Default)]
struct BlobRare {
    /// Why the content could not be read.
    read_error: Option<String>,
    /// Verification was stopped by a time limit (`--max-blob-time`, `--max-time`): what was reached.
    time_limit: Option<String>,
}

impl Blob {
    /// Why the content could not be read.
    pub fn read_error(&self) -> Option<&str> {
        self.rare.as_ref()?.read_error.as_deref()
    }

    /// Verification was stopped by a time limit (`--max-blob-time`, `--max-time`): what was reached.
    pub fn time_limit(&self) -> Option<&str> {
        self.rare.as_ref()?.time_limit.as_deref()
    }

    pub fn set_read_error(&mut self, e: Option<String>) {
        if let Some(r) = self.rare_mut(e.is_some()) {
            r.read_error = e;
        }
    }

    pub fn set_time_limit(&mut self, t: Option<String>) {
        if let Some(r) = self.rare_mut(t.is_some()) {
            r.time_limit = t;
        }
    }

    /// The rare fields, made when `make` (something is to be set) and absent.
    fn rare_mut(&mut self, make: bool) -> Option<&mut BlobRare> {
        if make && self.rare.is_none() {
            self.rare = Some(Box::default());
        }
        self.rare.as_deref_mut()
    }

    pub fn present(&self) -> bool {
        self.entry == Some(EntryKind::File)
    }
}

/// Where the descriptors of a layout's `index.json` start in its bytes.
#[derive(Debug)]
pub struct EntryOffsets {
    /// Its document id.
    doc: usize,
    /// Each entry of `manifests`, by position.
    manifests: Box<[usize]>,
    subject: Option<usize>,
}

/// The key of `index.json`'s `subject` among its parts ([`Doc::part`]).
const SUBJECT_PART: u32 = u32::MAX;

/// Everything the checks look at.
#[derive(Debug, Default)]
pub struct Graph {
    pub spec: Option<Spec>,
    pub docs: Vec<Doc>,
    pub descs: Vec<DescOcc>,
    pub blobs: BTreeMap<Arc<str>, Blob>,
    /// Order in which files were first met (for a stable, readable report order), of the files that have no blob
    /// record: a blob's is in the record (a map of 50,000 paths was 1.6 MB of a layout's peak). See
    /// [`Graph::rank`].
    pub file_order: HashMap<Arc<str>, usize>,
    /// Files met so far.
    pub(crate) files_met: usize,
    /// JSON documents too large to parse: (file, size, via).
    pub oversized: Vec<(String, u64, Vec<String>)>,
    /// Descriptors grouped by the document that holds them and by the document they reach, built on first use
    /// (see [`Graph::descs_of`]).
    pub by_doc: std::sync::OnceLock<DocIndex>,
    /// Why part of a layer went unchecked (`LayerFacts::unchecked_reason`), for layers whose facts were released
    /// once checked ([`Graph::release_layers`]).
    pub released_gaps: HashMap<Arc<str>, String>,
    /// Cross-layer replays, per stack of layer blobs, computed on first use (see `layer::stack_of`).
    pub layer_stacks: Mutex<crate::layer::Stacks>,
    /// The archive the layout came from, if it did (its defects and docker save's `manifest.json`).
    pub archive: Option<crate::source::archive::ArchiveInfo>,
    /// The registry the image came from, if it did: what it answered to each request (for the `REG` rules). Set
    /// once the blobs are verified.
    pub registry: Option<crate::source::registry::Served>,
    /// What the source could not list or read (unreadable directories, its limits).
    pub source_issues: Vec<crate::source::SourceIssue>,
    /// A limit of the listing was reached ([`crate::source::FileTree::complete`]): a path that is not listed may
    /// still be there, so nothing is reported missing for not being listed (the limit's own finding says what was
    /// not checked).
    pub listing_incomplete: bool,
    /// The run's time limit (`--max-time`) was reached: what was left unchecked.
    pub run_time_limit: Option<String>,
    /// JSON values parsed so far (all documents), against `--max-json-values`.
    pub json_values: usize,
    /// Bytes of JSON documents read so far (all documents), against `--max-json-total`.
    pub json_bytes: u64,
    /// JSON documents not parsed because the run's JSON budget was spent: (file, why, via).
    pub over_budget: Vec<(String, String, Vec<String>)>,
    /// With `--shard` or a step of `--format jsonl`: the files this step verifies and checks (`None`: all).
    pub scope: Option<crate::shard::Scope>,
    /// A layout's documents are parsed when their checks run and dropped after ([`Graph::load`]); documents of any
    /// other input stay parsed.
    pub flat: bool,
    /// Of a layout: where `index.json`'s descriptors start in its bytes, so that they can be checked a part at a
    /// time ([`Graph::load_parts`]).
    pub(crate) entry_offsets: Option<EntryOffsets>,
    /// Of a layout walked a batch of `index.json`'s entries at a time ([`Batches`]): the batch whose records the
    /// graph holds.
    pub(crate) batch: Option<Batch>,
    /// Of a layout walked in batches: the files that earlier batches met, with their place in the report order
    /// and the descriptor that first reached them (the paths are the listing's copies). A batch that reaches one of
    /// them again does not check it again, and what its images' rules find there is located by the chain that
    /// first reached the file, as in a walk of the whole layout.
    pub(crate) earlier: Earlier,
}

impl crate::layer::ManifestLayers for Graph {
    fn manifest_layers(&self, manifest: usize) -> Vec<Option<&crate::layer::LayerFacts>> {
        let mut layers: Vec<(usize, Option<&crate::layer::LayerFacts>)> = self
            .descs_of(manifest)
            .filter_map(|d| match d.role {
                Role::Layer(i) => Some((
                    i,
                    d.blob_path()
                        .and_then(|p| self.blobs.get(&*p))
                        .and_then(|b| b.layer.as_deref()),
                )),
                _ => None,
            })
            .collect();
        layers.sort_by_key(|(i, _)| *i);
        layers.into_iter().map(|(_, f)| f).collect()
    }

    fn layer_stacks(&self) -> &Mutex<crate::layer::Stacks> {
        &self.layer_stacks
    }
}

impl Graph {
    /// Whether the input was read from a registry (it has no layout: no `oci-layout`, `index.json` or `blobs/`).
    pub fn from_registry(&self) -> bool {
        self.registry.is_some()
    }

    /// Drop what the layer pass found of the blobs at `paths`, once every rule that reads them has run, and the
    /// cross-layer replays with them (keyed by the facts' addresses, which later facts could reuse).
    pub fn release_layers<'p>(&mut self, paths: impl IntoIterator<Item = &'p str>) {
        for p in paths {
            self.release_layer(p);
        }
        if let Ok(mut stacks) = self.layer_stacks.lock() {
            stacks.release();
        }
    }

    /// Drop what the layer pass found of the blob at `path`: its entry list goes back to the run's memory budget,
    /// and why part of it went unchecked (rare) stays for the report.
    fn release_layer(&mut self, path: &str) {
        let Some(b) = self.blobs.get_mut(path) else {
            return;
        };
        let Some(facts) = b.layer.take() else {
            return;
        };
        if let Some(why) = facts.unchecked_reason() {
            self.released_gaps.insert(b.path.clone(), why);
        }
        if let Some(memory) = facts.tar.budget.as_ref().and_then(|k| k.memory.as_ref()) {
            memory.release(crate::memory::Use::Entries, facts.tar.reserved);
        }
    }

    /// Add a blob under its own path (the key shares the blob's copy).
    fn insert_blob(&mut self, blob: Blob) {
        self.blobs.insert(blob.path.clone(), blob);
    }

    /// The blob record's own copy of `path` when there is a record of that blob (one copy of the path for the
    /// listing, the record, the documents read from it and the plans of a shard), else a new one.
    pub fn shared_path(&self, path: &str) -> Arc<str> {
        match self.blobs.get_key_value(path) {
            Some((k, _)) => k.clone(),
            None => Arc::from(path),
        }
    }

    pub(crate) fn note_file(&mut self, file: &str) {
        if self.rank(file).is_some() {
            return;
        }
        let n = self.files_met;
        self.files_met = n + 1;
        match self.blobs.get_mut(file) {
            Some(b) => b.rank = u32::try_from(n + 1).unwrap_or(u32::MAX),
            None => {
                let key = self.shared_path(file);
                self.file_order.insert(key, n);
            }
        }
    }

    /// A file's place in the order the walk first met files (for a stable, readable report order).
    pub fn rank(&self, file: &str) -> Option<usize> {
        match self.blobs.get(file) {
            Some(b) if b.rank > 0 => Some(b.rank as usize - 1),
            _ => match self.earlier.rank(file) {
                Some(r) => Some(r),
                None => self.file_order.get(file).copied(),
            },
        }
    }

    /// Every file met, with its place in that order (in no particular order).
    pub fn ranks(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        let blobs = self
            .blobs
            .iter()
            .filter(|(_, b)| b.rank > 0)
            .map(|(p, b)| (&**p, b.rank as usize - 1));
        let others = self
            .file_order
            .iter()
            .filter(|(f, _)| self.blobs.get(&***f).is_none_or(|b| b.rank == 0))
            .map(|(f, &r)| (&**f, r));
        blobs.chain(others)
    }

    /// The via chain of a document: the locations of the descriptors from the entry point to the one that first
    /// reached it (empty for an entry point). Worked out from the referrers when asked for, not kept per document
    /// (4 MB for a layout of 10,000 images).
    pub fn via_of_doc(&self, id: usize) -> Vec<String> {
        let Some(doc) = self.docs.get(id) else {
            return Vec::new();
        };
        if self.met_earlier(&doc.file) {
            return self.earlier.via(&doc.file);
        }
        let mut steps = Vec::new();
        let mut at = doc.referrer;
        // A referrer's document was parsed before the one it reaches, so the chain ends; the bound is for safety.
        while let Some(r) = at.filter(|_| steps.len() <= self.docs.len()) {
            let Some(d) = self.descs.get(r) else { break };
            let Some(holder) = self.docs.get(d.doc) else {
                break;
            };
            steps.push(format!("{}#{}", holder.file, d.pointer()));
            if self.met_earlier(&holder.file) {
                // The rest of the chain is the one that first reached the holder, in an earlier batch.
                let mut head = self.earlier.via(&holder.file);
                steps.reverse();
                head.extend(steps);
                return head;
            }
            at = holder.referrer;
        }
        steps.reverse();
        steps
    }

    /// The via chain of a descriptor: the via of its document plus its own location.
    pub fn via_of_desc(&self, d: &DescOcc) -> Vec<String> {
        let mut v = self.via_of_doc(d.doc);
        if let Some(doc) = self.docs.get(d.doc) {
            v.push(format!("{}#{}", doc.file, d.pointer()));
        }
        v
    }

    /// The via chain of a blob: that of the first descriptor that points at it.
    pub fn via_of_blob(&self, path: &str) -> Vec<String> {
        if self.met_earlier(path) {
            return self.earlier.via(path);
        }
        self.blobs
            .get(path)
            .and_then(|b| b.refs.first())
            .map(|&i| self.via_of_desc(&self.descs[i]))
            .unwrap_or_default()
    }

    /// Parse again the documents `ids` (those already parsed stay so), reading from `src` the bytes of those
    /// that do not hold them. A document that does not fit the memory budget, or whose bytes are not what the
    /// walk read, is left unparsed and listed in [`Graph::over_budget`]: its checks do not run, and the report
    /// says so.
    pub fn load(&mut self, ids: &[usize], src: Option<&dyn Source>, opts: &Options) {
        let memory = opts.budget();
        for &i in ids {
            let Some(doc) = self.docs.get(i) else {
                continue;
            };
            let again = match (doc.loaded() || doc.has_bytes(), src) {
                (true, _) => Ok(None),
                (false, Some(src)) => self.read_again(doc, src).map(Some),
                (false, None) => Err("it cannot be read again".to_string()),
            };
            let doc = &mut self.docs[i];
            let why = match again {
                Ok(bytes) => match doc.reload(bytes, &memory) {
                    Ok(()) => continue,
                    Err(e) => over_memory(&e),
                },
                Err(why) => {
                    format!("{why} between the walk and its checks; it was not parsed or checked")
                }
            };
            let (file, via) = (doc.file.to_string(), self.via_of_doc(i));
            if !self.over_budget.iter().any(|(f, _, _)| *f == file) {
                self.over_budget.push((file, why, via));
            }
        }
    }

    /// The bytes of a document the walk read and dropped, read again from the source: only when they are the same
    /// bytes (length and SHA-256), since its findings must be those of what was walked.
    fn read_again(&self, doc: &Doc, src: &dyn Source) -> Result<Vec<u8>, String> {
        let cap = doc.len as u64;
        let read = match self.blobs.get(&*doc.file) {
            Some(b) => BlobAt {
                path: &b.path,
                digest: b.digest.as_ref(),
                media_type: doc.referrer.and_then(|i| self.descs[i].media_type(self)),
                size: None,
            }
            .read_small(src, cap),
            None => match src.tree() {
                Some(t) => t.read_capped(&doc.file, cap),
                None => Err(not_found(&doc.file)),
            },
        };
        match read {
            Ok(Ok(mut b)) if b.len() == doc.len && Some(sum_of(&b)) == doc.sum => {
                b.shrink_to_fit();
                Ok(b)
            }
            Ok(_) => Err("it changed".to_string()),
            Err(e) => Err(format!("it could not be read again ({e})")),
        }
    }

    /// Drop the parsed trees of the documents `ids` that are not resident.
    pub fn unload(&mut self, ids: &[usize], opts: &Options) {
        let memory = opts.budget();
        for &i in ids {
            if let Some(doc) = self.docs.get_mut(i) {
                doc.unload(&memory);
            }
        }
    }

    /// How many entries `index.json`'s `manifests` has when its descriptors can be checked a part at a time (its
    /// document id and that count): a layout's, once the walk recorded where each entry starts.
    pub fn parts_of_index_json(&self) -> Option<(usize, usize)> {
        self.entry_offsets
            .as_ref()
            .map(|o| (o.doc, o.manifests.len()))
    }

    /// Load the entries `positions` of `index.json`'s `manifests` ([`Doc::part`]), and with `subject` its
    /// `subject`: its bytes, read again if they are not held (and then kept until [`Graph::unload_parts`]), and each
    /// descriptor parsed again where it sits, within the memory budget. `false` when they could not be: the document
    /// is then recorded as not validated.
    pub fn load_parts(
        &mut self,
        positions: std::ops::Range<u32>,
        subject: bool,
        src: Option<&dyn Source>,
        opts: &Options,
    ) -> bool {
        let Some(o) = &self.entry_offsets else {
            return false;
        };
        let id = o.doc;
        let subject = o
            .subject
            .filter(|_| subject)
            .map(|at| (SUBJECT_PART, at, 1));
        let at: Vec<(u32, usize, usize)> = positions
            .filter_map(|p| Some((p, *o.manifests.get(p as usize)?, 2)))
            .chain(subject)
            .collect();
        let Some(doc) = self.docs.get(id) else {
            return false;
        };
        let again = match (doc.has_bytes(), src) {
            (true, _) => Ok(None),
            (false, Some(src)) => self.read_again(doc, src).map(Some),
            (false, None) => Err("it cannot be read again".to_string()),
        };
        let memory = opts.budget();
        let doc = &mut self.docs[id];
        let why = match again {
            Ok(bytes) => {
                let held = doc.held.get_or_insert_with(Box::default);
                if let Some(b) = bytes {
                    held.bytes = Arc::new(b);
                }
                let mut why = None;
                for (p, offset, depth) in at {
                    if held.parts.iter().any(|(q, _)| *q == p) {
                        continue;
                    }
                    // The walk parsed the same bytes whole: the descriptor parses again, to the same value.
                    let Some((v, values)) =
                        json::parse_value_at(&held.bytes, offset, depth, doc.facts.values.max(1))
                    else {
                        why = Some(
                            "its entries could not be parsed again for their checks".to_string(),
                        );
                        break;
                    };
                    if let Err(e) =
                        memory.try_reserve(crate::memory::Use::Json, json_cost(0, values))
                    {
                        why = Some(over_memory(&e));
                        break;
                    }
                    held.parts_values += values;
                    held.parts.push((p, v));
                }
                held.parts.sort_unstable_by_key(|(p, _)| *p);
                match why {
                    None => return true,
                    Some(w) => w,
                }
            }
            Err(why) => {
                format!("{why} between the walk and its checks; it was not parsed or checked")
            }
        };
        let (file, via) = (doc.file.to_string(), self.via_of_doc(id));
        if !self.over_budget.iter().any(|(f, _, _)| *f == file) {
            self.over_budget.push((file, why, via));
        }
        false
    }

    /// Drop the parts of `index.json` loaded ([`Graph::load_parts`]), giving their share of the memory budget
    /// back; with `bytes`, its bytes too (when they can be read again).
    pub fn unload_parts(&mut self, bytes: bool, opts: &Options) {
        // A walk in batches reads them for each batch (see `Batches::next`).
        let keep = self.batch.is_some();
        let Some(doc) = self
            .entry_offsets
            .as_ref()
            .and_then(|o| self.docs.get_mut(o.doc))
        else {
            return;
        };
        let Some(held) = &mut doc.held else {
            return;
        };
        opts.budget()
            .release(crate::memory::Use::Json, json_cost(0, held.parts_values));
        held.parts = Vec::new();
        held.parts_values = 0;
        if bytes && !keep && held.parsed.is_none() && doc.sum.is_some() && !doc.resident {
            doc.held = None;
        }
    }

    /// The documents the checks of document `id` read: itself and, for an image manifest (the image rules), its
    /// config. (Not the indexes whose entries reach it: what the rules of an index entry read of the image is in
    /// the documents' facts, so that `index.json` is parsed only for its own checks.)
    pub fn needs(&self, id: usize) -> Vec<usize> {
        let mut v = vec![id];
        if self
            .docs
            .get(id)
            .is_some_and(|d| d.kind == DocKind::Manifest)
        {
            v.extend(
                self.descs_of(id)
                    .filter(|d| d.role == Role::Config)
                    .filter_map(|d| d.target_doc),
            );
        }
        v
    }

    /// The config an image manifest's `config` descriptor reached, if the walk parsed one.
    pub fn config_of(&self, manifest: usize) -> Option<&Doc> {
        self.descs_of(manifest)
            .find(|d| d.role == Role::Config)
            .and_then(|d| d.target_doc)
            .and_then(|i| self.docs.get(i))
    }

    pub fn doc_by_file(&self, file: &str, kind: DocKind) -> Option<&Doc> {
        self.docs
            .iter()
            .find(|d| &*d.file == file && d.kind == kind)
    }

    /// The descriptors a document holds, in walk order. Per-document lookups go through this index instead of
    /// scanning every descriptor (an index of 10,000 images holds 50,000 descriptors). It is built on first use,
    /// so only once the walk is over.
    pub fn descs_of(&self, doc: usize) -> impl Iterator<Item = &DescOcc> + '_ {
        let ix = self.by_doc.get_or_init(|| DocIndex::new(self));
        DocIndex::slice(&ix.held_at, &ix.held, doc)
            .iter()
            .map(|&i| &self.descs[i as usize])
    }

    /// The descriptors that reach a document (whose blob was parsed as it), in walk order.
    pub fn referrers_of(&self, doc: usize) -> impl Iterator<Item = &DescOcc> + '_ {
        let ix = self.by_doc.get_or_init(|| DocIndex::new(self));
        DocIndex::slice(&ix.reach_at, &ix.reach, doc)
            .iter()
            .map(|&i| &self.descs[i as usize])
    }
}

/// Descriptor ids grouped by document (a counting sort: ids stay in walk order within a document). Held as
/// `u32`: a layout of 4 billion descriptors is past every memory budget, and this index is held for the whole run.
#[derive(Debug, Default)]
pub struct DocIndex {
    /// `held[held_at[d]..held_at[d + 1]]`: the descriptors document `d` holds.
    held_at: Vec<u32>,
    held: Vec<u32>,
    /// The same for the descriptors whose `target_doc` is `d`.
    reach_at: Vec<u32>,
    reach: Vec<u32>,
}

impl DocIndex {
    fn new(g: &Graph) -> DocIndex {
        let n = g.docs.len();
        // Descriptors past u32::MAX (none can be: see above) are left out rather than numbered wrong.
        let count = g.descs.len().min(u32::MAX as usize);
        let group = |key: &dyn Fn(&DescOcc) -> Option<usize>| {
            let mut at = vec![0u32; n + 1];
            for k in g.descs[..count].iter().filter_map(key).filter(|&k| k < n) {
                at[k + 1] += 1;
            }
            for i in 0..n {
                at[i + 1] += at[i];
            }
            let mut next = at.clone();
            let mut ids = vec![0u32; at[n] as usize];
            for (i, d) in (0u32..).zip(&g.descs[..count]) {
                if let Some(k) = key(d).filter(|&k| k < n) {
                    ids[next[k] as usize] = i;
                    next[k] += 1;
                }
            }
            (at, ids)
        };
        let (held_at, held) = group(&|d| Some(d.doc));
        let (reach_at, reach) = group(&|d| d.target_doc);
        DocIndex {
            held_at,
            held,
            reach_at,
            reach,
        }
    }

    fn slice<'a>(at: &[u32], ids: &'a [u32], doc: usize) -> &'a [u32] {
        match (at.get(doc), at.get(doc + 1)) {
            (Some(&a), Some(&b)) => ids.get(a as usize..b as usize).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// Build the graph of a layout.
pub fn walk_layout(src: &dyn Source, opts: &Options) -> Graph {
    walk(src, opts, None)
}

/// [`walk_layout`], calling `roots` with the graph as soon as a layout's root documents (`oci-layout`,
/// `index.json`) are read and parsed, before anything `index.json` names is read: their checks that read their
/// whole trees run then, while the walk holds nothing else (see `crate::run_checks`).
pub fn walk_layout_checking_roots(
    src: &dyn Source,
    opts: &Options,
    roots: &mut dyn FnMut(&Graph),
) -> Graph {
    walk(src, opts, Some(roots))
}

fn walk<'a>(
    src: &'a dyn Source,
    opts: &'a Options,
    roots: Option<&'a mut dyn FnMut(&Graph)>,
) -> Graph {
    let mut w = walker(src, opts, roots);
    match src.tree() {
        Some(tree) => {
            let roots = w.roots.take();
            w.start_at_layout(tree, roots);
        }
        None => {
            if let Some(root) = src.root() {
                w.start_at(root);
            }
        }
    }
    w.run();
    if opts.remote.referrers {
        w.follow_referrers();
    }
    if !opts.select.is_empty() {
        // Blobs reached only from entries left out of the selection are neither verified nor unreferenced. A root
        // document the source gave is a blob no descriptor reaches, and stays.
        let roots: std::collections::HashSet<Arc<str>> =
            w.g.docs
                .iter()
                .filter(|d| d.referrer.is_none())
                .map(|d| d.file.clone())
                .collect();
        w.g.blobs
            .retain(|p, b| !b.refs.is_empty() || roots.contains(&**p));
    }
    // Unreferenced blobs go last in the report order, by path.
    let paths: Vec<Arc<str>> = w.g.blobs.keys().cloned().collect();
    for p in paths {
        w.g.note_file(&p);
    }
    // What a time limit left unfollowed holds no tree either; nor do the bytes of JSON blobs stay twice.
    let all: Vec<usize> = (0..w.g.docs.len()).collect();
    w.g.unload(&all, opts);
    // Held until the report is written: no spare capacity from growing (a quarter to a half of these vectors).
    w.g.docs.shrink_to_fit();
    w.g.descs.shrink_to_fit();
    // Most blobs have one referrer, in room for four.
    for b in w.g.blobs.values_mut() {
        b.refs.shrink_to_fit();
    }
    w.g
}

/// A walker at the start of the walk of `src`.
fn walker<'a>(
    src: &'a dyn Source,
    opts: &'a Options,
    roots: Option<&'a mut dyn FnMut(&Graph)>,
) -> Walker<'a> {
    let mut w = Walker {
        src,
        opts,
        g: Graph {
            spec: Some(opts.spec),
            ..Graph::default()
        },
        queue: VecDeque::new(),
        entries: VecDeque::new(),
        visited: HashMap::new(),
        cache: HashMap::new(),
        selection: HashMap::new(),
        memory: opts.budget(),
        pending: HashMap::new(),
        media_types: Interner::default(),
        roots,
        batched: false,
        untaken: 0,
    };
    w.g.archive = src.archive().cloned();
    w.g.source_issues = src.issues().to_vec();
    w.g.flat = src.tree().is_some();
    w
}

/// Build the graph of a single document of a known kind.
pub fn walk_document(file: &str, bytes: Vec<u8>, kind: DocKind, opts: &Options) -> Graph {
    let mut g = Graph {
        spec: Some(opts.spec),
        ..Graph::default()
    };
    g.note_file(file);
    let mut parsed = json::parse_limited(&bytes, opts.max_json_values);
    g.json_values = parsed.values;
    if parsed.too_many_values {
        g.over_budget.push((
            file.to_string(),
            too_many_values(opts.max_json_values),
            Vec::new(),
        ));
    } else if let Err(e) = opts.budget().try_reserve(
        crate::memory::Use::Json,
        json_cost(bytes.len(), parsed.values),
    ) {
        g.over_budget
            .push((file.to_string(), over_memory(&e), Vec::new()));
        parsed.value = None;
    }
    let parsed_facts = DocFacts::of(kind, &parsed, opts.spec, &mut Interner::default());
    g.docs.push(Doc {
        // An index in a file named `index.json` is validated as the layout's entry point it is (where
        // `ref.name` belongs, for one).
        is_index_json: kind == DocKind::Index
            && std::path::Path::new(file)
                .file_name()
                .is_some_and(|n| n == "index.json"),
        resident: true,
        facts: parsed_facts,
        ..Doc::new(Arc::from(file), kind, Arc::new(bytes), parsed)
    });
    let mut w = walker(&NoSource, opts, None);
    w.g = g;
    if kind == DocKind::Descriptor {
        if let Some(v) = w.g.docs[0].value() {
            let facts = DescFacts::of(v, Role::Root);
            w.push_desc(0, 0, facts, Role::Root);
        }
    } else {
        w.enqueue_descs(0);
    }
    // A single document has no blobs to follow: record the descriptors only.
    w.g
}

/// What a parsed document costs the memory budget: its bytes, the strings of its parsed tree and of the copy the
/// schema validates (three times the bytes in all), and per value 1 KiB: the parsed tree, the schema's copy, the
/// walk's records of what it holds, and what schema validation holds while it collects the errors of a document
/// (the validator collects every error before it hands any over: 81 MiB for 99,000 empty descriptors).
pub fn json_cost(bytes: usize, values: usize) -> u64 {
    (3 * bytes as u64).saturating_add(1024 * values as u64)
}

fn over_memory(e: &crate::memory::Exhausted) -> String {
    format!("{}; it was not parsed or checked", e.describe())
}

fn too_many_values(max: usize) -> String {
    format!(
        "the JSON documents of this run may hold {max} values in all (--max-json-values), and this one would take it past that; it was not parsed or checked"
    )
}

/// The source of a single document: no files, no blobs.
struct NoSource;

impl BlobStore for NoSource {
    fn stat_blob(&self, _digest: &Digest, _media_type: Option<&str>) -> Option<BlobStat> {
        None
    }

    fn open_blob(
        &self,
        digest: &Digest,
        _media_type: Option<&str>,
    ) -> std::io::Result<Box<dyn Read + Send + '_>> {
        Err(not_found(&digest.blob_path()))
    }
}

impl Source for NoSource {
    fn tree(&self) -> Option<&dyn FileTree> {
        None
    }
}

fn not_found(path: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("{path} does not exist"),
    )
}

/// A blob of the graph as the source is asked for it: by its digest through the store, or, for a file under
/// `blobs/` whose name is no digest (only a file tree has those), by its path through the tree.
#[derive(Clone, Copy)]
pub(crate) struct BlobAt<'a> {
    pub(crate) path: &'a str,
    pub(crate) digest: Option<&'a Digest>,
    /// What the first descriptor that reached it says it is.
    pub(crate) media_type: Option<&'a str>,
    /// The largest `size` the descriptors that reached it give.
    pub(crate) size: Option<u64>,
}

impl<'a> BlobAt<'a> {
    pub(crate) fn of(g: &'a Graph, b: &'a Blob) -> BlobAt<'a> {
        BlobAt {
            path: &b.path,
            digest: b.digest.as_ref(),
            media_type: b.refs.first().and_then(|&i| g.descs[i].media_type(g)),
            size: b
                .refs
                .iter()
                .filter_map(|&i| g.descs[i].size(g).and_then(|s| u64::try_from(s).ok()))
                .max(),
        }
    }

    pub(crate) fn open<'s>(
        &self,
        src: &'s dyn Source,
    ) -> std::io::Result<Box<dyn Read + Send + 's>> {
        match (self.digest, src.tree()) {
            (Some(d), _) => src.open_blob_sized(d, self.media_type, self.size),
            (None, Some(t)) => t.open(self.path),
            (None, None) => Err(not_found(self.path)),
        }
    }

    fn read_small(&self, src: &dyn Source, cap: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
        match (self.digest, src.tree()) {
            (Some(d), _) => src.read_small(d, self.media_type, cap),
            (None, Some(t)) => t.read_capped(self.path, cap),
            (None, None) => Err(not_found(self.path)),
        }
    }

    pub(crate) fn read_order(&self, src: &dyn Source) -> Option<u64> {
        match (self.digest, src.tree()) {
            (Some(d), _) => src.read_order(d),
            (None, Some(t)) => t.position(self.path),
            (None, None) => None,
        }
    }
}

struct Walker<'a> {
    src: &'a dyn Source,
    opts: &'a Options,
    g: Graph,
    /// Descriptor occurrences waiting to be followed.
    queue: VecDeque<usize>,
    /// The descriptors of a layout's `index.json` not followed yet: each is followed, with everything it reaches
    /// (breadth first), before the next (so that an image's documents are consecutive in walk order).
    entries: VecDeque<usize>,
    /// (blob path, kind) → document id, so a blob is parsed once per kind.
    visited: HashMap<(Arc<str>, DocKind), usize>,
    /// Bytes of JSON blobs already read (of an input that is no layout: see [`Walker::load`]).
    cache: HashMap<String, Arc<Vec<u8>>>,
    /// With `--ref/--platform/--digest`: how much of the selection holds on the way to each document.
    selection: HashMap<usize, crate::selection::State>,
    /// The run's memory budget, which the parsed documents draw from ([`json_cost`]).
    memory: Arc<crate::memory::Budget>,
    /// Per index kept parsed for a selection: its descriptors not followed yet. Once all are, its parsed tree is
    /// dropped (in a layout).
    pending: HashMap<usize, usize>,
    media_types: Interner,
    /// Called once a layout's root documents are read, before what `index.json` names is followed (see
    /// [`walk_layout_checking_roots`]).
    roots: Option<&'a mut dyn FnMut(&Graph)>,
    /// A batch of entries at a time ([`Batches`]): the listed blobs get records only once a batch reaches them, or
    /// once every batch is done.
    batched: bool,
    /// Of a walk in batches: `index.json`'s descriptors not taken up yet.
    untaken: usize,
}

/// A record for each file the listing has at `blobs/<alg>/<encoded>` whose path `keep` accepts.
fn listed_blobs(tree: &dyn FileTree, keep: impl Fn(&str) -> bool) -> BTreeMap<Arc<str>, Blob> {
    tree.entries()
        .iter()
        .filter(|e| keep(&e.path))
        .filter_map(|e| {
            let parts: Vec<&str> = e.path.split('/').collect();
            (parts.len() == 3 && parts[0] == "blobs").then(|| {
                let path: Arc<str> = e.path.clone();
                let blob = Blob {
                    path: path.clone(),
                    digest: Digest::of_blob_path(&path),
                    entry: Some(e.kind),
                    size: (e.kind == EntryKind::File).then_some(e.size),
                    ..Blob::default()
                };
                (path, blob)
            })
        })
        // Built at once (the map's nodes then full), not one insert at a time, which leaves the nodes of a map
        // filled in order half empty: a third of the memory of a layout of 50,000 blobs.
        .collect()
}

impl Walker<'_> {
    /// Start at the layout's `oci-layout` and `index.json`, with every file under `blobs/<alg>/<encoded>` a blob,
    /// referenced or not.
    fn start_at_layout(&mut self, tree: &dyn FileTree, roots: Option<&mut dyn FnMut(&Graph)>) {
        self.g.listing_incomplete = !tree.complete();
        self.g.note_file("oci-layout");
        self.g.note_file("index.json");
        if !self.batched {
            self.g.blobs.append(&mut listed_blobs(tree, |_| true));
        }
        self.read_root(tree, "oci-layout", DocKind::OciLayout);
        let index = self.read_root(tree, "index.json", DocKind::Index);
        if let Some(idx) = index {
            self.g.docs[idx].is_index_json = true;
        }
        if let Some(check) = roots {
            check(&self.g);
            // Nothing may keep what the graph looked like before the walk.
            self.g.by_doc = std::sync::OnceLock::new();
        }
        if let Some(idx) = index {
            self.enqueue_descs(idx);
        }
    }

    /// Start at a document the source gives (it has no file tree). A content-addressed root is also the blob of
    /// its digest, read whole and hashed here. Its index entries are where a selection starts (as `index.json`'s
    /// are in a layout, but without names: the reference named it).
    fn start_at(&mut self, root: RootDoc) {
        self.g.note_file(&root.name);
        let len = root.bytes.len() as u64;
        if let Some(d) = &root.digest {
            // Hashed here only when whole: a root longer than --max-json-size came cut at that size, and is
            // verified (streamed and hashed) with the other blobs, as an oversized manifest of a layout is.
            let whole = len <= self.opts.max_json_size;
            self.g
                .blobs
                .entry(root.name.as_str().into())
                .or_insert_with_key(|k| Blob {
                    path: k.clone(),
                    digest: Some(d.clone()),
                    entry: Some(EntryKind::File),
                    size: whole.then_some(len),
                    computed: d
                        .verifiable(self.opts.spec)
                        .filter(|_| whole)
                        .map(|a| Computed::of(d, a.digest_of(&root.bytes))),
                    loaded: whole,
                    ..Blob::default()
                });
        }
        if len > self.opts.max_json_size {
            self.g.oversized.push((root.name, len, Vec::new()));
            return;
        }
        if self
            .visited
            .contains_key(&(Arc::from(root.name.as_str()), root.kind))
        {
            return;
        }
        if let Err(e) = self
            .memory
            .try_reserve(crate::memory::Use::Json, json_cost(root.bytes.len(), 0))
        {
            self.g
                .over_budget
                .push((root.name, over_memory(&e), Vec::new()));
            return;
        }
        self.g.json_bytes += len;
        let Some(parsed) = self.parse_budgeted(&root.name, &root.bytes, Vec::new()) else {
            return;
        };
        let (name, kind) = (root.name, root.kind);
        let id = self.add_doc(name.clone(), kind, Arc::new(root.bytes), parsed, None);
        if root.digest.is_some() {
            self.visited.insert((name.as_str().into(), kind), id);
        }
        if !self.opts.select.is_empty() {
            let sel = &self.opts.select;
            let digest = root.digest.as_ref().map(ToString::to_string);
            self.selection.insert(
                id,
                crate::selection::State {
                    by_ref: true,
                    by_digest: sel.digests.is_empty()
                        || digest.is_some_and(|d| sel.digests.contains(&d)),
                    by_platform: sel.platforms.is_empty(),
                },
            );
        }
        self.enqueue_descs(id);
    }

    /// With `--referrers`: walk the referrers of every manifest and index reached (and theirs, in turn), from the
    /// index the source lists them in.
    fn follow_referrers(&mut self) {
        let mut asked = std::collections::HashSet::new();
        loop {
            let subjects: Vec<Digest> = self
                .g
                .docs
                .iter()
                .filter(|d| matches!(d.kind, DocKind::Manifest | DocKind::Index))
                .filter_map(|d| self.g.blobs.get(&*d.file).and_then(|b| b.digest.clone()))
                .filter(|d| asked.insert(d.clone()))
                .collect();
            if subjects.is_empty() || self.g.run_time_limit.is_some() {
                return;
            }
            for s in subjects {
                if let Some(root) = self.src.referrers(&s) {
                    self.start_at(root);
                    self.run();
                }
            }
        }
    }

    fn add_doc(
        &mut self,
        file: String,
        kind: DocKind,
        bytes: Arc<Vec<u8>>,
        parsed: json::Parsed,
        referrer: Option<usize>,
    ) -> usize {
        let id = self.g.docs.len();
        let facts = DocFacts::of(kind, &parsed, self.opts.spec, &mut self.media_types);
        // A layout's documents drop their bytes with their trees and read them again for their checks.
        let sum = self.g.flat.then(|| sum_of(&bytes));
        let file = self.g.shared_path(&file);
        self.g.docs.push(Doc {
            id,
            sum,
            referrer,
            // Every document of an input that is no layout.
            resident: !self.g.flat,
            facts,
            ..Doc::new(file, kind, bytes, parsed)
        });
        id
    }

    /// Read `oci-layout` or `index.json`; returns the document id when it could be read.
    fn read_root(&mut self, tree: &dyn FileTree, path: &str, kind: DocKind) -> Option<usize> {
        let e = tree.entry(path)?;
        if e.kind != EntryKind::File {
            return None;
        }
        let bytes = match self.read_json(path, |cap| tree.read_capped(path, cap)) {
            Ok(Ok(b)) => b,
            Ok(Err(0)) => return None,
            Ok(Err(len)) => {
                self.g.oversized.push((path.to_string(), len, Vec::new()));
                return None;
            }
            Err(e) => {
                // There but unreadable: not the same as missing, and never a silent pass.
                self.g.source_issues.push(crate::source::SourceIssue {
                    path: path.to_string(),
                    message: format!("{path} cannot be read: {e}; nothing it names was checked"),
                    limit: false,
                });
                return None;
            }
        };
        let parsed = self.parse_budgeted(path, &bytes, Vec::new())?;
        Some(self.add_doc(path.to_string(), kind, Arc::new(bytes), parsed, None))
    }

    /// Parse a document within what is left of `--max-json-values`; `None` (and the document listed as oversized)
    /// when it holds more values than that.
    fn parse_budgeted(
        &mut self,
        path: &str,
        bytes: &[u8],
        via: Vec<String>,
    ) -> Option<json::Parsed> {
        let left = self.opts.max_json_values.saturating_sub(self.g.json_values);
        let parsed = json::parse_limited(bytes, left);
        // A document an earlier batch parsed is counted once.
        if !self.g.met_earlier(path) {
            self.g.json_values += parsed.values.min(left);
        }
        if parsed.too_many_values {
            self.g.over_budget.push((
                path.to_string(),
                too_many_values(self.opts.max_json_values),
                via,
            ));
            return None;
        }
        // The bytes were reserved when they were read ([`Walker::read_json`]); the parsed values now.
        if let Err(e) = self
            .memory
            .try_reserve(crate::memory::Use::Json, json_cost(0, parsed.values))
        {
            self.g
                .over_budget
                .push((path.to_string(), over_memory(&e), via));
            return None;
        }
        Some(parsed)
    }

    /// Read a JSON file (`read` reads it with a cap) within `--max-json-size` and what is left of
    /// `--max-json-total`.
    fn read_json(
        &mut self,
        path: &str,
        read: impl FnOnce(u64) -> std::io::Result<Result<Vec<u8>, u64>>,
    ) -> std::io::Result<Result<Vec<u8>, u64>> {
        let left = self.opts.max_json_total.saturating_sub(self.g.json_bytes);
        let cap = self.opts.max_json_size.min(left);
        match read(cap)? {
            Ok(mut b) => {
                // Kept for the whole run: no spare capacity from growing while it was read.
                b.shrink_to_fit();
                // Held from here on (the walk keeps the bytes of what it read): reserved before they are kept.
                if let Err(e) = self
                    .memory
                    .try_reserve(crate::memory::Use::Json, json_cost(b.len(), 0))
                {
                    let via = self.g.via_of_blob(path);
                    self.g
                        .over_budget
                        .push((path.to_string(), over_memory(&e), via));
                    return Ok(Err(0));
                }
                if !self.g.met_earlier(path) {
                    self.g.json_bytes += b.len() as u64;
                }
                Ok(Ok(b))
            }
            Err(len) if cap < self.opts.max_json_size && len <= self.opts.max_json_size => {
                let via = self.g.via_of_blob(path);
                self.g.over_budget.push((
                    path.to_string(),
                    format!(
                        "the JSON documents read before it already total {} bytes, and it would take the run past --max-json-total ({} bytes); it was not parsed or checked",
                        self.g.json_bytes, self.opts.max_json_total
                    ),
                    via,
                ));
                Ok(Err(0))
            }
            Err(len) => Ok(Err(len)),
        }
    }

    fn push_desc(&mut self, doc: usize, position: u32, facts: DescFacts, role: Role) -> usize {
        let id = self.g.descs.len();
        let media_type = facts.media_type.map(|m| self.media_types.intern(m));
        self.g.descs.push(DescOcc {
            id,
            doc,
            position,
            role,
            digest: facts.digest,
            target_doc: None,
            media_type,
            size: facts.size,
            rare: (facts.digest_text.is_some()
                || facts.platform.is_some()
                || facts.ref_name.is_some())
            .then(|| {
                Box::new(DescRare {
                    digest_text: facts.digest_text,
                    platform: facts.platform,
                    ref_name: facts.ref_name,
                })
            }),
        });
        id
    }

    /// Record the descriptors a document holds and queue them.
    fn enqueue_descs(&mut self, doc: usize) {
        let Some(v) = self.g.docs[doc].value() else {
            return;
        };
        let kind = self.g.docs[doc].kind;
        // (position in `manifests`, descriptor, role); an index of more than 4 billion entries is past every budget.
        let mut found: Vec<(u32, &Value, Role)> = Vec::new();
        // Of a layout's `index.json`: where each descriptor starts, to check them a part at a time.
        let mut offsets = None;
        match kind {
            DocKind::Index => {
                if let Some(items) = v.get("manifests").and_then(Value::as_array) {
                    for (i, d) in (0u32..).zip(items) {
                        found.push((i, d, Role::IndexEntry));
                    }
                    if self.g.flat && self.g.docs[doc].is_index_json {
                        offsets = Some(EntryOffsets {
                            doc,
                            manifests: items.iter().map(|d| d.offset).collect(),
                            subject: v.get("subject").map(|s| s.offset),
                        });
                    }
                }
            }
            DocKind::Manifest => {
                if let Some(c) = v.get("config") {
                    found.push((0, c, Role::Config));
                }
                if let Some(items) = v.get("layers").and_then(Value::as_array) {
                    for (i, d) in items.iter().enumerate() {
                        found.push((0, d, Role::Layer(i)));
                    }
                }
            }
            _ => {}
        }
        if matches!(kind, DocKind::Index | DocKind::Manifest)
            && let Some(s) = v.get("subject")
        {
            found.push((0, s, Role::Subject));
        }
        if self.batched && offsets.is_some() {
            // A walk in batches records `index.json`'s descriptors a batch at a time (`Batches::next`), from
            // where each starts.
            self.g.entry_offsets = offsets;
            self.done_with(doc);
            return;
        }
        // Not a descriptor at all (not an object): the schema reports it; nothing to follow.
        let found: Vec<(u32, DescFacts, Role)> = found
            .into_iter()
            .filter(|(_, d, _)| d.as_object().is_some())
            .map(|(p, d, role)| (p, DescFacts::of(d, role), role))
            .collect();
        if offsets.is_some() {
            self.g.entry_offsets = offsets;
        }
        // Following a descriptor reads only what was recorded of it, except for a selection's verdict on an index
        // entry, which reads the entry where it sits: only an index with a selection stays parsed until all its
        // entries are followed (in a layout, until the walk takes up its last entry: it follows one entry of
        // `index.json` at a time, with all it reaches).
        let keep = kind == DocKind::Index && !self.opts.select.is_empty() && !found.is_empty();
        if keep {
            self.pending.insert(doc, found.len());
        }
        let entries = self.g.flat && self.g.docs[doc].is_index_json;
        for (p, facts, role) in found {
            let id = self.push_desc(doc, p, facts, role);
            // Its `subject` too, after the entries, as before (an image it names is reached by its entry first).
            if entries {
                self.entries.push_back(id);
            } else {
                self.queue.push_back(id);
            }
        }
        if !keep {
            self.done_with(doc);
        }
    }

    /// Everything a document holds is recorded and followed: in a layout, its parsed tree goes (the checks parse
    /// it again when they run).
    fn done_with(&mut self, doc: usize) {
        self.pending.remove(&doc);
        if self.g.flat
            && let Some(d) = self.g.docs.get_mut(doc)
        {
            if self.batched && d.is_index_json {
                // Its descriptors are read from its bytes a batch at a time (see `Batches::next`).
                d.unload_tree(&self.memory);
            } else {
                d.unload(&self.memory);
            }
        }
    }

    /// One descriptor of `doc` followed.
    fn followed(&mut self, doc: usize) {
        if let Some(n) = self.pending.get_mut(&doc) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.done_with(doc);
            }
        }
    }

    fn run(&mut self) {
        self.run_with(true);
    }

    /// Follow what is queued, and with `entries` the entries of `index.json` left, until nothing is.
    fn run_with(&mut self, entries: bool) {
        let deadline = self.opts.run_deadline();
        while let Some(id) = self
            .queue
            .pop_front()
            .or_else(|| entries.then(|| self.entries.pop_front()).flatten())
        {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                // With those of `index.json` a walk in batches has not taken up yet.
                let left = self.queue.len() + self.entries.len() + self.untaken + 1;
                // Said once (a walk in batches goes on taking up entries, to list them as not validated).
                self.g.run_time_limit.get_or_insert_with(|| {
                    format!("the walk stopped with {left} descriptor(s) not followed")
                });
                self.queue.clear();
                self.entries.clear();
                break;
            }
            self.follow(id);
        }
    }

    /// The document kind a descriptor's target is parsed as, if any.
    /// With `--profile docker-compat`, Docker's manifest, manifest list and config are parsed as their OCI
    /// equivalents (media-types.md § Compatibility Matrix); otherwise they are opaque blobs.
    fn target_kind(&self, d: &DescOcc) -> Option<DocKind> {
        let m = d.media_type(&self.g)?;
        let compat = self.opts.docker_compat();
        match d.role {
            Role::Config => {
                (m == mt::CONFIG || (compat && m == mt::DOCKER_CONFIG)).then_some(DocKind::Config)
            }
            Role::Layer(_) | Role::Root => None,
            Role::IndexEntry | Role::Subject => match m {
                mt::MANIFEST => Some(DocKind::Manifest),
                mt::INDEX => Some(DocKind::Index),
                mt::DOCKER_MANIFEST if compat => Some(DocKind::Manifest),
                mt::DOCKER_MANIFEST_LIST if compat => Some(DocKind::Index),
                _ => None,
            },
        }
    }

    /// With a selection: whether to follow a descriptor, and the selection state its document gets.
    fn select(&mut self, id: usize) -> Option<crate::selection::State> {
        use crate::selection::{self, State, Verdict};
        let d = &self.g.descs[id];
        let holder = &self.g.docs[d.doc];
        let at_root = holder.is_index_json;
        let parent = if at_root {
            State::root(&self.opts.select)
        } else {
            self.selection.get(&d.doc).copied().unwrap_or(State::ALL)
        };
        match d.role {
            Role::IndexEntry => {}
            // index.json's own subject is not an image of the selection.
            Role::Subject if at_root => return None,
            _ => return Some(parent),
        }
        let target = self.target_kind(d);
        match selection::decide(&self.opts.select, parent, at_root, d.value(&self.g), target) {
            Verdict::Skip => None,
            Verdict::Follow(s) => Some(s),
            Verdict::FollowIfConfigMatches(s) => self.config_matches_platform(id).then_some(s),
        }
    }

    /// An image entry without `platform`: whether its config names a selected platform.
    fn config_matches_platform(&mut self, id: usize) -> bool {
        let d = &self.g.descs[id];
        let Some(digest) = d.digest.clone() else {
            return false;
        };
        let media_type = d.media_type(&self.g).map(str::to_string);
        let Some(bytes) = self.load(&digest, media_type) else {
            return false;
        };
        let parsed = json::parse_limited(&bytes, self.opts.max_json_values);
        let config = parsed.value.as_ref().and_then(|v| v.get("config"));
        let config_digest = config
            .and_then(|c| c.get("digest"))
            .and_then(Value::as_str)
            .and_then(Digest::parse);
        let config_type = config
            .and_then(|c| c.get("mediaType"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(config) = config_digest.and_then(|d| self.load(&d, config_type)) else {
            return false;
        };
        json::parse_limited(&config, self.opts.max_json_values)
            .value
            .as_ref()
            .is_some_and(|v| self.opts.select.platforms.iter().any(|p| p.matches(v)))
    }

    fn follow(&mut self, id: usize) {
        self.follow_one(id);
        let doc = self.g.descs[id].doc;
        self.followed(doc);
    }

    fn follow_one(&mut self, id: usize) {
        let mut state = None;
        if !self.opts.select.is_empty() {
            match self.select(id) {
                Some(s) => state = Some(s),
                None => return,
            }
        }
        let Some(path) = self.g.descs[id].blob_path() else {
            return;
        };
        if !self.g.blobs.contains_key(&*path) {
            let d = &self.g.descs[id];
            let blob = self.new_blob(&path, d.digest.as_ref(), d.media_type(&self.g));
            self.g.insert_blob(blob);
        }
        self.g.note_file(&path);
        if let Some(blob) = self.g.blobs.get_mut(&*path) {
            blob.refs.push(id);
            // One copy of the digest for the blob and every descriptor that names it.
            if let Some(d) = blob
                .digest
                .as_ref()
                .filter(|d| Some(*d) == self.g.descs[id].digest.as_ref())
            {
                self.g.descs[id].digest = Some(d.clone());
            }
        }
        let Some(kind) = self.target_kind(&self.g.descs[id]) else {
            return;
        };
        // The blob's own copy of its path (the walk has just recorded the blob).
        let key = self.g.shared_path(&path);
        if let Some(&doc) = self.visited.get(&(key.clone(), kind)) {
            self.g.descs[id].target_doc = Some(doc);
            return;
        }
        let media_type = self.g.descs[id].media_type(&self.g).map(str::to_string);
        let bytes = match self.g.descs[id]
            .digest
            .clone()
            .and_then(|d| self.load(&d, media_type))
        {
            Some(b) => b,
            None => return,
        };
        let via = self.g.via_of_desc(&self.g.descs[id]);
        let Some(parsed) = self.parse_budgeted(&path, &bytes, via) else {
            return;
        };
        let doc_id = self.add_doc(path.clone(), kind, bytes, parsed, Some(id));
        self.visited.insert((key, kind), doc_id);
        if let Some(s) = state {
            self.selection.insert(doc_id, s);
        }
        self.g.descs[id].target_doc = Some(doc_id);
        self.enqueue_descs(doc_id);
    }

    /// A blob the walk has not met yet, as the store holds it (a file tree listed every blob it has up front, so
    /// for a layout walked whole this is a blob that is not there).
    fn new_blob(&self, path: &str, digest: Option<&Digest>, media_type: Option<&str>) -> Blob {
        let stat = digest.and_then(|d| self.src.stat_blob(d, media_type));
        // The listing's copy of the path, when it lists the file (the records of a walk in batches come and go;
        // what they leave behind keeps the path: see [`Graph::earlier`]).
        let listed = self.src.tree().and_then(|t| {
            let entries = t.entries();
            entries
                .binary_search_by(|e| (*e.path).cmp(path))
                .ok()
                .map(|i| entries[i].path.clone())
        });
        Blob {
            path: listed.unwrap_or_else(|| path.into()),
            digest: digest.cloned(),
            entry: stat.map(|s| s.kind),
            size: stat.filter(|s| s.kind == EntryKind::File).map(|s| s.size),
            ..Blob::default()
        }
    }

    /// Read a JSON blob once (capped), computing its digest and size from the same bytes. `media_type`: what the
    /// descriptor that names it says it is.
    fn load(&mut self, digest: &Digest, media_type: Option<String>) -> Option<Arc<Vec<u8>>> {
        let path = digest.blob_path();
        let path = path.as_str();
        if let Some(b) = self.cache.get(path) {
            return Some(b.clone());
        }
        if !self.g.blobs.contains_key(path) {
            let blob = self.new_blob(path, Some(digest), media_type.as_deref());
            if blob.entry.is_some() {
                self.g.insert_blob(blob);
            }
        }
        let blob = self.g.blobs.get(path)?;
        if !blob.present() || blob.read_error().is_some() {
            return None;
        }
        let src = self.src;
        let at = BlobAt {
            path,
            digest: Some(digest),
            media_type: media_type.as_deref(),
            size: None,
        };
        match self.read_json(path, |cap| at.read_small(src, cap)) {
            Ok(Err(0)) => None,
            Ok(Ok(bytes)) => {
                let bytes = Arc::new(bytes);
                let spec = self.opts.spec;
                if let Some(b) = self.g.blobs.get_mut(path) {
                    b.loaded = true;
                    b.size = Some(bytes.len() as u64);
                    b.computed = b.digest.as_ref().and_then(|d| {
                        d.verifiable(spec)
                            .map(|a| Computed::of(d, a.digest_of(&bytes)))
                    });
                }
                // A layout's documents are read again for their checks anyway: keeping every one's bytes for the
                // rare blob reached as two kinds of document would hold them all until the walk ends.
                if !self.g.flat {
                    self.cache.insert(path.to_string(), bytes.clone());
                }
                Some(bytes)
            }
            Ok(Err(len)) => {
                let via = self.g.via_of_blob(path);
                self.g.oversized.push((path.to_string(), len, via));
                None
            }
            Err(e) => {
                if let Some(b) = self.g.blobs.get_mut(path) {
                    b.set_read_error(Some(e.to_string()));
                }
                None
            }
        }
    }
}

/// What verification computed of a blob's digest, against the digest its path names. Kept for every verified
/// blob until the checks, so a match is kept as no more than that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Computed {
    /// The content hashes to the digest its path names.
    Matches,
    /// It hashes to this other digest (`alg:hex`).
    Differs(Box<str>),
}

impl Computed {
    /// The outcome of hashing a blob named `named` to `value` (`alg:hex`).
    pub fn of(named: &Digest, value: String) -> Computed {
        if value == named.to_string() {
            Computed::Matches
        } else {
            Computed::Differs(value.into_boxed_str())
        }
    }

    /// The digest computed when it is not the one named (what the mismatch rules report).
    pub fn differs(&self) -> Option<&str> {
        match self {
            Computed::Matches => None,
            Computed::Differs(v) => Some(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Read;

    use super::*;
    use crate::corpus::tar::{TarEntry, TarOptions, write};
    use crate::source::dir::DirSource;

    /// A source without files: blobs by digest in memory and a manifest to start at, as a registry gives them.
    struct Memory {
        blobs: HashMap<Digest, Vec<u8>>,
        root: RootDoc,
    }

    impl BlobStore for Memory {
        fn stat_blob(&self, digest: &Digest, _media_type: Option<&str>) -> Option<BlobStat> {
            self.blobs.get(digest).map(|b| BlobStat {
                kind: EntryKind::File,
                size: b.len() as u64,
            })
        }

        fn open_blob(
            &self,
            digest: &Digest,
            _media_type: Option<&str>,
        ) -> std::io::Result<Box<dyn Read + Send + '_>> {
            match self.blobs.get(digest) {
                Some(b) => Ok(Box::new(&b[..])),
                None => Err(not_found(&digest.blob_path())),
            }
        }
    }

    impl Source for Memory {
        fn tree(&self) -> Option<&dyn FileTree> {
            None
        }

        fn root(&self) -> Option<RootDoc> {
            Some(self.root.clone())
        }
    }

    fn descriptor(media_type: &str, digest: &str, size: usize) -> String {
        format!(r#"{{"mediaType":"{media_type}","digest":"{digest}","size":{size}}}"#)
    }

    /// The same image as a layout directory and as a store without files that starts at its manifest: the walk
    /// and the verification find the same documents and blob facts in both.
    #[test]
    fn the_walk_cannot_tell_a_layout_from_a_store_without_files() {
        let sha = |b: &[u8]| Algorithm::Sha256.digest_of(b);
        let layer = write(
            &[TarEntry {
                path: "etc/hostname".into(),
                content: Some("box".into()),
                ..TarEntry::default()
            }],
            &TarOptions::default(),
        );
        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{}"]}}}}"#,
            sha(&layer)
        );
        let absent = sha(b"not stored");
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{},"layers":[{},{}]}}"#,
            mt::MANIFEST,
            descriptor(mt::CONFIG, &sha(config.as_bytes()), config.len()),
            descriptor(mt::LAYER_TAR, &sha(&layer), layer.len()),
            descriptor(mt::LAYER_TAR, &absent, 10),
        );
        let blobs: Vec<Vec<u8>> = vec![config.into(), layer, manifest.clone().into()];

        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap_or_else(|e| panic!("{e}"));
        for b in &blobs {
            let path = dir
                .path()
                .join(Digest::parse(&sha(b)).map_or_else(String::new, |d| d.blob_path()));
            std::fs::write(path, b).unwrap_or_else(|e| panic!("{e}"));
        }
        let index = format!(
            r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
            descriptor(mt::MANIFEST, &sha(manifest.as_bytes()), manifest.len())
        );
        std::fs::write(dir.path().join("index.json"), index).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("oci-layout"),
            r#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let layout = DirSource::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let memory = Memory {
            blobs: blobs
                .iter()
                .filter_map(|b| Some((Digest::parse(&sha(b))?, b.clone())))
                .collect(),
            root: RootDoc {
                name: "docker://registry.test/image:v1".into(),
                kind: DocKind::Manifest,
                media_type: Some(mt::MANIFEST.into()),
                bytes: manifest.into(),
                digest: None,
            },
        };

        // One memory budget for the whole test (as a run has).
        let opts = Options::default().start_clock();
        let run = |src: &dyn Source| {
            let mut g = walk_layout(src, &opts);
            crate::verify::verify(src, &mut g, &opts);
            g
        };
        let (from_layout, from_memory) = (run(&layout), run(&memory));
        // What each blob a descriptor reached turned out to be.
        let facts = |g: &Graph| -> Vec<String> {
            let manifest = g.docs.iter().find(|d| d.kind == DocKind::Manifest);
            g.blobs
                .values()
                .filter(|b| {
                    b.refs
                        .iter()
                        .any(|&i| Some(g.descs[i].doc) == manifest.map(|m| m.id))
                })
                .map(|b| {
                    format!(
                        "{} present={} size={:?} computed={:?} entries={:?} diff_id={:?}",
                        b.path,
                        b.present(),
                        b.size,
                        b.computed,
                        b.layer.as_ref().map(|l| l.tar.entries.len()),
                        b.layer.as_ref().and_then(|l| l.diff_id_for("sha256")),
                    )
                })
                .collect()
        };
        let kinds = |g: &Graph| -> Vec<DocKind> { g.docs.iter().map(|d| d.kind).collect() };
        assert_eq!(
            kinds(&from_layout),
            [
                DocKind::OciLayout,
                DocKind::Index,
                DocKind::Manifest,
                DocKind::Config
            ]
        );
        assert_eq!(kinds(&from_memory), [DocKind::Manifest, DocKind::Config]);
        let expected = facts(&from_layout);
        assert_eq!(expected.len(), 3, "{expected:#?}");
        assert!(
            expected.iter().any(|f| f.contains("present=false")),
            "{expected:#?}"
        );
        assert!(
            expected.iter().any(|f| f.contains("entries=Some(1)")),
            "{expected:#?}"
        );
        assert_eq!(facts(&from_memory), expected);
        assert_eq!(
            &*from_memory.docs[0].file,
            "docker://registry.test/image:v1"
        );

        // A layout keeps no parsed tree once walked; its documents are parsed again, the same, when asked, and
        // their share of the memory budget comes and goes with them.
        let mut g = from_layout;
        let loaded = |g: &Graph| -> Vec<bool> { g.docs.iter().map(|d| d.loaded()).collect() };
        assert_eq!(loaded(&g), [false, false, false, false]);
        assert!(from_memory.docs.iter().all(|d| d.loaded()));
        let budget = opts.budget();
        let before = budget.used_by(crate::memory::Use::Json);
        let facts_before: Vec<DocFacts> = g.docs.iter().map(|d| d.facts.clone()).collect();
        g.load(&[2, 3], Some(&layout), &opts);
        assert_eq!(loaded(&g), [false, false, true, true]);
        g.load(&[0, 1], Some(&layout), &opts);
        assert_eq!(loaded(&g), [true, true, true, true]);
        let tree_cost: u64 = g.docs.iter().map(Doc::tree_cost).sum();
        assert_eq!(budget.used_by(crate::memory::Use::Json), before + tree_cost);
        let again: Vec<DocFacts> = g
            .docs
            .iter()
            .map(|d| DocFacts::of(d.kind, d.parsed(), opts.spec, &mut Interner::default()))
            .collect();
        assert_eq!(again, facts_before);
        assert_eq!(g.docs[3].facts.platform().as_deref(), Some("linux/amd64"));
        g.unload(&[0, 1, 2, 3], &opts);
        assert_eq!(loaded(&g), [false, false, false, false]);
        assert_eq!(budget.used_by(crate::memory::Use::Json), before);
        assert!(g.docs.iter().all(|d| d.bytes().is_empty() && d.len > 0));

        // The bytes are read again for the checks, and must be those the walk read: a config rewritten in
        // between (same length, other bytes) is not parsed, and the run says it was not checked.
        let config_path = dir.path().join(&*g.docs[3].file);
        let good = std::fs::read(&config_path).unwrap_or_else(|e| panic!("{e}"));
        let mut bad = good.clone();
        bad[0] = b' ';
        std::fs::write(&config_path, &bad).unwrap_or_else(|e| panic!("{e}"));
        g.load(&[3], Some(&layout), &opts);
        assert_eq!(loaded(&g), [false, false, false, false]);
        let (file, why, _) = g.over_budget.last().cloned().unwrap_or_default();
        assert_eq!(*file, *g.docs[3].file);
        assert!(
            why.starts_with("it changed between the walk and its checks"),
            "{why}"
        );
        std::fs::write(&config_path, &good).unwrap_or_else(|e| panic!("{e}"));
        g.load(&[3], Some(&layout), &opts);
        assert_eq!(loaded(&g), [false, false, false, true]);
        assert_eq!(g.docs[3].facts.platform().as_deref(), Some("linux/amd64"));
        // Without a source to read from, nothing is parsed from bytes that are not there.
        g.load(&[2], None, &opts);
        assert!(!g.docs[2].loaded());
    }
}
