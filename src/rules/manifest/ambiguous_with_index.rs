use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image manifest also has a `manifests` member, the defining member of an image index.
    ///
    /// ## Why it matters
    /// A body that can be read both as a manifest and as an index is ambiguous: one client may run it as an image
    /// while another follows it as an index to different content under the same digest. The `mediaType` field
    /// exists to rule this out, and a manifest should not carry index members at all.
    ///
    /// ## Basis
    /// Hardening. No clause forbids the extra member: to the manifest's media type `manifests` is an unknown
    /// property, which implementations should not error on (considerations-002). But the ambiguity is the one of
    /// CVE-2021-41190, and containerd and the distribution registry refuse such documents since, so a warning by
    /// default; `--profile portable`, `--profile strict` and `--deny hardening` make it an error.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "config": { … }, "layers": [ … ], "manifests": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Remove `manifests` from the manifest, so that no reader can take it for an index (the ambiguity behind
    /// CVE-2021-41190).
    MAN015, "manifest-ambiguous-with-index", Warning,
    basis: Hardening,
    clauses: [],
    section: "manifest.md#image-manifest-property-descriptions",
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Manifest {
        return;
    }
    if cx.value().and_then(|v| v.get("manifests")).is_some() {
        out.at(
            "/manifests",
            "an image manifest should not have a `manifests` member: with it the document can also be read as an image index",
        );
    }
}
