//! `--format concise`: one line per finding, `PATH:LINE:COL: severity[CODE] message`, which terminals and editors
//! open at the place (PATH is relative to the working directory when the input is under it). A finding without a
//! line (a blob, a tar entry) is given line 1, column 1 of its file; the tar entry or the archive member is said
//! after the message. One last line counts everything, listed or not.

use std::fmt::Write as _;
use std::path::Path;

use super::{Finding, Report, Summary};

pub fn render(reports: &[Report], cwd: Option<&Path>) -> String {
    let mut s = String::new();
    for r in reports {
        for f in &r.findings {
            line(&mut s, r, f, cwd);
        }
        for n in &r.not_listed {
            let _ = writeln!(
                s,
                "{}:1:1: note[{}] {}",
                relative(&super::github::path_of(r, &n.file), cwd),
                n.code,
                n.message
            );
        }
        if let Some(inc) = &r.incomplete {
            let _ = writeln!(s, "{}: {}", relative(&r.input.path, cwd), inc.message);
        }
    }
    let sum = Summary::sum(reports.iter().map(|r| &r.summary));
    let baselined: usize = reports
        .iter()
        .filter_map(|r| r.suppressed.as_ref())
        .map(|x| x.baselined)
        .sum();
    let mut extra = Vec::new();
    if sum.not_listed > 0 {
        extra.push(format!("{} not listed", sum.not_listed));
    }
    if baselined > 0 {
        extra.push(format!("{baselined} baselined"));
    }
    let _ = writeln!(
        s,
        "Found {} finding{} ({} error(s), {} warning(s), {} info(s)){}",
        sum.total(),
        if sum.total() == 1 { "" } else { "s" },
        sum.errors,
        sum.warnings,
        sum.infos,
        if extra.is_empty() {
            String::new()
        } else {
            format!("; {}", extra.join(", "))
        }
    );
    s
}

fn line(s: &mut String, r: &Report, f: &Finding, cwd: Option<&Path>) {
    let path = relative(&super::github::path_of(r, &f.location.file), cwd);
    let (l, c) = (f.location.line.unwrap_or(1), f.location.column.unwrap_or(1));
    let mut msg = f.message.replace('\n', " ");
    if r.input.kind == "archive" || r.input.kind == "registry" {
        let _ = write!(msg, " (in {})", f.location.file);
    }
    if let Some(e) = &f.location.entry {
        let _ = write!(msg, " (tar entry {:?} at offset {})", e.path, e.offset);
    }
    let _ = writeln!(s, "{path}:{l}:{c}: {}[{}] {msg}", f.severity, f.code);
}

/// `path` relative to `cwd` when it lies under it (an absolute input given on the command line), else as it is.
pub fn relative(path: &str, cwd: Option<&Path>) -> String {
    let p = Path::new(path);
    match cwd {
        Some(cwd) if p.is_absolute() => p
            .strip_prefix(cwd)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| path.to_string()),
        _ => path.strip_prefix("./").unwrap_or(path).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_working_directory_become_relative() {
        let cwd = Path::new("/home/me/repo");
        assert_eq!(
            relative("/home/me/repo/image/index.json", Some(cwd)),
            "image/index.json"
        );
        assert_eq!(
            relative("/elsewhere/index.json", Some(cwd)),
            "/elsewhere/index.json"
        );
        assert_eq!(
            relative("./image/index.json", Some(cwd)),
            "image/index.json"
        );
    }
}
