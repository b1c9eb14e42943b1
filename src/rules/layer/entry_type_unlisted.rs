use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::Kind;
use crate::layer::tar::flag_text;
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A tar entry has a type the spec's list of file types does not cover. Listed: regular files (`0`, NUL, and
    /// `7` which every reader takes as a regular file), hard links (`1`), symbolic links (`2`), character and block
    /// devices (`3`, `4`), directories (`5`), FIFOs (`6`); PAX (`x`, `g`) and GNU long-name (`L`, `K`) headers are
    /// read as parts of the next entry and GNU sparse files (`S`) are LYR020's. Anything else (GNU dump
    /// directories `D`, multi-volume continuations `M`, volume labels `V`, old GNU long names `N`, vendor
    /// letters) is reported.
    ///
    /// ## Why it matters
    /// A layer is a changeset of files of the listed types. Unpackers handle other types differently: skipped
    /// silently, extracted as a regular file, or a hard error (containerd refuses unknown types), so the layer
    /// does not unpack the same everywhere.
    ///
    /// ## Basis
    /// Hardening. The spec lists the file types a changeset holds (layer.md § File Types) without a keyword, and
    /// the tar format itself allows these types. Unpackers that refuse them are protected by the warning, which
    /// `--profile strict` or `--deny hardening` make an error.
    ///
    /// ## Example
    /// A layer made with `tar --multi-volume`, whose first entry is a `V` volume label.
    ///
    /// ## How to fix
    /// Keep to regular files, directories, links, device nodes and FIFOs; remove sockets and other special entries
    /// before archiving the file system.
    LYR021, "layer-entry-type-unlisted", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#file-types",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if let Kind::Other(t) = e.kind {
                r.at(
                    entry_loc(f, e),
                    format!(
                        "tar type flag {} is not one of the file types a layer holds (regular file, directory, symbolic or hard link, device, FIFO)",
                        flag_text(t)
                    ),
                );
            }
        }
        r.finish();
    }
}
