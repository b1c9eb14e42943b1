use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image index (including `index.json`) has no `schemaVersion`.
    ///
    /// ## Why it matters
    /// The property is required; clients that tell formats apart by it cannot identify the document.
    ///
    /// ## Example
    /// ```json
    /// { "manifests": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Add `"schemaVersion": 2` to the index (and to `index.json`).
    IDX002, "index-schema-version-missing", Error,
    basis: Keyword,
    clauses: ["image-index-003"],
    schema: ["image-index.schema.json#/required/schemaVersion"],
    check: Check::Schema,
}
