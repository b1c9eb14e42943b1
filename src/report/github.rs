//! GitHub Actions workflow commands (`--format github`): one `::error`, `::warning` or `::notice` line per finding,
//! which the runner turns into annotations on the run (and on the file, when it is in the repository), then a
//! plain summary line.
//!
//! `file=` is the file's path as seen from the working directory: the layout directory joined with the file inside
//! it, the document itself, or the archive. `title=` is the rule code and name; the message says where in the file
//! (JSON pointer, tar entry) and which clause.

use std::fmt::Write as _;

use super::{Finding, Report};
use crate::rule::Severity;

pub fn render(report: &Report) -> String {
    render_all(std::slice::from_ref(report))
}

pub fn render_all(reports: &[Report]) -> String {
    reports.iter().map(render_one).collect()
}

fn render_one(report: &Report) -> String {
    let mut s = String::new();
    for f in &report.findings {
        line(&mut s, report, f);
    }
    if let Some(inc) = &report.incomplete {
        let _ = writeln!(
            s,
            "::{} title={}::{}",
            if inc.allowed { "warning" } else { "error" },
            property("ocicheck: incomplete"),
            data(&inc.message)
        );
    }
    if let Some(sk) = &report.skipped {
        let _ = writeln!(
            s,
            "::notice title={}::{}",
            property(&format!("ocicheck {}", sk.option)),
            data(&sk.message)
        );
    }
    for n in &report.not_listed {
        let _ = writeln!(
            s,
            "::notice file={},title={}::{}",
            property(&path_of(report, &n.file)),
            property(&format!("{} not listed", n.code)),
            data(&n.message)
        );
    }
    let sum = &report.summary;
    let _ = writeln!(
        s,
        "ocicheck: {} {}: {} error(s), {} warning(s), {} info(s){}",
        report.input.kind,
        report.input.path,
        sum.errors,
        sum.warnings,
        sum.infos,
        if sum.not_listed > 0 {
            format!(" ({} not listed)", sum.not_listed)
        } else {
            String::new()
        }
    );
    s
}

/// The path of a finding's file relative to where ocicheck ran.
pub fn path_of(report: &Report, file: &str) -> String {
    match report.input.kind {
        "layout" => {
            let dir = report.input.path.trim_end_matches('/');
            if dir.is_empty() || dir == "." {
                file.to_string()
            } else {
                format!("{dir}/{file}")
            }
        }
        _ => report.input.path.clone(),
    }
}

fn line(s: &mut String, report: &Report, f: &Finding) {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = vec![format!(
        "file={}",
        property(&path_of(report, &f.location.file))
    )];
    if let Some(l) = f.location.line {
        props.push(format!("line={l}"));
        if let Some(c) = f.location.column {
            props.push(format!("col={c}"));
        }
    }
    props.push(format!(
        "title={}",
        property(&format!("{} {}", f.code, f.name))
    ));
    let mut msg = f.message.clone();
    let mut at = Vec::new();
    if report.input.kind != "layout" && report.input.kind != "document" {
        at.push(f.location.file.clone());
    }
    if let Some(p) = &f.location.pointer {
        at.push(if p.is_empty() {
            "/".to_string()
        } else {
            p.clone()
        });
    }
    if let Some(e) = &f.location.entry {
        at.push(format!("tar entry {:?} at offset {}", e.path, e.offset));
    }
    if !at.is_empty() {
        let _ = write!(msg, "\nat {}", at.join(" "));
    }
    if !f.location.via.is_empty() {
        let _ = write!(msg, "\nvia {}", f.location.via.join(" → "));
    }
    if f.clauses.is_empty() {
        let _ = write!(msg, "\n{}", f.spec_url);
    } else {
        let _ = write!(msg, "\n{} · {}", f.clauses.join(", "), f.spec_url);
    }
    let _ = writeln!(s, "::{command} {}::{}", props.join(","), data(&msg));
}

/// Escaping of a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
