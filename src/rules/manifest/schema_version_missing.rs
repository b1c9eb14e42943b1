use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image manifest has no `schemaVersion`.
    ///
    /// ## Why it matters
    /// The property is required; clients that tell manifest formats apart by it cannot identify the document.
    ///
    /// ## Example
    /// ```json
    /// { "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": { … }, "layers": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Add `"schemaVersion": 2` to the manifest.
    MAN002, "manifest-schema-version-missing", Error,
    basis: Keyword,
    clauses: ["manifest-001"],
    schema: ["image-manifest.schema.json#/required/schemaVersion"],
    check: Check::Schema,
}
