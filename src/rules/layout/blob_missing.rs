use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::RefKind;

declare_rule! {
    /// ## What it checks
    /// A descriptor points at a blob that is not in the layout: a whole image or index an index entry names
    /// (a multi-platform index exported for one platform). The spec allows such sparse layouts (the blob should
    /// then come from an external store), so this is an info; the `strict` profile makes it an error. The
    /// config or a layer of an image whose manifest is there is LAY015's. Missing `subject` targets are never
    /// reported: a subject is a weak reference to content that usually lives elsewhere.
    ///
    /// ## Why it matters
    /// A missing blob cannot be verified or unpacked from this layout alone; anything that needs it must fetch it
    /// from somewhere else. And a report without errors says nothing about content that was not there to
    /// check, so the summary line counts the images and blobs that were not validated.
    ///
    /// ## Example
    /// A layout from which the layers of a base image were left out.
    ///
    /// ## How to fix
    /// Copy the missing blobs into the layout, or copy the image again without skipping layers. A sparse layout
    /// (foreign or shared layers left out) is allowed, so this is only reported with `--warn LAY009` or `--profile
    /// strict`.
    LAY009, "blob-missing", Info,
    basis: Keyword,
    clauses: ["image-layout-015"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    if cx.graph.listing_incomplete {
        // A limit stopped the listing: a blob not listed may be there (the limit's finding says so).
        return;
    }
    for b in cx.blobs() {
        if b.entry.is_some() {
            continue;
        }
        let Some(d) = cx.graph.first_ref(b, RefKind::NotSubject) else {
            continue;
        };
        if super::part_of_image(cx, b) {
            continue; // LAY015's
        }
        let message = if cx.graph.from_registry() {
            format!(
                "the registry does not have the blob (its HEAD answered 404; referenced at {}#{})",
                d.file, d.pointer
            )
        } else {
            format!(
                "the blob is not in the layout (referenced at {}#{}); a sparse layout is allowed",
                d.file, d.pointer
            )
        };
        out.emit(cx.blob_location(&b.path), message);
    }
}
