//! Where reports go: `--format` and `--output`, and the renderer for each format.
//!
//! `--format F` is what is printed on stdout. Each `--output` writes one more report to a file: `FORMAT=FILE`
//! names its format, a bare `FILE` takes `--format`'s, and then stdout shows the human report instead (nothing
//! with `--quiet`), so `--format sarif --output results.sarif` prints text for people and writes SARIF for a
//! machine in one run.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::Options;
use crate::report::{self, Report, catalogue};
use crate::rule::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// One place a report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub format: Format,
    /// `None`: stdout.
    pub file: Option<PathBuf>,
}

/// The targets of a run: the files of `--output`, then stdout (if anything goes there).
pub fn plan(format: Format, outputs: &[String], quiet: bool) -> Vec<Target> {
    let mut targets = Vec::new();
    let mut bare = false;
    for o in outputs {
        match o
            .split_once('=')
            .and_then(|(f, p)| Some((Format::parse(f)?, p)))
        {
            Some((f, p)) => targets.push(Target {
                format: f,
                file: Some(PathBuf::from(p)),
            }),
            None => {
                bare = true;
                targets.push(Target {
                    format,
                    file: Some(PathBuf::from(o)),
                });
            }
        }
    }
    if !bare {
        targets.push(Target { format, file: None });
    } else if !quiet {
        targets.push(Target {
            format: Format::Human,
            file: None,
        });
    }
    targets
}

/// Render `report` in `format`. `fail_on` decides which JUnit test cases fail; `color` styles the human report.
pub fn render(
    format: Format,
    report: &Report,
    opts: &Options,
    fail_on: Option<Severity>,
    color: bool,
) -> String {
    match format {
        Format::Human => report::human::render_styled(report, color),
        Format::Json => report::json::render(report),
        Format::Sarif => {
            report::sarif::render(report, &catalogue::rule_infos(opts, report.input.kind))
        }
        Format::Junit => report::junit::render(
            report,
            &catalogue::rule_infos(opts, report.input.kind),
            fail_on,
        ),
        Format::Github => report::github::render(report),
    }
}

/// Whether to colour what goes to stdout: a terminal, and `NO_COLOR` unset or empty (<https://no-color.org>).
pub fn stdout_color() -> bool {
    color_wanted(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

pub fn color_wanted(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(format: Format, file: Option<&str>) -> Target {
        Target {
            format,
            file: file.map(PathBuf::from),
        }
    }

    #[test]
    fn a_bare_output_takes_the_format_and_stdout_gets_text() {
        assert_eq!(
            plan(Format::Sarif, &["r.sarif".into()], false),
            vec![t(Format::Sarif, Some("r.sarif")), t(Format::Human, None)]
        );
        assert_eq!(
            plan(Format::Sarif, &["r.sarif".into()], true),
            vec![t(Format::Sarif, Some("r.sarif"))]
        );
        assert_eq!(
            plan(
                Format::Github,
                &["sarif=r.sarif".into(), "junit=r.xml".into()],
                false
            ),
            vec![
                t(Format::Sarif, Some("r.sarif")),
                t(Format::Junit, Some("r.xml")),
                t(Format::Github, None)
            ]
        );
        assert_eq!(plan(Format::Json, &[], true), vec![t(Format::Json, None)]);
        assert_eq!(
            plan(Format::Json, &["a=b.json".into()], false)[0],
            t(Format::Json, Some("a=b.json"))
        );
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(color_wanted(true, None));
        assert!(color_wanted(true, Some(OsStr::new(""))));
        assert!(!color_wanted(true, Some(OsStr::new("1"))));
        assert!(!color_wanted(false, None));
    }
}
