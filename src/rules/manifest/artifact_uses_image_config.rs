use crate::check::{DocCx, Out, str_field};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image manifest declares itself an artifact (it has an `artifactType` other than the image config type)
    /// but its `config.mediaType` is the OCI image config type.
    ///
    /// ## Why it matters
    /// Content other than container images must use a config media type specific to the artifact, or the empty
    /// value. With the image config type, runtimes take the artifact for a runnable image and try to unpack it.
    ///
    /// ## Example
    /// ```json
    /// { "artifactType": "application/vnd.example.sbom", "config": { "mediaType": "application/vnd.oci.image.config.v1+json", … }, … }
    /// ```
    ///
    /// ## How to fix
    /// Either it is an image (drop `artifactType`) or an artifact: then give it its own config media type or the
    /// empty config descriptor, not the OCI image config.
    MAN011, "manifest-artifact-uses-image-config", Error,
    basis: Keyword,
    clauses: ["manifest-034", "manifest-016", "manifest-033", "artifacts-guidance-001"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Manifest {
        return;
    }
    let Some(v) = cx.value() else { return };
    let Some(artifact) = str_field(v, "artifactType") else {
        return;
    };
    if artifact != mt::CONFIG
        && v.get("config").and_then(|c| str_field(c, "mediaType")) == Some(mt::CONFIG)
    {
        out.at(
            "/config/mediaType",
            format!("the manifest is an artifact ({artifact}) but its config uses the image config media type"),
        );
    }
}
