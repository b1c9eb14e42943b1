use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image config's `os.version` is not a string (or null).
    ///
    /// ## Why it matters
    /// The OS version (e.g. `10.0.14393.1066` on Windows) is compared as a string by runtimes deciding whether the
    /// image can run on the host.
    ///
    /// ## Example
    /// ```json
    /// { "os": "windows", "os.version": 10, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `os.version` as a string (`10.0.17763.1879`), or leave it out.
    CFG009, "config-os-version-invalid", Error,
    basis: Type,
    clauses: ["config-011", "config-012"],
    schema: [
        "image-config.schema.json#/properties/os.version/type",
    ],
    check: Check::Schema,
}
