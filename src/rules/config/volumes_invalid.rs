use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.Volumes` is not an object (or null) whose values are objects.
    ///
    /// ## Why it matters
    /// The field is a serialised set of paths: an object whose keys are the directories and whose values are
    /// empty objects. A list of paths (a common mistake) is refused by runtimes decoding the config.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "Volumes": ["/var/job-result-data"] }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.Volumes` as an object whose keys are paths and whose values are `{}`.
    CFG018, "config-volumes-invalid", Error,
    basis: Type,
    clauses: ["config-029"],
    schema: [
        "image-config.schema.json#/properties/config/properties/Volumes/type",
        "image-config.schema.json#/properties/config/properties/Volumes/additionalProperties/type",
    ],
    check: Check::Schema,
}
