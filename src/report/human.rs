//! The human-readable report: findings grouped by file, each with its rule, location, message and clauses.

use std::fmt::Write as _;

use super::{Finding, Report};

pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let what = match (report.input.kind, &report.input.media_type) {
        ("document", Some(mt)) => format!(
            "document {} as {mt} (from {})",
            report.input.path,
            report.input.media_type_source.unwrap_or("?")
        ),
        (kind, _) => format!("{kind} {}", report.input.path),
    };
    let _ = writeln!(s, "ocicheck: {what}, spec {}", report.spec);
    let mut last: Option<(&str, &[String])> = None;
    for f in &report.findings {
        let key = (f.location.file.as_str(), f.location.via.as_slice());
        if last != Some(key) {
            s.push('\n');
            let _ = write!(s, "{}", f.location.file);
            if !f.location.via.is_empty() {
                let _ = write!(s, "  (via {})", f.location.via.join(" → "));
            }
            s.push('\n');
            last = Some(key);
        }
        finding(&mut s, f);
    }
    let sum = &report.summary;
    let _ = writeln!(
        s,
        "\n{} error{}, {} warning{}, {} info{}",
        sum.errors,
        plural(sum.errors),
        sum.warnings,
        plural(sum.warnings),
        sum.infos,
        plural(sum.infos)
    );
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn finding(s: &mut String, f: &Finding) {
    let mut at = String::new();
    if let Some(p) = &f.location.pointer {
        at.push_str(if p.is_empty() { "/" } else { p });
    }
    if let (Some(l), Some(c)) = (f.location.line, f.location.column) {
        let _ = write!(at, "{}{l}:{c}", if at.is_empty() { "" } else { " " });
    }
    if let Some(e) = &f.location.entry {
        let _ = write!(
            at,
            "{}tar entry {:?} at offset {}",
            if at.is_empty() { "" } else { " " },
            e.path,
            e.offset
        );
    }
    let _ = write!(s, "  {}[{}] {}", f.severity, f.code, f.name);
    if !at.is_empty() {
        let _ = write!(s, " at {at}");
    }
    let _ = writeln!(s, "\n    {}", f.message);
    let _ = writeln!(s, "    {} · {}", f.clauses.join(", "), f.spec_url);
}
