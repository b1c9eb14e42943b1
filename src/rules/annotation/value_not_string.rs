use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An annotation (or config label) value is not a string. An empty string is a valid value.
    ///
    /// ## Why it matters
    /// Both keys and values are strings; numbers, booleans or null break every decoder that reads annotations
    /// into a string map.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "com.example.replicas": 3 } }
    /// ```
    ///
    /// ## How to fix
    /// Quote the value: annotations and labels only hold strings, so `true` becomes `"true"` and `8080` becomes
    /// `"8080"`. Generators that copy values from YAML or build arguments without converting them are the usual
    /// source.
    ANN002, "annotation-value-not-string", Error,
    basis: Keyword,
    clauses: ["annotations-002", "annotations-003", "annotations-004"],
    schema: [
        "defs.schema.json#/$defs/annotations/additionalProperties/type",
        "image-config.schema.json#/properties/config/properties/Labels/additionalProperties/type",
    ],
    check: Check::Schema,
}
