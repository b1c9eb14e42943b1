use crate::check::{DocCx, Out, annotation_map_pointers, offset_location};
use crate::declare_rule;
use crate::json::Notice;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An annotation map (or config labels) holds the same key twice.
    ///
    /// ## Why it matters
    /// Keys must be unique within the map. JSON decoders silently keep one of the two values (Go keeps the last,
    /// others the first), so tools disagree about the annotation's value.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "org.opencontainers.image.title": "a", "org.opencontainers.image.title": "b" } }
    /// ```
    ///
    /// ## How to fix
    /// Keep one entry per key: decide which value is meant and drop the other. JSON decoders keep either the first
    /// or the last, so the two copies are read differently by different tools.
    ANN004, "annotation-key-duplicate", Error,
    basis: Keyword,
    clauses: ["annotations-005"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    let notices = &cx.doc.parsed().notices;
    let maps = annotation_map_pointers(cx.doc);
    for n in notices {
        if let Notice::DuplicateName {
            pointer,
            key,
            offset,
        } = n
            && maps.contains(pointer)
        {
            out.emit(
                offset_location(cx.graph, cx.doc, Some(pointer), *offset),
                format!("the key {key:?} appears more than once"),
            );
        }
    }
}
