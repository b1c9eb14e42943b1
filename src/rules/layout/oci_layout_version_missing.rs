use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The `oci-layout` object has no `imageLayoutVersion` member.
    ///
    /// ## Why it matters
    /// The version tells readers which revision of the layout format they are looking at; the spec requires it so
    /// that future layout changes can be recognised.
    ///
    /// ## Example
    /// ```json
    /// { "version": "1.0.0" }
    /// ```
    ///
    /// ## How to fix
    /// Add `"imageLayoutVersion": "1.0.0"` to `oci-layout`.
    LAY002, "oci-layout-version-missing", Error,
    basis: Keyword,
    clauses: ["image-layout-007", "image-layout-008"],
    schema: ["oci-layout.schema.json#/required/imageLayoutVersion"],
    check: Check::Schema,
}
