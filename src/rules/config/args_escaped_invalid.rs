use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.ArgsEscaped` (deprecated, Windows only) is not a boolean (or null).
    ///
    /// ## Why it matters
    /// The field is a flag; runtimes decoding it as a boolean refuse other values.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "ArgsEscaped": "true" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.ArgsEscaped` as `true` or `false`, or leave it out: it only matters to Windows images.
    CFG021, "config-args-escaped-invalid", Error,
    basis: Type,
    clauses: ["config-034"],
    schema: [
        "image-config.schema.json#/properties/config/properties/ArgsEscaped/type",
    ],
    check: Check::Schema,
}
