use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image index (including `index.json`) has no `manifests` member. An empty array is fine.
    ///
    /// ## Why it matters
    /// `manifests` must be present even when it has no entries; a document without it is not an image index, and
    /// an `index.json` without it is not a usable entry point.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json" }
    /// ```
    ///
    /// ## How to fix
    /// Add a `manifests` array, `[]` when the index is empty.
    IDX005, "index-manifests-missing", Error,
    basis: Keyword,
    clauses: ["image-index-011", "image-index-012", "image-index-013", "image-layout-010"],
    schema: ["image-index.schema.json#/required/manifests"],
    check: Check::Schema,
}
