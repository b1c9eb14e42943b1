use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image config has no `rootfs`, or it is not an object.
    ///
    /// ## Why it matters
    /// `rootfs` lists the layers' content hashes (DiffIDs) and so ties the config, and the image ID, to the filesystem;
    /// it is required.
    ///
    /// ## Example
    /// ```json
    /// { "architecture": "amd64", "os": "linux" }
    /// ```
    CFG024, "config-rootfs-invalid", Error,
    basis: Keyword,
    clauses: ["config-039"],
    schema: [
        "image-config.schema.json#/required/rootfs",
        "image-config.schema.json#/properties/rootfs/type",
    ],
    check: Check::Schema,
}
