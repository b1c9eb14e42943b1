use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::walk::Role;

declare_rule! {
    /// ## What it checks
    /// An index entry that points at an image manifest has no `platform`. Entries for artifacts (with an
    /// `artifactType`, or whose manifest has one or uses a non-image config) and Docker attestation manifests
    /// (annotated `vnd.docker.reference.type`) are exempt, since they are not platform-specific.
    ///
    /// ## Why it matters
    /// Runtimes choose the manifest for their platform from the index entries; without `platform` they cannot
    /// tell which image runs on which machine and may pull the wrong one.
    ///
    /// ## Example
    /// ```json
    /// { "manifests": [ { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:…", "size": 7143 } ] }
    /// ```
    ///
    /// ## How to fix
    /// Give each entry of the index that points at an image a `platform` (`os`, `architecture`, and `variant` where
    /// it matters). `skopeo copy` and `buildah push` into `oci:` write `index.json` entries without one; since
    /// nothing points at `index.json` by digest, you can add it there without changing any digest. For a nested
    /// index, build it with `docker buildx build --platform …` or `podman manifest add --os --arch`.
    DSC020, "descriptor-platform-missing", Warning,
    basis: Keyword,
    clauses: ["descriptor-023", "image-index-020"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let compat = cx.opts.docker_compat();
    if cx.role() != Role::IndexEntry
        || cx.media_type().map(|m| mt::as_oci(m, compat)) != Some(mt::MANIFEST)
    {
        return;
    }
    let v = cx.value();
    if v.get("platform").is_some() || v.get("artifactType").is_some() {
        return;
    }
    if v.get("annotations")
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some()
    {
        return;
    }
    // What the walk recorded of the manifest (its tree may not be parsed now).
    if let Some(m) = cx.target().map(|t| &t.facts).filter(|f| f.has_value) {
        let config_type = m.config_media_type.as_deref();
        if m.has_artifact_type || config_type.is_some_and(|c| mt::as_oci(c, compat) != mt::CONFIG) {
            return;
        }
    }
    out.at(
        &cx.desc.pointer(),
        "the entry points at an image manifest but has no platform",
    );
}
