//! The human-readable report: findings grouped by file, each with its rule, location, message and clauses.
//!
//! [`render_styled`] adds ANSI colours (severity, rule, file headings) for a terminal; without them the text is
//! exactly [`render`]'s.

use std::fmt::Write as _;

use super::{Finding, Report};
use crate::rule::Severity;

pub fn render(report: &Report) -> String {
    render_styled(report, false)
}

/// ANSI styling, or none.
#[derive(Clone, Copy)]
struct Style(bool);

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(self, s: Severity) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(code, s.as_str())
    }
}

/// The human report, coloured when `color` is set (the caller decides: a terminal, and `NO_COLOR` unset).
pub fn render_styled(report: &Report, color: bool) -> String {
    let style = Style(color);
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
    if let Some(images) = &report.images {
        // Only with --ref/--platform/--digest: say which images the findings are about.
        let _ = writeln!(
            s,
            "validated {} image{}:",
            images.len(),
            if images.len() == 1 { "" } else { "s" }
        );
        for i in images {
            let _ = writeln!(
                s,
                "  {} {} {}",
                i.ref_name.as_deref().unwrap_or("-"),
                i.platform.as_deref().unwrap_or("-"),
                i.digest.as_deref().unwrap_or(&i.file)
            );
        }
    }
    if let Some(sk) = &report.skipped {
        let _ = writeln!(s, "{} {}", style.paint("1;36", "note:"), sk.message);
    }
    let mut last: Option<(&str, &[String])> = None;
    for f in &report.findings {
        let key = (f.location.file.as_str(), f.location.via.as_slice());
        if last != Some(key) {
            s.push('\n');
            let _ = write!(s, "{}", style.paint("1", &f.location.file));
            if !f.location.via.is_empty() {
                let _ = write!(s, "  (via {})", f.location.via.join(" → "));
            }
            s.push('\n');
            last = Some(key);
        }
        finding(&mut s, f, style);
    }
    let sum = &report.summary;
    let _ = writeln!(
        s,
        "\n{} error{}, {} warning{}, {} info{}{}",
        sum.errors,
        plural(sum.errors),
        sum.warnings,
        plural(sum.warnings),
        sum.infos,
        plural(sum.infos),
        match &report.skipped {
            Some(sk) => format!(" (layer contents not checked: {})", sk.option),
            None => String::new(),
        }
    );
    if let Some(nv) = &report.not_validated {
        // The summary line says what it does not cover.
        s.pop();
        let _ = writeln!(s, "; {}", nv.sentence());
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn finding(s: &mut String, f: &Finding, style: Style) {
    let mut at = String::new();
    // The empty pointer (the whole document) is shown by its line and column only: "/" would name the member
    // with an empty name.
    if let Some(p) = f.location.pointer.as_deref().filter(|p| !p.is_empty()) {
        at.push_str(p);
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
    let _ = write!(
        s,
        "  {}{} {}",
        style.severity(f.severity),
        style.paint("1", &format!("[{}]", f.code)),
        f.name
    );
    if !at.is_empty() {
        let _ = write!(s, " at {at}");
    }
    let _ = writeln!(s, "\n    {}", f.message);
    if f.clauses.is_empty() {
        let _ = writeln!(s, "    {}", f.spec_url);
    } else {
        let _ = writeln!(s, "    {} · {}", f.clauses.join(", "), f.spec_url);
    }
}
