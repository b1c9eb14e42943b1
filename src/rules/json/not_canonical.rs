use crate::check::{DocCx, Out, offset_location};
use crate::declare_rule;
use crate::json::{self, Kind, Value};
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A JSON document is not in canonical form: members sorted by name, no insignificant whitespace, integers
    /// only, and strings escaped minimally (only `"`, `\` and control characters). Off by default (select it with
    /// `--warn JSN006` or the `strict` profile); v1.1.1 only, since main dropped the recommendation.
    ///
    /// ## Why it matters
    /// v1.1.1 recommends canonical JSON so that the same content always serialises to the same bytes, and so to
    /// the same digest, whichever tool wrote it. Almost no producer follows it (Go writes struct fields in
    /// declaration order), which is why this rule is opt-in.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json" }
    /// ```
    /// (spaces, and `schemaVersion` sorted before `mediaType`).
    ///
    /// ## How to fix
    /// Serialise the document canonically (members sorted, no whitespace, minimal escaping); this changes its bytes
    /// and so its digest, so do it when the image is built, not afterwards. Only `--profile strict` asks for it.
    JSN006, "json-not-canonical", Warning,
    basis: Keyword,
    clauses: ["considerations-004", "considerations-003"],
    gate: V111Only,
    default_enabled: false,
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    let Some(v) = cx.value() else { return };
    let mut canon = Vec::with_capacity(cx.doc.bytes().len());
    if let Err((pointer, n)) = write_canonical(v, "", &mut canon) {
        out.emit(
            offset_location(cx.graph, cx.doc, Some(&pointer), n.offset),
            format!(
                "the number {} is not an integer, which canonical JSON cannot represent",
                n.preview()
            ),
        );
        return;
    }
    let actual: &[u8] = cx.doc.bytes();
    if canon != actual {
        let at = canon
            .iter()
            .zip(actual)
            .position(|(a, b)| a != b)
            .unwrap_or(canon.len().min(actual.len()));
        out.emit(
            offset_location(cx.graph, cx.doc, None, at),
            format!(
                "the document is not canonical JSON: from byte {at} on, the canonical form reads {} but the document reads {}",
                excerpt(&canon, at),
                excerpt(actual, at)
            ),
        );
    }
}

/// A short quoted excerpt of `bytes` from `at` on, for messages (`end of document` when nothing is left).
fn excerpt(bytes: &[u8], at: usize) -> String {
    let rest = bytes.get(at..).unwrap_or_default();
    if rest.is_empty() {
        return "the end of the document".to_string();
    }
    let text = String::from_utf8_lossy(&rest[..rest.len().min(120)]);
    format!("`{}`", json::shorten(&text, 24))
}

/// Serialise canonically; on a number that is not an integer, its pointer and value.
fn write_canonical<'v>(
    v: &'v Value,
    at: &str,
    out: &mut Vec<u8>,
) -> Result<(), (String, &'v Value)> {
    match &v.kind {
        Kind::Null => out.extend_from_slice(b"null"),
        Kind::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Kind::Number(t) => {
            if t.contains(['.', 'e', 'E']) || &**t == "-0" {
                return Err((at.to_string(), v));
            }
            out.extend_from_slice(t.as_bytes());
        }
        Kind::String(s) => write_string(s, out),
        Kind::Array(items) => {
            out.push(b'[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(it, &json::join(at, i), out)?;
            }
            out.push(b']');
        }
        Kind::Object(members) => {
            let mut sorted: Vec<_> = members.iter().collect();
            sorted.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
            out.push(b'{');
            for (i, m) in sorted.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(&m.key, out);
                out.push(b':');
                write_canonical(&m.value, &json::join(at, &m.key), out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for ch in s.chars() {
        match ch {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}
