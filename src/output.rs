//! Where reports go: `--format` and `--output`, and the renderer for each format.
//!
//! `--format F` is what is printed on stdout. Each `--output` writes one more report to a file: `FORMAT=FILE`
//! names its format, a bare `FILE` takes `--format`'s, and then stdout shows the human report instead (nothing
//! with `--quiet`), so `--format sarif --output results.sarif` prints text for people and writes SARIF for a
//! machine in one run. `NAME=FILE` with an unknown NAME is a usage error (a path with `=` in it can be given as
//! `./NAME=FILE`), and a file whose extension names another format than the one written draws a warning.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::Options;
use crate::report::{self, Report, catalogue};
use crate::rule::Severity;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Junit,
    Github,
    Html,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Html,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    /// The formats a file name's extension suggests (`None`: the name says nothing).
    pub fn by_extension(path: &Path) -> Option<&'static [Format]> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        Some(
            if name.ends_with(".sarif") || name.ends_with(".sarif.json") {
                &[Format::Sarif]
            } else if name.ends_with(".json") {
                &[Format::Json, Format::Sarif]
            } else if name.ends_with(".xml") {
                &[Format::Junit]
            } else if name.ends_with(".html") || name.ends_with(".htm") {
                &[Format::Html]
            } else if name.ends_with(".txt") || name.ends_with(".log") {
                &[Format::Human, Format::Concise, Format::Github]
            } else {
                return None;
            },
        )
    }
}

/// One place a report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub format: Format,
    /// `None`: stdout.
    pub file: Option<PathBuf>,
}

/// The targets of a run, the files of `--output` then stdout (if anything goes there), and the warnings to print
/// (a file named for another format). An unknown `FORMAT=` is an error.
pub fn plan(
    format: Format,
    outputs: &[String],
    quiet: bool,
) -> Result<(Vec<Target>, Vec<String>), String> {
    let mut targets = Vec::new();
    let mut warnings = Vec::new();
    let mut bare = false;
    for o in outputs {
        let named = o
            .split_once('=')
            .filter(|(f, _)| !f.is_empty() && !f.contains(['/', '.', '\\']));
        let target = match named {
            Some((f, p)) => {
                let Some(fmt) = Format::parse(&f.to_ascii_lowercase()) else {
                    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                    return Err(format!(
                        "--output {o}: unknown format `{f}` (expected {}; a file name with `=` in it can be written ./{o})",
                        names.join(", ")
                    ));
                };
                if p.is_empty() {
                    return Err(format!("--output {o}: no file name after `{f}=`"));
                }
                Target {
                    format: fmt,
                    file: Some(PathBuf::from(p)),
                }
            }
            None => {
                bare = true;
                Target {
                    format,
                    file: Some(PathBuf::from(o)),
                }
            }
        };
        if let Some(file) = &target.file
            && let Some(expected) = Format::by_extension(file)
            && !expected.contains(&target.format)
        {
            warnings.push(format!(
                "--output {o} writes the {} report, but the file name says {}; write --output {}={} for that",
                target.format.name(),
                expected[0].name(),
                expected[0].name(),
                file.display()
            ));
        }
        targets.push(target);
    }
    if !bare {
        targets.push(Target { format, file: None });
    } else if !quiet {
        targets.push(Target {
            format: Format::Human,
            file: None,
        });
    }
    Ok((targets, warnings))
}

/// What a renderer needs besides the reports.
pub struct Context<'a> {
    pub opts: &'a Options,
    /// Which findings fail JUnit test cases (the exit status's threshold).
    pub fail_on: Option<Severity>,
    /// ANSI colours in the human report.
    pub color: bool,
    /// The working directory, that concise paths are relative to.
    pub cwd: Option<&'a Path>,
}

/// Render `reports` (one section per input) in `format`.
pub fn render(format: Format, reports: &[Report], cx: &Context) -> String {
    let kind = reports.first().map_or("layout", |r| r.input.kind);
    match format {
        Format::Human => report::human::render_all(reports, cx.color),
        Format::Concise => report::concise::render(reports, cx.cwd),
        Format::Json => report::json::render_all(reports),
        Format::Sarif => {
            // Layout rules are listed even when only documents were validated: the table is the catalogue.
            report::sarif::render_all(reports, &catalogue::rule_infos(cx.opts, kind))
        }
        Format::Junit => {
            let with_rules: Vec<(&Report, Vec<report::RuleInfo>)> = reports
                .iter()
                .map(|r| (r, catalogue::rule_infos(cx.opts, r.input.kind)))
                .collect();
            report::junit::render_all(&with_rules, cx.fail_on)
        }
        Format::Github => report::github::render_all(reports),
        Format::Html => report::html::render(reports, &catalogue::rule_infos(cx.opts, kind)),
    }
}

