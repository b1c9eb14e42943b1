use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::flag;
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A tar entry of a layer has an absolute name (`/etc/passwd`), or a hard link's target is absolute.
    ///
    /// ## Why it matters
    /// A layer is a changeset relative to the root of the filesystem being built. Extractors disagree on absolute
    /// names: most strip the leading `/`, a naive one writes to the host's own `/etc/passwd`, and an absolute hard
    /// link target makes a naive extractor link a host file into the image.
    ///
    /// ## Basis
    /// Hardening. The spec builds layers from paths relative to the root being compared (layer.md § Populate
    /// Initial Filesystem) but no clause forbids an absolute name, and careful unpackers strip the `/`. It is the
    /// shape of a path-traversal attack on careless ones, so a warning by default and an error under
    /// `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// A layer made with `tar -P -cf layer.tar /etc/app.conf`.
    ///
    /// ## How to fix
    /// Store names relative to the root (`etc/passwd`, not `/etc/passwd`): GNU tar strips leading `/` unless given
    /// `-P`; `tar -C rootfs -cf layer.tar .` gives relative names.
    LYR008, "layer-entry-path-absolute", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#populate-initial-filesystem",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if e.has(flag::ABSOLUTE) {
                r.at(
                    entry_loc(f, e),
                    format!(
                        "the entry name {:?} is absolute; layer entries are relative to the root",
                        f.tar.name(e)
                    ),
                );
            }
            if e.has(flag::LINK_ABSOLUTE) {
                r.at(
                    entry_loc(f, e),
                    format!(
                        "the hard link target {:?} is absolute; link targets are names of entries, relative to the root",
                        f.tar.link(e)
                    ),
                );
            }
        }
        r.finish();
    }
}
