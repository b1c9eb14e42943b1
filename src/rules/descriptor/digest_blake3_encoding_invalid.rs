use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::digest::{Algorithm, encoding_ok};
use crate::rule::Check;
use crate::rules::descriptor::digest_encoding_invalid::why_not_hex;

declare_rule! {
    /// ## What it checks
    /// A `blake3` digest whose encoded part is not exactly 64 lower-case hex digits (a 256-bit output) — spec
    /// main only, where blake3 is a registered algorithm.
    ///
    /// ## Why it matters
    /// BLAKE3 can produce outputs of any length; the spec fixes it at 256 bits and lower-case hex so that one
    /// piece of content has one digest.
    ///
    /// ## Example
    /// ```json
    /// { "digest": "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262af13", … }
    /// ```
    ///
    /// ## How to fix
    /// Write a blake3 digest with exactly 64 lower-case hex digits (the 256-bit output).
    DSC006, "digest-blake3-encoding-invalid", Error,
    basis: Keyword,
    clauses: ["descriptor-042", "descriptor-043", "descriptor-040"],
    gate: MainOnly,
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(d) = &cx.desc.digest else { return };
    if d.algorithm() == "blake3" && !encoding_ok(Algorithm::Blake3, d.encoded()) {
        out.at(
            &cx.field("digest"),
            format!(
                "a blake3 digest must have exactly 64 lower-case hex digits (256 bits); {:?} {}",
                d.encoded(),
                why_not_hex(d.encoded(), 64)
            ),
        );
    }
}
