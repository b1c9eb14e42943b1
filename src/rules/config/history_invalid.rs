use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `history` is not an array of objects (or null).
    ///
    /// ## Why it matters
    /// `history` describes each layer, in order, as objects with `created`, `created_by` and so on.
    ///
    /// ## Example
    /// ```json
    /// { "history": "should be an array", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `history` as an array of objects, or leave it out.
    CFG030, "config-history-invalid", Error,
    basis: Type,
    clauses: ["config-044"],
    schema: [
        "image-config.schema.json#/properties/history/type",
        "image-config.schema.json#/properties/history/items/type",
    ],
    check: Check::Schema,
}
