use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::Kind;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// An opaque whiteout `d/.wh..wh..opq` whose directory `d` is not a directory entry of the same layer: the
    /// layer has no entry for `d` at all, or `d` is a regular file, link or other non-directory in it. (An
    /// opaque whiteout at the root needs no entry.)
    ///
    /// ## Why it matters
    /// An opaque whiteout marks its directory as replacing the lower one (overlayfs stores it as an attribute of
    /// the directory); the layer should then carry that directory, with its attributes, as every layer made
    /// from a file-system diff does. Without it the directory's mode and owner are whatever the unpacker
    /// invents, and under a non-directory the marker is meaningless.
    ///
    /// ## Example
    /// A layer holding `bin/.wh..wh..opq` and `bin/sh` but no `bin/` entry.
    ///
    /// ## How to fix
    /// Add the directory entry for `d/` to the layer with the opaque whiteout `d/.wh..wh..opq`, as diff tools that
    /// write opaque whiteouts do.
    LYR015, "layer-opaque-whiteout-parent-not-dir", Warning,
    clauses: ["layer-014"],
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
            if classify(tar::basename(p)) != Whiteout::Opaque {
                continue;
            }
            let dir = tar::parent(p);
            if dir.is_empty() {
                continue;
            }
            // The last entry for the directory is what the layer leaves there.
            let last = f.entries_at(dir).last().map(|x| x.kind);
            match last.as_ref() {
                Some(Kind::Dir) => {}
                Some(k) => r.at(
                    entry_loc(f, e),
                    format!(
                        "opaque whiteout in {dir}, which this layer makes a {}, not a directory",
                        k.describe()
                    ),
                ),
                None => r.at(
                    entry_loc(f, e),
                    format!("opaque whiteout in {dir}, but the layer has no entry for the directory {dir}"),
                ),
            }
        }
        r.finish();
    }
}
