use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image manifest's `config` is not an object (a descriptor).
    ///
    /// ## Why it matters
    /// `config` references the configuration by descriptor; a string or an array cannot carry the media type,
    /// digest and size needed to find and verify it.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "config": "sha256:5b0b…", "layers": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Write `config` as a descriptor object (`mediaType`, `digest`, `size`).
    MAN007, "manifest-config-not-descriptor", Error,
    basis: Keyword,
    clauses: ["manifest-011"],
    schema: ["image-manifest.schema.json#/properties/config/type"],
    check: Check::Schema,
}
