use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `rootfs.type` is a string other than `layers`.
    ///
    /// ## Why it matters
    /// `layers` is the only value defined; implementations must fail on any other while verifying or unpacking the
    /// image.
    ///
    /// ## Example
    /// ```json
    /// { "rootfs": { "type": "snapshot", "diff_ids": [ … ] }, … }
    /// ```
    ///
    /// ## How to fix
    /// Set `rootfs.type` to `layers`, the only value the spec defines.
    CFG026, "config-rootfs-type-not-layers", Error,
    basis: Keyword,
    clauses: ["config-041"],
    schema: [
        "image-config.schema.json#/properties/rootfs/properties/type/const",
    ],
    check: Check::Schema,
}
