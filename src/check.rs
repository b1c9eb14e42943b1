//! What code rules see (one context per node kind) and how they report (`Out`).

use crate::clauses;
use crate::finding::{EntryLoc, Finding, LimitHit, Location, NotListed, Severity};
use crate::json::{self, Value};
use crate::source::Entry;
use crate::walk::{Blob, DescOcc, Doc, DocKind, Graph, Role};
use crate::{Options, Spec};

/// The whole input, for layout-level rules.
pub struct LayoutCx<'a> {
    pub graph: &'a Graph,
    pub entries: &'a [Entry],
    /// The blobs to look at, when not all of the run's: the layers a group of documents has checked, whose facts
    /// are then released (sorted by path).
    pub only: Option<&'a [std::sync::Arc<str>]>,
    pub opts: &'a Options,
}

impl<'a> LayoutCx<'a> {
    pub fn spec(&self) -> Spec {
        self.opts.spec
    }

    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| (*e.path).cmp(path))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The blobs this run (or this shard, this step) checks, in path order.
    pub fn blobs(&self) -> Box<dyn Iterator<Item = &'a Blob> + 'a> {
        let g: &'a Graph = self.graph;
        if let Some(only) = self.only {
            let scope = g.scope.as_ref();
            return Box::new(
                only.iter()
                    .filter_map(move |p| g.blobs.get(&**p))
                    .filter(move |b| {
                        scope.is_none_or(|s| match &s.blobs {
                            Some(list) => list.binary_search_by(|x| (**x).cmp(&*b.path)).is_ok(),
                            None => s.owns(&b.path),
                        })
                    }),
            );
        }
        match g.scope.as_ref() {
            Some(s) => match &s.blobs {
                Some(list) => Box::new(list.iter().filter_map(move |p| g.blobs.get(&**p))),
                None => Box::new(g.blobs.values().filter(move |b| s.owns(&b.path))),
            },
            None => Box::new(g.blobs.values()),
        }
    }

    /// A location for a file of the layout, with the via chain of the first descriptor that reached it.
    pub fn blob_location(&self, path: &str) -> Location {
        Location {
            via: self.graph.via_of_blob(path),
            ..Location::file(path)
        }
    }
}

/// One parsed document.
pub struct DocCx<'a> {
    pub graph: &'a Graph,
    pub doc: &'a Doc,
    pub opts: &'a Options,
}

impl DocCx<'_> {
    pub fn spec(&self) -> Spec {
        self.opts.spec
    }

    pub fn value(&self) -> Option<&Value> {
        self.doc.value()
    }

    /// The descriptor that first reached this document.
    pub fn referrer(&self) -> Option<&DescOcc> {
        self.doc.referrer.map(|i| &self.graph.descs[i])
    }
}

/// One descriptor, with the blob it points at when the input has blobs.
pub struct DescCx<'a> {
    pub graph: &'a Graph,
    pub desc: &'a DescOcc,
    /// The document that holds it.
    pub doc: &'a Doc,
    pub blob: Option<&'a Blob>,
    pub opts: &'a Options,
}

impl DescCx<'_> {
    pub fn spec(&self) -> Spec {
        self.opts.spec
    }

    pub fn value(&self) -> &Value {
        self.desc.value(self.graph)
    }

    pub fn media_type(&self) -> Option<&str> {
        self.desc.media_type(self.graph)
    }

    /// The `size` as an int64, if it is one.
    pub fn size(&self) -> Option<i64> {
        self.desc.size(self.graph)
    }

    pub fn role(&self) -> Role {
        self.desc.role
    }

    /// Pointer of a field of this descriptor.
    pub fn field(&self, name: &str) -> String {
        json::join(&self.desc.pointer(), name)
    }

    /// The document it points at, if the walk parsed one: its [`Doc::facts`] (its tree is parsed only when its own
    /// checks run, which may be another time).
    pub fn target(&self) -> Option<&Doc> {
        self.desc.target_doc.map(|i| &self.graph.docs[i])
    }
}

/// One image manifest with what surrounds it.
pub struct ImageCx<'a> {
    pub graph: &'a Graph,
    pub manifest: &'a Doc,
    /// The parsed config, when `config.mediaType` is the OCI image config and the blob could be read.
    pub config: Option<&'a Doc>,
    pub opts: &'a Options,
}

