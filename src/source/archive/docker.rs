//! What `docker save` leaves in an archive: its `manifest.json` at the layout root (which the `ARC` rules compare
//! with `index.json`), and whether the archive is in Docker's own format rather than an OCI layout.

use crate::source::{EntryKind, FileTree};

/// `manifest.json` (docker save) is read up to this size.
const MAX_DOCKER_MANIFEST: u64 = 16 << 20;

/// `manifest.json` at the layout root: its bytes, or why they could not be read; `None` when there is none.
pub(super) fn manifest(tree: &dyn FileTree) -> Option<Result<Vec<u8>, String>> {
    if !tree
        .entry("manifest.json")
        .is_some_and(|e| e.kind == EntryKind::File)
    {
        return None;
    }
    Some(
        match tree.read_capped("manifest.json", MAX_DOCKER_MANIFEST) {
            Ok(Ok(b)) => Ok(b),
            Ok(Err(len)) => Err(format!(
                "manifest.json is {len} bytes, more than the {MAX_DOCKER_MANIFEST} read"
            )),
            Err(e) => Err(e.to_string()),
        },
    )
}

/// A docker-save archive in Docker's own format: `manifest.json` but neither `oci-layout` nor `index.json`.
pub(super) fn legacy(tree: &dyn FileTree) -> bool {
    let has = |p: &str| tree.entry(p).is_some();
    !has("oci-layout") && !has("index.json") && has("manifest.json")
}
