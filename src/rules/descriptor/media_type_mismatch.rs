use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `mediaType` disagrees with the `mediaType` field of the manifest or index it points at. An
    /// image config has no `mediaType` field of its own: a member of that name there is an unknown field and is not
    /// compared.
    ///
    /// ## Why it matters
    /// The descriptor's media type is the type of the referenced content. When the document says it is something
    /// else, readers that trust the descriptor and readers that trust the document see different things; this is
    /// the confusion the manifest/index `mediaType` field exists to prevent.
    ///
    /// ## Example
    /// An index entry with `"mediaType": "application/vnd.oci.image.manifest.v1+json"` pointing at a document
    /// whose own `mediaType` is `application/vnd.oci.image.index.v1+json`.
    ///
    /// ## How to fix
    /// Make the descriptor's `mediaType` the one the manifest or index declares for itself; a tool that converted a
    /// Docker manifest to OCI without updating the index entry causes this.
    DSC017, "descriptor-media-type-mismatch", Error,
    basis: Keyword,
    clauses: ["descriptor-003", "manifest-005", "image-index-007"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(target) = cx.target() else { return };
    // Only manifests and indexes define their own `mediaType`; in an image config such a member is an unknown
    // field, which is allowed and means nothing.
    if !matches!(target.kind, DocKind::Manifest | DocKind::Index) {
        return;
    }
    // What the walk recorded of the target (its tree may not be parsed now).
    let (Some(declared), Some(actual)) = (cx.media_type(), target.facts.media_type.as_deref())
    else {
        return;
    };
    if declared != actual {
        out.at(
            &cx.field("mediaType"),
            format!(
                "the descriptor says {declared}, but {} says its mediaType is {actual}",
                target.file
            ),
        );
    }
}
