use crate::check::{DescCx, Out, str_field};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::walk::Role;

declare_rule! {
    /// ## What it checks
    /// A layer of a container image (a manifest whose config is the OCI image config) uses a media type outside
    /// the OCI layer types: `application/vnd.oci.image.layer.v1.tar` with `+gzip` or `+zstd`, or their deprecated
    /// non-distributable variants. Docker's layer types are the common case.
    ///
    /// ## Why it matters
    /// Implementations are only required to support the OCI layer types; an image with other layer types may
    /// not be unpackable by them. Under `--profile docker-compat`, Docker's layer types are taken as their OCI
    /// equivalents (the gzip one is interchangeable, media-types.md § Compatibility Matrix) and not reported.
    ///
    /// ## Example
    /// ```json
    /// { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", … }
    /// ```
    ///
    /// ## How to fix
    /// Use OCI layer media types (`application/vnd.oci.image.layer.v1.tar+gzip` …): `skopeo copy --format oci`
    /// converts Docker's, or validate Docker images with `--profile docker-compat`.
    MAN013, "manifest-layer-media-type-not-portable", Warning,
    basis: Keyword,
    clauses: ["manifest-025"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    if !matches!(cx.role(), Role::Layer(_)) {
        return;
    }
    let config_type = cx
        .doc
        .value()
        .and_then(|v| v.get("config"))
        .and_then(|c| str_field(c, "mediaType"));
    let compat = cx.opts.docker_compat();
    if config_type.map(|c| mt::as_oci(c, compat)) != Some(mt::CONFIG) {
        return;
    }
    let Some(m) = cx.media_type() else {
        return;
    };
    if !mt::is_portable_layer(mt::as_oci(m, compat)) {
        out.at(
            &cx.field("mediaType"),
            format!("layer media type {m} is not one of the OCI layer media types"),
        );
    }
}
