use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image manifest's `artifactType` is not a media type string following RFC 6838 section 4.2.
    ///
    /// ## Why it matters
    /// `artifactType` tells what kind of artifact the manifest packages and is matched as a media type by
    /// registries' referrers API; a malformed value is refused or never matched.
    ///
    /// ## Example
    /// ```json
    /// { "artifactType": "signature", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `artifactType` as a media type, or leave it out.
    MAN005, "manifest-artifact-type-invalid", Error,
    basis: Keyword,
    clauses: ["manifest-008", "manifest-006"],
    schema: [
        "image-manifest.schema.json#/properties/artifactType/type",
        "image-manifest.schema.json#/properties/artifactType/pattern",
    ],
    check: Check::Schema,
}
