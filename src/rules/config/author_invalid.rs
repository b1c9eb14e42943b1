use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image config's `author` is not a string (or null).
    ///
    /// ## Why it matters
    /// The author is free text naming who built the image; tools display it as a string.
    ///
    /// ## Example
    /// ```json
    /// { "author": ["Alyssa"], … }
    /// ```
    ///
    /// ## How to fix
    /// Write `author` as a string, or leave it out.
    CFG008, "config-author-invalid", Error,
    basis: Type,
    clauses: ["config-004", "config-002"],
    schema: [
        "image-config.schema.json#/properties/author/type",
    ],
    check: Check::Schema,
}
