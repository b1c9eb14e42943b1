use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `Warning` header of a registry's response is not of the form the distribution spec sets: each warning
    /// must be `299 - "text"` (warn-code 299, warn-agent `-`, no warn-date after the text), and the warnings of
    /// one response may hold 4096 bytes at most.
    ///
    /// ## Why it matters
    /// Clients show registry warnings (deprecations, quota notices) to people, and parse them by that form; a
    /// malformed or oversized one is dropped or floods the output.
    ///
    /// ## Basis
    /// Keyword: a `Warning` header MUST have warn-code `299` and warn-agent `-` and MUST NOT have a warn-date
    /// (dist-185, dist-186), and a response MUST NOT carry more than 4096 bytes of warnings (dist-187): an error.
    ///
    /// ## Example
    /// `Warning: 199 registry "deprecated"`.
    ///
    /// ## How to fix
    /// Send each warning as `299 - "text"`, with no date, and keep all the warnings of one response under 4096
    /// bytes.
    REG011, "warning-header-invalid", Error,
    basis: Keyword,
    clauses: ["dist-185", "dist-186", "dist-187"],
    check: Check::Layout(check),
}

/// Why one `Warning` value is not `299 - "text"` (possibly several, comma-separated): the clause and a sentence.
pub(crate) fn problem(value: &str) -> Option<(&'static str, String)> {
    let mut rest = value.trim();
    loop {
        let Some(after) = rest.strip_prefix("299 - \"") else {
            return Some((
                "dist-185",
                format!("`{value}` does not start a warning with `299 - \"`"),
            ));
        };
        // The quoted text, with backslash escapes.
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            return Some(("dist-185", format!("`{value}` has an unclosed warn-text")));
        };
        rest = after[end + 1..].trim_start();
        if rest.starts_with('"') {
            return Some(("dist-186", format!("`{value}` has a warn-date")));
        }
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => return None,
            None => {
                return Some((
                    "dist-185",
                    format!("`{value}` has `{rest}` after a warning"),
                ));
            }
        }
    }
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(served) = super::served(cx) else {
        return;
    };
    for e in served.exchanges.iter().filter(|e| !e.warnings.is_empty()) {
        let req = super::request(served, e);
        for w in &e.warnings {
            if let Some((clause, why)) = problem(w) {
                out.emit_citing(clause, super::location(cx, e), format!("{req}: {why}"));
            }
        }
        let total: usize = e.warnings.iter().map(String::len).sum();
        if total > 4096 {
            out.emit_citing(
                "dist-187",
                super::location(cx, e),
                format!("{req}: {total} bytes of Warning headers, more than 4096"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn warning_values() {
        assert_eq!(problem(r#"299 - "deprecated""#), None);
        assert_eq!(problem(r#"299 - "a \"quoted\" word", 299 - "b""#), None);
        assert_eq!(
            problem(r#"199 registry "x""#).map(|p| p.0),
            Some("dist-185")
        );
        assert_eq!(
            problem(r#"299 - "x" "Wed, 21 Oct 2015 07:28:00 GMT""#).map(|p| p.0),
            Some("dist-186")
        );
        assert_eq!(problem(r#"299 - "x"#).map(|p| p.0), Some("dist-185"));
        assert_eq!(
            problem(r#"299 - "x" trailing"#).map(|p| p.0),
            Some("dist-185")
        );
    }
}
