use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::archive::DefectKind;

declare_rule! {
    /// ## What it checks
    /// The same path appears more than once in the archive (a repeated directory entry is fine). The last copy is
    /// what extraction keeps, so it is the one validated; the earlier ones are reported here.
    ///
    /// ## Why it matters
    /// A directory cannot hold two files of one name, so the archive does not describe one layout: a tool that
    /// reads the archive in place may take the first copy while an extractor keeps the last. When the copies
    /// differ, the content at that path, and whether it matches its digest (image-layout-011), depends on the
    /// tool.
    ///
    /// ## Basis
    /// Hardening. No clause speaks of archives beyond allowing them (image-layout-001), so none forbids a name
    /// twice; but two copies let a reader and an extractor see different blobs under one digest, so a warning by
    /// default and an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// An archive written by appending (`tar -rf`) a new `index.json` after the original one.
    ///
    /// ## How to fix
    /// Write each file once: archiving the same directory twice (`tar -cf x.tar layout layout/blobs`) or appending
    /// (`tar -r`) duplicates entries. Recreate the archive from a clean layout.
    ARC002, "archive-entry-duplicate", Warning,
    basis: Hardening,
    clauses: ["image-layout-001"],
    section: "image-layout.md#oci-image-layout-specification",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for d in super::defects(cx, DefectKind::Duplicate) {
        out.emit(super::location(d), d.message.clone());
    }
}
