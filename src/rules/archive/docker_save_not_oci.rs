use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The archive is `docker save` output in Docker's own format (Docker before 25, `podman save --format
    /// docker-archive`, `skopeo copy … docker-archive:`): a `manifest.json` with `<id>/layer.tar` or
    /// `<digest>.tar` files, and neither `oci-layout` nor `index.json`. It is reported once; the layout rules do
    /// not run on it.
    ///
    /// ## Why it matters
    /// It is not an OCI image layout, so OCI tools cannot read it: the `oci-layout` file the spec requires
    /// (image-layout-005) and the `index.json` entry point (image-layout-009) are both absent. Docker 25 and
    /// later write an OCI layout beside `manifest.json`; older archives convert with
    /// `skopeo copy docker-archive:old.tar oci-archive:new.tar`.
    ///
    /// ## Example
    /// `manifest.json`, `repositories`, `<config>.json` and `<layer id>/layer.tar`.
    ///
    /// ## How to fix
    /// Export OCI content instead: Docker 25 or later writes an OCI layout in `docker save`; with older Docker use
    /// `skopeo copy docker-daemon:IMAGE oci-archive:image.tar`, and `podman save --format oci-archive`.
    ARC007, "archive-docker-save-not-oci", Error,
    basis: Keyword,
    clauses: ["image-layout-005", "image-layout-009"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(a) = cx.graph.archive.as_ref().filter(|a| a.docker_legacy) else {
        return;
    };
    let file = match &a.prefix {
        Some(p) => format!("{p}/manifest.json"),
        None => "manifest.json".to_string(),
    };
    out.emit(
        Location::file(file),
        "this is a docker-save archive in Docker's own format (manifest.json and layer tarballs), not an OCI image layout: it has neither oci-layout nor index.json; Docker 25 and later write an OCI layout, and `skopeo copy docker-archive:IN oci-archive:OUT` converts older archives",
    );
}
