//! A layout's checks a batch of `index.json`'s entries at a time ([`walk::Batches`]): each batch is walked,
//! verified and checked as a run of its own would be (but for what an earlier batch met, which it reads again and
//! does not check again), then its records go. What the report needs of it is kept small: each file's place in
//! the report order and the descriptor that first reached it (in the graph, `walk::Earlier`), the findings in the
//! run's sink, the images it listed and what it could not validate.

use super::{Checked, Checks, Early, Parts, Verify};
use crate::report::{NotValidated, NotValidatedItem};
use crate::rule::Rule;
use crate::select::ImageRef;
use crate::source::{self, Entry, FileTree};
use crate::walk::{Batches, Graph};
use crate::{Options, coverage, rules, select};

/// What a layout's checks in batches give the report.
pub(crate) struct Batched {
    pub(crate) checked: Checked,
    pub(crate) images: Vec<ImageRef>,
    pub(crate) not_validated: Option<NotValidated>,
    /// What no batch reached, with every file's place in the report order (for sorting the findings).
    pub(crate) graph: Graph,
}

/// Whether a run on `src` is checked in batches: a layout read from a directory (an archive decompresses forward
/// only), with every image of it, whole (a shard, a selection, `--fast` and the HTML report's content graph read
/// the whole walk), and a batch size.
pub(crate) fn applies(src: &dyn source::Source, opts: &Options) -> bool {
    opts.batch_images > 0
        && opts.shard.is_none()
        && opts.select.is_empty()
        && !opts.fast
        && !opts.content_graph
        && !opts.remote.referrers
        && src.archive().is_none()
        && Verify::for_source(src) == Verify::PerGroup
}

/// The layout-level rules that run once, after the batches: those about the layout itself rather than a blob
/// (its root files, the listing, the run's time limit), and those about missing blobs, which say what names the
/// blob (every batch that reaches it has to have said).
fn after_the_batches(r: &Rule) -> bool {
    use rules::layout::*;
    [
        blob_missing::RULE.code,
        image_blob_missing::RULE.code,
        oci_layout_missing::RULE.code,
        oci_layout_version_missing::RULE.code,
        oci_layout_version_not_string::RULE.code,
        index_json_missing::RULE.code,
        blobs_dir_missing::RULE.code,
        layout_unreadable::RULE.code,
        run_time_limit::RULE.code,
    ]
    .contains(&r.code)
}

/// Walk and check the layout of `src` (listed by `tree`) `opts.batch_images` entries of `index.json` at a time.
pub(crate) fn check(src: &dyn source::Source, tree: &dyn FileTree, opts: &Options) -> Batched {
    let entries = src.entries();
    let mut early = None;
    let mut roots = |g: &Graph| early = Some(Early::check(g, opts));
    let mut walk = Batches::start(src, tree, opts, &mut roots);
    let mut checks = Checks::new(opts, early.take());
    let mut images = Vec::new();
    let mut not_validated = Merged::default();
    while walk.next(opts.batch_images) {
        let g = walk.graph();
        let Some(batch) = g.batch.clone() else {
            break;
        };
        // What an earlier batch met was checked then: a batch that reaches it again reads it again (a layer's
        // facts, for the images of this batch that stack it) without checking it again.
        let ids: Vec<usize> = (batch.docs_from..g.docs.len())
            .filter(|&d| !g.met_earlier(&g.docs[d].file))
            .collect();
        let parts = g
            .parts_of_index_json()
            .filter(|(d, _)| checks.early_docs.contains(d))
            .map(|(doc, _)| Parts {
                doc,
                entries: batch.entries.clone(),
                subject: batch.subject,
            });
        checks.total += ids.len();
        checks.groups(
            g,
            Some(entries),
            Some(entries),
            Some(src),
            Verify::PerGroup,
            &ids,
            parts,
        );
        let g: &Graph = g;
        // The blob rules, and the rules of listed paths, on the blobs this batch met first.
        let first: Vec<std::sync::Arc<str>> = g
            .blobs
            .keys()
            .filter(|p| !g.met_earlier(p))
            .cloned()
            .collect();
        let own: Vec<Entry> = first
            .iter()
            .filter_map(|p| {
                entries
                    .binary_search_by(|e| (*e.path).cmp(p))
                    .ok()
                    .map(|i| entries[i].clone())
            })
            .collect();
        checks.layout(g, Some(&own), Some(&first), &ids, &|r| {
            !after_the_batches(r)
        });
        if opts.list_images {
            images.extend(
                select::images(g)
                    .into_iter()
                    .filter(|i| !g.met_earlier(&i.file)),
            );
        }
        not_validated.add(g, opts);
        walk.retire();
    }
    let mut g = walk.rest();
    // What no batch reached is verified, then checked with the layout's own rules.
    checks.groups(
        &mut g,
        Some(entries),
        Some(entries),
        Some(src),
        Verify::PerGroup,
        &[],
        None,
    );
    let rest: Vec<Entry> = entries
        .iter()
        .filter(|e| !g.met_earlier(&e.path))
        .cloned()
        .collect();
    checks.layout(&g, Some(&rest), None, &[], &|_| true);
    let first = g.docs.first().map(|d| d.file.clone());
    let checked = checks.finish(&g, Some(entries), first);
    Batched {
        checked,
        images,
        not_validated: not_validated.finish(),
        graph: g,
    }
}

/// The batches' lists of what was not validated, as one: in the order of a walk of the whole layout (what
/// `index.json`'s entries point at, then what the other descriptors do, then the stopped cross-layer checks), an
/// item once.
#[derive(Default)]
struct Merged {
    images_validated: usize,
    items: [Vec<NotValidatedItem>; 3],
}

impl Merged {
    fn add(&mut self, g: &Graph, opts: &Options) {
        // Counted by the batch that met the manifest first.
        let from = g.batch.as_ref().map_or(0, |b| b.docs_from);
        self.images_validated +=
            coverage::images_validated(g, |d| d.id >= from && !g.met_earlier(&d.file));
        for (all, these) in self
            .items
            .iter_mut()
            .zip(coverage::not_validated_items(g, opts))
        {
            all.extend(these);
        }
    }

    fn finish(self) -> Option<NotValidated> {
        let [root, other, stopped] = self.items;
        coverage::summed(
            self.images_validated,
            root.into_iter().chain(other).chain(stopped),
        )
    }
}
