use crate::check::{ImageCx, Out};
use crate::declare_rule;
use crate::layer::stack_of;
use crate::layer::tree::{Escape, What, WhiteoutForm};
use crate::rule::Check;

use super::{EntryReporter, entry_loc, image_layers, layer_location};

declare_rule! {
    /// ## What it checks
    /// An entry of `layers[i]` whose path goes through a symbolic link (made earlier in the same layer or in a
    /// lower one) that leads outside the root: an absolute target, or a relative one with more `..` than there
    /// are directories above it. Entries of every type are checked, and whiteouts too: an explicit whiteout
    /// `lib/.wh.x` or an opaque whiteout `lib/.wh..wh..opq` under such a link deletes, in an unpacker that
    /// follows it, a file or a whole directory outside the root. A whiteout is checked against the links of the
    /// lower layers and against those its own layer made before it. The message names the link, the layer that
    /// made it, and where the path leads. The layers are applied in order over a tree of names, kinds and link
    /// targets to find it; the check stops at the first layer that is missing or could not be read whole. (`..`
    /// in entry names is LYR009's.)
    ///
    /// ## Why it matters
    /// An unpacker that follows the link writes the file outside the directory it unpacks into: the layer
    /// `etc -> /etc` then `etc/cron.d/job` plants a file on the host, and `etc/.wh.passwd` deletes the host's
    /// `/etc/passwd`. Careful unpackers resolve links inside the root instead, so the image unpacks differently
    /// from tool to tool at best; umoci 0.4.7, for one, applied whiteouts through such links.
    ///
    /// ## Basis
    /// Hardening. No clause forbids a link that leads outside the root, nor an entry below one: whiteouts only
    /// apply to resources in lower layers (layer-012), which a path outside the root never is, but that clause
    /// binds unpackers, not images. This is exactly what a gate in front of an unpacker must catch, so it is a
    /// warning by default (not silence), and an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// `layers[0]` has `lib -> ../../../usr/lib`, `layers[1]` adds `lib/libc.so.6`; or `layers[0]` has
    /// `etc -> /etc` and `layers[1]` holds `etc/.wh.shadow`.
    ///
    /// ## How to fix
    /// Do not write entries or whiteouts through symbolic links: write the entry at the link's target path, or
    /// remove the link first. A layer that does this is a path-traversal attempt or a broken diff tool.
    LYR010, "layer-entry-outside-root", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#applying-changesets",
    check: Check::Image(check),
}

fn check(cx: &ImageCx, out: &mut Out) {
    let stack = stack_of(cx.graph, cx.manifest.id, cx.opts.run_deadline());
    for (i, desc, facts) in &image_layers(cx) {
        let Some(f) = facts else { continue };
        let mut r = EntryReporter::new(out, || layer_location(cx, desc));
        for ev in stack.events_of(*i) {
            let What::ThroughSymlink(esc) = &ev.what else {
                continue;
            };
            let Some(e) = f.tar.entries.get(ev.entry) else {
                continue;
            };
            r.at(entry_loc(f, e), message(*i, esc));
        }
        r.finish();
    }
}

fn message(i: usize, esc: &Escape) -> String {
    let Escape {
        link,
        target,
        link_layer,
        leads_to,
        whiteout,
    } = esc;
    let made = if *link_layer == i {
        "made earlier in this layer".to_string()
    } else {
        format!("made by layers[{link_layer}]")
    };
    let place = if leads_to.starts_with('/') {
        format!("{leads_to} on the host")
    } else {
        format!("{leads_to}, above the root")
    };
    match whiteout {
        Some(WhiteoutForm::Explicit) => format!(
            "layers[{i}]: this whiteout goes through the symbolic link {link} -> {target} ({made}), which leads outside the root: an unpacker that follows it deletes {place}"
        ),
        Some(WhiteoutForm::Opaque) => format!(
            "layers[{i}]: this opaque whiteout goes through the symbolic link {link} -> {target} ({made}), which leads outside the root: an unpacker that follows it empties {place}"
        ),
        None => format!(
            "layers[{i}]: this entry is written through the symbolic link {link} -> {target} ({made}), which leads outside the root, to {place}"
        ),
    }
}
