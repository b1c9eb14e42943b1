use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image manifest has no `config`.
    ///
    /// ## Why it matters
    /// Every manifest references a configuration by digest; artifacts without one use the empty descriptor
    /// (`application/vnd.oci.empty.v1+json`, `{}`) instead of leaving it out.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "layers": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Give the manifest a `config` descriptor: the image config, or for an artifact without one the empty
    /// descriptor (`application/vnd.oci.empty.v1+json`, digest of `{}`, size 2).
    MAN006, "manifest-config-missing", Error,
    basis: Keyword,
    clauses: ["manifest-011"],
    schema: ["image-manifest.schema.json#/required/config"],
    check: Check::Schema,
}
