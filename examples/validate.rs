//! Validate an image layout, an archive or a JSON document with the ocicheck library and print what it found:
//! `cargo run --example validate -- [PATH [FORMAT]]`. Without PATH, a layout of the conformance corpus whose
//! manifest says `schemaVersion: 3`; without FORMAT (human, concise, json, sarif, junit, github, html), a line per
//! finding. Exit status 1 when there is an error, 2 when the input could not be validated.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ocicheck::{Format, Options, Report, Severity};

pub const DEFAULT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/conformance/manifest/MAN001-schema-version-not-2/layout"
);

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let path = args.next().map_or(PathBuf::from(DEFAULT), PathBuf::from);
    let format = match args.next().map(|f| Format::parse(&f).ok_or(f)).transpose() {
        Ok(format) => format,
        Err(f) => {
            eprintln!("validate: unknown format {f}");
            return ExitCode::from(2);
        }
    };
    match run(&path, format) {
        Ok((text, report)) => {
            print!("{text}");
            ExitCode::from(u8::from(report.fails(Some(Severity::Error))))
        }
        Err(e) => {
            eprintln!("validate: {e}");
            ExitCode::from(2)
        }
    }
}

/// Validate `path` with the command line's defaults; the text to print, and the report.
pub fn run(path: &Path, format: Option<Format>) -> Result<(String, Report), ocicheck::Error> {
    let opts = Options::builder()
        .content_graph(format == Some(Format::Html)) // the tree the HTML report draws
        .build()?;
    let report = ocicheck::validate(path, &opts)?;
    let text = match format {
        Some(f) => ocicheck::render(f, std::slice::from_ref(&report), &opts),
        None => lines(&report),
    };
    Ok((text, report))
}

/// `severity[CODE] file#pointer: message` for each finding, then the counts.
pub fn lines(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let (sev, code, at) = (f.severity, f.code, f.location.display());
        out.push_str(&format!("{sev}[{code}] {at}: {}\n", f.message));
    }
    let s = &report.summary;
    out.push_str(&format!(
        "{}: {} error(s), {} warning(s), {} info(s)\n",
        report.input.path, s.errors, s.warnings, s.infos
    ));
    out
}
