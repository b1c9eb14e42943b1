use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::walk::Role;

declare_rule! {
    /// ## What it checks
    /// An entry of an image index (including `index.json`) points at a Docker image manifest
    /// (`application/vnd.docker.distribution.manifest.v2+json`) or a Docker manifest list
    /// (`…manifest.list.v2+json`), as `docker save` with the containerd image store and registries mirroring
    /// Docker Hub produce. The spec's compatibility matrix lists these as similar to, not the same as, the OCI
    /// image manifest and image index, so ocicheck does not parse them by default: the image behind the entry is
    /// not validated. `--profile docker-compat` validates them with the OCI rules instead, and this rule is then
    /// silent.
    ///
    /// ## Why it matters
    /// Indexes concerned with portability should point at OCI manifests and indexes, the types every
    /// implementation supports; OCI-only tools skip or refuse Docker entries. And a report without errors says
    /// nothing about an image that was not looked at, so the human report's summary line counts such images as
    /// not validated, and the JSON report lists them under `not_validated`.
    ///
    /// ## Example
    /// ```json
    /// { "manifests": [ { "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json", … } ] }
    /// ```
    ///
    /// ## How to fix
    /// Build or copy the image with OCI media types: `docker buildx build --output type=image,oci-mediatypes=true`
    /// (or `type=oci`), `skopeo copy --format oci`, `buildah push --format oci`. To validate Docker content as it
    /// is, use `--profile docker-compat`.
    IDX022, "index-entry-docker-media-type", Warning,
    basis: Keyword,
    clauses: ["image-index-016"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    if cx.role() != Role::IndexEntry || cx.opts.docker_compat() {
        return;
    }
    let (what, oci) = match cx.media_type() {
        Some(mt::DOCKER_MANIFEST) => ("a Docker image manifest", "an OCI image manifest"),
        Some(mt::DOCKER_MANIFEST_LIST) => ("a Docker manifest list", "an OCI image index"),
        _ => return,
    };
    let m = cx.media_type().unwrap_or_default();
    out.at(
        &cx.field("mediaType"),
        format!(
            "the entry points at {what} ({m}), not OCI content, so the image behind it was not validated; --profile docker-compat validates it as {oci}"
        ),
    );
}
