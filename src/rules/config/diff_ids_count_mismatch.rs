use crate::check::{ImageCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The number of `rootfs.diff_ids` in an image config differs from the number of `layers` in the manifest
    /// that references it.
    ///
    /// ## Why it matters
    /// Layers are applied in order, and `diff_ids[i]` is the digest of `layers[i]` once uncompressed; with
    /// different counts at least one layer cannot be verified, and the stack the config describes is not the one
    /// the manifest delivers.
    ///
    /// ## Example
    /// A manifest with three layers whose config lists two DiffIDs.
    ///
    /// ## How to fix
    /// List exactly one DiffID per layer of the manifest, in the same order. A tool that added or removed a layer
    /// without updating the config causes this; rebuild the image rather than editing one side.
    CFG029, "config-diff-ids-count-mismatch", Error,
    basis: Type,
    clauses: ["manifest-022", "manifest-021", "config-043"],
    check: Check::Image(check),
}

fn check(cx: &ImageCx, out: &mut Out) {
    let Some(config) = cx.config else { return };
    let Some(ids) = config
        .value()
        .and_then(|v| v.pointer("/rootfs/diff_ids"))
        .and_then(|d| d.as_array())
    else {
        return;
    };
    let Some(layers) = cx
        .manifest
        .value()
        .and_then(|v| v.get("layers"))
        .and_then(|l| l.as_array())
    else {
        return;
    };
    if ids.len() != layers.len() {
        out.at_doc(
            config,
            "/rootfs/diff_ids",
            format!(
                "the config lists {} diff_id{}, but the manifest {} has {} layer{}",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                cx.manifest.file,
                layers.len(),
                if layers.len() == 1 { "" } else { "s" },
            ),
        );
    }
}
