use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image index's `schemaVersion` (including that of `index.json`) is not the integer `2`.
    ///
    /// ## Why it matters
    /// The value is fixed at 2 for compatibility with older Docker clients, which tell formats apart by it.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 1, "manifests": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Set `schemaVersion` to the integer `2`.
    IDX001, "index-schema-version-not-2", Error,
    basis: Keyword,
    clauses: ["image-index-004"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Index {
        return;
    }
    if let Some(msg) = cx
        .value()
        .and_then(crate::rules::manifest::schema_version_problem)
    {
        out.at("/schemaVersion", msg);
    }
}
