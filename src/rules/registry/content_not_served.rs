use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::registry::{Endpoint, Method};

declare_rule! {
    /// ## What it checks
    /// Content the registry has was not served: a manifest or blob whose HEAD answered `200` (or that the walk
    /// was sent to) could not be had by GET, after retries and resumes: an error status, a body cut short, a
    /// connection that kept failing, a redirect loop. Also a HEAD that failed otherwise than with `404`, and a
    /// referrers request (the Referrers API, or the referrers tag schema's tag) answered with neither `200` nor
    /// `404`. In a catalogue run (`docker://HOST`): a repository's tag list answered otherwise than `200` (the
    /// catalogue listed the repository), or a tag it listed whose manifest could not be fetched. A blob the
    /// registry does not have (its HEAD answered `404`) is LAY009.
    ///
    /// ## Why it matters
    /// A pull of the image fails on it, and nothing of it (its digest, its layers) could be verified.
    ///
    /// ## Basis
    /// Keyword: a GET of an existing blob or manifest MUST answer `200 OK` with it (dist-034, dist-025), a HEAD of it
    /// MUST answer `200 OK` (dist-042), and so MUST the Referrers API and the tag list of a repository that exists
    /// (dist-135, dist-121): an error.
    ///
    /// ## Example
    /// `HEAD /v2/app/blobs/sha256:…` answered `200`, and the GET `500 Internal Server Error` four times.
    ///
    /// ## How to fix
    /// See why the registry fails on the blob (its logs, its storage backend); push the image again if the blob was
    /// lost. Transient failures pass on a rerun, since ocicheck retries each request a few times before giving up.
    REG007, "content-not-served", Error,
    basis: Keyword,
    clauses: ["dist-034", "dist-042", "dist-025", "dist-135", "dist-121"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for b in cx.graph.blobs.values() {
        let Some(err) = b.read_error() else { continue };
        let get = served.of(&b.path).find(|e| e.method == Method::Get);
        let (clause, req) = match get {
            Some(e) if e.endpoint == Endpoint::Blob => ("dist-034", super::request(served, e)),
            Some(e) => ("dist-025", super::request(served, e)),
            None => ("dist-034", format!("GET {}", b.path)),
        };
        out.emit_citing(clause, cx.blob_location(&b.path), format!("{req}: {err}"));
    }
    for e in &served.exchanges {
        let Some(failure) = &e.failure else { continue };
        let clause = match (e.method, e.endpoint) {
            (Method::Head, _) => "dist-042",
            (_, Endpoint::Referrers) => "dist-135",
            (_, Endpoint::ReferrersTag) => "dist-025",
            (_, Endpoint::Tags) => "dist-121",
            // A tag the tag list named, whose manifest could not be had (a catalogue run).
            (_, Endpoint::Manifest) if !e.file.starts_with("blobs/") => "dist-025",
            // GET failures of manifests and blobs are their blobs' read errors, above.
            _ => continue,
        };
        out.emit_citing(
            clause,
            super::location(cx, e),
            format!("{}: {failure}", super::request(served, e)),
        );
    }
}
