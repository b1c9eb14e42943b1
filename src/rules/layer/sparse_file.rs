use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::flag;
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A layer holds a sparse file: a GNU sparse entry (type `S`, with its sparse map and extension blocks), or
    /// an entry with PAX `GNU.sparse.*` records (the PAX sparse formats 0.0, 0.1 and 1.0).
    ///
    /// ## Why it matters
    /// Sparse files lack consistent support across tar implementations: a reader that does not know the format
    /// extracts the sparse map as file content, or a file named `GNUSparseFile.0/…`, so the unpacked file differs
    /// between tools.
    ///
    /// ## Example
    /// A layer made with `tar --sparse` from a directory holding a 1 GiB `lastlog` with a few bytes set.
    ///
    /// ## How to fix
    /// Rebuild the layer without sparse entries (GNU tar without `--sparse`/`-S`; Go's `archive/tar` never writes
    /// them), so that every reader unpacks the same bytes.
    LYR020, "layer-sparse-file", Warning,
    basis: Keyword,
    clauses: ["layer-004"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if e.has(flag::SPARSE) {
                r.at(
                    entry_loc(f, e),
                    "a sparse file; sparse files should not be used in layers".to_string(),
                );
            }
        }
        r.finish();
    }
}
