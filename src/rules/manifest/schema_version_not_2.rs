use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image manifest's `schemaVersion` is not the integer `2` (another number, `2.0`, a string …).
    ///
    /// ## Why it matters
    /// The value is fixed at 2 for compatibility with older Docker clients, which use it to tell manifest formats
    /// apart; any other value makes them misread or refuse the manifest.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 3, "config": { … }, "layers": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Set `schemaVersion` to the integer `2`. Schema 1 manifests are Docker's old format: convert the image with
    /// `skopeo copy --format oci`.
    MAN001, "manifest-schema-version-not-2", Error,
    basis: Keyword,
    clauses: ["manifest-002"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Manifest {
        return;
    }
    if let Some(msg) = cx.value().and_then(super::schema_version_problem) {
        out.at("/schemaVersion", msg);
    }
}
