use crate::check::{DocCx, Out, offset_location};
use crate::declare_rule;
use crate::json::Notice;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// JSON content contains bytes that are not UTF-8 (spec main only).
    ///
    /// ## Why it matters
    /// On the main branch every JSON document must follow I-JSON (RFC 7493), whose first rule is UTF-8 encoding.
    /// Parsers disagree on what to do with other bytes: some reject the document, some replace the bytes, so the
    /// same manifest means different things to different tools.
    ///
    /// ## Example
    /// An annotation value holding the Latin-1 byte `0xE9` instead of the UTF-8 sequence for `é`.
    ///
    /// ## How to fix
    /// Encode every string as UTF-8; Latin-1 text copied into labels or annotations is the usual source.
    JSN002, "json-invalid-utf8", Error,
    basis: Keyword,
    clauses: ["considerations-006", "considerations-005"],
    gate: MainOnly,
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for n in &cx.doc.parsed().notices {
        if let Notice::InvalidUtf8 { offset } = n {
            let byte = cx
                .doc
                .bytes()
                .get(*offset)
                .map_or_else(String::new, |b| format!(" (0x{b:02X})"));
            out.emit(
                offset_location(cx.graph, cx.doc, None, *offset),
                format!("byte {offset}{byte} starts a sequence that is not valid UTF-8"),
            );
        }
    }
}
