use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `rootfs.type` is missing or not a string.
    ///
    /// ## Why it matters
    /// The type says how the filesystem is described; it is required and readers must refuse a value they do not know.
    ///
    /// ## Example
    /// ```json
    /// { "rootfs": { "diff_ids": [ … ] }, … }
    /// ```
    ///
    /// ## How to fix
    /// Add `"type": "layers"` to `rootfs`.
    CFG025, "config-rootfs-type-missing", Error,
    basis: Keyword,
    clauses: ["config-040"],
    schema: [
        "image-config.schema.json#/properties/rootfs/required/type",
        "image-config.schema.json#/properties/rootfs/properties/type/type",
    ],
    check: Check::Schema,
}
