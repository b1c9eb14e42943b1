use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An annotation (or config label) key in the `org.opencontainers.image.` namespace that the image spec does
    /// not define (its pre-defined keys, and the keys conversion.md maps config fields to).
    ///
    /// ## Why it matters
    /// The `org.opencontainers.image` namespace is reserved for the image spec; other specifications and tools
    /// must not use it, so a future version of the spec can define a key without colliding with yours. Usually
    /// the key is a misspelling (`org.opencontainers.image.autors`) or belongs in your own namespace.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "org.opencontainers.image.build-host": "ci-7" } }
    /// ```
    ///
    /// ## How to fix
    /// Use a key the spec defines (`org.opencontainers.image.source`, `…version`, `…revision` …; check the
    /// spelling) or move your own key to your own namespace. The `org.opencontainers` prefix is reserved for the
    /// spec.
    ANN006, "annotation-key-reserved-namespace", Error,
    basis: Keyword,
    clauses: ["annotations-008", "annotations-007"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, map) in super::object_maps(cx.doc) {
        for m in map.effective_members() {
            if m.key.starts_with("org.opencontainers.image.")
                && !super::KNOWN_OCI_KEYS.contains(&&*m.key)
            {
                out.at(
                    &json::join(&ptr.to_string(), &m.key),
                    format!(
                        "{:?} is in the namespace reserved for the OCI image spec, which does not define it",
                        json::shorten(&m.key, 80)
                    ),
                );
            }
        }
    }
}
