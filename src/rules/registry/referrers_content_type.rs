use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::source::registry::{Endpoint, essence};

declare_rule! {
    /// ## What it checks
    /// A successful answer of the Referrers API (`GET /v2/<name>/referrers/<digest>`) came with a `Content-Type`
    /// other than `application/vnd.oci.image.index.v1+json`. Its body is walked as the image index it must be, so
    /// the index and descriptor rules (IDX, DSC) check its shape.
    ///
    /// ## Why it matters
    /// Clients decide from the `Content-Type` whether they got a referrers list; one served as anything else is
    /// ignored or refused, and the signatures and SBOMs it lists are never found.
    ///
    /// ## Basis
    /// Keyword: a Referrers API answer's `Content-Type` MUST be `application/vnd.oci.image.index.v1+json` (dist-139):
    /// an error.
    ///
    /// ## Example
    /// `Content-Type: application/json` on a referrers response.
    ///
    /// ## How to fix
    /// Fix the registry's Referrers API to answer with `Content-Type: application/vnd.oci.image.index.v1+json`.
    REG008, "referrers-content-type", Error,
    basis: Keyword,
    clauses: ["dist-139", "dist-138"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in served
        .exchanges
        .iter()
        .filter(|e| e.endpoint == Endpoint::Referrers && e.status == 200)
    {
        let sent = e.content_type.as_deref().map(essence);
        if sent != Some(mt::INDEX) {
            out.emit(
                super::location(cx, e),
                format!(
                    "{}: served as {}, not as {}",
                    super::request(served, e),
                    sent.map_or("no Content-Type at all".to_string(), |s| format!(
                        "Content-Type {s}"
                    )),
                    mt::INDEX
                ),
            );
        }
    }
}
