use std::collections::HashMap;

use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::flag;
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
    LYR011, "layer-entry-duplicate", Error,
    clauses: ["layer-002"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, cx.blob_location(&b.path));
        let mut seen: HashMap<&str, u64> = HashMap::with_capacity(f.tar.entries.len());
        for e in &f.tar.entries {
            if e.has(flag::ESCAPES) {
                continue;
            }
            let p = f.tar.path(e);
            if let Some(first) = seen.get(p) {
                let shown = if p.is_empty() {
                    "the root directory"
                } else {
                    p
                };
                r.at(
                    entry_loc(f, e),
                    format!("a second entry for {shown} (the first is at offset {first})"),
                );
            } else {
                seen.insert(p, e.offset);
            }
        }
        r.finish();
    }
}
