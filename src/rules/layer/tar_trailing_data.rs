use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::End;
use crate::rule::Check;

use super::layers;

declare_rule! {
    /// ## What it checks
    /// Non-zero bytes follow the end-of-archive marker of a layer's tar stream (zero padding to a record size
    /// is normal and not reported). The bytes are part of the uncompressed stream, so they are in the DiffID.
    ///
    /// ## Why it matters
    /// Tar readers stop at the marker, so the data is invisible when the layer is unpacked, yet it changes the
    /// DiffID and can smuggle content past tools that only look at the unpacked files. It is usually a sign of
    /// two archives concatenated, the second one lost.
    ///
    /// ## Basis
    /// Type: the blob must be a tar archive (layer-001), and bytes after the archive's end are not part of one.
    /// Readers disagree on them (most stop at the marker, `tar --ignore-zeros` reads on), so an error.
    ///
    /// ## Example
    /// `cat a.tar b.tar | gzip` as a layer: the entries of `b.tar` are never unpacked.
    ///
    /// ## How to fix
    /// Write nothing after the end of the tar stream; data appended after the end marker is ignored by some readers
    /// and read by others.
    LYR006, "layer-tar-trailing-data", Error,
    basis: Type,
    clauses: ["layer-001"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let (Some(t), End::Marker { offset }) = (f.tar.trailing(), &f.tar.end) else {
            continue;
        };
        out.emit(
            cx.blob_location(&b.path),
            format!(
                "{} bytes follow the end-of-archive marker at offset {offset}; the first non-zero byte is at offset {}",
                t.len, t.offset
            ),
        );
    }
}
