//! JUnit XML (`--format junit`), for GitLab, Jenkins and the many dashboards that read it.
//!
//! `<testsuites>` holds one `<testsuite>` per input, named after its path, with one `<testcase>` per rule that
//! ran (name `CODE rule-name`, classname `ocicheck.GROUP`). A test case fails when one of its findings is at or
//! above the `--fail-on` threshold (the same rule as the exit status); its `<failure>` carries every finding of
//! the rule, one block each, as the human report prints them. A rule with findings below the threshold passes and
//! lists them in `<system-out>`. Times are 0 and there is no timestamp, so the same input gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Finding, Report, RuleInfo};
use crate::rule::Severity;

pub fn render(report: &Report, rules: &[RuleInfo], fail_on: Option<Severity>) -> String {
    render_all(&[(report, rules.to_vec())], fail_on)
}

/// One `<testsuite>` per input, each with the rule table that applies to its kind of input.
pub fn render_all(reports: &[(&Report, Vec<RuleInfo>)], fail_on: Option<Severity>) -> String {
    let mut body = String::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for (report, rules) in reports {
        let (t, f, sk) = suite(&mut body, report, rules, fail_on);
        tests += t;
        failures += f;
        skipped += sk;
    }
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"ocicheck\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">"
    );
    s.push_str(&body);
    s.push_str("</testsuites>\n");
    s
}

/// One input's suite; returns its tests, failures and skipped counts.
fn suite(
    s: &mut String,
    report: &Report,
    rules: &[RuleInfo],
    fail_on: Option<Severity>,
) -> (usize, usize, usize) {
    let mut by_code: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_code.entry(f.code).or_default().push(f);
    }
    let mut unlisted: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for n in &report.not_listed {
        let e = unlisted.entry(n.code).or_insert((0, n.severity));
        e.0 += n.count;
        by_code.entry(n.code).or_default();
    }
    // Every rule that ran, plus (defensively) any code that has findings without being in the table.
    let mut cases: Vec<(&str, &str)> = rules
        .iter()
        .filter(|r| r.applicable && r.severity.is_some())
        .map(|r| (r.code, r.name))
        .collect();
    for (code, fs) in &by_code {
        if !cases.iter().any(|(c, _)| c == code) {
            let name = fs
                .first()
                .map(|f| f.name)
                .or_else(|| {
                    report
                        .not_listed
                        .iter()
                        .find(|n| n.code == *code)
                        .map(|n| n.name)
                })
                .unwrap_or("");
            cases.push((code, name));
        }
    }
    cases.sort_unstable();

    let fails = |code: &str, fs: &[&Finding]| {
        fail_on.is_some_and(|t| {
            fs.iter().any(|f| f.severity >= t)
                || unlisted.get(code).is_some_and(|(_, sev)| *sev >= t)
        })
    };
    let failures = cases
        .iter()
        .filter(|(c, _)| by_code.get(c).is_some_and(|fs| fails(c, fs)))
        .count();

    // With --fast, the rules that read layer contents did not run: their cases are skipped.
    let not_run: &[&str] = report.skipped.as_ref().map_or(&[], |sk| &sk.rules);
    let skipped = cases.iter().filter(|(c, _)| not_run.contains(c)).count();

    let _ = writeln!(
        s,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
        attr(&report.input.path),
        cases.len()
    );
    s.push_str("    <properties>\n");
    let mut props = vec![
        ("ocicheck.version", report.tool.version.to_string()),
        ("spec", report.spec.to_string()),
        ("input.kind", report.input.kind.to_string()),
    ];
    if let Some(mt) = &report.input.media_type {
        props.push(("input.media_type", mt.clone()));
    }
    props.push((
        "fail_on",
        fail_on.map_or("never", Severity::as_str).to_string(),
    ));
    if let Some(set) = &report.settings {
        props.push((
            "profile",
            set.profile.clone().unwrap_or_else(|| "none".into()),
        ));
        props.push((
            "config",
            set.config.clone().unwrap_or_else(|| "none".into()),
        ));
        for o in &set.overrides {
            props.push((
                "override",
                format!("{}={} ({})", o.selector, o.level, o.source),
            ));
        }
        for i in &set.ignores {
            props.push((
                "ignore",
                format!(
                    "{} {} ({})",
                    i.code,
                    i.file.as_deref().unwrap_or("*"),
                    i.reason
                ),
            ));
        }
        if let Some(b) = &set.baseline {
            props.push(("baseline", b.clone()));
        }
    }
    if let Some(sup) = &report.suppressed {
        props.push(("baselined", sup.baselined.to_string()));
        props.push(("ignored", sup.ignored.to_string()));
    }
    if report.summary.not_listed > 0 {
        props.push(("not_listed", report.summary.not_listed.to_string()));
    }
    for (k, v) in props {
        let _ = writeln!(
            s,
            "      <property name=\"{}\" value=\"{}\"/>",
            attr(k),
            attr(&v)
        );
    }
    s.push_str("    </properties>\n");

    for (code, name) in &cases {
        let group = code.trim_end_matches(|c: char| c.is_ascii_digit());
        let _ = write!(
            s,
            "    <testcase name=\"{} {}\" classname=\"ocicheck.{}\" time=\"0\"",
            attr(code),
            attr(name),
            attr(group)
        );
        let Some(fs) = by_code.get(code) else {
            match report.skipped.as_ref().filter(|sk| sk.rules.contains(code)) {
                Some(sk) => {
                    let _ = writeln!(
                        s,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        attr(&format!("{}: layer contents not checked", sk.option))
                    );
                }
                None => s.push_str("/>\n"),
            }
            continue;
        };
        s.push_str(">\n");
        let mut body: String = fs.iter().map(|f| finding_text(f)).collect();
        let more = unlisted.get(code).map_or(0, |(n, _)| *n);
        for n in report.not_listed.iter().filter(|n| n.code == *code) {
            let _ = writeln!(body, "{}: {}", n.file, n.message);
        }
        if fails(code, fs) {
            let worst = fs
                .iter()
                .map(|f| f.severity)
                .chain(unlisted.get(code).map(|(_, sev)| *sev))
                .max()
                .unwrap_or(Severity::Error);
            let total = fs.len() + more;
            let message = match (fs.as_slice(), more) {
                ([one], 0) => one.message.clone(),
                ([first, ..], 0) => format!("{total} findings; first: {}", first.message),
                ([first, ..], _) => format!(
                    "{total} findings ({more} not listed); first: {}",
                    first.message
                ),
                ([], _) => format!("{total} findings, none listed"),
            };
            let _ = writeln!(
                s,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                worst,
                attr(&message),
                text(&body)
            );
        } else {
            let _ = writeln!(s, "      <system-out>{}</system-out>", text(&body));
        }
        s.push_str("    </testcase>\n");
    }
    if let Some(inc) = &report.incomplete {
        let _ = writeln!(s, "    <system-err>{}</system-err>", text(&inc.message));
    }
    s.push_str("  </testsuite>\n");
    (cases.len(), failures, skipped)
}

