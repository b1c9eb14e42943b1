use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `artifactType` is not a media type string following RFC 6838 section 4.2.
    ///
    /// ## Why it matters
    /// `artifactType` is how referrers are filtered; registries match it as a media type and refuse malformed
    /// values.
    ///
    /// ## Example
    /// ```json
    /// { "artifactType": "foo/.bar", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `artifactType` as a media type (`application/vnd.example.sbom.v1+json`), or leave it out.
    DSC016, "descriptor-artifact-type-invalid", Error,
    basis: Keyword,
    clauses: ["descriptor-021", "descriptor-020"],
    schema: [
        "defs.schema.json#/$defs/artifactType/type",
        "defs.schema.json#/$defs/artifactType/pattern",
    ],
    check: Check::Schema,
}
