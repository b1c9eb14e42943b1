//! The checks of a run: the schemas and every enabled rule over the walk's graph, group by group of documents
//! ([`run_checks`]), after the root documents' own checks ([`Early`]). Which documents and descriptors go together
//! is `groups`; what one rule sees is `scope`.

pub(crate) mod batches;
mod groups;
mod scope;

use groups::{IndexDescs, Lifetimes, doc_groups};
use scope::Scope;

use crate::check::{self, Out};
use crate::rule::{Check, Policy, Rule};
use crate::walk::{self, DocKind, Graph};
use crate::{Finding, Options, Severity, layer, mediatype, report, rules, schema, source, verify};

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
    let mut checks = Checks::new(opts, early);
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
    // A shard's or step's own entries, taken out of its scope (read only here, and the graph is borrowed mutably
    // while the groups are checked).
    let layout_entries: Option<Vec<source::Entry>> = match (&mut graph.scope, entries) {
        (Some(s), Some(_)) => Some(std::mem::take(&mut s.entries)),
        _ => None,
    };
    // `index.json` checked early is checked in parts here: its descriptors, a group of entries at a time.
    let in_parts = graph
        .parts_of_index_json()
        .filter(|(d, _)| graph.flat && checks.early_docs.contains(d))
        .map(|(d, n)| Parts {
            doc: d,
            entries: 0..u32::try_from(n).unwrap_or(u32::MAX),
            subject: true,
        });
    checks.total = ids.len();
    let own = layout_entries.as_deref().or(entries);
    checks.groups(graph, entries, own, src, verify, &ids, in_parts);
    let graph: &Graph = graph;
    checks.layout(graph, own, None, &ids, &|_| true);
    let first = ids
        .first()
        .and_then(|&i| graph.docs.get(i))
        .map(|d| d.file.clone());
    checks.finish(graph, own, first)
}

/// Of `index.json` checked in parts: its id, the entries whose descriptors this run (or batch) checks, and whether
/// it checks its `subject`.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    pub(crate) doc: usize,
    pub(crate) entries: std::ops::Range<u32>,
    pub(crate) subject: bool,
}

/// A run's checks, step by step: the groups of documents ([`Checks::groups`]), then the layout-level rules
/// ([`Checks::layout`]), then the report's findings ([`Checks::finish`]). A layout walked in batches goes through
/// the first two once per batch, and once more for what no batch reached.
pub(crate) struct Checks<'o> {
    opts: &'o Options,
    all: Vec<&'static Rule>,
    policy: Policy,
    enabled: Vec<(&'static Rule, Severity)>,
    sink: check::Sink,
    /// The root documents checked early ([`Early`]).
    early_docs: Vec<usize>,
    /// Where the checks stopped at the deadline, if they did.
    cut: Option<String>,
    deadline: Option<std::time::Instant>,
    /// Documents checked so far, and how many the run has (a run in batches counts those of its batches so far).
    checked: usize,
    total: usize,
    /// Of a run in batches: what the verification of the batches so far announced and did.
    tally: verify::Tally,
}

impl<'o> Checks<'o> {
    pub(crate) fn new(opts: &'o Options, early: Option<Early>) -> Checks<'o> {
        let all: Vec<&'static Rule> = rules::all().collect();
        let policy = Policy::new(&all, opts.spec, &opts.effective_overrides());
        let enabled = enabled_rules(&all, &policy, opts);
        // What the root documents' own checks found while the walk had read nothing else, and where the checks
        // stopped at the deadline, if they did.
        let (sink, early_docs, cut) = match early {
            Some(e) => (e.sink, e.docs, e.cut),
            None => (
                check::Sink::with_budget(opts.max_findings, opts.budget()),
                Vec::new(),
                None,
            ),
        };
        Checks {
            opts,
            all,
            policy,
            enabled,
            sink,
            early_docs,
            cut,
            deadline: opts.run_deadline(),
            checked: 0,
            total: 0,
            tally: verify::Tally::default(),
        }
    }

    /// The codes of the layout-level rules (a shard keeps only theirs that are located in its own files).
    fn layout_codes(&self) -> std::collections::HashSet<&'static str> {
        self.all
            .iter()
            .filter(|r| matches!(r.check, Check::Layout(_)))
            .map(|r| r.code)
            .collect()
    }

