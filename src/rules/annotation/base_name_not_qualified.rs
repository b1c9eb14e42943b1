use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::formats::parse_image_reference;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The value of `org.opencontainers.image.base.name` is a valid reference without a registry
    /// (`my-org/my-image:tag` rather than `registry.example.com/my-org/my-image:tag`).
    ///
    /// ## Why it matters
    /// A reference without a registry depends on each tool's default registry, so different tools resolve it to
    /// different images.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "org.opencontainers.image.base.name": "alpine:3.19" } }
    /// ```
    ///
    /// ## How to fix
    /// Give the registry in `org.opencontainers.image.base.name` (`docker.io/library/alpine:3.20`, not
    /// `alpine:3.20`), so that a reader need not guess which registry a short name meant.
    ANN012, "annotation-base-name-not-qualified", Warning,
    basis: Keyword,
    clauses: ["annotations-018"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, key, value) in super::string_annotations(cx.doc) {
        if key != super::BASE_NAME || value.is_empty() {
            continue;
        }
        let (has_domain, valid) = parse_image_reference(value);
        if valid && !has_domain {
            out.at(
                &json::join(&ptr.to_string(), key),
                format!(
                    "{:?} has no registry; give a fully qualified reference",
                    json::shorten(value, 80)
                ),
            );
        }
    }
}
