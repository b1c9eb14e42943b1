use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::json::{self, Value};
use crate::rule::Check;
use crate::walk::{DocKind, Role};

declare_rule! {
    /// ## What it checks
    /// A descriptor of a referrers list has the wrong `artifactType`: not the `artifactType` of the manifest or
    /// index it points at when that has one, not its config's `mediaType` for an image manifest without one, or
    /// present at all for an index without one. Checked on the Referrers API's answers (the registry's duty) and
    /// on the index of the referrers tag schema (the duty of the client that pushed it), against each referrer
    /// as the registry serves it by digest.
    ///
    /// ## Why it matters
    /// Clients filter referrers by `artifactType` (the signatures, the SBOMs) from the list alone, without
    /// fetching every referrer; a wrong value hides a signature from the verifier that looks for it, or offers
    /// something else in its place.
    ///
    /// ## Basis
    /// Keyword: each referrer's descriptor MUST carry the `artifactType` of its manifest or index, or its config's
    /// `mediaType`, or none for an index without one (dist-140 to dist-142; dist-117 and dist-118 for the tag schema a
    /// client maintains): an error.
    ///
    /// ## Example
    /// A referrers entry with `"artifactType": "application/vnd.example.sbom"` for a manifest whose
    /// `artifactType` is `application/vnd.dev.cosign.artifact.sig.v1+json`.
    ///
    /// ## How to fix
    /// For the Referrers API, the registry must derive `artifactType` from each referrer as served; for the tag
    /// schema's index, push it again with the tool that pushed the referrer (`oras`, `cosign`), which recomputes the
    /// entry.
    REG009, "referrers-artifact-type-mismatch", Error,
    basis: Keyword,
    clauses: ["dist-140", "dist-141", "dist-142", "dist-117", "dist-118"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    let g = cx.graph;
    for (list, from_api) in super::referrers_lists(cx, served) {
        for d in g.descs_of(list.id).filter(|d| d.role == Role::IndexEntry) {
            let Some(target) = d.target_doc.map(|i| &g.docs[i]) else {
                continue;
            };
            let Some(tv) = target.value() else { continue };
            let own = tv
                .get("artifactType")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            let (expected, why, clause) = match (own, target.kind) {
                (Some(a), _) => (
                    Some(a),
                    "the referrer's own artifactType",
                    if from_api { "dist-140" } else { "dist-117" },
                ),
                (None, DocKind::Manifest) => (
                    tv.get("config")
                        .and_then(|c| c.get("mediaType"))
                        .and_then(Value::as_str),
                    "the referrer's config mediaType (it has no artifactType)",
                    if from_api { "dist-141" } else { "dist-118" },
                ),
                (None, _) if from_api => (
                    None,
                    "nothing: the referrer is an index without artifactType",
                    "dist-142",
                ),
                _ => continue,
            };
            let actual = d.value(g).get("artifactType").and_then(Value::as_str);
            if actual == expected {
                continue;
            }
            let show = |v: Option<&str>| v.map_or("none".to_string(), |s| format!("`{s}`"));
            let pointer = if actual.is_some() {
                json::join(&d.pointer(), "artifactType")
            } else {
                d.pointer()
            };
            let loc = crate::check::doc_location(g, list, &pointer);
            out.emit_citing(
                clause,
                loc,
                format!(
                    "artifactType is {}; it must be {why}, {}",
                    show(actual),
                    show(expected)
                ),
            );
        }
    }
}
