//! Image layout rules (image-layout.md): the directory structure, `oci-layout`, `index.json` and `blobs/`.

use crate::rule::Rule;

pub mod blob_digest_mismatch;
pub mod blob_missing;
pub mod blob_path_invalid;
pub mod blob_time_limit;
pub mod blob_unreadable;
pub mod blob_unreferenced;
pub mod blobs_dir_missing;
pub mod blobs_entry_misplaced;
pub mod image_blob_missing;
pub mod index_json_missing;
pub mod layout_unreadable;
pub mod oci_layout_missing;
pub mod oci_layout_version_missing;
pub mod oci_layout_version_not_string;
pub mod run_time_limit;

pub const RULES: &[&Rule] = &[
    &oci_layout_missing::RULE,
    &oci_layout_version_missing::RULE,
    &oci_layout_version_not_string::RULE,
    &index_json_missing::RULE,
    &blobs_dir_missing::RULE,
    &blob_path_invalid::RULE,
    &blob_digest_mismatch::RULE,
    &blob_unreferenced::RULE,
    &blob_missing::RULE,
    &blobs_entry_misplaced::RULE,
    &blob_unreadable::RULE,
    &layout_unreadable::RULE,
    &blob_time_limit::RULE,
    &run_time_limit::RULE,
    &image_blob_missing::RULE,
];

/// Whether a blob is the config or a layer of an image manifest the walk read (so a missing one leaves a
/// partial image: LAY015, not LAY009).
pub(crate) fn part_of_image(cx: &crate::check::LayoutCx, b: &crate::walk::Blob) -> bool {
    cx.graph
        .first_ref(b, crate::walk::RefKind::PartOfImage)
        .is_some()
}