impl ImageCx<'_> {
    pub fn spec(&self) -> Spec {
        self.opts.spec
    }

    /// The manifest's `layers` descriptors, in order.
    pub fn layers(&self) -> Vec<&DescOcc> {
        self.graph
            .descs_of(self.manifest.id)
            .filter(|d| matches!(d.role, Role::Layer(_)))
            .collect()
    }
}

/// The rules that report ocicheck's own limits (what a limit kept from being checked): their findings are listed
/// even past the report's total and its memory budget (at most `--max-findings` per file still), so that the
/// one finding that says a run is incomplete is never among those left out.
pub const LIMIT_CODES: &[&str] = &["JSN007", "LYR003", "LAY012", "LAY013", "LAY014", "ARC005"];

/// How many times a listed finding's size the budget is charged: the finding, and the renderers' copies of it
/// while the report is written (escaped text, SARIF's tree of values).
const REPORT_COPIES: u64 = 4;

/// Where every rule's findings go: at most `per` findings per rule and file, and [`crate::MAX_FINDINGS_TOTAL`] in
/// all, so that a hostile input (a million bad descriptors) cannot turn into gigabytes of report. What is left
/// out is counted, and [`Sink::finish`] adds one note per rule and file that says how many (a note, not a finding).
#[derive(Debug, Default)]
pub struct Sink {
    findings: Vec<Finding>,
    /// The run's memory budget, which the findings listed draw from ([`crate::memory::Use::Report`]); past it, they
    /// are counted, not listed.
    memory: Option<std::sync::Arc<crate::memory::Budget>>,
    /// Findings not listed because the memory budget was spent, per rule (and the first of them).
    over_memory: std::collections::BTreeMap<&'static str, (usize, Finding)>,
    per: usize,
    counts: std::collections::HashMap<(&'static str, String), usize>,
    /// Per (rule, file) over `per`: how many were left out, and the first of them (its rule, level, place).
    over: std::collections::BTreeMap<(&'static str, String), (usize, Finding)>,
    /// Per rule, once the total is reached.
    over_total: std::collections::BTreeMap<&'static str, (usize, Finding)>,
    /// Notes of the rules' own caps.
    omitted: Vec<NotListed>,
    /// Limits that kept something from being checked (the first [`MAX_LIMIT_HITS`]), and how many in all.
    limits: Vec<LimitHit>,
    limits_total: usize,
}

/// Limit hits kept per run; the rest are counted.
pub const MAX_LIMIT_HITS: usize = 1000;

impl Sink {
    pub fn new(per: usize) -> Sink {
        Sink {
            per: per.max(1),
            ..Sink::default()
        }
    }

    /// A sink whose findings draw from the run's memory budget.
    pub fn with_budget(per: usize, memory: std::sync::Arc<crate::memory::Budget>) -> Sink {
        Sink {
            memory: Some(memory),
            ..Sink::new(per)
        }
    }

    /// Whether one more finding of `code` in `file` would be listed.
    fn admits(&self, code: &'static str, file: &str) -> bool {
        (self.findings.len() < crate::MAX_FINDINGS_TOTAL || LIMIT_CODES.contains(&code))
            && self
                .counts
                .get(&(code, file.to_string()))
                .is_none_or(|&n| n < self.per)
    }

    pub fn push(&mut self, mut f: Finding) {
        // Every finding's texts within their limits, before it is kept anywhere (the notes below keep findings too).
        f.bound();
        let limit = LIMIT_CODES.contains(&f.code);
        if self.findings.len() >= crate::MAX_FINDINGS_TOTAL && !limit {
            self.over_total.entry(f.code).or_insert((0, f)).0 += 1;
            return;
        }
        let n = self
            .counts
            .entry((f.code, f.location.file.clone()))
            .or_insert(0);
        *n += 1;
        if *n > self.per {
            let key = (f.code, f.location.file.clone());
            self.over.entry(key).or_insert((0, f)).0 += 1;
            return;
        }
        // What the report will hold of it: the finding, and what the renderers make of it (escaped, in a tree of
        // values for SARIF) while the report is written.
        if let Some(m) = &self.memory
            && m.try_reserve(crate::memory::Use::Report, REPORT_COPIES * f.weight())
                .is_err()
            && !limit
        {
            self.over_memory.entry(f.code).or_insert((0, f)).0 += 1;
            return;
        }
        self.findings.push(f);
    }

    /// Findings of a rule counted but not listed by a cap of its own (a rule's per-layer limit).
    pub fn omit(
        &mut self,
        rule: &Origin,
        severity: Severity,
        location: Location,
        count: usize,
        limit: &'static str,
        message: String,
    ) {
        if count == 0 {
            return;
        }
        self.omitted.push(NotListed {
            code: rule.code,
            name: rule.name,
            severity,
            file: location.file,
            via: location.via,
            count,
            limit,
            message,
        });
    }

    /// Record a limit that kept something from being checked.
    pub fn limit(&mut self, hit: LimitHit) {
        self.limits_total += 1;
        if self.limits.len() < MAX_LIMIT_HITS {
            self.limits.push(hit);
        }
    }

    /// The limits hit (the first [`MAX_LIMIT_HITS`]) and how many in all.
    pub fn take_limits(&mut self) -> (Vec<LimitHit>, usize) {
        (std::mem::take(&mut self.limits), self.limits_total)
    }

    /// The findings listed, and a note per rule and file whose findings were not all listed (the findings they
    /// stand for are counted, not listed).
    pub fn finish(mut self) -> (Vec<Finding>, Vec<NotListed>) {
        let per = self.per;
        let mut notes = std::mem::take(&mut self.omitted);
        for ((_, file), (n, first)) in std::mem::take(&mut self.over) {
            notes.push(NotListed {
                code: first.code,
                name: first.name,
                severity: first.severity,
                file,
                via: first.location.via,
                count: n,
                limit: "max-findings",
                message: format!(
                    "{n} more finding(s) of {} in this file not listed (at most {per} per rule and file: --max-findings)",
                    first.code
                ),
            });
        }
        let cap = self.memory.as_ref().map_or(0, |m| m.cap());
        for (_, (n, first)) in std::mem::take(&mut self.over_memory) {
            notes.push(NotListed {
                code: first.code,
                name: first.name,
                severity: first.severity,
                file: first.location.file,
                via: Vec::new(),
                count: n,
                limit: "max-memory",
                message: format!(
                    "{n} more finding(s) of {} not listed: the findings listed already take what the run's memory budget leaves for the report (--max-memory, {})",
                    first.code,
                    crate::memory::size(cap)
                ),
            });
        }
        for (_, (n, first)) in std::mem::take(&mut self.over_total) {
            notes.push(NotListed {
                code: first.code,
                name: first.name,
                severity: first.severity,
                file: first.location.file,
                via: Vec::new(),
                count: n,
                limit: "total",
                message: format!(
                    "{n} more finding(s) of {} not listed: the report lists at most {} findings",
                    first.code,
                    crate::MAX_FINDINGS_TOTAL
                ),
            });
        }
        (self.findings, notes)
    }
}

/// The rule an [`Out`] collects for, as its findings name it (the catalogue's `Rule::origin` gives it, once per
/// rule and run), so that what rules see does not depend on the catalogue.
#[derive(Debug, Clone)]
pub struct Origin {
    pub code: &'static str,
    pub name: &'static str,
    /// Clause ids; the first is the primary clause.
    pub clauses: &'static [&'static str],
    /// The rule's own spec link (its primary clause's section).
    pub spec_url: String,
    /// The spec version links to its other clauses point at.
    pub link_spec: Spec,
}

/// Collects the findings of one rule.
pub struct Out<'a> {
    pub(crate) rule: &'a Origin,
    pub(crate) severity: Severity,
    /// What the documents' via chains are worked out from.
    pub(crate) graph: &'a Graph,
    /// Default location base: the document being checked, if any.
    pub(crate) doc: Option<&'a Doc>,
    pub(crate) sink: &'a mut Sink,
}

