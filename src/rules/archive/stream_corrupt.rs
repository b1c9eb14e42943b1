use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::archive::DefectKind;

declare_rule! {
    /// ## What it checks
    /// The archive cannot be read past some point: a header whose checksum is wrong (not a tar header at all), a
    /// number field that is not a number, a malformed PAX extended header, a corrupt gzip or zstd stream, or one of
    /// ocicheck's limits: more entries than it lists (200,000), or than the run's memory budget leaves the
    /// listing (`--max-memory`; a GNU or PAX long name may be 1 MiB), a zstd archive whose decoding window does
    /// not fit in it, or a gzip or zstd archive that decompresses past the decompression guard
    /// (`--max-layer-size`, `--max-layer-ratio`) or the run's `--max-time` while it is being listed. Nothing after
    /// that point is read; after a listing limit, only the layout's own `oci-layout`, `index.json` and
    /// `manifest.json` are still looked for, so that the limit never reads as a missing file.
    ///
    /// ## Why it matters
    /// Every entry after the corruption is lost to every reader, so blobs stored there cannot be verified
    /// (image-layout-011) and files such as `index.json` may be missing. A corrupt header in the middle of an
    /// archive usually means it was edited or concatenated by hand.
    ///
    /// ## Example
    /// Two tar archives joined with `cat a.tar b.tar` after `a.tar`'s end marker was stripped badly.
    ///
    /// ## How to fix
    /// The archive is damaged or is not a tar file at all (a compressed file of another kind, an HTML error page
    /// saved under the archive's name). Get a fresh copy from the producer. For a limit, the message names the
    /// flag to raise.
    ARC005, "archive-corrupt", Error,
    basis: Type,
    clauses: ["image-layout-011", "image-layout-001"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for d in super::defects(cx, DefectKind::Corrupt) {
        out.emit(super::location(d), d.message.clone());
    }
    // Limits are reported by the same rule (nothing after them was listed either), as limits: the report is
    // incomplete rather than the archive corrupt.
    for d in super::defects(cx, DefectKind::Limit) {
        let raise = crate::options::option_named_in(&d.message).or(d
            .message
            .contains(crate::layer::DEADLINE)
            .then_some("--max-time"));
        out.limit(super::location(d), d.message.clone(), raise);
    }
}
