use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image config has no `architecture`, or it is not a string.
    ///
    /// ## Why it matters
    /// The CPU architecture the binaries are built for is required; runtimes refuse to run an image whose architecture
    /// they cannot check.
    ///
    /// ## Example
    /// ```json
    /// { "os": "linux", "rootfs": { "type": "layers", "diff_ids": [] } }
    /// ```
    ///
    /// ## How to fix
    /// Set `architecture` to the Go name of the CPU the image runs on (`amd64`, `arm64` …). Build tools set it from
    /// the target platform: `docker buildx build --platform linux/arm64`, `buildah build --arch arm64`.
    CFG001, "config-architecture-missing", Error,
    basis: Keyword,
    clauses: ["config-005"],
    schema: [
        "image-config.schema.json#/required/architecture",
        "image-config.schema.json#/properties/architecture/type",
    ],
    check: Check::Schema,
}
