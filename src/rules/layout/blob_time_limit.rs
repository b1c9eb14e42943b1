use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// Verifying one blob (reading it, hashing it, and for a layer decompressing and reading its tar stream) took
    /// longer than `--max-blob-time` (600 seconds by default), so ocicheck stopped reading it. Its digest, and for
    /// a layer its DiffID and entries, were not verified.
    ///
    /// ## Why it matters
    /// Every blob's content must match its digest (image-layout-011), and a blob that cannot be read in bounded
    /// time cannot be shown to. A blob this slow to read is either enormous, on a storage that stalls, or built to
    /// make consumers spin (a decompression bomb within the size limits). Raise the limit to verify it anyway.
    ///
    /// ## Example
    /// A 60 GiB layer on a network file system, validated with `--max-blob-time 60`.
    ///
    /// ## How to fix
    /// Raise `--max-blob-time` for very large layers on slow storage, or find out why reading the blob is slow (a
    /// network file system, a failing disk).
    LAY013, "blob-time-limit", Error,
    basis: Keyword,
    clauses: ["image-layout-011"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for b in cx.blobs() {
        if let Some(m) = b.time_limit() {
            out.limit(
                cx.blob_location(&b.path),
                format!("{m}; its content was not verified"),
                crate::options::option_named_in(m),
            );
        }
    }
}
