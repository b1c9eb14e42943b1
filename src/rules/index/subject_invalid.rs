use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image index's `subject` is not an object (a descriptor).
    ///
    /// ## Why it matters
    /// `subject` is the descriptor of the manifest this index refers to; registries index referrers by it and
    /// reject a malformed one.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "manifests": [], "subject": "nope" }
    /// ```
    ///
    /// ## How to fix
    /// Write `subject` as a descriptor object (`mediaType`, `digest`, `size`) of the manifest the index refers to,
    /// or leave it out.
    IDX019, "index-subject-invalid", Error,
    basis: Type,
    clauses: ["image-index-037"],
    schema: ["image-index.schema.json#/properties/subject/type"],
    check: Check::Schema,
}
