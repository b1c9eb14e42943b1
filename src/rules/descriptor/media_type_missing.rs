use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor has no `mediaType`.
    ///
    /// ## Why it matters
    /// The media type tells a reader what the referenced content is (manifest, index, config, layer …) and so how
    /// to process it; without it the content can only be treated as opaque bytes.
    ///
    /// ## Example
    /// ```json
    /// { "digest": "sha256:5b0b…", "size": 7682 }
    /// ```
    ///
    /// ## How to fix
    /// Add the `mediaType` of the content to the descriptor (`application/vnd.oci.image.manifest.v1+json`,
    /// `application/vnd.oci.image.layer.v1.tar+gzip` …).
    DSC001, "descriptor-media-type-missing", Error,
    basis: Keyword,
    clauses: ["descriptor-003"],
    schema: ["defs.schema.json#/$defs/descriptor/required/mediaType"],
    check: Check::Schema,
}
