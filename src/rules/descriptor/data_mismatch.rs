use crate::Spec;
use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::formats::base64_decode;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's embedded `data` decodes to bytes that are not the referenced content: their length differs
    /// from `size`, or their hash from `digest` (for algorithms this tool verifies; a blob in the layout is held to
    /// the same digest by LAY007). Under `--spec main` a negative `size` is DSC009 and is not compared here.
    ///
    /// ## Why it matters
    /// The embedded data must be identical to the content it stands for; a consumer that uses the embedded copy
    /// would otherwise see different content from one that fetches the blob.
    ///
    /// ## Example
    /// ```json
    /// { "mediaType": "application/vnd.oci.empty.v1+json", "digest": "sha256:44136f…", "size": 2, "data": "e30K" }
    /// ```
    ///
    /// ## How to fix
    /// Embed exactly the bytes the descriptor names: `data` must decode to content whose length is `size` and whose
    /// digest is `digest`. Regenerate `data` from the blob, or drop the member.
    DSC015, "descriptor-data-mismatch", Error,
    basis: Keyword,
    clauses: ["descriptor-018"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(s) = cx.value().get("data").and_then(|v| v.as_str()) else {
        return;
    };
    let Some(bytes) = base64_decode(s) else {
        return;
    };
    if let Some(size) = cx.size()
        && !(size < 0 && cx.spec() == Spec::Main)
        && (size < 0 || size as u64 != bytes.len() as u64)
    {
        out.at(
            &cx.field("data"),
            format!("data decodes to {} bytes, but size is {size}", bytes.len()),
        );
        return;
    }
    let Some(d) = &cx.desc.digest else { return };
    if let Some(alg) = d.verifiable(cx.spec()) {
        let actual = alg.digest_of(&bytes);
        if actual != d.to_string() {
            out.at(
                &cx.field("data"),
                format!("data decodes to content with digest {actual}, but digest is {d}"),
            );
        }
    }
}
