use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `platform` object has no `os`, or it is not a string.
    ///
    /// ## Why it matters
    /// The operating system is required: clients match it against their own to choose an image.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "architecture": "amd64" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Add the Go name of the operating system as `platform.os` (`linux`, `windows` …).
    IDX011, "platform-os-missing", Error,
    basis: Keyword,
    clauses: ["image-index-024"],
    schema: [
        "defs.schema.json#/$defs/platform/required/os",
        "defs.schema.json#/$defs/platform/properties/os/type",
    ],
    check: Check::Schema,
}
