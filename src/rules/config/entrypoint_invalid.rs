use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.Entrypoint` is not an array of strings (or null).
    ///
    /// ## Why it matters
    /// The entrypoint is the argument vector of the process a container starts with; a plain string (shell form) is not
    /// a vector and is refused or misinterpreted.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "Entrypoint": "/bin/sh -c app" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.Entrypoint` as an array of strings, one argument each (`["/bin/app", "--serve"]`), not a
    /// single shell string.
    CFG016, "config-entrypoint-invalid", Error,
    basis: Type,
    clauses: ["config-026"],
    schema: [
        "image-config.schema.json#/properties/config/properties/Entrypoint/type",
        "image-config.schema.json#/properties/config/properties/Entrypoint/items/type",
    ],
    check: Check::Schema,
}
