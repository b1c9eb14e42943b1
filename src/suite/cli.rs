//! The glue between the `conformance list|export|run|compare` subcommands and this module, so that `main.rs`
//! only parses flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::run::{self, Commands, RunOptions};

/// `conformance list [--format json]`.
pub fn list(json: bool, root: &Path) -> Result<String, String> {
    let entries = super::entries(root)?;
    Ok(if json {
        super::manifest_json(&entries)
    } else {
        super::list_text(&entries)
    })
}

/// `conformance export DIR`: a one-line summary.
pub fn export(dir: &Path, root: &Path) -> Result<String, String> {
    let entries = super::export(root, dir)?;
    let count = |v: &str| entries.iter().filter(|e| e.verdict == v).count();
    Ok(format!(
        "exported {} cases ({} valid, {} invalid-must, {} warn-should; {} portable) to {}; expectations in {} and {}\n",
        entries.len(),
        count("valid"),
        count("invalid-must"),
        count("warn-should"),
        entries.iter().filter(|e| e.portable).count(),
        dir.display(),
        dir.join("index.json").display(),
        dir.join("cases.tsv").display(),
    ))
}

/// The flags of `conformance run`.
pub struct RunArgs {
    pub validator: String,
    pub layout: Option<String>,
    pub archive: Option<String>,
    pub document: Option<String>,
    pub name: Option<String>,
    pub timeout: f64,
    pub jobs: Option<usize>,
    pub dir: Option<PathBuf>,
    pub spec: String,
    /// `text`, `markdown` or `json`.
    pub format: String,
}

/// `conformance run`: the rendered matrix, and whether the score is 100%.
pub fn run(a: RunArgs, root: &Path) -> Result<(String, bool), String> {
    let pick = |o: Option<String>| match o.as_deref() {
        Some("none") => None,
        Some(_) => o,
        None => Some(a.validator.clone()),
    };
    if crate::Spec::parse(&a.spec).is_none() {
        return Err(format!("--spec {}: expected v1.1.1 or main", a.spec));
    }
    if !(a.timeout > 0.0 && a.timeout.is_finite()) {
        return Err(format!(
            "--timeout {}: expected a positive number of seconds",
            a.timeout
        ));
    }
    let o = RunOptions {
        name: a.name.clone().unwrap_or_else(|| a.validator.clone()),
        commands: Commands {
            layout: pick(a.layout.clone()),
            archive: pick(a.archive.clone()),
            document: pick(a.document.clone()),
        },
        timeout: Duration::from_secs_f64(a.timeout),
        jobs: a
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
            .max(1),
        spec: crate::Spec::parse(&a.spec)
            .unwrap_or_default()
            .as_str()
            .into(),
    };
    let report = match &a.dir {
        Some(d) => run::run(d, &o)?,
        None => {
            let tmp = tempfile::Builder::new()
                .prefix("ocicheck-export-")
                .tempdir()
                .map_err(|e| format!("temporary directory: {e}"))?;
            let dir = tmp.path().join("corpus");
            super::export(root, &dir).and_then(|_| run::run(&dir, &o))?
        }
    };
    let text = match a.format.as_str() {
        "json" => run::render_json(&report),
        "markdown" => run::render_markdown(&report),
        _ => run::render_text(&report),
    };
    Ok((text, report.perfect()))
}

/// `conformance compare RUN.json…`: the Markdown matrix of several runs.
pub fn compare(files: &[PathBuf]) -> Result<String, String> {
    let runs: Vec<_> = files
        .iter()
        .map(|f| run::read_run(f))
        .collect::<Result<_, _>>()?;
    Ok(run::compare(&runs))
}
