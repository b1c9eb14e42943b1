use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::layer::hex_prefix;
use crate::mediatype::Compression;
use crate::rule::Check;
use crate::walk::Role;

declare_rule! {
    /// ## What it checks
    /// A layer descriptor's media type names a compression (`…tar+gzip`, `…tar+zstd`, or none for `…tar`) that
    /// the blob's bytes do not have: gzip data under `+zstd`, a plain tar stream under `+gzip`, gzip data under
    /// plain `…tar`, bzip2 or xz anywhere, or bytes that are no known format at all under a compressed type. The
    /// data is recognised by its first bytes (gzip `1f 8b`, zstd `28 b5 2f fd` or a skippable frame, a tar
    /// header); ocicheck still reads the layer with the decoder the bytes call for, so the other layer rules run.
    /// Docker's layer media types are checked the same way with `--profile docker-compat`.
    ///
    /// ## Why it matters
    /// A consumer picks its decompressor from the media type: the layer cannot be unpacked, and its DiffID
    /// cannot be verified, by anything that trusts the descriptor.
    ///
    /// ## Example
    /// ```json
    /// { "mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "digest": "sha256:…", … }
    /// ```
    /// where the blob starts with `1f 8b 08 00`: it was compressed with gzip.
    ///
    /// ## How to fix
    /// Make the media type and the bytes agree: recompress the layer as its media type says, or change the media
    /// type (and rebuild the manifest). Tools that recompress layers on push but keep the old media type cause
    /// this.
    LYR001, "layer-compression-mismatch", Error,
    basis: Type,
    clauses: ["descriptor-003", "layer-001"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    if !matches!(cx.role(), Role::Layer(_)) {
        return;
    }
    let Some(m) = cx.media_type() else {
        return;
    };
    let Some(c) = crate::layer::layer_compression(m, cx.opts) else {
        return;
    };
    let Some(f) = cx.blob.and_then(|b| b.layer.as_deref()) else {
        return;
    };
    if f.detected.matches(c) {
        return;
    }
    let want = match c {
        Compression::Gzip => "gzip data",
        Compression::Zstd => "zstd data",
        Compression::None => "an uncompressed tar stream",
    };
    let starts = if f.magic().is_empty() {
        String::new()
    } else {
        format!(" (it starts with {})", hex_prefix(f.magic()))
    };
    out.at(
        &cx.field("mediaType"),
        format!(
            "the media type says the layer is {want}, but the blob is {}{starts}",
            f.detected.describe()
        ),
    );
}
