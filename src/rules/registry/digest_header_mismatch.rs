use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::digest::Digest;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A registry's `Docker-Content-Digest` header names other content than the response is for: on a manifest
    /// or blob fetched (GET) or checked (HEAD) by its digest, a digest of the same algorithm that is not the one
    /// asked for; on a manifest fetched by tag, one that is not the digest of the body served. A value that is
    /// not a digest at all counts too. A header with another algorithm than the digest asked for is allowed (the
    /// registry's canonical digest may use another one) and compared only when this tool has that algorithm and
    /// read the body whole. When the body itself does not hash to the digest asked for, REG006 says so.
    ///
    /// ## Why it matters
    /// Clients that trust the header (to pin a tag to a digest, to skip re-hashing) are told the wrong content:
    /// a pipeline that records `Docker-Content-Digest` as the image it deployed records another image.
    ///
    /// ## Basis
    /// Keyword: a `Docker-Content-Digest` that is present MUST match the response body (dist-036), and a GET of an
    /// existing manifest MUST provide the expected one (dist-024): an error.
    ///
    /// ## Example
    /// `GET /v2/app/manifests/v1` answered with a body whose sha256 is `sha256:6c3c…` and
    /// `Docker-Content-Digest: sha256:0000…`.
    ///
    /// ## How to fix
    /// Fix whatever sets the header: a registry computes it from the stored content, a proxy or CDN in front of it must
    /// pass it through unchanged (or drop it) rather than reuse it across objects.
    REG001, "digest-header-mismatch", Error,
    basis: Keyword,
    clauses: ["dist-036", "dist-024", "dist-027", "dist-043"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in served.exchanges.iter().filter(|e| super::is_content(e)) {
        let Some(header) = e.digest_header.as_deref() else {
            continue;
        };
        let clause = match (e.method, e.endpoint) {
            (crate::source::registry::Method::Head, _) => "dist-043",
            (_, crate::source::registry::Endpoint::Blob) => "dist-036",
            _ => "dist-024",
        };
        let req = super::request(served, e);
        let Some(h) = Digest::parse(header.trim()) else {
            out.emit_citing(
                clause,
                super::location(cx, e),
                format!("{req}: Docker-Content-Digest `{header}` is not a digest"),
            );
            continue;
        };
        // What the response is for: the digest asked for, or (by tag) the digest of the body served.
        let expected = match Digest::parse(&e.reference) {
            Some(asked) => Some(asked),
            None => e.body_digest.as_deref().and_then(Digest::parse),
        };
        let Some(expected) = expected.filter(|x| x.algorithm() == h.algorithm()) else {
            continue;
        };
        if expected != h {
            let what = if Digest::parse(&e.reference).is_some() {
                "the digest asked for"
            } else {
                "the digest of the body served"
            };
            out.emit_citing(
                clause,
                super::location(cx, e),
                format!("{req}: Docker-Content-Digest is {h}, but {what} is {expected}"),
            );
        }
    }
}
