use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify, join};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A layer holds both an explicit whiteout `d/.wh.x` and an entry for `d/x` itself (or something below it).
    ///
    /// ## Why it matters
    /// Whiteouts only apply to lower layers, and files of the same layer can only be hidden by whiteouts in
    /// later layers, so the pair means "delete x, and add x": the whiteout is at best useless, since adding `x`
    /// replaces the lower one anyway. But unpackers apply entries in archive order: one that meets the whiteout
    /// after the file deletes the file the layer just added, so the result depends on the tool.
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
    LYR014, "layer-whiteout-and-entry-same-path", Error,
    clauses: ["layer-012"],
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
            // The path itself, or something below it (a whiteout of `d` and an entry `d/f`), that is not itself a
            // whiteout.
            let added = f
                .find(&target)
                .or_else(|| f.find_below(&target))
                .filter(|a| classify(tar::basename(t.path(a))) == Whiteout::No);
            if let Some(a) = added {
                r.at(
                    entry_loc(f, e),
                    format!(
                        "this whiteout deletes {target}, which the same layer adds (entry at offset {}); a whiteout only applies to lower layers",
                        a.offset
                    ),
                );
            }
        }
        r.finish();
    }
}
