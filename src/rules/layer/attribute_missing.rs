use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// An entry that adds or modifies a file lacks one of the attributes a changeset must carry: its `mode`,
    /// `uid`, `gid` or `mtime` header field is empty (all NUL or spaces) and no PAX record supplies it, or a
    /// symbolic or hard link has an empty link name. Whiteouts are removals and are not checked. (Extended
    /// attributes are optional by nature: an entry without them has none.)
    ///
    /// ## Why it matters
    /// Without them the unpacked file's permissions, owner and timestamp are whatever the extractor defaults to,
    /// so the same layer unpacks differently on different tools, and a link without a target cannot be created.
    ///
    /// ## Example
    /// A hand-written tar header whose `mtime` field is left blank.
    ///
    /// ## How to fix
    /// Write `mode`, `uid`, `gid` and `mtime` for every entry; real tar writers always do, so an empty field means
    /// the tar headers were assembled by hand.
    LYR023, "layer-entry-attribute-missing", Error,
    basis: Keyword,
    clauses: ["layer-003"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if !e.has(flag::ANY_MISSING) {
                continue;
            }
            if classify(tar::basename(f.tar.path(e))) != Whiteout::No {
                continue;
            }
            let missing: Vec<&str> = [
                (flag::MISSING_MODE, "mode"),
                (flag::MISSING_UID, "uid"),
                (flag::MISSING_GID, "gid"),
                (flag::MISSING_MTIME, "mtime"),
                (flag::MISSING_LINK, "link name"),
            ]
            .iter()
            .filter(|(fl, _)| e.has(*fl))
            .map(|(_, n)| *n)
            .collect();
            r.at(
                entry_loc(f, e),
                format!("the {} has no {}", e.kind.describe(), missing.join(", no ")),
            );
        }
        r.finish();
    }
}
