use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// Part of the layout directory could not be listed: a directory that cannot be read (permission denied, an
    /// I/O error), an entry that cannot be examined, a name that cannot be represented, or one of ocicheck's
    /// listing limits (directories nested more than 32 levels deep; more than 200,000 entries; more entries than
    /// the run's memory budget, `--max-memory`, leaves the listing). Whatever is below that point was not seen,
    /// so blobs stored there were neither verified nor found (nor reported missing). The layout's own
    /// `oci-layout`, `index.json` and `blobs` are listed first, so a limit never hides them.
    ///
    /// ## Why it matters
    /// Every blob's content must match its digest (image-layout-011); blobs that cannot even be listed cannot be
    /// shown to, and a consumer running with the same permissions will not find them either. Without this
    /// finding an unreadable `blobs/sha256/` would look like a sparse layout and pass silently.
    ///
    /// ## Example
    /// `blobs/sha256/` with mode `000`, validated by a user who is not its owner.
    ///
    /// ## How to fix
    /// Make the layout's directories listable by the user running ocicheck (`chmod -R a+rX DIR`); the message says
    /// which directory failed. For a listing limit, remove what does not belong in the layout, or raise
    /// `--max-memory`.
    LAY012, "layout-unreadable", Error,
    basis: Keyword,
    clauses: ["image-layout-011"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for i in &cx.graph.source_issues {
        let file = if i.path.is_empty() {
            "."
        } else {
            i.path.as_str()
        };
        if i.limit {
            out.limit(Location::file(file), i.message.clone(), None);
        } else {
            out.emit(Location::file(file), i.message.clone());
        }
    }
}
