use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `history` entry's `author`, `created_by` or `comment` is not a string (or null).
    ///
    /// ## Why it matters
    /// These are free-text fields shown by image tools; other types break their decoders.
    ///
    /// ## Example
    /// ```json
    /// { "history": [ { "created_by": ["RUN", "make"] } ], … }
    /// ```
    ///
    /// ## How to fix
    /// Write `author`, `created_by` and `comment` of each history entry as strings, or leave them out.
    CFG032, "config-history-text-invalid", Error,
    basis: Type,
    clauses: ["config-046", "config-047", "config-048"],
    schema: [
        "image-config.schema.json#/properties/history/items/properties/author/type",
        "image-config.schema.json#/properties/history/items/properties/created_by/type",
        "image-config.schema.json#/properties/history/items/properties/comment/type",
    ],
    check: Check::Schema,
}
