use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::registry::{Endpoint, Method};

declare_rule! {
    /// ## What it checks
    /// A successful GET or HEAD of a manifest or a blob came without a `Docker-Content-Digest` header.
    ///
    /// ## Why it matters
    /// The header is how a client learns the digest of a manifest it fetched by tag without hashing it, and how it
    /// checks that a HEAD answer is about the content it asked for. The distribution spec asks registries to send
    /// it on every such response (the legacy section calls the header optional, so this is a warning).
    ///
    /// ## Basis
    /// Keyword: a successful pull SHOULD carry `Docker-Content-Digest` (dist-035 for blobs, dist-026 for manifests,
    /// dist-043 for HEAD): a warning.
    ///
    /// ## Example
    /// `HTTP/1.1 200 OK` to `GET /v2/app/blobs/sha256:…` with `Content-Length` and `Content-Type` only.
    ///
    /// ## How to fix
    /// Configure the registry (or the proxy in front of it) to send `Docker-Content-Digest` on manifest and blob
    /// responses, GET and HEAD alike; distribution, zot, Harbor and the cloud registries do by default.
    REG002, "digest-header-missing", Warning,
    basis: Keyword,
    clauses: ["dist-035", "dist-026", "dist-043", "dist-002"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in served.exchanges.iter().filter(|e| super::is_content(e)) {
        if e.digest_header.is_some() {
            continue;
        }
        let clause = match (e.method, e.endpoint) {
            (Method::Head, _) => "dist-043",
            (_, Endpoint::Blob) => "dist-035",
            _ => "dist-026",
        };
        out.emit_citing(
            clause,
            super::location(cx, e),
            format!(
                "{}: a 200 response without Docker-Content-Digest",
                super::request(served, e)
            ),
        );
    }
}
