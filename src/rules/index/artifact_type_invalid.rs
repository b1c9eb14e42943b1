use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image index's `artifactType` is not a media type string following RFC 6838 section 4.2.
    ///
    /// ## Why it matters
    /// `artifactType` is matched as a media type by registries' referrers API; a malformed value is refused or
    /// never matched.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "artifactType": "bundle", "manifests": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Write `artifactType` as a media type, or leave it out.
    IDX007, "index-artifact-type-invalid", Error,
    basis: Keyword,
    clauses: ["image-index-009", "image-index-008"],
    schema: [
        "image-index.schema.json#/properties/artifactType/type",
        "image-index.schema.json#/properties/artifactType/pattern",
    ],
    check: Check::Schema,
}
