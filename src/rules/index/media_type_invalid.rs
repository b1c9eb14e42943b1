use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image index's own `mediaType` (including that of `index.json`) is present but is not
    /// `application/vnd.oci.image.index.v1+json`.
    ///
    /// ## Why it matters
    /// When used, the field must name the OCI index type; `index.json` in particular must be an image index, and
    /// a manifest (or a Docker manifest list) put in its place is not one.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "manifests": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Set the index's `mediaType` to `application/vnd.oci.image.index.v1+json`, or leave it out. A Docker manifest
    /// list type here means the document is Docker's format: convert it with `skopeo copy --format oci`.
    IDX003, "index-media-type-invalid", Error,
    basis: Keyword,
    clauses: ["image-index-007", "image-layout-010"],
    schema: [
        "image-index.schema.json#/properties/mediaType/type",
        "image-index.schema.json#/properties/mediaType/const",
    ],
    check: Check::Schema,
}
