use crate::check::{ImageCx, Out};
use crate::declare_rule;
use crate::layer::{stack_of, tree::What};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, image_layers, layer_location};

declare_rule! {
    /// ## What it checks
    /// An explicit whiteout `d/.wh.x` of `layers[i]` names a path `d/x` that the layers below it (applied in
    /// order, with their own whiteouts) do not hold. Whiteouts in the base layer have nothing below them. The
    /// check needs every lower layer: it stops at the first layer that is missing or could not be read whole.
    /// A warning, never an error by default (the `strict` profile makes it one): a whiteout of nothing deletes
    /// nothing, runtimes apply it as a no-op, and builders that compute a layer against one base and stack it on
    /// another (BuildKit's merge and diff operations) write such whiteouts in images that run fine.
    ///
    /// ## Why it matters
    /// Whiteouts only apply to resources in lower layers. A whiteout of nothing means the layer was made against
    /// another parent than the one the manifest stacks it on (a rebased or re-ordered image), so its deletions
    /// may miss what they were meant to delete.
    ///
    /// ## Basis
    /// Exception. Layer-012 says whiteouts only apply to resources in lower layers; a whiteout of nothing applies
    /// to nothing, which breaks no clause, so by the keyword alone this would be no finding. It is a warning
    /// because in a finished image it is the one visible sign that a layer was stacked on another base than the
    /// one it was made against, and then its other whiteouts may miss the files (secrets, say) they were meant to
    /// delete. `--profile strict` makes it an error.
    ///
    /// ## Example
    /// `layers[1]` holds `etc/.wh.motd` but `layers[0]` has no `etc/motd`.
    ///
    /// ## How to fix
    /// Drop the whiteout: it deletes nothing, which shows the layer was made against another base than the one
    /// below it. Rebuild the layer against the image's real lower layers.
    LYR017, "layer-whiteout-target-missing", Warning,
    basis: Exception,
    clauses: ["layer-012"],
    check: Check::Image(check),
}

fn check(cx: &ImageCx, out: &mut Out) {
    let stack = stack_of(cx.graph, cx.manifest.id, cx.opts.run_deadline());
    let layers = image_layers(cx);
    for (i, desc, facts) in &layers {
        let Some(f) = facts else { continue };
        let mut r = EntryReporter::new(out, || layer_location(cx, desc));
        for ev in stack.events_of(*i) {
            let What::WhiteoutTargetMissing { target } = &ev.what else {
                continue;
            };
            let Some(e) = f.tar.entries.get(ev.entry) else {
                continue;
            };
            let below = match *i {
                0 => "this is the base layer: nothing is below it".to_string(),
                1 => "layers[0] does not hold it".to_string(),
                _ => format!("none of layers[0] to layers[{}] holds it", i - 1),
            };
            r.at(
                entry_loc(f, e),
                format!("layers[{i}]: this whiteout deletes {target}, but {below}"),
            );
        }
        r.finish();
    }
}
