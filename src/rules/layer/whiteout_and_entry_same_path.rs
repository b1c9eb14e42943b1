use std::collections::HashMap;

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
    LYR014, "layer-whiteout-and-entry-same-path", Error,
    clauses: ["layer-012"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let t = &f.tar;
        let mut r = EntryReporter::new(out, cx.blob_location(&b.path));
        let mut added: HashMap<&str, u64> = HashMap::new();
        for e in &t.entries {
            let p = t.path(e);
            if !e.has(flag::ESCAPES) && classify(tar::basename(p)) == Whiteout::No {
                added.entry(p).or_insert(e.offset);
                // Everything below counts too: a whiteout of `d` and an entry `d/f`.
                let mut a = tar::parent(p);
                while !a.is_empty() && !added.contains_key(a) {
                    added.insert(a, e.offset);
                    a = tar::parent(a);
                }
            }
        }
        for e in &t.entries {
            if e.has(flag::ESCAPES) {
                continue;
            }
            let p = t.path(e);
            if let Whiteout::Explicit(name) = classify(tar::basename(p)) {
                let target = join(tar::parent(p), name);
                if let Some(at) = added.get(target.as_str()) {
                    r.at(
                        entry_loc(f, e),
                        format!(
                            "this whiteout deletes {target}, which the same layer adds (entry at offset {at}); a whiteout only applies to lower layers"
                        ),
                    );
                }
            }
        }
        r.finish();
    }
}
