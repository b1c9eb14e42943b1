use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::archive::DefectKind;

declare_rule! {
    /// ## What it checks
    /// An archive entry whose name is not inside the image layout: an absolute name (`/etc/passwd`), a name with
    /// a `..` component (`../../x`, `blobs/../index.json`), or, when the layout sits under one top-level
    /// directory (`img/oci-layout`), an entry outside that directory. Such entries are never read.
    ///
    /// ## Why it matters
    /// The archive no longer carries exactly one layout: depending on the extractor, the entry is refused,
    /// written outside the target directory (path traversal), or stripped of its leading `/` or `..` and written
    /// into the layout, where it can replace a blob. Which bytes end up at `blobs/<alg>/<encoded>` then depends on
    /// the tool, so the spec's requirement that a blob's content match its digest (image-layout-011) cannot be
    /// established for the layout as extracted.
    ///
    /// ## Basis
    /// Hardening. The spec allows a layout to travel in an archive (image-layout-001) and says nothing of how;
    /// no clause forbids such names. They are what path-traversal attacks on extractors look like, so they are
    /// a warning by default and an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// An archive holding `oci-layout`, `index.json`, `blobs/…` and `../../root/.ssh/authorized_keys`.
    ///
    /// ## How to fix
    /// Archive the layout from inside its directory, with relative names (`tar -C layout -cf image.tar .`), never
    /// with absolute paths or `..`. An archive with such names is not safe to unpack; do not use it.
    ARC001, "archive-entry-outside-layout", Warning,
    basis: Hardening,
    clauses: ["image-layout-001"],
    section: "image-layout.md#oci-image-layout-specification",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for d in super::defects(cx, DefectKind::Outside) {
        out.emit(super::location(d), d.message.clone());
    }
}
