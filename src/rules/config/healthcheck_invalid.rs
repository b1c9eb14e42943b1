use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.Healthcheck` (reserved for compatibility) is not an object (or null).
    ///
    /// ## Why it matters
    /// The reserved field is an object in the formats the spec keeps compatible with (Docker's health check); other
    /// types break their decoders.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "Healthcheck": "curl -f http://localhost/" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.Healthcheck` as an object (Docker's `Test`, `Interval` … members), or leave it out.
    CFG023, "config-healthcheck-invalid", Error,
    basis: Type,
    clauses: ["config-038"],
    schema: [
        "image-config.schema.json#/properties/config/properties/Healthcheck/type",
    ],
    check: Check::Schema,
}
