use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An annotation map has `org.opencontainers.image.base.name` but no `org.opencontainers.image.base.digest`.
    ///
    /// ## Why it matters
    /// A base name alone is a moving tag; the digest pins which manifest the image was actually built on, which
    /// is what base-image tracking needs.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "org.opencontainers.image.base.name": "docker.io/library/alpine:3.19" } }
    /// ```
    ///
    /// ## How to fix
    /// Add `org.opencontainers.image.base.digest` with the digest of the base manifest next to
    /// `org.opencontainers.image.base.name`: a name alone does not say which build of the base was used. BuildKit
    /// can record both for you.
    ANN013, "annotation-base-digest-missing", Warning,
    basis: Keyword,
    clauses: ["annotations-021", "annotations-019"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, map) in super::object_maps(cx.doc) {
        let named = map
            .get(super::BASE_NAME)
            .and_then(|v| v.as_str())
            .is_some_and(|s| !s.is_empty());
        if named && map.get(super::BASE_DIGEST).is_none() {
            out.at(
                &json::join(&ptr.to_string(), super::BASE_NAME),
                "base.name is set but base.digest is not; the digest pins the base image's manifest",
            );
        }
    }
}
