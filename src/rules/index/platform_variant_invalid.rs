use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `platform`'s `variant` is not a string.
    ///
    /// ## Why it matters
    /// The CPU variant (`v7`, `v8` …) is matched as a string against the client's CPU.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "os": "linux", "architecture": "arm", "variant": 7 }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `platform.variant` as a string such as `v8`, or leave it out.
    IDX014, "platform-variant-invalid", Error,
    basis: Type,
    clauses: ["image-index-033"],
    schema: ["defs.schema.json#/$defs/platform/properties/variant/type"],
    check: Check::Schema,
}
