use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image config's `variant` is not a string (or null).
    ///
    /// ## Why it matters
    /// The CPU variant (`v7`, `v8` …) is matched as a string against the host CPU.
    ///
    /// ## Example
    /// ```json
    /// { "architecture": "arm64", "variant": 123, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `variant` as a string such as `v8`, or leave it out.
    CFG011, "config-variant-invalid", Error,
    basis: Type,
    clauses: ["config-018"],
    schema: [
        "image-config.schema.json#/properties/variant/type",
    ],
    check: Check::Schema,
}
