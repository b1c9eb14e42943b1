use crate::check::{ImageCx, Out};
use crate::declare_rule;
use crate::layer::stack_of;
use crate::layer::tar;
use crate::layer::tree::{What, Whiteout, classify};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, image_layers, layer_location};

declare_rule! {
    /// ## What it checks
    /// An opaque whiteout `d/.wh..wh..opq` whose directory `d` (or a directory above it) is not a directory when
    /// the whiteout is met: a regular file, a device, a FIFO … made earlier in the same layer or by a lower layer
    /// that this layer did not replace first. A layer that has no entry for `d` at all is fine: nothing asks a
    /// layer to carry the directory of its opaque whiteout, and the directory may come from a lower layer. (The
    /// same shape for other entries and explicit whiteouts is LYR026's.)
    ///
    /// ## Why it matters
    /// An opaque whiteout marks its directory as replacing the lower one (overlayfs stores it as an attribute of
    /// the directory); under a non-directory the marker is meaningless, and unpackers fail on it or turn the
    /// file into a directory they invent.
    ///
    /// ## Basis
    /// Hardening. The spec defines the opaque whiteout by its name and its directory (layer.md § Opaque
    /// Whiteout) without a keyword that this shape breaks. The rule protects unpackers from an ambiguous layer:
    /// a warning by default, an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// A layer holding a regular file `bin`, then `bin/.wh..wh..opq`.
    ///
    /// ## How to fix
    /// Write the opaque whiteout only inside a directory: if the layer replaces a directory with a file, it needs
    /// no whiteout below it; if it replaces a directory's contents, the layer's entry for that path must be a
    /// directory. A diff tool that writes this shape is confusing a type change with a content change.
    LYR015, "layer-opaque-whiteout-parent-not-dir", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#opaque-whiteout",
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
            if classify(tar::basename(f.tar.path(e))) != Whiteout::Opaque {
                continue;
            }
            let made = if parent_layer == i {
                "earlier in this layer".to_string()
            } else {
                format!("by layers[{parent_layer}]")
            };
            r.at(
                entry_loc(f, e),
                format!(
                    "layers[{i}]: opaque whiteout below {parent}, which is a {} (made {made}), not a directory",
                    kind.describe()
                ),
            );
        }
        r.finish();
    }
}
