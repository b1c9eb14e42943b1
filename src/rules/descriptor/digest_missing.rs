use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor has no `digest`.
    ///
    /// ## Why it matters
    /// The digest identifies the referenced content and is how it is found and verified; a descriptor without one
    /// points at nothing.
    ///
    /// ## Example
    /// ```json
    /// { "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 7682 }
    /// ```
    ///
    /// ## How to fix
    /// Add the `digest` of the content, `sha256:` and the hex digest of its exact bytes (`sha256sum`).
    DSC003, "descriptor-digest-missing", Error,
    basis: Keyword,
    clauses: ["descriptor-005"],
    schema: ["defs.schema.json#/$defs/descriptor/required/digest"],
    check: Check::Schema,
}
