use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::mediatype as mt;
use crate::rule::Check;
use crate::walk::Role;

declare_rule! {
    /// ## What it checks
    /// A layer descriptor uses one of the deprecated non-distributable media types
    /// (`application/vnd.oci.image.layer.nondistributable.v1.tar`, `…+gzip`, `…+zstd`). Such a descriptor may
    /// carry `urls` to download the layer from, and the layer is read and checked like any other; only the media
    /// type is looked at, never the presence of `urls`, to decide that a layer is non-distributable.
    ///
    /// ## Why it matters
    /// Non-distributable layers are deprecated and implementations should not produce new ones: registries and
    /// tools handle them inconsistently (some refuse to push them, some never download them, some fetch the
    /// `urls` from third parties). Whether the layer is "new" cannot be seen from the image, so every use is
    /// reported.
    ///
    /// ## Example
    /// ```json
    /// { "mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    ///   "urls": ["https://example.com/layer.tar.gz"], … }
    /// ```
    ///
    /// ## How to fix
    /// Ship the layer as a normal layer (`application/vnd.oci.image.layer.v1.tar+gzip`): non-distributable layers
    /// are deprecated. `--profile portable` makes this an error.
    LYR024, "layer-media-type-non-distributable", Warning,
    basis: Keyword,
    clauses: ["layer-016", "layer-020", "layer-021"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    if !matches!(cx.role(), Role::Layer(_)) {
        return;
    }
    let Some(m) = cx.media_type() else {
        return;
    };
    if mt::oci_layer(m).is_some_and(|(_, nd)| nd) {
        out.at(
            &cx.field("mediaType"),
            format!("{m} is deprecated: non-distributable layers should not be produced"),
        );
    }
}
