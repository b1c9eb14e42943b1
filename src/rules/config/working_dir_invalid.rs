use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.WorkingDir` is not a string (or null).
    ///
    /// ## Why it matters
    /// The working directory of the entrypoint process is a path string.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "WorkingDir": ["/app"] }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.WorkingDir` as a string (an absolute path), or leave it out.
    CFG019, "config-working-dir-invalid", Error,
    basis: Type,
    clauses: ["config-030"],
    schema: [
        "image-config.schema.json#/properties/config/properties/WorkingDir/type",
    ],
    check: Check::Schema,
}
