use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::json::Value;
use crate::rule::Check;
use crate::walk::Role;

declare_rule! {
    /// ## What it checks
    /// A descriptor of a referrers list lacks an annotation of the manifest or index it points at, or has it with
    /// another value. More annotations than the referrer's are allowed. Checked on the Referrers API's answers
    /// (the registry's duty) and on the index of the referrers tag schema (the duty of the client that pushed it).
    ///
    /// ## Why it matters
    /// Clients choose among referrers by their annotations (a creation time, the signer, the SBOM format) from
    /// the list alone; an annotation missing from the list makes the referrer invisible to such a choice.
    ///
    /// ## Basis
    /// Keyword: each referrer's descriptor MUST include the annotations of its manifest or index (dist-143; dist-119
    /// for the tag schema): an error.
    ///
    /// ## Example
    /// A signature manifest annotated `"org.opencontainers.image.created": "2025-01-01T00:00:00Z"` listed by a
    /// referrers entry without `annotations`.
    ///
    /// ## How to fix
    /// Copy every annotation of the referrer into its entry: the registry does for its Referrers API; for the tag
    /// schema's index, push it again with a tool that does.
    REG010, "referrers-annotations-missing", Error,
    basis: Keyword,
    clauses: ["dist-143", "dist-119"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    let g = cx.graph;
    for (list, from_api) in super::referrers_lists(cx, served) {
        let clause = if from_api { "dist-143" } else { "dist-119" };
        for d in g.descs_of(list.id).filter(|d| d.role == Role::IndexEntry) {
            let Some(target) = d.target_doc.map(|i| &g.docs[i]) else {
                continue;
            };
            let Some(wanted) = target
                .value()
                .and_then(|v| v.get("annotations"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            let listed = d.value(g).get("annotations");
            let mut missing = Vec::new();
            for m in wanted {
                let (k, Some(want)) = (&m.key, m.value.as_str()) else {
                    continue;
                };
                let have = listed.and_then(|a| a.get(k)).and_then(Value::as_str);
                if have != Some(want) {
                    missing.push(match have {
                        Some(h) => format!("{k} (listed as `{h}`, the referrer says `{want}`)"),
                        None => k.to_string(),
                    });
                }
            }
            if missing.is_empty() {
                continue;
            }
            let loc = crate::check::doc_location(g, list, &d.pointer());
            out.emit_citing(
                clause,
                loc,
                format!(
                    "the entry lacks annotations of the referrer it lists: {}",
                    missing.join(", ")
                ),
            );
        }
    }
}
