use crate::check::{ImageCx, Out};
use crate::declare_rule;
use crate::layer::stack_of;
use crate::layer::tar;
use crate::layer::tree::{What, Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, image_layers, layer_location};

declare_rule! {
    /// ## What it checks
    /// An entry, or an explicit whiteout, of `layers[i]` whose path lies below something that is not a directory when the
    /// entry is met: a regular file, a device, a FIFO … made earlier in the same layer (`d1`, then `d1/x` or
    /// `d1/.wh.x`) or by a lower layer that this layer did not replace or delete first (a lower `d1` file, then
    /// `d1/x` without a `d1/` directory entry or a `.wh.d1` before it). Opaque whiteouts there are LYR015's.
    /// Symbolic links on the way are LYR010's
    /// business when they leave the root, and otherwise followed by unpackers. The layers are applied in order
    /// over a tree of names and kinds; the check stops at the first layer that is missing or could not be read
    /// whole.
    ///
    /// ## Why it matters
    /// A file cannot have children. Unpackers meeting `d1/x` under a file `d1` either fail (`ENOTDIR`), replace
    /// the file with a directory they invent (mode and owner made up), or drop the entry; a whiteout there deletes
    /// nothing in one tool and fails in another. Layers made from a file-system diff never have this shape: when
    /// a file becomes a directory they carry the directory entry first.
    ///
    /// ## Basis
    /// Hardening. No clause says that a changeset's paths must be consistent with one another; the spec only
    /// describes applying entries over existing paths (layer.md § Changeset over existing files). The rule
    /// protects unpackers from an ambiguous layer: a warning by default, an error under `--profile strict` or
    /// `--deny hardening`.
    ///
    /// ## Example
    /// ```text
    /// d1
    /// d1/.wh.x
    /// d1/y
    /// ```
    ///
    /// ## How to fix
    /// When a path changes from a file to a directory, write the directory's own entry before anything below it (or
    /// a whiteout of the file in an earlier layer); diff tools that compare trees do so. A layer with this shape
    /// was concatenated or edited by hand: rebuild it from the file-system diff.
    LYR026, "layer-entry-below-non-directory", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#changeset-over-existing-files",
    check: Check::Image(check),
}

fn check(cx: &ImageCx, out: &mut Out) {
    let stack = stack_of(cx.graph, cx.manifest.id, cx.opts.run_deadline());
    for (i, desc, facts) in &image_layers(cx) {
        let Some(f) = facts else { continue };
        let mut r = EntryReporter::new(out, || layer_location(cx, desc));
        for ev in stack.events_of(*i) {
            let What::BelowNonDirectory {
                parent,
                kind,
                parent_layer,
            } = &ev.what
            else {
                continue;
            };
            let Some(e) = f.tar.entries.get(ev.entry) else {
                continue;
            };
            let what = match classify(tar::basename(f.tar.path(e))) {
                Whiteout::No => "this entry",
                Whiteout::Opaque => continue, // LYR015's
                _ => "this whiteout",
            };
            let made = if parent_layer == i {
                "earlier in this layer".to_string()
            } else {
                format!("by layers[{parent_layer}]")
            };
            r.at(
                entry_loc(f, e),
                format!(
                    "layers[{i}]: {what} is below {parent}, which is a {} (made {made}), not a directory",
                    kind.describe()
                ),
            );
        }
        r.finish();
    }
}
