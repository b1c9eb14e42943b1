use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::End;
use crate::rule::Check;

use super::layers;

declare_rule! {
    /// ## What it checks
    /// The tar stream of a layer ends (at a block boundary, after a complete entry) without its end-of-archive
    /// marker, the two 512-byte blocks of zeros; an empty layer blob has no marker either.
    ///
    /// ## Why it matters
    /// Without the marker a reader cannot tell a complete archive from one cut exactly between two entries: the
    /// layer may have lost files, and strict readers reject it. Every tar writer emits the marker.
    ///
    /// ## Basis
    /// Type: a tar archive (layer-001) ends with the marker, so a stream without it is not quite one. But every
    /// tar reader (GNU tar, libarchive, Go's `archive/tar`, which containerd and Docker use) accepts a stream
    /// that just ends, and an empty blob as an empty archive, so this is a warning, not an error.
    ///
    /// ## Example
    /// A layer produced by concatenating tar entries by hand, without the final `\0` × 1024.
    ///
    /// ## How to fix
    /// Finish the tar stream: a program using Go's `archive/tar` must call `Writer.Close()`, Python's `tarfile`
    /// must close the archive.
    LYR005, "layer-tar-eof-marker-missing", Warning,
    basis: Type,
    clauses: ["layer-001"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        if f.decode_error.is_some() || f.limit.is_some() {
            continue;
        }
        if let End::MissingMarker {
            offset,
            zero_blocks,
        } = f.tar.end
        {
            let msg = if offset == 0 {
                "the tar stream is empty: not even the end-of-archive marker (two 512-byte zero blocks) is there"
                    .to_string()
            } else {
                format!(
                    "the tar stream ends at offset {offset} without its end-of-archive marker (two 512-byte zero blocks; {zero_blocks} found)"
                )
            };
            out.emit(cx.blob_location(&b.path), msg);
        }
    }
}
