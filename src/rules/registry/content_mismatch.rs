use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::registry::{Endpoint, Method};

declare_rule! {
    /// ## What it checks
    /// What a registry served for a digest (`GET /v2/<name>/blobs/<digest>`, or a manifest by its digest) does
    /// not hash to that digest. Verified for `sha256` and `sha512` (and `blake3` under `--spec main`). The
    /// registry counterpart of LAY007: a registry is content-addressed like a layout's `blobs/`.
    ///
    /// ## Why it matters
    /// Every client that verifies content refuses the image; one that does not runs bytes nobody pushed. A
    /// registry serving other bytes than its digests name has corrupt storage, a broken cache or proxy in front
    /// of it, or has been tampered with.
    ///
    /// ## Basis
    /// Keyword: a GET of an existing blob or manifest MUST provide the expected content (dist-033, dist-024), which the
    /// registry MUST store byte for byte (dist-101): an error.
    ///
    /// ## Example
    /// A layer whose file in the registry's storage was overwritten after the push.
    ///
    /// ## How to fix
    /// Push the image again from a good copy (a registry cannot repair content it serves under the wrong digest),
    /// then find what altered the storage or the response: disk corruption, a cache, a rewriting proxy.
    REG006, "content-mismatch", Error,
    basis: Keyword,
    clauses: ["dist-033", "dist-024", "dist-101"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for b in cx.graph.blobs.values() {
        let (Some(d), Some(computed)) = (&b.digest, b.computed.as_ref().and_then(|c| c.differs()))
        else {
            continue;
        };
        let get = served
            .of(&b.path)
            .find(|e| e.method == Method::Get && e.status == 200);
        let (clause, req) = match get {
            Some(e) if e.endpoint == Endpoint::Blob => ("dist-033", super::request(served, e)),
            Some(e) => ("dist-024", super::request(served, e)),
            None => ("dist-033", format!("GET {d}")),
        };
        out.emit_citing(
            clause,
            cx.blob_location(&b.path),
            format!("{req}: the body served hashes to {computed}, not to {d}"),
        );
    }
}
