use crate::check::{DocCx, Out, offset_location};
use crate::declare_rule;
use crate::json::Notice;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A number that an IEEE 754 double cannot hold exactly: an integer beyond ±2^53 or a value that overflows
    /// (spec main only).
    ///
    /// ## Why it matters
    /// I-JSON asks that numbers stay within double precision, because many JSON parsers (JavaScript's among
    /// them) read every number as a double and would silently change a larger value, a descriptor size for
    /// example.
    ///
    /// ## Example
    /// ```json
    /// { "size": 9007199254740993 }
    /// ```
    ///
    /// ## How to fix
    /// Keep integers within ±2^53 (larger values lose precision in JavaScript and other double-based readers), or
    /// write them as strings where the field allows it.
    JSN004, "json-number-not-double", Warning,
    basis: Keyword,
    clauses: ["considerations-007"],
    gate: MainOnly,
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for n in &cx.doc.parsed().notices {
        if let Notice::ImpreciseNumber {
            pointer,
            offset,
            text,
        } = n
        {
            out.emit(
                offset_location(cx.graph, cx.doc, Some(pointer), *offset),
                format!("{text} cannot be represented exactly as an IEEE 754 double"),
            );
        }
    }
}
