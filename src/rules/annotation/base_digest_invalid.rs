use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::digest::{self, Algorithm, Digest};
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The value of `org.opencontainers.image.base.digest` is not a digest (the digest grammar, and for a
    /// registered algorithm its exact encoding). An empty value is allowed, as for any annotation, and means
    /// there is no base image.
    ///
    /// ## Why it matters
    /// The key is reserved by the image spec and defined as the digest of the base image's manifest; scanners use
    /// it to find the base image, which a value that is not a digest cannot do.
    ///
    /// ## Basis
    /// Type: annotations.md defines the key's value as the digest of the image this one is based on (§
    /// Pre-Defined Annotation Keys); a present, non-empty value that is no digest is outside the format the spec
    /// declares for it.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "org.opencontainers.image.base.digest": "alpine:3.19" } }
    /// ```
    ///
    /// ## How to fix
    /// Set `org.opencontainers.image.base.digest` to the digest of the base image's manifest, `sha256:` and 64
    /// lower-case hex digits, as `skopeo inspect --format '{{.Digest}}'` or `crane digest` print it.
    ANN010, "annotation-base-digest-invalid", Error,
    basis: Type,
    clauses: ["annotations-004"],
    section: "annotations.md#pre-defined-annotation-keys",
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, key, value) in super::string_annotations(cx.doc) {
        // An empty value is allowed for any annotation and is how tools (buildah) say "no base image".
        if key != super::BASE_DIGEST || value.is_empty() {
            continue;
        }
        let problem = match Digest::parse(value) {
            None => {
                "is not a digest of the form algorithm:encoded (such as sha256:<64 hex digits>)"
                    .to_string()
            }
            Some(d) => match Algorithm::registered(d.algorithm(), cx.spec()) {
                Some(a) if !digest::encoding_ok(a, d.encoded()) => format!(
                    "is not a valid {} digest: it must have exactly {} lower-case hex digits",
                    a.name(),
                    a.hex_len()
                ),
                _ => continue,
            },
        };
        out.at(
            &json::join(&ptr.to_string(), key),
            format!("{:?} {problem}", json::shorten(value, 80)),
        );
    }
}
