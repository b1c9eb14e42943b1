use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::formats::base64_decode;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `data` is not a string in the base64 encoding of RFC 4648 section 4: the standard alphabet
    /// (`A-Z a-z 0-9 + /`), `=` padding to a multiple of four characters, no line breaks, no URL-safe alphabet, and
    /// no stray bits in the padding.
    ///
    /// ## Why it matters
    /// `data` embeds the referenced content; if it does not decode under the one encoding the spec names, the
    /// content is lost or decoded differently by different tools.
    ///
    /// ## Example
    /// ```json
    /// { "data": "aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg", … }
    /// ```
    /// (padding missing).
    ///
    /// ## How to fix
    /// Encode `data` in standard base64 with padding (`base64 -w0`); the URL-safe alphabet (`-`, `_`) and missing
    /// padding are the usual mistakes.
    DSC014, "descriptor-data-not-base64", Error,
    basis: Keyword,
    clauses: ["descriptor-017", "descriptor-016"],
    schema: ["defs.schema.json#/$defs/data/type"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(s) = cx.value().get("data").and_then(|v| v.as_str()) else {
        return;
    };
    if base64_decode(s).is_none() {
        out.at(
            &cx.field("data"),
            format!(
                "{:?} is not standard base64 (RFC 4648 section 4): it {}",
                json::shorten(s, 60),
                why_not_base64(s)
            ),
        );
    }
}

/// The first reason, in words, why `s` (which failed to decode) is not padded standard base64.
fn why_not_base64(s: &str) -> &'static str {
    let alphabet = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/';
    if s.chars().any(char::is_whitespace) {
        "holds whitespace or line breaks"
    } else if s.contains(['-', '_'])
        && s.chars()
            .all(|c| alphabet(c) || matches!(c, '-' | '_' | '='))
    {
        "uses the URL-safe alphabet (`-` and `_` instead of `+` and `/`)"
    } else if !s.chars().all(|c| alphabet(c) || c == '=') {
        "holds characters outside the base64 alphabet"
    } else if s.trim_end_matches('=').contains('=') {
        "has `=` padding before the end"
    } else if !s.len().is_multiple_of(4) {
        "is not padded with `=` to a multiple of 4 characters"
    } else {
        "has non-zero bits in its padding (a non-canonical encoding)"
    }
}
