use crate::check::{DocCx, Out, annotation_map_pointers, offset_location};
use crate::declare_rule;
use crate::json::Notice;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A JSON object holds the same member name twice (spec main only; duplicate annotation keys are ANN004 in
    /// every version).
    ///
    /// ## Why it matters
    /// On the main branch objects must not contain duplicate names (I-JSON). Decoders disagree about which of the
    /// two values wins (Go keeps the last, others the first or refuse the document), so two tools can see two
    /// different images behind one digest.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "schemaVersion": 3, … }
    /// ```
    ///
    /// ## How to fix
    /// Write each member name once per object; the JSON encoder of a map type never repeats one, templates and
    /// string concatenation do.
    JSN003, "json-duplicate-name", Error,
    basis: Keyword,
    clauses: ["considerations-008", "considerations-005"],
    gate: MainOnly,
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    report_duplicates(cx, out);
}

/// Every duplicate member name of the document outside annotation maps (ANN004's).
pub(crate) fn report_duplicates(cx: &DocCx, out: &mut Out) {
    let notices = &cx.doc.parsed().notices;
    let maps = annotation_map_pointers(cx.doc);
    for n in notices {
        if let Notice::DuplicateName {
            pointer,
            key,
            offset,
        } = n
        {
            if maps.contains(pointer) {
                continue;
            }
            out.emit(
                offset_location(cx.graph, cx.doc, Some(pointer), *offset),
                format!(
                    "the object at `{}` holds the name {key:?} more than once",
                    if pointer.is_empty() { "/" } else { pointer }
                ),
            );
        }
    }
}
