use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `history` entry's `empty_layer` is not a boolean (or null).
    ///
    /// ## Why it matters
    /// `empty_layer` is the flag that says the entry created no layer; it is how history entries are matched to layers.
    ///
    /// ## Example
    /// ```json
    /// { "history": [ { "empty_layer": "yes" } ], … }
    /// ```
    ///
    /// ## How to fix
    /// Write `empty_layer` as `true` or `false`, or leave it out (it means `false`).
    CFG033, "config-history-empty-layer-invalid", Error,
    basis: Type,
    clauses: ["config-049"],
    schema: [
        "image-config.schema.json#/properties/history/items/properties/empty_layer/type",
    ],
    check: Check::Schema,
}
