use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image manifest has no `layers`, or an empty array.
    ///
    /// ## Why it matters
    /// For portability `layers` should have at least one entry: some registries and clients refuse manifests
    /// without layers. Artifacts that need no layers should carry a single layer of non-zero size, such as the
    /// empty descriptor.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "config": { … }, "layers": [] }
    /// ```
    ///
    /// ## How to fix
    /// Give the manifest at least one layer; an artifact with no content of its own can use the empty descriptor
    /// (`application/vnd.oci.empty.v1+json`) as its single layer. `--profile portable` makes this an error.
    MAN009, "manifest-layers-empty", Warning,
    basis: Keyword,
    clauses: ["manifest-020", "manifest-036"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Manifest {
        return;
    }
    let Some(v) = cx.value() else { return };
    if v.as_object().is_none() {
        return;
    }
    match v.get("layers") {
        None => out.at(
            "",
            "the manifest has no `layers` member; for portability it should list at least one layer",
        ),
        Some(l) if l.as_array().is_some_and(<[_]>::is_empty) => out.at(
            "/layers",
            "`layers` is empty; for portability it should list at least one layer",
        ),
        Some(_) => {}
    }
}