impl<'a> Out<'a> {
    pub fn new(
        rule: &'a Origin,
        severity: Severity,
        graph: &'a Graph,
        doc: Option<&'a Doc>,
        sink: &'a mut Sink,
    ) -> Out<'a> {
        Out {
            rule,
            severity,
            graph,
            doc,
            sink,
        }
    }

    /// Report at a JSON pointer of the current document.
    pub fn at(&mut self, pointer: &str, message: impl Into<String>) {
        let Some(doc) = self.doc else {
            return;
        };
        if !self.sink.admits(self.rule.code, &doc.file) {
            // Counted, without working out where.
            self.emit(Location::file(doc.file.to_string()), message);
            return;
        }
        let loc = doc_location(self.graph, doc, pointer);
        self.emit(loc, message);
    }

    /// Report at a JSON pointer of a given document.
    pub fn at_doc(&mut self, doc: &Doc, pointer: &str, message: impl Into<String>) {
        if !self.sink.admits(self.rule.code, &doc.file) {
            self.emit(Location::file(doc.file.to_string()), message);
            return;
        }
        let loc = doc_location(self.graph, doc, pointer);
        self.emit(loc, message);
    }

    /// Report at a tar entry of a file.
    pub fn at_entry(&mut self, mut loc: Location, entry: EntryLoc, message: impl Into<String>) {
        loc.entry = Some(entry);
        self.emit(loc, message);
    }

    /// Report at an explicit location, citing first the one of the rule's clauses that applies to this finding
    /// (a rule that covers several documents, such as a JSON syntax error in `index.json` or in a manifest, links
    /// each finding to the section of its own document).
    pub fn emit_citing(
        &mut self,
        clause: &'static str,
        location: Location,
        message: impl Into<String>,
    ) {
        if !self.rule.clauses.contains(&clause) {
            self.emit(location, message);
            return;
        }
        let mut clauses = vec![clause];
        clauses.extend(self.rule.clauses.iter().copied().filter(|c| *c != clause));
        self.sink.push(Finding {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.severity,
            clauses,
            spec_url: clauses::spec_url(clause, self.rule.link_spec),
            location,
            message: message.into(),
        });
    }

    /// Report at an explicit location.
    pub fn emit(&mut self, location: Location, message: impl Into<String>) {
        self.sink.push(Finding {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.severity,
            clauses: self.rule.clauses.to_vec(),
            spec_url: self.rule.spec_url.clone(),
            location,
            message: message.into(),
        });
    }

    /// Report that a limit kept something from being checked: a finding at `location`, and a limit hit that
    /// makes the report incomplete (`raise`: the option that raises the limit, if one does).
    pub fn limit(
        &mut self,
        location: Location,
        message: impl Into<String>,
        raise: Option<&'static str>,
    ) {
        let message = message.into();
        self.sink.limit(LimitHit {
            code: self.rule.code,
            file: location.file.clone(),
            raise,
            message: message.clone(),
        });
        self.emit(location, message);
    }

    /// `count` findings of this rule at `location` were counted but not listed (`limit` names the cap).
    pub fn not_listed(
        &mut self,
        location: Location,
        count: usize,
        limit: &'static str,
        message: String,
    ) {
        self.sink
            .omit(self.rule, self.severity, location, count, limit, message);
    }
}

