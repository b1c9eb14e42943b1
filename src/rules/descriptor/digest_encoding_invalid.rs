use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::digest::{Algorithm, encoding_ok};
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's digest uses a registered algorithm but not its encoding: `sha256` needs exactly 64 and
    /// `sha512` exactly 128 lower-case hex digits (`[A-F]` is not allowed).
    ///
    /// ## Why it matters
    /// The digest grammar alone accepts `sha256:ab`; the algorithm's own rule is what makes a digest
    /// unambiguous. Upper-case or truncated digests do not match the blob's path and are refused by registries.
    ///
    /// ## Example
    /// ```json
    /// { "digest": "sha256:5B0BCABD1ED22E9FB1310CF6C2DEC7CDEF19F0AD69EFA1F392E94A4333501270", … }
    /// ```
    ///
    /// ## How to fix
    /// Write a sha256 digest with exactly 64 lower-case hex digits and a sha512 digest with exactly 128; upper-case
    /// hex and truncated digests are the usual mistakes.
    DSC005, "digest-encoding-invalid", Error,
    basis: Keyword,
    clauses: ["descriptor-035", "descriptor-036", "descriptor-038", "descriptor-039"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(d) = &cx.desc.digest else { return };
    let alg = match d.algorithm() {
        "sha256" => Algorithm::Sha256,
        "sha512" => Algorithm::Sha512,
        _ => return,
    };
    if !encoding_ok(alg, d.encoded()) {
        out.at(
            &cx.field("digest"),
            format!(
                "a {} digest must have exactly {} lower-case hex digits; {:?} {}",
                alg.name(),
                alg.hex_len(),
                d.encoded(),
                why_not_hex(d.encoded(), alg.hex_len())
            ),
        );
    }
}

/// Why an encoded digest part is not exactly `len` lower-case hex digits, in words ("has 63 characters and uses
/// upper-case letters"). Shared with DSC006.
pub fn why_not_hex(enc: &str, len: usize) -> String {
    let mut why = Vec::new();
    if enc.len() != len {
        why.push(format!("has {} characters", enc.len()));
    }
    if enc.bytes().any(|b| b.is_ascii_uppercase()) {
        why.push("uses upper-case letters".to_string());
    }
    if enc.bytes().any(|b| !b.is_ascii_hexdigit()) {
        why.push("holds characters that are not hex digits".to_string());
    }
    why.join(" and ")
}
