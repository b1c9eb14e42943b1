use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `platform`'s `os.features` is not an array of strings.
    ///
    /// ## Why it matters
    /// Each entry names an OS feature the image requires; clients compare them as strings.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "os": "windows", "architecture": "amd64", "os.features": "win32k" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `platform.os.features` as an array of strings, or leave it out.
    IDX013, "platform-os-features-invalid", Error,
    basis: Type,
    clauses: ["image-index-029"],
    schema: [
        "defs.schema.json#/$defs/platform/properties/os.features/type",
        "defs.schema.json#/$defs/platform/properties/os.features/items/type",
    ],
    check: Check::Schema,
}
