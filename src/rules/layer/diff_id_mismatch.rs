use crate::check::{ImageCx, Out};
use crate::declare_rule;
use crate::json::Value;
use crate::rule::Check;

use super::image_layers;

declare_rule! {
    /// ## What it checks
    /// The DiffID of a layer (the digest of its uncompressed tar stream, computed while the layer is read) differs
    /// from `rootfs.diff_ids[i]` of the image config, for `layers[i]` of the manifest. Checked for gzip, zstd and
    /// uncompressed layers alike, with the algorithm the DiffID names; when the computed DiffID is another entry
    /// of `diff_ids`, the message says the layers are out of order. (A different count of DiffIDs and layers is
    /// CFG029's.)
    ///
    /// ## Why it matters
    /// `diff_ids[i]` is how the config pins the content of `layers[i]`: the base layer at index 0, then the
    /// others in stack order. Consumers verify the unpacked layer against it (or compute the image's ChainID
    /// from it); a mismatch means the config describes another filesystem than the manifest delivers, and
    /// unpacking fails or caches the wrong layer.
    ///
    /// ## Example
    /// A layer recompressed with zstd after the config was written: its digest changed (and the manifest was
    /// updated) but `diff_ids` was copied from a build whose tar stream differed by one mtime.
    ///
    /// ## How to fix
    /// Put the digest of the layer's uncompressed tar stream in `rootfs.diff_ids` (`gzip -dc layer | sha256sum`),
    /// not the digest of the compressed blob, in the layers' order. Rebuilding the image makes both agree.
    LYR007, "layer-diff-id-mismatch", Error,
    basis: Type,
    clauses: ["manifest-022", "manifest-021", "config-043"],
    check: Check::Image(check),
}

fn check(cx: &ImageCx, out: &mut Out) {
    let Some(config) = cx.config else { return };
    let Some(ids) = config
        .value()
        .and_then(|v| v.pointer("/rootfs/diff_ids"))
        .and_then(Value::as_array)
    else {
        return;
    };
    let ids: Vec<Option<&str>> = ids.iter().map(Value::as_str).collect();
    for (i, desc, facts) in image_layers(cx) {
        let (Some(f), Some(Some(want))) = (facts, ids.get(i)) else {
            continue;
        };
        let Some((alg, _)) = want.split_once(':') else {
            continue;
        };
        let Some(got) = f.diff_id_for(alg) else {
            continue;
        };
        if got == *want {
            continue;
        }
        let blob = desc.blob_path().unwrap_or_default();
        let elsewhere = ids
            .iter()
            .position(|d| *d == Some(got.as_str()))
            .map(|j| format!(" (that is diff_ids[{j}]: the layers are out of order)"))
            .unwrap_or_default();
        out.at_doc(
            config,
            &format!("/rootfs/diff_ids/{i}"),
            format!(
                "layers[{i}] ({blob}) uncompresses to {got}, but rootfs.diff_ids[{i}] is {want}{elsewhere}"
            ),
        );
    }
}
