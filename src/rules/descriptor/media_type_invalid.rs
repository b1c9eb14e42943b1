use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `mediaType` is not a string of the form `type/subtype` with names that follow RFC 6838
    /// section 4.2 (each 1 to 127 characters, starting with a letter or digit, then letters, digits and
    /// `!#$&-^_.+`; no parameters, no spaces). This applies to config and layer media types that the spec does
    /// not define as well.
    ///
    /// ## Why it matters
    /// Media types are matched as exact strings; a malformed one can never match a known type and is rejected by
    /// registries.
    ///
    /// ## Example
    /// ```json
    /// { "mediaType": "foo/.bar", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `mediaType` as `type/subtype` with RFC 6838 names, such as `application/vnd.example.thing.v1+json`; no
    /// spaces, no parameters, not empty.
    DSC002, "descriptor-media-type-invalid", Error,
    basis: Keyword,
    clauses: ["descriptor-004", "manifest-017", "manifest-028"],
    schema: [
        "defs.schema.json#/$defs/mediaType/type",
        "defs.schema.json#/$defs/mediaType/pattern",
    ],
    check: Check::Schema,
}
