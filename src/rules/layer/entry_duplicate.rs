use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::Entry;
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// Two entries of one layer name the same path. Names are compared after normalisation: a leading `/` or
    /// `./`, `.` and empty components and a trailing `/` do not make a different path (`./etc/`, `etc` and
    /// `etc//` are one path). The effective name is used: ustar `prefix` + `name`, GNU long names, PAX `path`.
    /// A whiteout `.wh.x` and `x` are different paths (see LYR014 for that pair).
    ///
    /// ## Why it matters
    /// Which of the two entries wins depends on the extractor (the last one, usually, but an extractor that
    /// refuses to overwrite keeps the first), so the unpacked filesystem is not well defined, and tools that
    /// index the layer by path see only one of them.
    ///
    /// ## Example
    /// A layer with `etc/app.conf` at offset 1024 and again as `./etc/app.conf` at offset 4096.
    ///
    /// ## How to fix
    /// Write each path once per layer; archiving overlapping directories (`tar -cf l.tar rootfs rootfs/etc`)
    /// duplicates entries.
    LYR011, "layer-entry-duplicate", Error,
    basis: Keyword,
    clauses: ["layer-002"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let t = &f.tar;
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        // Sorted by path, then archive order: every entry equal to its predecessor is a later duplicate.
        let mut dups: Vec<(&Entry, &Entry)> = Vec::new();
        let mut first: Option<&Entry> = None;
        for &i in f.by_path() {
            let e = &t.entries[i as usize];
            match first {
                Some(f0) if t.path(f0) == t.path(e) => dups.push((e, f0)),
                _ => first = Some(e),
            }
        }
        dups.sort_by_key(|(e, _)| e.offset);
        for (e, f0) in dups {
            let p = t.path(e);
            let shown = if p.is_empty() {
                "the root directory"
            } else {
                p
            };
            r.at(
                entry_loc(f, e),
                format!(
                    "a second entry for {shown} (the first is at offset {})",
                    f0.offset
                ),
            );
        }
        r.finish();
    }
}
