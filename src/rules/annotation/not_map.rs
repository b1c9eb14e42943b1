use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `annotations` (of a manifest, an index or a descriptor) or an image config's `config.Labels` is not a JSON
    /// object.
    ///
    /// ## Why it matters
    /// Annotations are a map of string keys to string values; readers decode them as such and refuse any other
    /// shape, losing the whole document.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": ["org.opencontainers.image.title=app"], … }
    /// ```
    ///
    /// ## How to fix
    /// Write `annotations` (or `config.Labels`) as an object of string keys to string values, `{}` when there are
    /// none, or leave the member out. A list of `key=value` strings is the usual mistake of a hand-written
    /// generator.
    ANN001, "annotations-not-map", Error,
    basis: Keyword,
    clauses: [
        "annotations-001", "descriptor-014", "descriptor-015", "manifest-031", "manifest-032",
        "image-index-038", "image-index-039", "config-031", "config-032",
    ],
    schema: [
        "defs.schema.json#/$defs/annotations/type",
        "image-config.schema.json#/properties/config/properties/Labels/type",
    ],
    check: Check::Schema,
}
