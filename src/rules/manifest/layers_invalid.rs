use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image manifest's `layers` is not an array, or an item of it is not an object (a descriptor).
    ///
    /// ## Why it matters
    /// Each item of `layers` must be a descriptor; anything else cannot be fetched, verified or applied.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "config": { … }, "layers": ["sha256:9834…"] }
    /// ```
    ///
    /// ## How to fix
    /// Write `layers` as an array of descriptor objects.
    MAN008, "manifest-layers-invalid", Error,
    basis: Keyword,
    clauses: ["manifest-019"],
    schema: [
        "image-manifest.schema.json#/properties/layers/type",
        "image-manifest.schema.json#/properties/layers/items/type",
    ],
    check: Check::Schema,
}
