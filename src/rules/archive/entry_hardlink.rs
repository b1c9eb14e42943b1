use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::archive::DefectKind;

declare_rule! {
    /// ## What it checks
    /// A hard-link entry in the archive. Links are never followed, so the path it names is not part of the
    /// layout as read (a blob named by a hard link is absent). Symbolic links are listed as what they are, and
    /// the layout rules report them as they would in a directory (see LAY010).
    ///
    /// ## Why it matters
    /// A hard link carries no content of its own: its bytes are those of another entry, found only by tools
    /// that extract the whole archive. Tools that read blobs straight from the archive find nothing there, so a
    /// blob stored as a link cannot be shown to match its digest (image-layout-011); a link to a name outside the
    /// archive has no content at all.
    ///
    /// ## Basis
    /// Hardening. No clause speaks of archives beyond allowing them (image-layout-001), so none forbids a hard
    /// link. A blob stored as a link is reported as missing (LAY009) rather than validated; the link itself is a
    /// warning by default and an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// `blobs/sha256/<b>` archived as a hard link to `blobs/sha256/<a>`.
    ///
    /// ## How to fix
    /// Archive with hard links turned into copies (GNU tar `--hard-dereference`); layouts whose blobs are hard
    /// links to a shared store (deduplicating copies) otherwise become link entries.
    ARC003, "archive-entry-hardlink", Warning,
    basis: Hardening,
    clauses: ["image-layout-001"],
    section: "image-layout.md#oci-image-layout-specification",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for d in super::defects(cx, DefectKind::HardLink) {
        out.emit(super::location(d), d.message.clone());
    }
}
