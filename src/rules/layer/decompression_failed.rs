use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::End;
use crate::mediatype::Compression;
use crate::report::EntryLoc;
use crate::rule::Check;

use super::layers;

declare_rule! {
    /// ## What it checks
    /// The compressed stream of a layer cannot be decompressed to its end: the gzip or zstd data is corrupt,
    /// truncated, or followed by bytes that are not another gzip member or zstd frame (concatenated gzip members
    /// and zstd skippable frames are fine). The finding names the tar entry that was being read when the
    /// stream broke.
    ///
    /// ## Why it matters
    /// No consumer can unpack the layer past that point, and its DiffID cannot be computed. A truncated blob
    /// usually also fails its digest; a blob that hashes right but does not decompress was written broken.
    ///
    /// ## Example
    /// A `+gzip` layer whose last kilobytes were cut off before it was hashed and pushed.
    ///
    /// ## How to fix
    /// The compressed layer is damaged or truncated: rebuild or re-pull the image. A layer written to a full disk
    /// or copied partially is the usual cause.
    LYR002, "layer-decompression-failed", Error,
    basis: Type,
    clauses: ["layer-001"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let Some(stop) = &f.decode_error else {
            continue;
        };
        let what = match f.decoded_as {
            Some(Compression::Gzip) => "gzip",
            Some(Compression::Zstd) => "zstd",
            _ => "layer",
        };
        let after_end = matches!(f.tar.end, End::Marker { .. });
        let msg = format!(
            "the {what} stream cannot be decompressed{} ({} compressed bytes read, {} bytes decompressed): {}",
            if after_end {
                " after the end of the tar archive"
            } else {
                ""
            },
            stop.compressed,
            stop.uncompressed,
            stop.message
        );
        let loc = cx.blob_location(&b.path);
        match (&stop.entry, after_end) {
            (Some((path, offset)), false) => out.at_entry(
                loc,
                EntryLoc {
                    path: path.clone(),
                    offset: *offset,
                },
                msg,
            ),
            _ => out.emit(loc, msg),
        }
    }
}
