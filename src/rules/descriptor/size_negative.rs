use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `size` is negative (spec main only; under v1.1.1 a negative size is caught when it does not
    /// match the blob, DSC010).
    ///
    /// ## Why it matters
    /// No content has a negative length; the main branch states it explicitly.
    ///
    /// ## Example
    /// ```json
    /// { "size": -1, … }
    /// ```
    ///
    /// ## How to fix
    /// Write the real, non-negative size of the content in bytes.
    DSC009, "descriptor-size-negative", Error,
    basis: Keyword,
    clauses: ["descriptor-009"],
    gate: MainOnly,
    schema: ["defs.schema.json#/$defs/size/minimum"],
    check: Check::Schema,
}
