use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::registry::Endpoint;

declare_rule! {
    /// ## What it checks
    /// A repository's tag list (`GET /v2/<name>/tags/list`, read for each repository of a catalogue run,
    /// `docker://HOST`) answered `200` with a body that is not `{"name": "<name>", "tags": ["<tag>", …]}` (not
    /// JSON, no `name` or another repository's, no `tags` array, tags that are not strings), with more tags than
    /// the `n` it was asked for, or with a `Link` header that is not `<URL>; rel="next"` on the registry itself.
    /// A `"tags": null` (what some registries answer for a repository without tags) is read as no tags and not
    /// reported. A tag list that is not served at all is REG007.
    ///
    /// ## Why it matters
    /// Clients that enumerate a repository (mirrors, garbage collectors, scanners like this one) read the tags
    /// from this body and the next page from this header: what they cannot read they skip, so images go unmirrored
    /// and unchecked.
    ///
    /// ## Basis
    /// Keyword: the answer MUST be a JSON body of that format (dist-124), MUST hold `n` results unless fewer
    /// exist or a `Link` header is given (dist-126), and a `Link` header MUST follow RFC 5988 with `rel="next"`
    /// (dist-128): an error. The lexical order of the tags (dist-133) is not checked: the spec's "case-insensitive
    /// alphanumeric order" and the byte order registries use disagree on mixed-case tags.
    ///
    /// ## Example
    /// `GET /v2/app/tags/list` answered `{"repository": "app", "tags": ["v1"]}`.
    ///
    /// ## How to fix
    /// Fix the registry's tag-list endpoint to answer in the specified format.
    REG013, "tag-list-invalid", Error,
    basis: Keyword,
    clauses: ["dist-124", "dist-126", "dist-128"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in served
        .exchanges
        .iter()
        .filter(|e| e.endpoint == Endpoint::Tags)
    {
        for (clause, what) in &e.shape {
            out.emit_citing(
                clause,
                super::location(cx, e),
                format!("{}: {what}", super::request(served, e)),
            );
        }
    }
}
