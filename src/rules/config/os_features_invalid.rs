use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image config's `os.features` is not an array of strings (or null).
    ///
    /// ## Why it matters
    /// Each entry names an OS feature the image requires; runtimes compare them as strings.
    ///
    /// ## Example
    /// ```json
    /// { "os": "windows", "os.features": "win32k", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `os.features` as an array of strings, or leave it out.
    CFG010, "config-os-features-invalid", Error,
    basis: Type,
    clauses: ["config-014", "config-015"],
    schema: [
        "image-config.schema.json#/properties/os.features/type",
        "image-config.schema.json#/properties/os.features/items/type",
    ],
    check: Check::Schema,
}
