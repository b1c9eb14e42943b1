use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::source::registry::Method;

declare_rule! {
    /// ## What it checks
    /// A successful HEAD of a manifest or a blob gave no `Content-Length`, or one that is not the size of what
    /// the registry then served for it (the bytes of the GET body, as read). Under `--fast`, where blobs are
    /// checked by HEAD alone, the HEAD size is what the descriptor's `size` is compared with (DSC rules).
    ///
    /// ## Why it matters
    /// Clients size downloads, progress and storage from the HEAD answer, and skip blobs whose size they already
    /// hold; a wrong size there makes them skip, truncate or refuse content that is actually fine, or the reverse.
    ///
    /// ## Basis
    /// Keyword: a successful HEAD SHOULD give the size of the content in `Content-Length` (dist-044): a warning.
    ///
    /// ## Example
    /// `HEAD /v2/app/blobs/sha256:…` answered `Content-Length: 1024` for a blob whose GET body has 2048 bytes.
    ///
    /// ## How to fix
    /// Make HEAD answer with the same `Content-Length` as GET: for a registry behind a cache or CDN, purge the stale
    /// entry; a proxy must not drop or rewrite the header on HEAD.
    REG005, "content-length-mismatch", Warning,
    basis: Keyword,
    clauses: ["dist-044"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in served
        .exchanges
        .iter()
        .filter(|e| super::is_content(e) && e.method == Method::Head)
    {
        let req = super::request(served, e);
        let Some(announced) = e.content_length else {
            out.emit(
                super::location(cx, e),
                format!("{req}: a 200 response without Content-Length"),
            );
            continue;
        };
        // The size served by GET, when a GET read the whole blob.
        let Some(b) = cx.graph.blobs.get(&*e.file) else {
            continue;
        };
        let read_whole = b.loaded || (!cx.opts.fast && b.computed.is_some());
        if !read_whole || b.read_error().is_some() || b.time_limit().is_some() {
            continue;
        }
        if let Some(size) = b.size
            && size != announced
        {
            out.emit(
                super::location(cx, e),
                format!("{req}: Content-Length is {announced}, but GET served {size} bytes for it"),
            );
        }
    }
}
