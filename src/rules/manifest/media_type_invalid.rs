use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An image manifest's own `mediaType` is present but is not `application/vnd.oci.image.manifest.v1+json`.
    ///
    /// ## Why it matters
    /// When used, the field must name the OCI manifest type; another value (a Docker manifest type, an index type)
    /// says the document is something it is not.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", … }
    /// ```
    ///
    /// ## How to fix
    /// Set the manifest's `mediaType` to `application/vnd.oci.image.manifest.v1+json`. A Docker manifest type here
    /// means the image is in Docker's format: convert it with `skopeo copy --format oci`, or validate it with
    /// `--profile docker-compat`.
    MAN003, "manifest-media-type-invalid", Error,
    basis: Keyword,
    clauses: ["manifest-005"],
    schema: [
        "image-manifest.schema.json#/properties/mediaType/type",
        "image-manifest.schema.json#/properties/mediaType/const",
    ],
    check: Check::Schema,
}
