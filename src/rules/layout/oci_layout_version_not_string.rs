use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `imageLayoutVersion` in `oci-layout` is not a string.
    ///
    /// ## Why it matters
    /// The version is a string such as `"1.0.0"` (the only value defined so far); readers compare it as text, and
    /// a number or an object does not name a version at all.
    ///
    /// ## Example
    /// ```json
    /// { "imageLayoutVersion": 1 }
    /// ```
    ///
    /// ## How to fix
    /// Write `imageLayoutVersion` as the string `"1.0.0"`, not a number.
    LAY003, "oci-layout-version-not-string", Error,
    basis: Keyword,
    clauses: ["image-layout-007"],
    schema: ["oci-layout.schema.json#/properties/imageLayoutVersion/type"],
    check: Check::Schema,
}