/// A location at `pointer` in `doc`, with line and column when the pointer resolves.
pub fn doc_location(g: &Graph, doc: &Doc, pointer: &str) -> Location {
    let (line, column) = match doc.resolve(pointer) {
        Some(v) => {
            let (l, c) = doc.line_col(v.offset);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    Location {
        file: doc.file.to_string(),
        pointer: Some(pointer.to_string()),
        entry: None,
        via: g.via_of_doc(doc.id),
        line,
        column,
    }
}

/// A location at a byte offset of a document (for parser notices).
pub fn offset_location(g: &Graph, doc: &Doc, pointer: Option<&str>, offset: usize) -> Location {
    let (l, c) = doc.line_col(offset);
    Location {
        file: doc.file.to_string(),
        pointer: pointer.map(str::to_string),
        entry: None,
        via: g.via_of_doc(doc.id),
        line: Some(l),
        column: Some(c),
    }
}

// --- small helpers rules share ---

/// The string at `key` of an object value, if it is one.
pub fn str_field<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// Where an annotation map sits in its document (`/annotations`, `/manifests/3/annotations`, `/config/Labels`),
/// written out only when a finding needs it: an index of 10,000 entries has 10,000 maps, and each annotation rule
/// looks at all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapAt {
    /// The member that holds the map, as a position in [`MAP_HOLDERS`]; `None`: the document itself.
    holder: Option<u8>,
    /// Its position, when the holder is an array of descriptors.
    index: Option<u32>,
    /// `Labels` of an image config, not `annotations`.
    labels: bool,
}

/// The members whose descriptors (or, for an image config, whose execution parameters) hold annotation maps.
const MAP_HOLDERS: [&str; 4] = ["manifests", "layers", "config", "subject"];

/// The position of `key` in [`MAP_HOLDERS`].
fn holder_of(key: &str) -> Option<u8> {
    MAP_HOLDERS
        .iter()
        .position(|&h| h == key)
        .and_then(|i| u8::try_from(i).ok())
}

impl MapAt {
    /// The member that holds the map, `None` for the document's own.
    pub fn holder(&self) -> Option<&'static str> {
        MAP_HOLDERS.get(usize::from(self.holder?)).copied()
    }
}

