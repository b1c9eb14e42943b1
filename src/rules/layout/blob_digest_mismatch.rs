use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The content of `blobs/<alg>/<encoded>` does not hash to `<alg>:<encoded>`. Verified for `sha256` and
    /// `sha512` (and `blake3` under `--spec main`); blobs of other algorithms pass unverified, as the spec asks.
    ///
    /// ## Why it matters
    /// Content addressing is the foundation of the format: a descriptor's digest names the bytes it expects, and
    /// a blob whose bytes differ from its name is corrupt or tampered with. Every consumer that verifies content
    /// will reject the image.
    ///
    /// ## Example
    /// A layer blob truncated by an interrupted copy, still stored under its original name.
    ///
    /// ## How to fix
    /// The blob was changed after it was stored, or stored under the wrong name: rebuild or re-copy the image, and
    /// never edit files under `blobs/` in place.
    LAY007, "blob-digest-mismatch", Error,
    basis: Keyword,
    clauses: ["image-layout-011", "descriptor-005"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    // What a registry serves under a digest is held to it by REG006, under the distribution spec's clause.
    if cx.graph.from_registry() {
        return;
    }
    for b in cx.blobs() {
        let (Some(d), Some(computed)) = (&b.digest, b.computed.as_ref().and_then(|c| c.differs()))
        else {
            continue;
        };
        let named = d.to_string();
        if computed != named {
            out.emit(
                cx.blob_location(&b.path),
                format!("the content hashes to {computed}, but its name says {named}"),
            );
        }
    }
}
