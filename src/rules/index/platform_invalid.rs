use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `platform` is not an object, or its reserved `features` member is not an array of strings.
    ///
    /// ## Why it matters
    /// `platform` describes the minimum runtime requirements of the image the entry points at; clients pick the
    /// image for their machine from it and cannot read any other shape.
    ///
    /// ## Example
    /// ```json
    /// { "platform": "linux/amd64", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `platform` as an object with `os` and `architecture`, and `features`, if present, as an array of
    /// strings.
    IDX009, "platform-invalid", Error,
    basis: Type,
    clauses: ["image-index-019"],
    schema: [
        "defs.schema.json#/$defs/platform/type",
        "defs.schema.json#/$defs/platform/properties/features/type",
        "defs.schema.json#/$defs/platform/properties/features/items/type",
    ],
    check: Check::Schema,
}
