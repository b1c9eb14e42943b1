//! Registry rules: what a registry serves, checked against the OCI Distribution Specification v1.1.1 (clause ids
//! `dist-NNN` of `src/dist_clauses.tsv`; only clauses a reader can decide, `static` or `partial` there, are cited).
//!
//! They run on a `docker://` input only, over the [`Served`] transcript: the status and headers of every response
//! (`Docker-Content-Digest`, `Content-Type`, `Content-Length`, `Warning`, 4xx bodies), compared with what the walk
//! computed from the bodies (their digests and sizes) and with the documents it parsed. The content itself (every
//! manifest, index, config and layer) is checked by the same rules as in a layout.

use crate::check::LayoutCx;
use crate::report::Location;
use crate::rule::Rule;
use crate::source::registry::{Endpoint, Exchange, Served};

pub mod content_length_mismatch;
pub mod content_mismatch;
pub mod content_not_served;
pub mod content_type_mismatch;
pub mod content_type_parameters;
pub mod digest_header_mismatch;
pub mod digest_header_missing;
pub mod error_body_invalid;
pub mod referrers_annotations_missing;
pub mod referrers_artifact_type_mismatch;
pub mod referrers_content_type;
pub mod tag_list_invalid;
pub mod warning_header_invalid;

pub const RULES: &[&Rule] = &[
    &digest_header_mismatch::RULE,
    &digest_header_missing::RULE,
    &content_type_mismatch::RULE,
    &content_type_parameters::RULE,
    &content_length_mismatch::RULE,
    &content_mismatch::RULE,
    &content_not_served::RULE,
    &referrers_content_type::RULE,
    &referrers_artifact_type_mismatch::RULE,
    &referrers_annotations_missing::RULE,
    &warning_header_invalid::RULE,
    &error_body_invalid::RULE,
    &tag_list_invalid::RULE,
];

/// The registry's answers, when the input is a registry.
pub(crate) fn served<'a>(cx: &'a LayoutCx) -> Option<&'a Served> {
    cx.graph.registry.as_ref()
}

/// Where a finding about a response goes: the file it was for, with the chain of descriptors that reached it.
pub(crate) fn location(cx: &LayoutCx, e: &Exchange) -> Location {
    cx.blob_location(&e.file)
}

/// `GET /v2/<name>/blobs/<digest>`.
pub(crate) fn request(served: &Served, e: &Exchange) -> String {
    e.request_line(&served.repository)
}

/// A successful response for a manifest or a blob (the endpoints whose headers the pull section specifies).
pub(crate) fn is_content(e: &Exchange) -> bool {
    e.status == 200
        && matches!(
            e.endpoint,
            Endpoint::Manifest | Endpoint::Blob | Endpoint::ReferrersTag
        )
}

/// A manifest response (by digest, by tag, or the referrers tag schema's index).
pub(crate) fn is_manifest(e: &Exchange) -> bool {
    e.status == 200 && matches!(e.endpoint, Endpoint::Manifest | Endpoint::ReferrersTag)
}

/// A referrers list the walk parsed: the Referrers API's answer (`referrers/<alg>/<encoded>`), or the index of the
/// referrers tag schema. The flag says which (the API's answer is the registry's; the tag's index is a pusher's).
pub(crate) fn referrers_lists<'a>(
    cx: &'a LayoutCx,
    served: &'a Served,
) -> impl Iterator<Item = (&'a crate::walk::Doc, bool)> + 'a {
    cx.graph.docs.iter().filter_map(move |d| {
        if d.kind != crate::walk::DocKind::Index {
            return None;
        }
        if d.file.starts_with("referrers/") {
            return Some((d, true));
        }
        served
            .of(&d.file)
            .any(|e| e.endpoint == Endpoint::ReferrersTag)
            .then_some((d, false))
    })
}
