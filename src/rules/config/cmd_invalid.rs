use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.Cmd` is not an array of strings (or null).
    ///
    /// ## Why it matters
    /// `Cmd` holds the default arguments of the entrypoint as an argument vector; another shape is refused or
    /// misinterpreted.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "Cmd": "--help" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.Cmd` as an array of strings, one argument each.
    CFG017, "config-cmd-invalid", Error,
    basis: Type,
    clauses: ["config-027"],
    schema: [
        "image-config.schema.json#/properties/config/properties/Cmd/type",
        "image-config.schema.json#/properties/config/properties/Cmd/items/type",
    ],
    check: Check::Schema,
}
