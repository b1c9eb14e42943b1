use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `urls` is not an array of strings.
    ///
    /// ## Why it matters
    /// `urls` lists alternative download locations; readers expect a list of URI strings.
    ///
    /// ## Example
    /// ```json
    /// { "urls": "https://example.com/layer.tar.gz", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `urls` as an array of URL strings, or leave it out.
    DSC011, "descriptor-urls-invalid", Error,
    basis: Type,
    clauses: ["descriptor-010"],
    schema: [
        "defs.schema.json#/$defs/urls/type",
        "defs.schema.json#/$defs/urls/items/type",
    ],
    check: Check::Schema,
}
