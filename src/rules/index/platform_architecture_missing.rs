use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `platform` object has no `architecture`, or it is not a string.
    ///
    /// ## Why it matters
    /// The CPU architecture is required: it is the first thing a client matches against its own machine.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "os": "linux" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Add the Go name of the CPU as `platform.architecture` (`amd64`, `arm64` …).
    IDX010, "platform-architecture-missing", Error,
    basis: Keyword,
    clauses: ["image-index-021"],
    schema: [
        "defs.schema.json#/$defs/platform/required/architecture",
        "defs.schema.json#/$defs/platform/properties/architecture/type",
    ],
    check: Check::Schema,
}
