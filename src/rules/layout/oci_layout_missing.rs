use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The layout has no `oci-layout` file at its root (or the name is taken by a directory, a symbolic link or
    /// a special file, which are not followed).
    ///
    /// ## Why it matters
    /// `oci-layout` marks the root of an image layout and says which layout version it uses. Without it, tools
    /// cannot tell an image layout from any other directory, and most refuse to read it.
    ///
    /// ## Example
    /// A directory holding `index.json` and `blobs/` only.
    ///
    /// ## How to fix
    /// Add a regular file `oci-layout` holding `{"imageLayoutVersion": "1.0.0"}` at the root of the layout. Copying
    /// a layout with `cp -r` of only `blobs/` and `index.json` loses it.
    LAY001, "oci-layout-missing", Error,
    basis: Keyword,
    clauses: ["image-layout-005"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    // A registry has no layout files: nothing to be missing.
    if cx.graph.from_registry() {
        return;
    }
    match cx.entry("oci-layout") {
        // Not listed because a limit (the decompression guard, the time limit) stopped the listing first: the
        // limit's own finding says what was not checked.
        None if cx.graph.listing_incomplete => {}
        None => out.emit(
            Location::file("oci-layout"),
            "the layout has no `oci-layout` file",
        ),
        Some(e) if e.kind != crate::source::EntryKind::File => out.emit(
            Location::file("oci-layout"),
            format!(
                "`oci-layout` is {}, not a regular file (not followed)",
                e.kind.describe()
            ),
        ),
        Some(_) => {}
    }
}
