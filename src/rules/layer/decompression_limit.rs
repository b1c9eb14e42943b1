use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar;
use crate::report::EntryLoc;
use crate::rule::Check;

use super::layers;

declare_rule! {
    /// ## What it checks
    /// Decompressing a layer went past the decompression guard: more uncompressed bytes than `--max-layer-size`
    /// (64 GiB by default), or an uncompressed/compressed ratio above `--max-layer-ratio` (10,000:1 by default,
    /// checked once 64 MiB have been decompressed). ocicheck stops decompressing there, so the rest of the layer
    /// and its DiffID are not checked; the blob's digest and size still are. Also reported: a layer with more
    /// entries than ocicheck keeps to check them (4,000,000 entries, or 512 MiB of names, in one layer; 1,000,000
    /// entries in all the layers of a run together, `--max-layer-entries`; or as many as the run's memory budget,
    /// `--max-memory`, leaves the entry lists); the DiffID and the tar stream are still checked in full, the entries
    /// past the cap are not, nor the layers above it. And a zstd layer whose decoding window does not fit in what
    /// `--max-memory` leaves: its contents are not checked.
    ///
    /// ## Why it matters
    /// A decompression bomb makes every consumer that unpacks the image fill its disk or spend hours; a
    /// validator must report it rather than be stopped by it. A legitimate layer this large or this repetitive
    /// is worth a look too; raise the limits to check it completely.
    ///
    /// ## Basis
    /// Hardening. No clause limits a layer's size or its compression ratio: a 100 GiB layer, or a zstd layer of
    /// a large file of zeros (well past 10,000:1), is a valid layer. The guard protects ocicheck and every
    /// unpacker after it, so hitting it is a warning by default, not an error (the summary line counts the
    /// layer as not validated), and an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// A 40 KiB `+zstd` layer that decompresses to 1 TiB of zeros.
    ///
    /// ## How to fix
    /// If the layer is that large on purpose, raise `--max-layer-size` or `--max-layer-ratio`; a layer that expands
    /// thousands of times is otherwise a decompression bomb and should not be unpacked.
    LYR003, "layer-decompression-limit", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#distributable-format",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        if f.tar.dropped_by_memory > 0 {
            out.limit(
                cx.blob_location(&b.path),
                format!(
                    "the entry lists of this run's layers reached what the memory budget leaves them (--max-memory, {}): {} of this layer's {} entries and the layers above it were not checked entry by entry",
                    crate::memory::size(cx.opts.max_memory),
                    f.tar.dropped,
                    f.tar.entries.len() as u64 + f.tar.dropped,
                ),
                Some("--max-memory"),
            );
        } else if f.tar.dropped_by_budget > 0 {
            out.limit(
                cx.blob_location(&b.path),
                format!(
                    "the layers of this run keep at most {} entries in all (--max-layer-entries), and this one came past that: {} of its {} entries and the layers above it were not checked entry by entry",
                    cx.opts.max_layer_entries,
                    f.tar.dropped,
                    f.tar.entries.len() as u64 + f.tar.dropped,
                ),
                Some("--max-layer-entries"),
            );
        } else if f.tar.dropped > 0 {
            out.limit(
                cx.blob_location(&b.path),
                format!(
                    "the layer has {} entries, more than the {} (or {} MiB of names) kept for checking; the last {} entries and the layers above this one were not checked entry by entry",
                    f.tar.entries.len() as u64 + f.tar.dropped,
                    tar::MAX_KEPT_ENTRIES,
                    tar::MAX_KEPT_NAMES >> 20,
                    f.tar.dropped
                ),
                None,
            );
        }
        let Some(stop) = &f.limit else {
            continue;
        };
        let msg = format!(
            "{}; decompression stopped after {} bytes, so the rest of the layer and its DiffID were not checked",
            stop.message, stop.uncompressed
        );
        let mut loc = cx.blob_location(&b.path);
        loc.entry = stop.entry.as_ref().map(|(path, offset)| EntryLoc {
            path: path.clone(),
            offset: *offset,
        });
        let raise = crate::options::option_named_in(&stop.message).or(
            // The guard's deadline is the run's or the blob's: either way, time.
            (stop.message == crate::layer::DEADLINE).then_some("--max-time"),
        );
        out.limit(loc, msg, raise);
    }
}
