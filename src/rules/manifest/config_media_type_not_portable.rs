use crate::check::{DocCx, Out, str_field};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// A manifest that looks like a container image (no `artifactType`, at least one layer, every layer a tar
    /// layer type) uses a config media type other than `application/vnd.oci.image.config.v1+json`, for example
    /// Docker's.
    ///
    /// ## Why it matters
    /// Implementations only have to support the OCI config type; a container image with another config type may
    /// not be runnable by them. (Artifacts are expected to use their own config types and are not reported.)
    /// Under `--profile docker-compat`, Docker's config type is taken as its OCI equivalent and not reported.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "mediaType": "application/vnd.docker.container.image.v1+json", … }, "layers": [ { "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", … } ] }
    /// ```
    ///
    /// ## How to fix
    /// Use the OCI image config (`application/vnd.oci.image.config.v1+json`) for a runnable image: build or copy
    /// with OCI media types (`docker buildx … oci-mediatypes=true`, `skopeo copy --format oci`), or validate Docker
    /// images with `--profile docker-compat`.
    MAN012, "manifest-config-media-type-not-portable", Warning,
    basis: Keyword,
    clauses: ["manifest-015"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Manifest {
        return;
    }
    let Some(v) = cx.value() else { return };
    if v.get("artifactType").is_some() {
        return;
    }
    let Some(config_type) = v.get("config").and_then(|c| str_field(c, "mediaType")) else {
        return;
    };
    let config_type = mt::as_oci(config_type, cx.opts.docker_compat());
    if config_type == mt::CONFIG || config_type == mt::EMPTY {
        return;
    }
    let layers = v
        .get("layers")
        .and_then(|l| l.as_array())
        .unwrap_or_default();
    let image_like = !layers.is_empty()
        && layers.iter().all(|l| {
            str_field(l, "mediaType")
                .is_some_and(|m| mt::oci_layer(m).is_some() || mt::docker_layer(m).is_some())
        });
    if image_like {
        out.at(
            "/config/mediaType",
            format!(
                "the manifest has container image layers but its config media type is {config_type}"
            ),
        );
    }
}
