use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image manifest has no `mediaType` field of its own.
    ///
    /// ## Why it matters
    /// Without it a manifest and an index can be confused (a body can be read as either), which is what the field
    /// is there to prevent; registries also use it to store the manifest with the right type.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "config": { … }, "layers": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Add `"mediaType": "application/vnd.oci.image.manifest.v1+json"` to the manifest; current buildah, podman,
    /// skopeo and BuildKit write it, so an old tool or a hand-written generator is the usual source.
    MAN004, "manifest-media-type-missing", Warning,
    basis: Keyword,
    clauses: ["manifest-004"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Manifest {
        return;
    }
    if let Some(v) = cx.value()
        && v.as_object().is_some()
        && v.get("mediaType").is_none()
    {
        out.at(
                "",
                "the manifest has no `mediaType` field; it should name application/vnd.oci.image.manifest.v1+json",
            );
    }
}