    /// The schemas and the document, descriptor and image rules over the documents `ids`, group by group (and
    /// `index.json`'s descriptors in `parts`), with the blobs they reach verified first when `verify` says so.
    /// `entries`: the layout's; `own`: those the layout-level layer rules look at.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn groups(
        &mut self,
        graph: &mut Graph,
        entries: Option<&[source::Entry]>,
        own: Option<&[source::Entry]>,
        src: Option<&dyn source::Source>,
        verify: Verify,
        ids: &[usize],
        in_parts: Option<Parts>,
    ) {
        let opts = self.opts;
        let owners = rules::schema_owners();
        let deadline = self.deadline;
        let late = || deadline.is_some_and(|d| std::time::Instant::now() >= d);
        type Enabled<'r> = Vec<&'r (&'static Rule, Severity)>;
        let per_doc: Enabled = self
            .enabled
            .iter()
            .filter(|(r, _)| !matches!(r.check, Check::Layout(_)))
            .collect();
        // The layout-level rules that read what the layer pass found, for blobs checked (and released) group by
        // group.
        let of_layers: Enabled = self
            .enabled
            .iter()
            .filter(|(r, _)| {
                matches!(r.check, Check::Layout(_)) && rules::layer::reads_layer_contents(r)
            })
            .collect();
        let groups = doc_groups(graph, ids, in_parts.as_ref());
        let index_descs = IndexDescs::of(graph, in_parts.as_ref().map(|p| p.doc));
        // A batch of a layout walked in batches (or what no batch reached, last) is a part of one verification.
        let in_batches = graph.batch.is_some() || graph.met_earlier_any();
        let mut parts = match (verify, src) {
            (Verify::PerGroup, Some(src)) => Some((
                src,
                if in_batches {
                    let last = graph.batch.is_none();
                    verify::Verifier::after(src, graph, opts, self.tally, last)
                } else {
                    verify::Verifier::new(src, graph, opts)
                },
                Lifetimes::of(graph, &groups),
            )),
            _ => None,
        };
        let total = self.total;
        let Checks {
            policy,
            sink,
            early_docs,
            cut,
            checked,
            ..
        } = self;
        for (gi, group) in groups.iter().enumerate() {
            // The descriptors this group checks: those of its documents, or a part of `index.json`'s entries.
            let mut desc_ids: Vec<usize> = match &group.entries {
                Some(range) => index_descs.of_entries(range, group.subject),
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
                && !graph.load_parts(range.clone(), group.subject, src, opts)
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
                            *cut = Some(format!(
                                "the schemas of {} of {} documents were not checked, and no rule ran but those that report limits",
                                total - *checked - i,
                                total
                            ));
                            break;
                        }
                        schema_check(graph, doc, owners, policy, opts, sink);
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
                let done = *checked;
                scope.run_rules(&per_doc, sink, &late, cut, |code, n| {
                    format!(
                        "{} of {} documents were not checked by every rule ({code} was running when it passed; {} of {} rules were left on the one it was checking), and no rule ran on them but those that report limits",
                        total - done,
                        total,
                        per_doc.len() - n,
                        per_doc.len()
                    )
                });
                // The layers no later group reaches: their own rules run now (on those an earlier batch of the
                // walk has not checked), and then their facts can go.
                let unchecked: Vec<std::sync::Arc<str>> = release
                    .iter()
                    .filter(|p| !graph.met_earlier(p))
                    .cloned()
                    .collect();
                if !unchecked.is_empty() {
                    let scope = Scope {
                        graph,
                        entries: own,
                        docs: &[],
                        descs: &[],
                        blobs: Some(&unchecked),
                        opts,
                    };
                    scope.run_rules(&of_layers, sink, &late, cut, |code, n| {
                        layout_rules_cut(code, n, of_layers.len())
                    });
                }
            }
            if parts.is_some() {
                graph.release_layers(release.iter().map(|p| &**p));
            }
            *checked += group.docs.len();
            graph.unload(&parse, opts);
            if group.entries.is_some() {
                // The bytes stay for the next part.
                let next_part = groups.get(gi + 1).is_some_and(|g| g.entries.is_some());
                graph.unload_parts(!next_part, opts);
            }
        }
        if let Some((src, mut v, _)) = parts {
            // What no group reached (blobs no document of this run points at) is verified last, and checked with
            // the layout.
            v.run(src, graph, opts, None);
            self.tally = v.tally();
            v.finish(graph);
        }
    }

    /// The layout-level rules that `which` accepts, over `entries` and the graph's blobs (or those at `blobs`),
    /// and the limits of the cross-layer replays of the documents `ids`.
    pub(crate) fn layout(
        &mut self,
        graph: &Graph,
        entries: Option<&[source::Entry]>,
        blobs: Option<&[std::sync::Arc<str>]>,
        ids: &[usize],
        which: &dyn Fn(&Rule) -> bool,
    ) {
        let opts = self.opts;
        let deadline = self.deadline;
        let late = || deadline.is_some_and(|d| std::time::Instant::now() >= d);
        let layout: Vec<&(&'static Rule, Severity)> = self
            .enabled
            .iter()
            .filter(|(r, _)| matches!(r.check, Check::Layout(_)) && which(r))
            .collect();
        let docs: Vec<&walk::Doc> = ids.iter().filter_map(|&i| graph.docs.get(i)).collect();
        let scope = Scope {
            graph,
            entries,
            docs: &docs,
            descs: &[],
            blobs,
            opts,
        };
        scope.run_rules(&layout, &mut self.sink, &late, &mut self.cut, |code, n| {
            layout_rules_cut(code, n, layout.len())
        });
        stopped_replays(graph, &docs, &self.policy, opts, &mut self.sink);
    }

    /// The findings of the run: with the time limit's finding if the checks stopped at it (located in
    /// `index.json`, or for a single document in `first`), the limits hit, and of a shard's layout-level findings
    /// those in its own files.
    pub(crate) fn finish(
        mut self,
        graph: &Graph,
        entries: Option<&[source::Entry]>,
        first: Option<std::sync::Arc<str>>,
    ) -> Checked {
        let opts = self.opts;
        if let Some(what) = self.cut.take() {
            let rule = &rules::layout::run_time_limit::RULE;
            if let Some(sev) = self.policy.severity(rule.code) {
                let origin = rule.origin(opts.spec);
                let mut out = Out::new(&origin, sev, graph, None, &mut self.sink);
                out.limit(
                    report::Location::file(match (entries, &first) {
                        (None, Some(doc)) => &**doc,
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
        let (mut limits, mut limits_total) = self.sink.take_limits();
        debug_assert!(
            limits.iter().all(|l| rules::reports_limits(l.code)),
            "a rule reports limits without being in rules::LIMIT_RULES: {limits:?}"
        );
        let layout = self.layout_codes();
        let (mut findings, mut not_listed) = self.sink.finish();
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
            // The document, descriptor and image rules ran on this step's documents only, and their findings are
            // this step's wherever they are located (an image's platform disagreeing with its index.json entry is
            // reported in index.json by the shard of the image). The layout-level rules looked at the whole
            // layout: of theirs, only what is located in this step's own files.
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
