use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify, join};
use crate::layer::{Entry, LayerFacts};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A layer holds an explicit whiteout `d/.wh.x` after (in archive order) an entry of the same layer for `d/x`
    /// itself or for something below it. The other order, the whiteout first and then `d/x` (a lower directory
    /// deleted and made anew, or a file replaced by a directory), is what the spec's semantics describe and is
    /// not reported.
    ///
    /// ## Why it matters
    /// Whiteouts only apply to lower layers, and files of the same layer can only be hidden by whiteouts in
    /// later layers (layer-012), so the pair means "delete the lower x, and add x". But unpackers that apply
    /// entries as they meet them delete the file the layer just added when the whiteout comes after it, so the
    /// result depends on the tool.
    ///
    /// ## Basis
    /// Hardening. The layer is not wrong by any clause: layer-012 tells unpackers how to apply it. The rule
    /// protects the unpackers that apply whiteouts in archive order: a warning by default, an error under
    /// `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// ```text
    /// etc/app.conf
    /// etc/.wh.app.conf
    /// ```
    ///
    /// ## How to fix
    /// Either delete the path (the whiteout) or add it (the entry), not both in one layer; to replace a directory's
    /// content, use an opaque whiteout, or delete in one layer and add in the next.
    LYR014, "layer-whiteout-and-entry-same-path", Warning,
    basis: Hardening,
    clauses: ["layer-012"],
    section: "layer.md#whiteouts",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let t = &f.tar;
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &t.entries {
            if e.has(flag::ESCAPES) {
                continue;
            }
            let p = t.path(e);
            let Whiteout::Explicit(name) = classify(tar::basename(p)) else {
                continue;
            };
            let target = join(tar::parent(p), name);
            // An earlier entry at the path itself, or below it (a whiteout of `d` after an entry `d/f`), that is
            // not itself a whiteout.
            let earlier = |a: &&Entry| {
                a.offset < e.offset && classify(tar::basename(t.path(a))) == Whiteout::No
            };
            let added = f
                .entries_at(&target)
                .find(earlier)
                .or_else(|| below(f, &target).find(earlier));
            if let Some(a) = added {
                r.at(
                    entry_loc(f, e),
                    format!(
                        "this whiteout deletes {target}, which the same layer adds before it (entry at offset {}): a whiteout only applies to lower layers, but an unpacker that applies entries in order deletes the new one",
                        a.offset
                    ),
                );
            }
        }
        r.finish();
    }
}

/// The entries strictly below the directory `dir`, in path order.
fn below<'f>(f: &'f LayerFacts, dir: &str) -> impl Iterator<Item = &'f Entry> + 'f {
    let idx = f.by_path();
    let t = &f.tar;
    let prefix = format!("{dir}/");
    let i = idx.partition_point(|&i| t.path(&t.entries[i as usize]) < prefix.as_str());
    idx[i..]
        .iter()
        .map(|&i| &t.entries[i as usize])
        .take_while(move |e| t.path(e).starts_with(&prefix))
}
