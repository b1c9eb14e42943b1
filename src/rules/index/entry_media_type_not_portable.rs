use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::walk::Role;

declare_rule! {
    /// ## What it checks
    /// An entry of an image index's `manifests` (including `index.json`) points at something other than an OCI
    /// image manifest or image index. Unknown media types are allowed, so this is a portability warning only.
    /// Docker's manifest and manifest list have their own rule (IDX022), and are equivalents under
    /// `--profile docker-compat`.
    ///
    /// ## Why it matters
    /// Implementations must support image manifests in an index and should support nested indexes; other types
    /// (Docker manifests, arbitrary blobs) are skipped or refused by many of them.
    ///
    /// ## Example
    /// ```json
    /// { "manifests": [ { "mediaType": "application/vnd.docker.distribution.manifest.v2+json", … } ] }
    /// ```
    ///
    /// ## How to fix
    /// List only OCI image manifests and indexes in an index that should run everywhere; put other content behind
    /// an artifact manifest (`artifactType`) that references it. `--profile portable` makes this an error.
    IDX008, "index-entry-media-type-not-portable", Warning,
    basis: Keyword,
    clauses: ["image-index-016"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    if cx.role() != Role::IndexEntry {
        return;
    }
    let Some(m) = cx.media_type() else {
        return;
    };
    if matches!(m, mt::DOCKER_MANIFEST | mt::DOCKER_MANIFEST_LIST) {
        return;
    }
    if m != mt::MANIFEST && m != mt::INDEX && crate::mediatype::is_valid(m) {
        out.at(
            &cx.field("mediaType"),
            format!(
                "the entry's media type {m} is neither an OCI image manifest nor an OCI image index"
            ),
        );
    }
}
