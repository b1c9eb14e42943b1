//! Archive rules: an image layout carried in a tar archive (`oci-archive`, `docker save`, `podman save`). The
//! layout rules apply to the files inside as they would to a directory; these rules report what only an archive
//! can get wrong (names outside the layout, duplicate names, hard links, truncation, corrupt headers) and check
//! `docker save`'s own `manifest.json` against the OCI layout it sits beside.
//!
//! The image-layout spec says nothing about archives beyond allowing them (image-layout-001). Each rule therefore
//! cites the clause its defect violates or makes impossible to check for the layout the archive carries; the
//! rule's documentation says why.

use crate::check::LayoutCx;
use crate::report::{EntryLoc, Location};
use crate::rule::Rule;
use crate::source::archive::{Defect, DefectKind};

pub mod docker_manifest_mismatch;
pub mod docker_save_not_oci;
pub mod entry_duplicate;
pub mod entry_hardlink;
pub mod entry_outside_layout;
pub mod eof_marker_missing;
pub mod stream_corrupt;
pub mod truncated;

pub const RULES: &[&Rule] = &[
    &entry_outside_layout::RULE,
    &entry_duplicate::RULE,
    &entry_hardlink::RULE,
    &truncated::RULE,
    &stream_corrupt::RULE,
    &eof_marker_missing::RULE,
    &docker_save_not_oci::RULE,
    &docker_manifest_mismatch::RULE,
];

/// The archive's defects of one kind.
pub(crate) fn defects<'a>(cx: &'a LayoutCx, kind: DefectKind) -> impl Iterator<Item = &'a Defect> {
    cx.graph
        .archive
        .iter()
        .flat_map(|a| a.defects.iter())
        .filter(move |d| d.kind == kind)
}

/// Where a defect is: the entry as named in the archive, with its header offset; `.` (the archive itself) for
/// a defect at a position that is no entry (a cut or corrupt header, the missing end marker), whose message
/// gives the offset.
pub(crate) fn location(d: &Defect) -> Location {
    if d.name.is_empty() {
        return Location::file(".");
    }
    let name = d.name.trim_start_matches("./");
    Location {
        entry: Some(EntryLoc {
            path: d.name.clone(),
            offset: d.offset,
        }),
        ..Location::file(if name.is_empty() { "." } else { name })
    }
}
