use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::{self, flag};
use crate::layer::tree::{Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A layer has an entry whose basename starts with `.wh..wh.` but is not the opaque whiteout `.wh..wh..opq`.
    /// The spec defines exactly two whiteout forms, explicit (`.wh.<name>`) and opaque; `.wh..wh.*` names are
    /// the metadata of the AUFS storage driver (`.wh..wh.plnk`, `.wh..wh.aufs`, `.wh..wh.orph`) leaking into a
    /// layer.
    ///
    /// ## Why it matters
    /// Read literally, such an entry is an explicit whiteout of a file named `.wh.plnk`, which cannot exist;
    /// Docker skips these names, other unpackers create them as files. Either way the layer carries storage
    /// driver internals instead of a changeset.
    ///
    /// ## Basis
    /// Hardening. By its name such an entry is a whiteout (layer-007: the basename prefixed with `.wh.` marks a
    /// removal) of a path that no file system can hold, so no clause is broken; the rule protects unpackers that
    /// would create storage-driver files. A warning by default, an error under `--profile strict` or `--deny
    /// hardening`.
    ///
    /// ## Example
    /// A layer exported from an AUFS-backed Docker daemon with a `.wh..wh.plnk/` directory at its root.
    ///
    /// ## How to fix
    /// Rename or remove the entry: names starting with `.wh..wh.` are reserved, and only `.wh..wh..opq` has a
    /// meaning.
    LYR016, "layer-whiteout-name-unknown", Warning,
    basis: Hardening,
    clauses: ["layer-007"],
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
            let base = tar::basename(f.tar.path(e));
            if classify(base) == Whiteout::Unknown {
                r.at(
                    entry_loc(f, e),
                    format!(
                        "{base:?} is neither an explicit whiteout (`.wh.<name>`) nor the opaque whiteout `.wh..wh..opq`"
                    ),
                );
            }
        }
        r.finish();
    }
}
