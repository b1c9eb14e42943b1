//! The human-readable report: findings grouped by file, each with its rule, location, message and clauses.
//!
//! [`render_styled`] adds ANSI colours (severity, rule, file headings) for a terminal; without them the text is
//! exactly [`render`]'s.

use std::fmt::Write as _;

use super::text::{NBSP, WIDTH, wrap};
use super::{Finding, Report, Summary};
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
    render_all(std::slice::from_ref(report), color)
}

/// One section per input, then, for several, the counts of all of them.
pub fn render_all(reports: &[Report], color: bool) -> String {
    let style = Style(color);
    let mut s = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        section(&mut s, r, style);
    }
    if reports.len() > 1 {
        let sum = Summary::sum(reports.iter().map(|r| &r.summary));
        let failing: Vec<&str> = reports
            .iter()
            .filter(|r| r.summary.errors > 0)
            .map(|r| r.input.path.as_str())
            .collect();
        let _ = writeln!(
            s,
            "\n{}",
            wrap(
                &format!(
                    "{} inputs: {}{}",
                    reports.len(),
                    counts(&sum),
                    if failing.is_empty() {
                        String::new()
                    } else {
                        format!("; errors in {}", failing.join(", "))
                    }
                ),
                "",
                "  ",
                WIDTH
            )
        );
    }
    s
}

fn counts(sum: &Summary) -> String {
    format!(
        "{} error{}, {} warning{}, {} info{}",
        sum.errors,
        plural(sum.errors),
        sum.warnings,
        plural(sum.warnings),
        sum.infos,
        plural(sum.infos),
    )
}

fn section(s: &mut String, report: &Report, style: Style) {
    let what = match (report.input.kind, &report.input.media_type) {
        ("document", Some(mt)) => format!(
            "document {} as {mt} (from {})",
            report.input.path,
            report.input.media_type_source.unwrap_or("?")
        ),
        (kind, _) => format!("{kind} {}", report.input.path),
    };
    let _ = writeln!(
        s,
        "{}",
        wrap(
            &format!("ocicheck: {what}, spec{NBSP}{}", report.spec),
            "",
            "  ",
            WIDTH
        )
    );
    if let Some(set) = &report.settings {
        let _ = writeln!(
            s,
            "{}",
            wrap(
                &format!("settings: {}", set.phrases().join(", ")),
                "",
                "  ",
                WIDTH
            )
        );
    }
    if let Some(images) = report.images.as_ref().filter(|_| report.images_selected) {
        // Only with --ref/--platform/--digest or --shard: say which images the findings are about.
        let _ = writeln!(
            s,
            "validated {} image{}:",
            images.len(),
            if images.len() == 1 { "" } else { "s" }
        );
        for i in images {
            let _ = writeln!(
                s,
                "{}",
                wrap(
                    &format!(
                        "{} {} {}",
                        i.ref_name.as_deref().unwrap_or("-"),
                        i.platform.as_deref().unwrap_or("-"),
                        i.digest
                            .as_ref()
                            .map_or_else(|| i.file.to_string(), ToString::to_string)
                    ),
                    "  ",
                    "    ",
                    WIDTH
                )
            );
        }
    }
    if let Some(sk) = &report.skipped {
        let text = wrap(&format!("note: {}", sk.message), "", "  ", WIDTH);
        let _ = writeln!(
            s,
            "{}",
            text.replacen("note:", &style.paint("1;36", "note:"), 1)
        );
    }
    if let Some(inc) = &report.incomplete {
        let text = wrap(&inc.message, "", "  ", WIDTH);
        let _ = writeln!(
            s,
            "{}",
            text.replacen("incomplete:", &style.paint("1;33", "incomplete:"), 1)
        );
    }
    let mut last: Option<(&str, &[String])> = None;
    for f in &report.findings {
        let key = (f.location.file.as_str(), f.location.via.as_slice());
        if last != Some(key) {
            s.push('\n');
            heading(s, &f.location.file, &f.location.via, style);
            last = Some(key);
        }
        finding(s, f, style);
    }
    if !report.not_listed.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            style.paint("1;36", "not listed (counted in the summary):")
        );
        for n in &report.not_listed {
            heading(s, &n.file, &n.via, style);
            let _ = writeln!(s, "{}", wrap(&n.message, "    ", "    ", WIDTH));
        }
    }
    let sum = &report.summary;
    let mut extra = Vec::new();
    if sum.not_listed > 0 {
        extra.push(format!("{} not listed", sum.not_listed));
    }
    if let Some(sup) = &report.suppressed {
        if let Some(b) = &sup.baseline {
            extra.push(format!("{} baselined in {b}", sup.baselined));
        }
        if sup.ignored > 0 {
            extra.push(format!("{} ignored by ocicheck.toml", sup.ignored));
        }
    }
    if let Some(sk) = &report.skipped {
        extra.push(format!("layer contents not checked: {}", sk.option));
    }
    if let Some(inc) = &report.incomplete {
        extra.push(if inc.allowed {
            "incomplete, accepted by --allow-incomplete".to_string()
        } else {
            "incomplete".to_string()
        });
    }
    let line = format!(
        "{}{}",
        counts(sum),
        if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join("; "))
        }
    );
    let line = match &report.not_validated {
        // The summary line says what it does not cover.
        Some(nv) => format!("{line}; {}", nv.sentence()),
        None => line,
    };
    let _ = writeln!(s, "\n{}", wrap(&line, "", "  ", WIDTH));
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A file's heading: its path, and the chain of descriptors that reached it on a line of its own.
fn heading(s: &mut String, file: &str, via: &[String], style: Style) {
    let _ = writeln!(s, "{}", style.paint("1", file));
    if !via.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            wrap(&format!("via {}", via.join(" → ")), "  ", "      ", WIDTH)
        );
    }
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
    let tag = format!("{}[{}]", f.severity, f.code);
    let mut head = format!("{tag} {}", f.name);
    if !at.is_empty() {
        let _ = write!(head, " at {at}");
    }
    let head = wrap(&head, "  ", "      ", WIDTH).replacen(
        &tag,
        &format!(
            "{}{}",
            style.severity(f.severity),
            style.paint("1", &format!("[{}]", f.code))
        ),
        1,
    );
    let _ = writeln!(s, "{head}");
    let _ = writeln!(s, "{}", wrap(&f.message, "    ", "    ", WIDTH));
    let clauses = f.clauses.join(", ");
    if clauses.is_empty() {
        let _ = writeln!(s, "    {}", f.spec_url);
    } else if 4 + clauses.chars().count() + 3 + f.spec_url.chars().count() <= WIDTH {
        let _ = writeln!(s, "    {clauses} · {}", f.spec_url);
    } else {
        let _ = writeln!(s, "{}", wrap(&clauses, "    ", "    ", WIDTH));
        let _ = writeln!(s, "    {}", f.spec_url);
    }
}
