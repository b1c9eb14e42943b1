use crate::check::{ImageCx, Out};
use crate::declare_rule;
use crate::layer::{stack_of, tree::What};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, image_layers, layer_location};

declare_rule! {
    /// ## What it checks
    /// A hard link entry of `layers[i]` whose target is neither an earlier entry of the same layer nor a file in
    /// the layers below (applied in order, whiteouts included), or whose target is a directory. The check needs
    /// every lower layer: it stops at the first layer that is missing or could not be read whole.
    ///
    /// ## Why it matters
    /// A hard link is recorded by the name of its target; extracting it fails when the target does not exist yet
    /// (a link to a later entry of the layer), does not exist at all, or is a directory (which cannot be hard
    /// linked). Unpackers then abort or drop the file.
    ///
    /// ## Basis
    /// Hardening. The spec describes hard links (layer.md § Hardlinks) and even warns that extracting one whose
    /// target is outside the layer may fail, but no clause requires the target to exist. A warning by default,
    /// an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// `usr/bin/python3` stored as a hard link to `usr/bin/python3.12`, which comes later in the archive.
    ///
    /// ## How to fix
    /// Make the hard link point at a file stored earlier in the same layer or present in a lower layer; reordering
    /// entries so that the target comes first fixes layers written out of order.
    LYR012, "layer-hardlink-target-missing", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#hardlinks",
    check: Check::Image(check),
}

fn check(cx: &ImageCx, out: &mut Out) {
    let stack = stack_of(cx.graph, cx.manifest.id, cx.opts.run_deadline());
    for (i, desc, facts) in &image_layers(cx) {
        let Some(f) = facts else { continue };
        let mut r = EntryReporter::new(out, || layer_location(cx, desc));
        for ev in stack.events_of(*i) {
            let Some(e) = f.tar.entries.get(ev.entry) else {
                continue;
            };
            let msg = match &ev.what {
                What::HardlinkTargetMissing { target } => format!(
                    "layers[{i}]: hard link to {target}, which is neither an earlier entry of this layer nor a file in a lower layer"
                ),
                What::HardlinkToDirectory { target } => {
                    format!("layers[{i}]: hard link to {target}, which is a directory")
                }
                _ => continue,
            };
            r.at(entry_loc(f, e), msg);
        }
        r.finish();
    }
}
