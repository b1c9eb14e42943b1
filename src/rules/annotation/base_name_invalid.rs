use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::formats::parse_image_reference;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The value of `org.opencontainers.image.base.name` is not an image reference in distribution's format
    /// (`[registry/]repository[:tag][@digest]`, lower-case repository path). An empty value (no base image) is
    /// allowed.
    ///
    /// ## Why it matters
    /// Scanners and rebuild bots resolve the base image from this reference; one that does not parse cannot be
    /// resolved.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "org.opencontainers.image.base.name": "Alpine Linux 3.19" } }
    /// ```
    ///
    /// ## How to fix
    /// Write the base image's name as a full reference, lower-case repository, `registry/repository:tag`, for
    /// example `docker.io/library/alpine:3.20`.
    ANN011, "annotation-base-name-invalid", Warning,
    basis: Keyword,
    clauses: ["annotations-017"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, key, value) in super::string_annotations(cx.doc) {
        if key == super::BASE_NAME && !value.is_empty() && !parse_image_reference(value).1 {
            out.at(
                &json::join(&ptr.to_string(), key),
                format!("{:?} is not an image reference", json::shorten(value, 80)),
            );
        }
    }
}
