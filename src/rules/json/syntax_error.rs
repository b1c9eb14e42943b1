use crate::check::{DocCx, Out, offset_location};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A document that must be JSON (`oci-layout`, `index.json`, a manifest, an index or a config reached through
    /// a descriptor whose media type ends in `+json`) is not well-formed JSON.
    ///
    /// ## Why it matters
    /// The media type of a descriptor says what the referenced content is; `oci-layout` must be a JSON object and
    /// `index.json` an image index. Content that does not parse cannot be any of those, and every tool reading the
    /// image will stop here. Whitespace is optional, so compact JSON is fine; a byte order mark, trailing commas,
    /// comments, single quotes or data after the value are not.
    ///
    /// ## Example
    /// ```json
    /// { "imageLayoutVersion": 1.0.0 }
    /// ```
    ///
    /// ## How to fix
    /// Write the document with a JSON encoder instead of by hand or with a template; the message gives the line and
    /// column of the first error.
    JSN001, "json-syntax-error", Error,
    basis: Keyword,
    clauses: ["descriptor-003", "image-layout-006", "image-layout-010", "config-051"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if let Some(e) = &cx.doc.parsed().error {
        let loc = offset_location(cx.graph, cx.doc, None, e.offset);
        // A single document that does not parse has no known kind (nothing said what it should be).
        let single =
            cx.graph.docs.len() == 1 && cx.graph.blobs.is_empty() && cx.graph.descs.is_empty();
        let what = if single && cx.opts.media_type.is_none() {
            "the document".to_string()
        } else {
            format!("the {}", cx.doc.kind.describe())
        };
        let clause = match &*cx.doc.file {
            "index.json" if cx.doc.kind == crate::walk::DocKind::Index => "image-layout-010",
            "oci-layout" if cx.doc.kind == crate::walk::DocKind::OciLayout => "image-layout-006",
            _ => "descriptor-003",
        };
        out.emit_citing(
            clause,
            loc,
            format!(
                "{} is not valid JSON: {} at byte {}{}",
                what,
                e.message,
                e.offset,
                hint(cx.doc.bytes(), e.offset)
            ),
        );
    }
}

/// A hint for the most common hand-editing mistake: a comma right before a closing `}` or `]`.
fn hint(bytes: &[u8], offset: usize) -> String {
    let Some(&close @ (b'}' | b']')) = bytes.get(offset) else {
        return String::new();
    };
    let before = bytes[..offset]
        .iter()
        .rev()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    if before == Some(&b',') {
        format!(
            "; JSON allows no trailing comma before `{}`",
            char::from(close)
        )
    } else {
        String::new()
    }
}
