use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

/// The manifest size registries commonly accept at most.
pub const PORTABLE_MANIFEST_SIZE: usize = 4 << 20;

declare_rule! {
    /// ## What it checks
    /// A manifest or index that embeds content in descriptor `data` fields has grown beyond 4 MiB.
    ///
    /// ## Why it matters
    /// Embedding saves a round trip for small blobs, but some registries refuse manifests beyond a size limit
    /// (4 MiB is the common one); past it the image cannot be pushed there at all.
    ///
    /// ## Example
    /// A manifest that embeds a 5 MiB layer as base64 `data`.
    ///
    /// ## How to fix
    /// Embed only small blobs in `data` (a few KiB, such as an empty config) and reference the rest by digest, so
    /// that the manifest stays well below the 4 MiB registries accept.
    DSC019, "embedded-data-not-portable", Warning,
    basis: Keyword,
    clauses: ["descriptor-048"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if !matches!(cx.doc.kind, DocKind::Manifest | DocKind::Index)
        || cx.doc.bytes().len() <= PORTABLE_MANIFEST_SIZE
    {
        return;
    }
    let Some(v) = cx.value() else { return };
    let mut embedded = 0usize;
    for key in ["config", "subject"] {
        if v.get(key).and_then(|d| d.get("data")).is_some() {
            embedded += 1;
        }
    }
    for key in ["layers", "manifests"] {
        for d in v.get(key).and_then(|a| a.as_array()).unwrap_or_default() {
            if d.get("data").is_some() {
                embedded += 1;
            }
        }
    }
    if embedded > 0 {
        out.at(
            "",
            format!(
                "the {} is {} bytes with {embedded} embedded data field(s); registries commonly refuse manifests over 4 MiB ({PORTABLE_MANIFEST_SIZE} bytes)",
                cx.doc.kind.describe(),
                cx.doc.bytes().len()
            ),
        );
    }
}
