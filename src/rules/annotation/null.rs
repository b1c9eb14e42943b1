use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `annotations` is `null`. (An image config's `config.Labels` may be null, as every optional config field
    /// may.)
    ///
    /// ## Why it matters
    /// When there are no annotations the property must be absent or an empty map; `null` is neither, and some
    /// decoders refuse it.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "annotations": null, … }
    /// ```
    ///
    /// ## How to fix
    /// Leave `annotations` out, or write `{}`, instead of `null`. Go producers that marshal a nil map without
    /// `omitempty` write `null`; add `omitempty` to the field.
    ANN003, "annotations-null", Error,
    basis: Keyword,
    clauses: ["annotations-009"],
    schema: ["defs.schema.json#/$defs/annotations/not"],
    check: Check::Schema,
}
