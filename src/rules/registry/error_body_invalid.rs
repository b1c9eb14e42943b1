use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A registry's `4xx` answer has a JSON body that is not the distribution spec's error format: an object
    /// whose `errors` is an array of objects, each with a `code` of upper-case letters and underscores only. A
    /// body that is not JSON (or none) is allowed.
    ///
    /// ## Why it matters
    /// Clients tell "no such tag" from "no such repository" from "denied" by the error code; a body in another
    /// shape leaves them with the status alone, and users with a message that says nothing.
    ///
    /// ## Basis
    /// Keyword: a JSON error body MUST have the spec's format (dist-176), and each `code` MUST hold upper-case letters
    /// and underscores only (dist-177): an error.
    ///
    /// ## Example
    /// `{"error": "not found"}` with a `404`.
    ///
    /// ## How to fix
    /// Answer errors with `{"errors": [{"code": "NAME_UNKNOWN", "message": "…"}]}`, using the codes of the
    /// distribution spec, or with a body that is not JSON.
    REG012, "error-body-invalid", Error,
    basis: Keyword,
    clauses: ["dist-176", "dist-177"],
    check: Check::Layout(check),
}

/// What is wrong with a JSON error body: the clause and a sentence.
pub(crate) fn problem(v: &serde_json::Value) -> Option<(&'static str, String)> {
    let Some(errors) = v.get("errors").and_then(|e| e.as_array()) else {
        return Some(("dist-176", "the body has no `errors` array".into()));
    };
    for (i, e) in errors.iter().enumerate() {
        let Some(code) = e.get("code").and_then(|c| c.as_str()) else {
            return Some(("dist-176", format!("errors[{i}] has no string `code`")));
        };
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
            return Some((
                "dist-177",
                format!("errors[{i}].code `{code}` is not upper-case letters and underscores"),
            ));
        }
    }
    None
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in &served.exchanges {
        let Some(body) = &e.error_body else { continue };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
            continue;
        };
        if let Some((clause, why)) = problem(&v) {
            out.emit_citing(
                clause,
                super::location(cx, e),
                format!(
                    "{}: the {} answer's JSON body is not an error list: {why}",
                    super::request(served, e),
                    e.status
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn error_bodies() {
        let p = |s: &str| {
            problem(&serde_json::from_str(s).unwrap_or(serde_json::Value::Null)).map(|p| p.0)
        };
        assert_eq!(
            p(r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"x","detail":{}}]}"#),
            None
        );
        assert_eq!(p(r#"{"errors":[]}"#), None);
        assert_eq!(p(r#"{"error":"nope"}"#), Some("dist-176"));
        assert_eq!(p(r#"{"errors":[{"message":"x"}]}"#), Some("dist-176"));
        assert_eq!(
            p(r#"{"errors":[{"code":"manifest-unknown"}]}"#),
            Some("dist-177")
        );
    }
}
