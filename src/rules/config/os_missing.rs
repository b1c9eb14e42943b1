use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image config has no `os`, or it is not a string.
    ///
    /// ## Why it matters
    /// The operating system the image is built for is required; runtimes check it before running anything.
    ///
    /// ## Example
    /// ```json
    /// { "architecture": "amd64", "os": 123, "rootfs": { "type": "layers", "diff_ids": [] } }
    /// ```
    CFG002, "config-os-missing", Error,
    basis: Keyword,
    clauses: ["config-008"],
    schema: [
        "image-config.schema.json#/required/os",
        "image-config.schema.json#/properties/os/type",
    ],
    check: Check::Schema,
}
