use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.Memory`, `config.MemorySwap` or `config.CpuShares` (reserved for compatibility) is not an integer (or
    /// null).
    ///
    /// ## Why it matters
    /// These reserved fields are integers in the formats the spec keeps compatible with; other types break decoders of
    /// those formats.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "Memory": "512m" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `Memory`, `MemorySwap` and `CpuShares` as integers, or leave them out (runtimes take resources from
    /// the command line, not the image).
    CFG022, "config-resource-field-invalid", Error,
    basis: Type,
    clauses: ["config-035", "config-036", "config-037"],
    schema: [
        "image-config.schema.json#/properties/config/properties/Memory/type",
        "image-config.schema.json#/properties/config/properties/MemorySwap/type",
        "image-config.schema.json#/properties/config/properties/CpuShares/type",
    ],
    check: Check::Schema,
}
