use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A layer uses an opaque whiteout (`d/.wh..wh..opq`) where the spec prefers explicit whiteouts, one
    /// `.wh.<name>` per deleted child. Both forms must be accepted and overlayfs-based builders produce opaque
    /// whiteouts routinely, so this is off by default; turn it on (`--warn LYR019`) to hold producers to the
    /// SHOULD.
    ///
    /// ## Why it matters
    /// An opaque whiteout hides everything below its directory in every lower layer, including what those layers
    /// gain later if the image is rebased; explicit whiteouts say exactly which paths go, which tools that diff or
    /// flatten layers can check.
    ///
    /// ## Example
    /// A layer holding `bin/` and `bin/.wh..wh..opq` where `bin/.wh.my-app-binary` and `bin/.wh.my-app-tools`
    /// would do.
    ///
    /// ## How to fix
    /// Nothing is wrong: the spec accepts opaque whiteouts and merely prefers explicit ones. Diff tools based on
    /// overlay file systems write opaque whiteouts for a directory that was replaced.
    LYR019, "layer-opaque-whiteout", Warning,
    basis: Keyword,
    clauses: ["layer-014"],
    default_enabled: false,
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let t = &f.tar;
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &t.entries {
            if e.has(flag::ESCAPES) {
                continue;
            }
            let p = t.path(e);
            if classify(tar::basename(p)) == Whiteout::Opaque {
                let dir = tar::parent(p);
                let dir = if dir.is_empty() { "the root" } else { dir };
                r.at(
                    entry_loc(f, e),
                    format!(
                        "an opaque whiteout hides everything below {dir} in lower layers; explicit whiteouts are preferred"
                    ),
                );
            }
        }
        r.finish();
    }
}