impl std::fmt::Display for MapAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(h) = self.holder() {
            write!(f, "/{h}")?;
        }
        if let Some(i) = self.index {
            write!(f, "/{i}")?;
        }
        f.write_str(if self.labels {
            "/Labels"
        } else {
            "/annotations"
        })
    }
}

/// The pointers of a document's annotation maps, written as the parser's notices write pointers, when the parser
/// noticed a duplicate member name in it (empty otherwise: there is nothing to tell apart).
pub fn annotation_map_pointers(doc: &Doc) -> std::collections::HashSet<String> {
    let duplicates = doc
        .parsed()
        .notices
        .iter()
        .any(|n| matches!(n, crate::json::Notice::DuplicateName { .. }));
    if !duplicates {
        return std::collections::HashSet::new();
    }
    annotation_maps(doc)
        .into_iter()
        .map(|(p, _)| p.to_string())
        .collect()
}

/// All annotation maps of a document: (where, value), in document order. Covers the document's own
/// `annotations`, those of every descriptor in it, and `config.Labels` of an image config.
pub fn annotation_maps<'d>(doc: &'d Doc) -> Vec<(MapAt, &'d Value)> {
    let mut out = Vec::new();
    let Some(v) = doc.value() else {
        return out;
    };
    let own = MapAt {
        holder: None,
        index: None,
        labels: false,
    };
    let mut push = |at: MapAt, val: Option<&'d Value>| {
        if let Some(val) = val {
            out.push((at, val));
        }
    };
    match doc.kind {
        DocKind::Index | DocKind::Manifest => {
            push(own, v.get("annotations"));
            for key in MAP_HOLDERS {
                let Some(x) = v.get(key) else { continue };
                let at = |index| MapAt {
                    holder: holder_of(key),
                    index,
                    labels: false,
                };
                if key == "manifests" || key == "layers" {
                    // Arrays of descriptors (an index of more than 4 billion entries is past any budget long
                    // before).
                    for (i, d) in (0u32..).zip(x.as_array().unwrap_or_default()) {
                        push(at(Some(i)), d.get("annotations"));
                    }
                } else {
                    push(at(None), x.get("annotations"));
                }
            }
        }
        DocKind::Descriptor => push(own, v.get("annotations")),
        DocKind::Config => {
            if let Some(c) = v.get("config") {
                push(
                    MapAt {
                        holder: holder_of("config"),
                        index: None,
                        labels: true,
                    },
                    c.get("Labels"),
                );
            }
        }
        DocKind::OciLayout => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &'static str, file: &str) -> Finding {
        Finding {
            code,
            name: "x",
            severity: Severity::Error,
            clauses: vec![],
            spec_url: String::new(),
            location: Location::file(file),
            message: "m".repeat(100),
        }
    }

    #[test]
    fn findings_past_the_memory_budget_are_counted_and_limits_always_listed() {
        let memory = std::sync::Arc::new(crate::memory::Budget::with_limit(1 << 20, 64 << 10));
        let mut sink = Sink::with_budget(100, memory.clone());
        for i in 0..1000 {
            sink.push(finding("LAY007", &format!("blobs/sha256/{i}")));
        }
        sink.push(finding("LAY012", "."));
        let (listed, notes) = sink.finish();
        let n = listed.iter().filter(|f| f.code == "LAY007").count();
        assert!(n > 10 && n < 1000, "{n}");
        assert!(
            listed.iter().any(|f| f.code == "LAY012"),
            "a limit's finding"
        );
        let note = notes
            .iter()
            .find(|n| n.limit == "max-memory")
            .expect("a note");
        assert_eq!((note.code, note.count), ("LAY007", 1000 - n));
        assert!(note.message.contains("--max-memory"), "{}", note.message);
        assert!(memory.used() <= 64 << 10);
    }
}
