use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A document that must be a JSON object (`oci-layout`, `index.json`, a manifest, an index, a config or a
    /// descriptor) is valid JSON of another type: an array, a string, a number, `true` or `null`.
    ///
    /// ## Why it matters
    /// Every OCI JSON format is an object with named properties; anything else cannot carry them, and the
    /// content is not what its media type (or its place in the layout) says.
    ///
    /// ## Example
    /// ```json
    /// ["schemaVersion", 2]
    /// ```
    ///
    /// ## How to fix
    /// Make the document a JSON object (`{…}`); an array, a string or `null` at the top is a generator bug or the
    /// wrong file.
    JSN008, "json-document-not-object", Error,
    basis: Keyword,
    clauses: ["descriptor-003", "image-layout-006", "image-layout-010"],
    schema: [
        "oci-layout.schema.json#/type",
        "image-index.schema.json#/type",
        "image-manifest.schema.json#/type",
        "image-config.schema.json#/type",
        "content-descriptor.schema.json#/type",
    ],
    check: Check::Schema,
}
