use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::archive::DefectKind;

declare_rule! {
    /// ## What it checks
    /// The archive ends inside an entry's header, its data or its padding: it was cut short (an interrupted
    /// download or copy). The cut entry, and anything after it, is not part of the layout as read.
    ///
    /// ## Why it matters
    /// The content of the cut entry is incomplete, so if it is a blob it cannot match its digest
    /// (image-layout-011); whatever followed it in the archive is missing altogether (often `index.json`, which
    /// many tools write last).
    ///
    /// ## Example
    /// An `oci-archive` of 10 MiB of which only the first 6 MiB arrived.
    ///
    /// ## How to fix
    /// The file was cut short: download or copy it again and check its size or checksum. A `docker save` or `podman
    /// save` that was interrupted leaves such a file.
    ARC004, "archive-truncated", Error,
    basis: Type,
    clauses: ["image-layout-011", "image-layout-001"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for d in super::defects(cx, DefectKind::Truncated) {
        out.emit(super::location(d), d.message.clone());
    }
}
