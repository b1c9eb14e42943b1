use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image index's `manifests` is not an array, or an entry of it is not an object (a descriptor).
    ///
    /// ## Why it matters
    /// `manifests` is a list of descriptors; anything else cannot be followed to an image.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "manifests": { "amd64": "sha256:…" } }
    /// ```
    ///
    /// ## How to fix
    /// Write `manifests` as an array of descriptor objects.
    IDX006, "index-manifests-invalid", Error,
    basis: Keyword,
    clauses: ["image-index-011"],
    schema: [
        "image-index.schema.json#/properties/manifests/type",
        "image-index.schema.json#/properties/manifests/items/type",
    ],
    check: Check::Schema,
}
