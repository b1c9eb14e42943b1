use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A manifest or index was served with parameters on its `Content-Type` (`; charset=utf-8` and the like).
    ///
    /// ## Why it matters
    /// Manifest media types take no parameters, and clients compare `Content-Type` with the media types they know
    /// as whole strings: `application/vnd.oci.image.manifest.v1+json; charset=utf-8` matches none of them.
    ///
    /// ## Basis
    /// Keyword: the registry SHOULD NOT include parameters on the `Content-Type` header (dist-020): a warning.
    ///
    /// ## Example
    /// `Content-Type: application/vnd.oci.image.index.v1+json; charset=utf-8`.
    ///
    /// ## How to fix
    /// Make the registry (or the proxy in front of it) send the media type alone, with no `; charset=…` appended.
    REG004, "content-type-parameters", Warning,
    basis: Keyword,
    clauses: ["dist-020"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in served.exchanges.iter().filter(|e| super::is_manifest(e)) {
        if let Some(ct) = e.content_type.as_deref().filter(|c| c.contains(';')) {
            out.emit(
                super::location(cx, e),
                format!(
                    "{}: Content-Type `{ct}` carries parameters",
                    super::request(served, e)
                ),
            );
        }
    }
}
