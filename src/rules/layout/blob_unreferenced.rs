use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A blob in `blobs/` that no descriptor reachable from `index.json` points at. Allowed by the spec, so off
    /// by default; the `strict` profile (or `--info LAY008`) reports it.
    ///
    /// ## Why it matters
    /// Unreferenced blobs are harmless but take space and are usually left over from a deleted tag or an
    /// interrupted garbage collection.
    ///
    /// ## Example
    /// A layer left behind after `umoci rm` without `umoci gc`.
    ///
    /// ## How to fix
    /// Remove blobs no image uses: `umoci gc --layout DIR` does it, or copy the images you want into a fresh layout
    /// (`skopeo copy oci:OLD:TAG oci:NEW:TAG`). Only reported with `--warn LAY008` or `--profile strict`.
    LAY008, "blob-unreferenced", Info,
    basis: Keyword,
    clauses: ["image-layout-014"],
    default_enabled: false,
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    // A registry is not listed: every blob the walk knows of was reached (the root by its reference).
    if cx.graph.from_registry() {
        return;
    }
    for b in cx.blobs() {
        if b.present() && b.refs.is_empty() {
            let size = b.size.unwrap_or_default();
            out.emit(
                Location::file(b.path.to_string()),
                format!(
                    "no descriptor reachable from index.json points at this blob ({size} bytes)"
                ),
            );
        }
    }
}
