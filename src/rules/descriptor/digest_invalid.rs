use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `digest` is not a string matching the digest grammar `algorithm:encoded`, where the
    /// algorithm is lower-case letters and digits in parts joined by one of `+._-`, and the encoded part is
    /// letters, digits, `=`, `_` and `-`.
    ///
    /// ## Why it matters
    /// A digest outside the grammar cannot name content; in a layout it cannot even be turned into a blob path
    /// safely (`sha256:../../etc/passwd`).
    ///
    /// ## Example
    /// ```json
    /// { "digest": "SHA256:5b0bcabd…", … }
    /// ```
    ///
    /// ## How to fix
    /// Write the digest as `algorithm:encoded`, lower-case algorithm, such as `sha256:` followed by 64 hex digits;
    /// a bare hex string or `SHA256:` are the usual mistakes.
    DSC004, "descriptor-digest-invalid", Error,
    basis: Keyword,
    clauses: ["descriptor-025"],
    schema: [
        "defs.schema.json#/$defs/digest/type",
        "defs.schema.json#/$defs/digest/pattern",
    ],
    check: Check::Schema,
}
