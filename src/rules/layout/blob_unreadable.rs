use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A blob exists but could not be read (permission denied, I/O error), so its content could not be verified.
    ///
    /// ## Why it matters
    /// Every blob's content must match its digest; a blob that cannot be read cannot be shown to, and consumers
    /// running with the same permissions will fail on it.
    ///
    /// ## Example
    /// A blob with mode `000`.
    ///
    /// ## How to fix
    /// Make every blob readable by the user running ocicheck (`chmod -R a+rX DIR`) and check the disk for I/O
    /// errors.
    LAY011, "blob-unreadable", Error,
    basis: Keyword,
    clauses: ["image-layout-011"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    // What a registry fails to serve is REG007, under the distribution spec's clause.
    if cx.graph.from_registry() {
        return;
    }
    for b in cx.blobs() {
        if let Some(e) = b.read_error() {
            out.emit(
                cx.blob_location(&b.path),
                format!("the blob could not be read: {e}"),
            );
        }
    }
}
