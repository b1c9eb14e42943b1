use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A layer has an entry whose basename is exactly `.wh.`: a whiteout prefix with no name of a file to delete
    /// after it. The spec's main branch declares such an entry invalid and asks implementations to return an
    /// error; v1.1.1 does not mention it, so the rule applies with `--spec main`.
    ///
    /// ## Why it matters
    /// The entry deletes nothing, and implementations disagree on what to do with it: some ignore it, some try
    /// to delete the directory itself, some fail.
    ///
    /// ## Example
    /// An entry `etc/.wh.` in a layer.
    ///
    /// ## How to fix
    /// Remove the entry named `.wh.` alone; to delete a file `x`, the whiteout is `.wh.x` in the same directory.
    LYR013, "layer-whiteout-name-empty", Warning,
    basis: Keyword,
    clauses: ["layer-010"],
    gate: MainOnly,
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if e.has(flag::ESCAPES) {
                continue;
            }
            if classify(tar::basename(f.tar.path(e))) == Whiteout::Empty {
                r.at(
                    entry_loc(f, e),
                    "a whiteout `.wh.` with no basename to delete is invalid".to_string(),
                );
            }
        }
        r.finish();
    }
}
