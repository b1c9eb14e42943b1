use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `platform`'s `os.version` is not a string.
    ///
    /// ## Why it matters
    /// The OS version (e.g. `10.0.14393.1066` on Windows) is compared as a string by clients choosing an image.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "os": "windows", "architecture": "amd64", "os.version": 10 }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `platform.os.version` as a string, or leave it out.
    IDX012, "platform-os-version-invalid", Error,
    basis: Type,
    clauses: ["image-index-027"],
    schema: ["defs.schema.json#/$defs/platform/properties/os.version/type"],
    check: Check::Schema,
}
