use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor has no `size`.
    ///
    /// ## Why it matters
    /// The size lets a reader know how much to fetch before fetching it and reject content of the wrong length
    /// before hashing it.
    ///
    /// ## Example
    /// ```json
    /// { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:5b0b…" }
    /// ```
    ///
    /// ## How to fix
    /// Add the `size` of the content in bytes (`stat -c %s`).
    DSC007, "descriptor-size-missing", Error,
    basis: Keyword,
    clauses: ["descriptor-007"],
    schema: ["defs.schema.json#/$defs/descriptor/required/size"],
    check: Check::Schema,
}
