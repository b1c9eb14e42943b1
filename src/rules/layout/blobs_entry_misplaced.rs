use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;
use crate::source::EntryKind;

declare_rule! {
    /// ## What it checks
    /// Something under `blobs/` that does not fit `blobs/<alg>/<encoded>`: a file directly in `blobs/`, a
    /// directory where a blob belongs, anything nested deeper, or a blob that is a symbolic link, a FIFO or a
    /// device (never followed or opened).
    ///
    /// ## Why it matters
    /// `blobs/` holds one directory per algorithm and one regular file per blob. Anything else cannot be addressed
    /// by a digest; links may point outside the layout and special files can hang readers.
    ///
    /// ## Example
    /// `blobs/sha256/<digest>` being a symbolic link to `/etc/passwd`.
    LAY010, "blobs-entry-misplaced", Error,
    basis: Keyword,
    clauses: ["image-layout-013", "image-layout-011"],
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
                ..Location::file(e.path.clone())
            },
            msg,
        );
    }
}
