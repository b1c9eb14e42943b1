use crate::check::{DocCx, Out, offset_location};
use crate::declare_rule;
use crate::json::Notice;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A string holds an unpaired surrogate (`\ud800` alone) or a Unicode noncharacter (U+FFFF, U+FDD0 …), which
    /// I-JSON forbids (spec main only).
    ///
    /// ## Why it matters
    /// On the main branch all JSON content must follow the I-JSON limits of RFC 7493. An unpaired surrogate is
    /// not a character at all: decoders replace it, reject it or pass it through, so the value differs between
    /// tools.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "com.example.note": "\ud800" } }
    /// ```
    ///
    /// ## How to fix
    /// Remove lone surrogates and noncharacters from strings; they usually come from text truncated in the middle
    /// of a character.
    JSN005, "json-string-not-ijson", Error,
    basis: Keyword,
    clauses: ["considerations-005"],
    gate: MainOnly,
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for n in &cx.doc.parsed().notices {
        match n {
            Notice::LoneSurrogate { pointer, offset } => out.emit(
                offset_location(cx.graph, cx.doc, Some(pointer), *offset),
                "string holds an unpaired UTF-16 surrogate escape",
            ),
            Notice::Noncharacter {
                pointer,
                offset,
                codepoint,
            } => out.emit(
                offset_location(cx.graph, cx.doc, Some(pointer), *offset),
                format!("string holds the Unicode noncharacter U+{codepoint:04X}"),
            ),
            _ => {}
        }
    }
}
