use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::archive::DefectKind;

declare_rule! {
    /// ## What it checks
    /// The archive ends right after a complete entry, without the end-of-archive marker (two 512-byte blocks of
    /// zeros) that tar writers put at the end.
    ///
    /// ## Why it matters
    /// Every entry present is complete and is validated, so nothing of the layout is known to be wrong; but an
    /// archive without its end marker is what a transfer cut exactly at an entry boundary looks like, so entries
    /// may be missing. The spec allows carrying a layout in an archive (image-layout-001); a complete archive
    /// ends with its marker.
    ///
    /// ## Example
    /// An archive streamed by a tool that was killed after writing its last blob.
    ///
    /// ## How to fix
    /// Make the tar writer finish the archive: GNU tar and `docker save` write the end marker; a program using Go's
    /// `archive/tar` must call `Writer.Close()`, and Python's `tarfile` must close the archive.
    ARC006, "archive-eof-marker-missing", Info,
    basis: Keyword,
    clauses: ["image-layout-001"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for d in super::defects(cx, DefectKind::EofMarkerMissing) {
        out.emit(super::location(d), d.message.clone());
    }
}
