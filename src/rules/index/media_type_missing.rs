use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image index (including `index.json`) has no `mediaType` field of its own.
    ///
    /// ## Why it matters
    /// Without it an index and a manifest can be confused, which the field exists to prevent; registries also use
    /// it to store the index with the right type.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "manifests": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Add `"mediaType": "application/vnd.oci.image.index.v1+json"` to the index. buildah, podman, skopeo and umoci
    /// write `index.json` without it by default; `index.json` is not referenced by digest, so adding the member
    /// there changes no digest. For a nested index, rebuild it.
    IDX004, "index-media-type-missing", Warning,
    basis: Keyword,
    clauses: ["image-index-006"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Index {
        return;
    }
    if let Some(v) = cx.value()
        && v.as_object().is_some()
        && v.get("mediaType").is_none()
    {
        out.at(
                "",
                "the index has no `mediaType` field; it should name application/vnd.oci.image.index.v1+json",
            );
    }
}
