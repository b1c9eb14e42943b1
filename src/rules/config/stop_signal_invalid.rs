use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.StopSignal` is not a string (or null).
    ///
    /// ## Why it matters
    /// The stop signal is written as a signal name such as `SIGTERM` or `SIGRTMIN+3`; runtimes decode it as a string.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "StopSignal": 15 }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.StopSignal` as a string such as `SIGTERM`, or leave it out.
    CFG020, "config-stop-signal-invalid", Error,
    basis: Type,
    clauses: ["config-033"],
    schema: [
        "image-config.schema.json#/properties/config/properties/StopSignal/type",
    ],
    check: Check::Schema,
}
