use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.ExposedPorts` is not an object (or null), or one of its values is not an object. (The form of the
    /// keys is CFG035's.)
    ///
    /// ## Why it matters
    /// The field is a serialised set (config-024: an object mapping its keys to empty objects); a list, a string
    /// or a number cannot be decoded as one, so runtimes refuse the config.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "ExposedPorts": ["80/tcp"] }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.ExposedPorts` as an object whose keys are `port/tcp`, `port/udp` or `port` and whose values
    /// are `{}`; a list of numbers is the usual mistake.
    CFG014, "config-exposed-ports-invalid", Error,
    basis: Type,
    clauses: ["config-024"],
    schema: [
        "image-config.schema.json#/properties/config/properties/ExposedPorts/type",
        "image-config.schema.json#/properties/config/properties/ExposedPorts/additionalProperties/type",
    ],
    check: Check::Schema,
}
