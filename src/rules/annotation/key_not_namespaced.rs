use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An annotation (or config label) key is not in reverse domain notation: it has no dot, or an empty part
    /// (`.foo`, `foo.`, `a..b`).
    ///
    /// ## Why it matters
    /// Keys should be namespaced by a domain their author controls (`com.example.myKey`) so that annotations from
    /// different tools do not collide.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "maintainer": "alice" } }
    /// ```
    ///
    /// ## How to fix
    /// Put the key in a namespace you own, in reverse domain notation: `com.example.build-id` rather than
    /// `build-id` or `.build-id`. Labels copied from a Dockerfile's `LABEL version=1` are the usual case;
    /// `--profile portable` reports this as an info only.
    ANN005, "annotation-key-not-namespaced", Warning,
    basis: Keyword,
    clauses: ["annotations-006"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, map) in super::object_maps(cx.doc) {
        for m in map.effective_members() {
            let parts: Vec<&str> = m.key.split('.').collect();
            if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
                out.at(
                    &json::join(&ptr.to_string(), &m.key),
                    format!(
                        "the key {:?} is not in reverse domain notation (e.g. com.example.key)",
                        json::shorten(&m.key, 80)
                    ),
                );
            }
        }
    }
}
