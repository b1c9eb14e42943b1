use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The layout has no `index.json` at its root (or the name is taken by a directory, a symbolic link or a
    /// special file, which are not followed).
    ///
    /// ## Why it matters
    /// `index.json` is the entry point of the layout: every image, tag and descriptor is found from it. Without it
    /// nothing in `blobs/` can be reached.
    ///
    /// ## Example
    /// A directory holding `oci-layout` and `blobs/` only.
    ///
    /// ## How to fix
    /// Add `index.json` at the root of the layout, listing the image manifests or indexes the layout holds (`skopeo
    /// copy … oci:DIR:TAG` writes one).
    LAY004, "index-json-missing", Error,
    basis: Keyword,
    clauses: ["image-layout-009", "image-layout-017"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    // A registry has no layout files: nothing to be missing.
    if cx.graph.from_registry() {
        return;
    }
    match cx.entry("index.json") {
        // Not listed because a limit (the decompression guard, the time limit) stopped the listing first: the
        // limit's own finding says what was not checked.
        None if cx.graph.listing_incomplete => {}
        None => out.emit(
            Location::file("index.json"),
            "the layout has no `index.json` file",
        ),
        Some(e) if e.kind != crate::source::EntryKind::File => out.emit(
            Location::file("index.json"),
            format!(
                "`index.json` is {}, not a regular file (not followed)",
                e.kind.describe()
            ),
        ),
        Some(_) => {}
    }
}
