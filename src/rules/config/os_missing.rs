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
    ///
    /// ## How to fix
    /// Set `os` to the Go name of the operating system (`linux`, `windows` …); build tools set it from the target
    /// platform (`--platform linux/amd64`).
    CFG002, "config-os-missing", Error,
    basis: Keyword,
    clauses: ["config-008"],
    schema: [
        "image-config.schema.json#/required/os",
        "image-config.schema.json#/properties/os/type",
    ],
    check: Check::Schema,
}
