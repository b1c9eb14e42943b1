use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;
use crate::source::EntryKind;

declare_rule! {
    /// ## What it checks
    /// Something under `blobs/` that does not fit `blobs/<alg>/<encoded>`: a file directly in `blobs/`, a
    /// directory where a blob belongs, anything nested deeper, or a blob that is a symbolic link, a FIFO or a
    /// device (never followed or opened). A referenced blob that is not a regular file is not read: the summary
    /// line counts it as not validated.
    ///
    /// ## Why it matters
    /// `blobs/` holds one directory per algorithm and one regular file per blob. Anything else cannot be addressed
    /// by a digest; links may point outside the layout and special files can hang readers.
    ///
    /// ## Basis
    /// Hardening. image-layout.md describes `blobs/` as a directory per algorithm holding the content, without a
    /// keyword for what else may be there; the MUST on names (image-layout-013) is LAY006's. Links and special
    /// files are the classic tricks against a reader (a link to `/etc/passwd`, a FIFO that blocks it), so a
    /// warning by default, an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// `blobs/sha256/<digest>` being a symbolic link to `/etc/passwd`.
    ///
    /// ## How to fix
    /// Keep only `blobs/<algorithm>/<encoded>` files under `blobs/`: remove temporary files, nested directories and
    /// other files a tool or a person left there.
    LAY010, "blobs-entry-misplaced", Warning,
    basis: Hardening,
    clauses: [],
    section: "image-layout.md#blobs",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for e in cx.entries {
        let parts: Vec<&str> = e.path.split('/').collect();
        if parts.first() != Some(&"blobs") {
            continue;
        }
        let msg = match (parts.len(), e.kind) {
            (2, EntryKind::Dir) | (3, EntryKind::File) => continue,
            (2, k) => format!(
                "{} directly in `blobs/`; only algorithm directories belong there",
                k.describe()
            ),
            (3, EntryKind::Dir) => {
                "a directory where a blob belongs; a blob is a regular file, so its content was not read"
                    .to_string()
            }
            (3, k) => format!(
                "the blob is {}, not a regular file; it was not read",
                k.describe()
            ),
            // Deeper entries: report only the first level that is out of place (its parent is a directory at
            // blob level, already reported).
            _ => continue,
        };
        out.emit(
            Location {
                via: cx.graph.via_of_blob(&e.path),
                ..Location::file(e.path.to_string())
            },
            msg,
        );
    }
}
