//! What the rules of one step of the checks look at, and how one rule is run over it.

use crate::check::{self, DescCx, DocCx, ImageCx, LayoutCx, Out};
use crate::rule::{Check, Rule};
use crate::walk::{self, DocKind, Graph};
use crate::{Options, Severity, rules, source};

/// What the rules of one run check: the graph, the layout's entries (none for a single document), and the
/// documents and descriptors in scope (all of them, or those of a shard or step).
pub(super) struct Scope<'g> {
    pub(super) graph: &'g Graph,
    pub(super) entries: Option<&'g [source::Entry]>,
    pub(super) docs: &'g [&'g walk::Doc],
    pub(super) descs: &'g [(&'g walk::DescOcc, Option<&'g walk::Blob>)],
    /// The blobs the layout-level rules look at, when not all of the run's (see [`LayoutCx::only`]).
    pub(super) blobs: Option<&'g [std::sync::Arc<str>]>,
    pub(super) opts: &'g Options,
}

impl Scope<'_> {
    /// Run `list` in order until `late()` says the deadline has passed, then (as when `cut` is already set) only
    /// those that report limits, so that the report names every limit it hit. When the deadline passes during the
    /// `n`th rule, `cut` gets `why(its code, n)`.
    pub(super) fn run_rules(
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
