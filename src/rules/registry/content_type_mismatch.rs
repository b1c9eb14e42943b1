use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::json::Value;
use crate::rule::Check;
use crate::source::registry::essence;

declare_rule! {
    /// ## What it checks
    /// A manifest or index was served with a `Content-Type` (its parameters aside) other than the `mediaType` its
    /// body declares, or with none. Bodies without a `mediaType` cannot be compared (the manifest rules ask for
    /// one).
    ///
    /// ## Why it matters
    /// A pusher must send a manifest with its `mediaType` as `Content-Type`, and the registry should serve it
    /// back the same way. Clients pick the parser from `Content-Type`: an index served as an image manifest, or a
    /// manifest as `application/octet-stream`, is misread or refused.
    ///
    /// ## Basis
    /// Keyword: the `Content-Type` of a pulled manifest SHOULD match the one it was pushed with (dist-022), which a
    /// client sets to the manifest's `mediaType`: a warning.
    ///
    /// ## Example
    /// A body with `"mediaType": "application/vnd.oci.image.index.v1+json"` served as
    /// `Content-Type: application/vnd.oci.image.manifest.v1+json`.
    ///
    /// ## How to fix
    /// Push the manifest again with its `mediaType` as `Content-Type` (`skopeo copy`, `oras`, `crane` do); if the
    /// registry rewrites the header, fix its media-type handling.
    REG003, "content-type-mismatch", Warning,
    basis: Keyword,
    clauses: ["dist-022"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in served.exchanges.iter().filter(|e| super::is_manifest(e)) {
        let declared = cx
            .graph
            .docs
            .iter()
            .find(|d| *d.file == *e.file)
            .and_then(|d| d.value())
            .and_then(|v| v.get("mediaType"))
            .and_then(Value::as_str);
        let Some(declared) = declared else { continue };
        let sent = e.content_type.as_deref().map(essence);
        if sent != Some(declared) {
            out.emit(
                super::location(cx, e),
                format!(
                    "{}: served as {}, but its mediaType is {declared}",
                    super::request(served, e),
                    sent.map_or("no Content-Type at all".to_string(), |s| format!(
                        "Content-Type {s}"
                    ))
                ),
            );
        }
    }
}
