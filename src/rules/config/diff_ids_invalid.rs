use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `rootfs.diff_ids` is missing, not an array, or holds a non-string.
    ///
    /// ## Why it matters
    /// `diff_ids` lists the digest of each uncompressed layer in order; it is required and is how layers are verified
    /// after decompression.
    ///
    /// ## Example
    /// ```json
    /// { "rootfs": { "type": "layers", "diff_ids": "sha256:5f70…" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `rootfs.diff_ids` as an array of digest strings, one per layer, in layer order; `[]` for an image
    /// without layers.
    CFG027, "config-diff-ids-invalid", Error,
    basis: Keyword,
    clauses: ["config-043"],
    schema: [
        "image-config.schema.json#/properties/rootfs/required/diff_ids",
        "image-config.schema.json#/properties/rootfs/properties/diff_ids/type",
        "image-config.schema.json#/properties/rootfs/properties/diff_ids/items/type",
    ],
    check: Check::Schema,
}
