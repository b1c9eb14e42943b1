use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::flag;
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A tar entry's name, or a hard link's target, has a `..` component (`a/../b`, `../../etc/cron.d/x`). The
    /// message says whether it climbs above the root.
    ///
    /// ## Why it matters
    /// `..` in an archive name is the classic path-traversal attack ("zip slip"): an extractor that does not
    /// sanitise names writes outside the directory it unpacks into. Even when it stays inside, the same file has
    /// two spellings, which defeats duplicate and whiteout checks. Real layer writers never produce it.
    ///
    /// ## Basis
    /// Hardening. No clause forbids `..` in a name; the spec only builds layers from paths relative to the root
    /// (layer.md § Populate Initial Filesystem). A `..` that climbs above the root is a path-traversal attack on
    /// careless unpackers, and one that stays inside gives a file two spellings: a warning by default either way
    /// (the message says which), an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// A layer entry `../../../../etc/cron.d/evil`.
    ///
    /// ## How to fix
    /// Store each path in its plain form, without `..`; a layer with names that climb above the root is not safe to
    /// unpack.
    LYR009, "layer-entry-path-dotdot", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#populate-initial-filesystem",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if e.has(flag::DOTDOT) {
                let how = if e.has(flag::ESCAPES) {
                    "it climbs above the root of the layer".to_string()
                } else {
                    format!("it stays inside the root, as {:?}", f.tar.path(e))
                };
                r.at(
                    entry_loc(f, e),
                    format!(
                        "the entry name {:?} has a `..` component: {how}",
                        f.tar.name(e)
                    ),
                );
            }
            if e.has(flag::LINK_DOTDOT) {
                let how = if e.has(flag::LINK_ESCAPES) {
                    "it climbs above the root of the layer".to_string()
                } else {
                    format!("it stays inside the root, as {:?}", f.tar.link_path(e))
                };
                r.at(
                    entry_loc(f, e),
                    format!(
                        "the hard link target {:?} has a `..` component: {how}",
                        f.tar.link(e)
                    ),
                );
            }
        }
        r.finish();
    }
}
