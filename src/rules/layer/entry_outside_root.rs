use crate::check::{ImageCx, Out};
use crate::declare_rule;
use crate::layer::{stack_of, tree::What};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, image_layers, layer_location};

declare_rule! {
    /// ## What it checks
    /// An entry of `layers[i]` whose path goes through a symbolic link (made earlier in the same layer or in a
    /// lower one) that leads outside the root: an absolute target, or a relative one with more `..` than there
    /// are directories above it. The layers are applied in order over a tree of names, kinds and link targets to
    /// find it; the check stops at the first layer that is missing or could not be read whole. (`..` in entry
    /// names is LYR009's.)
    ///
    /// ## Why it matters
    /// An unpacker that follows the link writes the file outside the directory it unpacks into: the layer
    /// `etc -> /etc` then `etc/cron.d/job` plants a file on the host. Careful unpackers resolve links inside the
    /// root instead, so the image unpacks differently from tool to tool at best.
    ///
    /// ## Example
    /// `layers[0]` has `lib -> ../../../usr/lib`, `layers[1]` adds `lib/libc.so.6`.
    ///
    /// ## How to fix
    /// Do not write entries through symbolic links: write the entry at the link's target path, or remove the link
    /// first. A layer that does this is a path-traversal attempt or a broken diff tool.
    LYR010, "layer-entry-outside-root", Error,
    clauses: ["layer-001"],
    check: Check::Image(check),
}

fn check(cx: &ImageCx, out: &mut Out) {
    let stack = stack_of(cx.graph, cx.manifest.id, cx.opts.run_deadline());
    for (i, desc, facts) in &image_layers(cx) {
        let Some(f) = facts else { continue };
        let mut r = EntryReporter::new(out, || layer_location(cx, desc));
        for ev in stack.events_of(*i) {
            let What::ThroughSymlink { link, target } = &ev.what else {
                continue;
            };
            let Some(e) = f.tar.entries.get(ev.entry) else {
                continue;
            };
            r.at(
                entry_loc(f, e),
                format!(
                    "layers[{i}]: this entry is written through the symbolic link {link} -> {target}, which leads outside the root"
                ),
            );
        }
        r.finish();
    }
}
