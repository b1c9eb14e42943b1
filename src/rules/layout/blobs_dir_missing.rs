use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;
use crate::source::EntryKind;

declare_rule! {
    /// ## What it checks
    /// The layout has no `blobs` directory (an empty one is fine).
    ///
    /// ## Why it matters
    /// The spec requires the directory to exist even when it is empty, and tools that write into a layout expect
    /// it. Its absence usually means the layout was copied incompletely.
    ///
    /// ## Example
    /// A layout holding only `oci-layout` and an `index.json` with no manifests.
    ///
    /// ## How to fix
    /// Create the `blobs` directory; an empty layout still has one.
    LAY005, "blobs-dir-missing", Error,
    basis: Keyword,
    clauses: ["image-layout-003", "image-layout-004"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    // A registry has no layout files: nothing to be missing.
    if cx.graph.from_registry() {
        return;
    }
    match cx.entry("blobs") {
        // Not listed because a limit stopped the listing first (an archive lists in stream order).
        None if cx.graph.listing_incomplete => {}
        None => out.emit(
            Location::file("blobs"),
            "the layout has no `blobs` directory",
        ),
        Some(e) if e.kind != EntryKind::Dir => out.emit(
            Location::file("blobs"),
            format!("`blobs` is {}, not a directory", e.kind.describe()),
        ),
        Some(_) => {}
    }
}