/// One finding as the human report prints it, with its file.
fn finding_text(f: &Finding) -> String {
    let mut s = format!(
        "{}[{}] {} in {}",
        f.severity, f.code, f.name, f.location.file
    );
    if let Some(p) = &f.location.pointer {
        let _ = write!(s, " at {}", if p.is_empty() { "/" } else { p });
    }
    if let (Some(l), Some(c)) = (f.location.line, f.location.column) {
        let _ = write!(s, " {l}:{c}");
    }
    if let Some(e) = &f.location.entry {
        let _ = write!(s, " tar entry {:?} at offset {}", e.path, e.offset);
    }
    if !f.location.via.is_empty() {
        let _ = write!(s, " (via {})", f.location.via.join(" → "));
    }
    let cited = if f.clauses.is_empty() {
        f.spec_url.clone()
    } else {
        format!("{} · {}", f.clauses.join(", "), f.spec_url)
    };
    let _ = write!(s, "\n  {}\n  {cited}\n", f.message);
    s
}

/// Characters XML 1.0 cannot hold at all become U+FFFD.
fn xml_char(c: char) -> Option<char> {
    match c {
        '\t' | '\n' | '\r' => Some(c),
        '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => None,
        _ => Some(c),
    }
}

fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match xml_char(c) {
            Some('&') => out.push_str("&amp;"),
            Some('<') => out.push_str("&lt;"),
            Some('>') => out.push_str("&gt;"),
            Some('\r') => out.push_str("&#13;"),
            Some(c) => out.push(c),
            None => out.push('\u{fffd}'),
        }
    }
    out
}

fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match xml_char(c) {
            Some('&') => out.push_str("&amp;"),
            Some('<') => out.push_str("&lt;"),
            Some('>') => out.push_str("&gt;"),
            Some('"') => out.push_str("&quot;"),
            Some('\n') => out.push_str("&#10;"),
            Some('\r') => out.push_str("&#13;"),
            Some('\t') => out.push_str("&#9;"),
            Some(c) => out.push(c),
            None => out.push('\u{fffd}'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(attr("a\"<&>\n\u{1}"), "a&quot;&lt;&amp;&gt;&#10;\u{fffd}");
        assert_eq!(text("x\0y</failure>"), "x\u{fffd}y&lt;/failure&gt;");
    }
}
