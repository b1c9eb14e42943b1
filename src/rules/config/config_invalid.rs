use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image config's `config` (the execution parameters) is not an object (or null, which is allowed and means
    /// absent).
    ///
    /// ## Why it matters
    /// `config` holds the defaults a runtime uses to start a container (user, environment, entrypoint …); any other
    /// shape cannot hold them.
    ///
    /// ## Example
    /// ```json
    /// { "config": ["/bin/sh"], … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config` as an object of execution parameters, or leave it out.
    CFG012, "config-config-invalid", Error,
    basis: Type,
    clauses: ["config-021", "config-002"],
    schema: [
        "image-config.schema.json#/properties/config/type",
    ],
    check: Check::Schema,
}
