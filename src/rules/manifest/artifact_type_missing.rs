use crate::check::{DocCx, Out, str_field};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image manifest whose `config.mediaType` is the empty value `application/vnd.oci.empty.v1+json` has no
    /// `artifactType`.
    ///
    /// ## Why it matters
    /// With an empty config the manifest is an artifact whose type would otherwise be taken from the config
    /// media type; the empty value says nothing, so `artifactType` must say what the artifact is.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "config": { "mediaType": "application/vnd.oci.empty.v1+json", … }, "layers": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Set `artifactType` to the artifact's media type when the config is the empty descriptor: `oras push
    /// --artifact-type application/vnd.example.thing.v1`.
    MAN010, "manifest-artifact-type-missing", Error,
    basis: Keyword,
    clauses: ["manifest-035", "manifest-007"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Manifest {
        return;
    }
    let Some(v) = cx.value() else { return };
    let empty_config = v.get("config").and_then(|c| str_field(c, "mediaType")) == Some(mt::EMPTY);
    if empty_config && v.get("artifactType").is_none() {
        out.at(
            "",
            "config.mediaType is the empty value (application/vnd.oci.empty.v1+json), so `artifactType` must say what kind of artifact this is",
        );
    }
}
