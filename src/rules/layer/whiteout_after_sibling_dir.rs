use std::collections::HashMap;

use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::Kind;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// An explicit whiteout `d/.wh.x` comes, in archive order, after a directory entry that is its sibling (a
    /// directory `d/y/` of the same directory `d`). The spec asks producers to write whiteouts before sibling
    /// directory entries. (Read this way, the clause covers directory-type siblings; opaque whiteouts are applied
    /// first wherever they are, so their position does not matter.) The clause is ambiguous and producers in wide
    /// use do not follow it (umoci writes all whiteouts at the end of a layer), so this is off by default; turn
    /// it on with `--warn LYR018`.
    ///
    /// ## Why it matters
    /// Unpackers apply entries in archive order. With whiteouts first, a directory the layer recreates can never
    /// be deleted by a whiteout met later, whatever the unpacker does with whiteouts.
    ///
    /// ## Example
    /// ```text
    /// app/data/
    /// app/data/file
    /// app/.wh.tmp.txt      ← after its sibling directory app/data/
    /// ```
    ///
    /// ## How to fix
    /// Write the whiteouts of a directory before its subdirectories' entries, or let the build tool write the layer
    /// (tar writers that sort entries by name put `.wh.` files first).
    LYR018, "layer-whiteout-after-sibling-dir", Warning,
    basis: Keyword,
    clauses: ["layer-013"],
    default_enabled: false,
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let t = &f.tar;
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        // Directory → its first child directory entry met so far (name, offset).
        let mut first_dir: HashMap<&str, (&str, u64)> = HashMap::new();
        for e in &t.entries {
            if e.has(flag::ESCAPES) {
                continue;
            }
            let p = t.path(e);
            if p.is_empty() {
                continue;
            }
            let dir = tar::parent(p);
            match (classify(tar::basename(p)), e.kind) {
                (Whiteout::Explicit(_), _) => {
                    if let Some((name, at)) = first_dir.get(dir) {
                        r.at(
                            entry_loc(f, e),
                            format!(
                                "this whiteout comes after its sibling directory entry {name:?} (offset {at}); whiteouts should come first"
                            ),
                        );
                    }
                }
                (Whiteout::No, Kind::Dir) => {
                    first_dir.entry(dir).or_insert((t.name(e), e.offset));
                }
                _ => {}
            }
        }
        r.finish();
    }
}
