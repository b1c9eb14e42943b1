use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image manifest's `subject` is not an object (a descriptor).
    ///
    /// ## Why it matters
    /// `subject` is the descriptor of the manifest this one refers to (a signature's image, say); registries index
    /// referrers by it and reject a malformed one.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "config": { … }, "layers": [ … ], "subject": ".nope" }
    /// ```
    ///
    /// ## How to fix
    /// Write `subject` as a descriptor object of the manifest this one refers to, or leave it out.
    MAN014, "manifest-subject-invalid", Error,
    basis: Type,
    clauses: ["manifest-030"],
    schema: ["image-manifest.schema.json#/properties/subject/type"],
    check: Check::Schema,
}
