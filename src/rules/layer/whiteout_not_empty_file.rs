use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::Kind;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A whiteout entry, explicit (`.wh.<name>`) or opaque (`.wh..wh..opq`), that is not an empty regular file:
    /// it has content, or it is a directory, a symbolic or hard link, a FIFO or a device. (`.wh..wh.*` names that
    /// are not the opaque whiteout are LYR016's.)
    ///
    /// ## Why it matters
    /// A whiteout is an empty file whose name alone carries the deletion (layer.md § Whiteouts: "an empty file",
    /// and "regardless of the path being deleted, the whiteout file is a regular file in the archive").
    /// Unpackers go by the name and drop the rest, so content in a whiteout is data that no unpacked file system
    /// shows yet that the DiffID covers: a place to hide bytes from tools that inspect the unpacked image. A
    /// whiteout of another type is read as a whiteout by some unpackers and created as what it is by others
    /// (a directory named `.wh.x`, a link), so the layer does not unpack the same everywhere.
    ///
    /// ## Basis
    /// Hardening. The spec defines the whiteout as an empty regular file with "is", not with a keyword, so no
    /// clause is broken; the rule protects the tools that inspect or unpack the layer. A warning by default, an
    /// error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// `etc/.wh.passwd` with 1,024 bytes of content, or `bin/.wh..wh..opq` as a directory.
    ///
    /// ## How to fix
    /// Write whiteouts as empty regular files, as overlay and aufs diff tools do. A layer whose whiteout has
    /// content or another type was made by hand or by a broken diff tool: rebuild it from the file-system diff.
    LYR027, "layer-whiteout-not-empty-file", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#whiteouts",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if e.has(flag::ESCAPES) {
                continue;
            }
            let form = match classify(tar::basename(f.tar.path(e))) {
                Whiteout::Explicit(_) => "whiteout",
                Whiteout::Opaque => "opaque whiteout",
                _ => continue,
            };
            let problem = match e.kind {
                Kind::File if e.size == 0 => continue,
                Kind::File => format!("has {} bytes of content", e.size),
                k => format!("is a {}", k.describe()),
            };
            r.at(
                entry_loc(f, e),
                format!("this {form} {problem}; a whiteout is an empty regular file"),
            );
        }
        r.finish();
    }
}
