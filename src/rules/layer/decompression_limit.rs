use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::EntryLoc;
use crate::rule::Check;

use super::layers;

declare_rule! {
    /// ## What it checks
    /// Decompressing a layer went past the decompression guard: more uncompressed bytes than `--max-layer-size`
    /// (64 GiB by default), or an uncompressed/compressed ratio above `--max-layer-ratio` (10,000:1 by default,
    /// checked once 64 MiB have been decompressed). ocicheck stops decompressing there, so the rest of the layer
    /// and its DiffID are not checked; the blob's digest and size still are.
    ///
    /// ## Why it matters
    /// A decompression bomb makes every consumer that unpacks the image fill its disk or spend hours; a
    /// validator must report it rather than be stopped by it. A legitimate layer this large or this repetitive
    /// is worth a look too; raise the limits to check it completely.
    ///
    /// ## Example
    /// A 40 KiB `+zstd` layer that decompresses to 1 TiB of zeros.
    LYR003, "layer-decompression-limit", Error,
    clauses: ["layer-001"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let Some(stop) = &f.limit else {
            continue;
        };
        let msg = format!(
            "{}; decompression stopped after {} bytes, so the rest of the layer and its DiffID were not checked",
            stop.message, stop.uncompressed
        );
        let loc = cx.blob_location(&b.path);
        match &stop.entry {
            Some((path, offset)) => out.at_entry(
                loc,
                EntryLoc {
                    path: path.clone(),
                    offset: *offset,
                },
                msg,
            ),
            None => out.emit(loc, msg),
        }
    }
}