/// `--color`: `auto` (the default), `always` or `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// The environment variables that bear on colour.
#[derive(Debug, Default, Clone)]
pub struct ColorEnv {
    pub no_color: Option<std::ffi::OsString>,
    pub clicolor_force: Option<std::ffi::OsString>,
    pub term: Option<std::ffi::OsString>,
}

impl ColorEnv {
    pub fn from_process() -> ColorEnv {
        ColorEnv {
            no_color: std::env::var_os("NO_COLOR"),
            clicolor_force: std::env::var_os("CLICOLOR_FORCE"),
            term: std::env::var_os("TERM"),
        }
    }
}

/// Whether to colour what goes to stdout. `always`/`never` decide; `auto` colours a terminal, unless `NO_COLOR`
/// is set and not empty (<https://no-color.org>) or `TERM` is `dumb`; `CLICOLOR_FORCE` set to anything but `0`
/// colours a pipe too (`NO_COLOR` still wins over it).
pub fn color_wanted(choice: ColorChoice, terminal: bool, env: &ColorEnv) -> bool {
    let set = |v: &Option<std::ffi::OsString>| v.as_ref().is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if set(&env.no_color) {
                return false;
            }
            if set(&env.clicolor_force) && env.clicolor_force.as_deref() != Some("0".as_ref()) {
                return true;
            }
            terminal && env.term.as_deref() != Some("dumb".as_ref())
        }
    }
}

/// [`color_wanted`] for stdout and this process's environment.
pub fn stdout_color(choice: ColorChoice) -> bool {
    color_wanted(
        choice,
        std::io::stdout().is_terminal(),
        &ColorEnv::from_process(),
    )
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

    fn targets(format: Format, outputs: &[&str], quiet: bool) -> Vec<Target> {
        let o: Vec<String> = outputs.iter().map(|s| s.to_string()).collect();
        plan(format, &o, quiet).expect("plans").0
    }

    #[test]
    fn a_bare_output_takes_the_format_and_stdout_gets_text() {
        assert_eq!(
            targets(Format::Sarif, &["r.sarif"], false),
            vec![t(Format::Sarif, Some("r.sarif")), t(Format::Human, None)]
        );
        assert_eq!(
            targets(Format::Sarif, &["r.sarif"], true),
            vec![t(Format::Sarif, Some("r.sarif"))]
        );
        assert_eq!(
            targets(Format::Github, &["sarif=r.sarif", "junit=r.xml"], false),
            vec![
                t(Format::Sarif, Some("r.sarif")),
                t(Format::Junit, Some("r.xml")),
                t(Format::Github, None)
            ]
        );
        assert_eq!(
            targets(Format::Json, &[], true),
            vec![t(Format::Json, None)]
        );
        assert_eq!(
            targets(Format::Json, &["./a=b.json"], false)[0],
            t(Format::Json, Some("./a=b.json"))
        );
    }

    #[test]
    fn an_unknown_format_is_an_error_and_a_misnamed_file_a_warning() {
        let e = plan(Format::Human, &["sarf=x.sarif".into()], false).unwrap_err();
        assert!(e.contains("unknown format `sarf`"), "{e}");
        let (_, w) = plan(Format::Human, &["x.sarif".into()], false).expect("plans");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("writes the human report"), "{w:?}");
        let (_, w) = plan(Format::Json, &["junit=x.json".into()], false).expect("plans");
        assert_eq!(w.len(), 1, "{w:?}");
        let (_, w) = plan(
            Format::Sarif,
            &["x.sarif".into(), "json=r.json".into()],
            false,
        )
        .expect("plans");
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn colour_follows_the_flag_then_the_environment() {
        let env = |nc: Option<&str>, force: Option<&str>, term: Option<&str>| ColorEnv {
            no_color: nc.map(Into::into),
            clicolor_force: force.map(Into::into),
            term: term.map(Into::into),
        };
        let auto = ColorChoice::Auto;
        assert!(color_wanted(auto, true, &env(None, None, Some("xterm"))));
        assert!(color_wanted(auto, true, &env(Some(""), None, None)));
        assert!(!color_wanted(auto, true, &env(Some("1"), None, None)));
        assert!(!color_wanted(auto, false, &env(None, None, None)));
        assert!(!color_wanted(auto, true, &env(None, None, Some("dumb"))));
        assert!(color_wanted(auto, false, &env(None, Some("1"), None)));
        assert!(!color_wanted(auto, false, &env(None, Some("0"), None)));
        assert!(!color_wanted(auto, false, &env(Some("1"), Some("1"), None)));
        assert!(color_wanted(
            ColorChoice::Always,
            false,
            &env(Some("1"), None, None)
        ));
        assert!(!color_wanted(
            ColorChoice::Never,
            true,
            &env(None, Some("1"), None)
        ));
    }
}
