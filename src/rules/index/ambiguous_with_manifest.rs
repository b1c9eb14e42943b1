use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image index (including `index.json`) also has a `config` or `layers` member, the defining members of an
    /// image manifest.
    ///
    /// ## Why it matters
    /// A body that can be read both as an index and as a manifest is ambiguous: clients may disagree about what
    /// the same digest is. The `mediaType` field exists to rule this out, and an index should not carry manifest
    /// members at all.
    ///
    /// ## Basis
    /// Hardening. No clause forbids the extra members: to the index's media type `config` and `layers` are
    /// unknown properties, which implementations should not error on (considerations-002). But the ambiguity is
    /// the one of CVE-2021-41190, and containerd and the distribution registry refuse such documents since, so a
    /// warning by default; `--profile portable`, `--profile strict` and `--deny hardening` make it an error.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "manifests": [ … ], "layers": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Remove `config` and `layers` from the index (they belong to a manifest), so that no reader can take it for
    /// one.
    IDX020, "index-ambiguous-with-manifest", Warning,
    basis: Hardening,
    clauses: [],
    section: "image-index.md#image-index-property-descriptions",
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Index {
        return;
    }
    let Some(v) = cx.value() else { return };
    for key in ["config", "layers"] {
        if v.get(key).is_some() {
            out.at(
                &format!("/{key}"),
                format!(
                    "an image index should not have a `{key}` member: with it the document can also be read as an image manifest"
                ),
            );
        }
    }
}
