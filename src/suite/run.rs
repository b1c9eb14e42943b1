//! `ocicheck conformance run`: run any validator over an export and score it.
//!
//! A validator is a shell command line (run with `sh -c`) in which `{}` stands for the case's input path. Exit
//! status 0 means it accepts the input, any other status that it rejects it. A run that is killed by a signal
//! (or whose shell reports one, 129–192), that cannot start (126, 127), that crashes (a Rust or Go panic on
//! stderr) or that outlasts `--timeout` has *errored*: neither an acceptance nor a rejection, and counted apart.
//!
//! More placeholders, each replaced by a shell-quoted value (empty when unknown): `{media_type}` and
//! `{doc_kind}` (`manifest`, `index`, `config`, `oci-layout`, `descriptor`) of a document, `{ref}` (the first
//! `org.opencontainers.image.ref.name` of a layout's `index.json`), `{spec}` (`v1.1.1` or `main`), `{id}`, and
//! `{tmp}`, a fresh empty directory the command may write into (deleted afterwards).
//!
//! Each kind of input can have its own command line, or none: a validator that only reads layouts is *not
//! applicable* to single documents, which is shown as such and not scored. A command line can also say so for
//! one input by exiting with status 125 (as `git bisect run` skips a commit), e.g. a wrapper that maps
//! `{doc_kind}` to a tool's own type names and has none for a descriptor. Cases whose expectation depends on
//! ocicheck-specific settings (a size limit, a profile, injected I/O faults) and cases for another spec version
//! are skipped.
//!
//! The score is the share of cases a validator must get right that it got right: valid inputs accepted plus
//! MUST violations rejected, over all valid and MUST cases it applies to (errored ones count as wrong). SHOULD
//! cases are reported but not scored: a SHOULD violation leaves the image conformant, and a strict validator may
//! still refuse it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::Entry;

pub const RUN_FORMAT: &str = "ocicheck-conformance-run/1";

/// Command lines by kind of input; `None`: the validator does not apply to that kind.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Commands {
    pub layout: Option<String>,
    pub archive: Option<String>,
    pub document: Option<String>,
}

impl Commands {
    fn for_kind(&self, kind: &str) -> Option<&str> {
        match kind {
            "layout" => self.layout.as_deref(),
            "archive" => self.archive.as_deref(),
            "document" => self.document.as_deref(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The validator's name in reports.
    pub name: String,
    pub commands: Commands,
    pub timeout: Duration,
    /// Validators run at the same time.
    pub jobs: usize,
    /// Run the cases of this spec version.
    pub spec: String,
}

/// What happened to one case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CaseResult {
    pub id: String,
    pub document: String,
    pub kind: String,
    pub verdict: String,
    /// `accepted`, `rejected`, `errored`, `not-applicable` or `skipped`.
    pub outcome: String,
    /// The exit status, when the command exited.
    #[serde(default)]
    pub status: Option<i32>,
    /// Why it errored, was skipped or is not applicable.
    #[serde(default)]
    pub reason: Option<String>,
    /// The first line of its standard error.
    #[serde(default)]
    pub stderr: Option<String>,
    /// Whether the outcome is the one required (`None` for SHOULD cases and cases not run).
    #[serde(default)]
    pub correct: Option<bool>,
}

/// Counts for one document (or the total).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tally {
    pub valid: u32,
    pub valid_accepted: u32,
    pub must: u32,
    pub must_rejected: u32,
    pub should: u32,
    pub should_rejected: u32,
    pub errored: u32,
    pub not_applicable: u32,
    pub skipped: u32,
}

impl Tally {
    fn add(&mut self, r: &CaseResult) {
        match r.outcome.as_str() {
            "skipped" => {
                self.skipped += 1;
                return;
            }
            "not-applicable" => {
                self.not_applicable += 1;
                return;
            }
            "errored" => self.errored += 1,
            _ => {}
        }
        let accepted = r.outcome == "accepted";
        let rejected = r.outcome == "rejected";
        match r.verdict.as_str() {
            "valid" => {
                self.valid += 1;
                self.valid_accepted += u32::from(accepted);
            }
            "invalid-must" => {
                self.must += 1;
                self.must_rejected += u32::from(rejected);
            }
            _ => {
                self.should += 1;
                self.should_rejected += u32::from(rejected);
            }
        }
    }

    /// Right answers over scored cases.
    pub fn score(&self) -> (u32, u32) {
        (
            self.valid_accepted + self.must_rejected,
            self.valid + self.must,
        )
    }
}

/// A run of one validator over an export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    pub format: String,
    pub validator: String,
    pub commands: Commands,
    pub spec: String,
    pub timeout_seconds: f64,
    pub documents: BTreeMap<String, Tally>,
    pub total: Tally,
    pub results: Vec<CaseResult>,
}

impl RunReport {
    /// `100.0%` style score.
    pub fn score_text(&self) -> String {
        percent(self.total.score())
    }

    /// Whether every scored case was right.
    pub fn perfect(&self) -> bool {
        let (right, of) = self.total.score();
        right == of
    }
}

fn percent((right, of): (u32, u32)) -> String {
    if of == 0 {
        "n/a".into()
    } else {
        format!("{:.1}%", f64::from(right) * 100.0 / f64::from(of))
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A directory deleted when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Result<TempDir, String> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let base = std::env::temp_dir();
        for _ in 0..100 {
            let n = N.fetch_add(1, Ordering::Relaxed);
            let p = base.join(format!("ocicheck-{tag}-{}-{n}", std::process::id()));
            match std::fs::create_dir(&p) {
                Ok(()) => return Ok(TempDir(p)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("{}: {e}", p.display())),
            }
        }
        Err(format!(
            "{}: cannot create a temporary directory",
            base.display()
        ))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The command line for one case.
fn expand(template: &str, e: &Entry, input: &Path, tmp: &Path) -> String {
    let o = |v: &Option<String>| quote(v.as_deref().unwrap_or(""));
    template
        .replace("{media_type}", &o(&e.media_type))
        .replace("{doc_kind}", &o(&e.doc_kind))
        .replace("{ref}", &o(&e.ref_name))
        .replace("{spec}", &quote(&e.spec))
        .replace("{id}", &quote(&e.id))
        .replace("{tmp}", &quote(&tmp.to_string_lossy()))
        .replace("{}", &quote(&input.to_string_lossy()))
}

/// Whether standard error shows a crash rather than a reasoned rejection.
fn crashed(stderr: &str) -> Option<&'static str> {
    if stderr.contains("panicked at") {
        Some("crash (Rust panic)")
    } else if (stderr.starts_with("panic: ") || stderr.contains("\npanic: "))
        && stderr.contains("goroutine ")
    {
        Some("crash (Go panic)")
    } else if stderr.contains("SIGSEGV") || stderr.contains("Segmentation fault") {
        Some("crash (segmentation fault)")
    } else {
        None
    }
}

fn first_line(s: &str) -> Option<String> {
    let l = s.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut l: String = l.chars().take(240).collect();
    if l.len() < s.trim().len() && s.trim().lines().count() > 1 {
        l.push_str(" …");
    }
    Some(l)
}

/// Run one command line; the outcome, exit status, reason and first stderr line.
fn execute(
    cmd: &str,
    timeout: Duration,
    work: &Path,
) -> (&'static str, Option<i32>, Option<String>, Option<String>) {
    let errf = work.join("stderr");
    let stderr = match std::fs::File::create(&errf) {
        Ok(f) => f,
        Err(e) => return ("errored", None, Some(format!("stderr file: {e}")), None),
    };
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        command.process_group(0);
    }
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return ("errored", None, Some(format!("cannot start sh: {e}")), None),
    };
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() >= timeout => {
                #[cfg(unix)]
                if let Ok(pid) = i32::try_from(child.id()) {
                    // SAFETY: kill(2) with a negative pid signals the process group the child leads (it was
                    // started with process_group(0)); no memory is involved.
                    unsafe {
                        libc::kill(-pid, libc::SIGKILL);
                    }
                }
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return ("errored", None, Some(format!("wait: {e}")), None),
        }
    };
    let err_text = std::fs::read(&errf)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let line = first_line(&err_text);
    let Some(status) = status else {
        return (
            "errored",
            None,
            Some(format!("timeout after {}s", timeout.as_secs_f64())),
            line,
        );
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(sig) = status.signal() {
            return (
                "errored",
                None,
                Some(format!("killed by signal {sig}")),
                line,
            );
        }
    }
    let code = status.code();
    match code {
        Some(0) => ("accepted", code, None, line),
        Some(125) => (
            "not-applicable",
            code,
            Some("exit 125: the validator cannot judge this kind of input".into()),
            line,
        ),
        Some(c @ (126 | 127)) => (
            "errored",
            code,
            Some(format!("exit {c}: the command could not be run")),
            line,
        ),
        Some(c @ 129..=192) => (
            "errored",
            code,
            Some(format!("exit {c}: killed by signal {}", c - 128)),
            line,
        ),
        _ => match crashed(&err_text) {
            Some(why) => ("errored", code, Some(why.into()), line),
            None => ("rejected", code, None, line),
        },
    }
}

fn run_one(e: &Entry, dir: &Path, o: &RunOptions) -> CaseResult {
    let mut r = CaseResult {
        id: e.id.clone(),
        document: e.document.clone(),
        kind: e.kind.clone(),
        verdict: e.verdict.clone(),
        outcome: "skipped".into(),
        status: None,
        reason: None,
        stderr: None,
        correct: None,
    };
    if e.spec != o.spec {
        r.reason = Some(format!("a case for spec {}", e.spec));
        return r;
    }
    if !e.portable {
        r.reason = Some(format!("ocicheck-specific: {}", e.requires.join(", ")));
        return r;
    }
    let Some(template) = o.commands.for_kind(&e.kind) else {
        r.outcome = "not-applicable".into();
        r.reason = Some(format!("{} does not read {}s", o.name, e.kind));
        return r;
    };
    let work = match TempDir::new("run") {
        Ok(t) => t,
        Err(err) => {
            r.outcome = "errored".into();
            r.reason = Some(err);
            return r;
        }
    };
    let tmp = work.0.join("tmp");
    if let Err(err) = std::fs::create_dir(&tmp) {
        r.outcome = "errored".into();
        r.reason = Some(format!("{}: {err}", tmp.display()));
        return r;
    }
    let cmd = expand(template, e, &dir.join(&e.path), &tmp);
    let (outcome, status, reason, stderr) = execute(&cmd, o.timeout, &work.0);
    r.outcome = outcome.into();
    r.status = status;
    r.reason = reason;
    // Paths of this machine (the export, the scratch directory) and log timestamps would make runs differ.
    r.stderr = stderr.map(|l| {
        let l = l
            .replace(&format!("{}/", dir.display()), "")
            .replace(&tmp.to_string_lossy().into_owned(), "{tmp}");
        match l
            .strip_prefix("time=\"")
            .and_then(|rest| rest.split_once("\" "))
        {
            Some((_, rest)) => rest.to_string(),
            None => l,
        }
    });
    r.correct = match (e.verdict.as_str(), outcome) {
        (_, "not-applicable") => None,
        (_, "errored") if e.verdict != "warn-should" => Some(false),
        ("valid", o) => Some(o == "accepted"),
        ("invalid-must", o) => Some(o == "rejected"),
        _ => None,
    };
    r
}

/// Run a validator over the export in `dir`.
pub fn run(dir: &Path, o: &RunOptions) -> Result<RunReport, String> {
    let manifest = super::export::read_manifest(dir)?;
    let dir = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cases = &manifest.cases;
    let results: Mutex<Vec<Option<CaseResult>>> = Mutex::new(vec![None; cases.len()]);
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..o.jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(e) = cases.get(i) else { break };
                    let r = run_one(e, &dir, o);
                    if let Ok(mut v) = results.lock()
                        && let Some(slot) = v.get_mut(i)
                    {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    let results: Vec<CaseResult> = results
        .into_inner()
        .map_err(|_| "a runner thread panicked".to_string())?
        .into_iter()
        .flatten()
        .collect();
    let mut documents: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for r in &results {
        documents.entry(r.document.clone()).or_default().add(r);
        total.add(r);
    }
    Ok(RunReport {
        format: RUN_FORMAT.into(),
        validator: o.name.clone(),
        commands: o.commands.clone(),
        spec: o.spec.clone(),
        timeout_seconds: o.timeout.as_secs_f64(),
        documents,
        total,
        results,
    })
}

fn frac(a: u32, b: u32) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{a}/{b}")
    }
}

/// The rows of the per-document matrix: document, valid accepted, MUST rejected, SHOULD rejected, errored, n/a,
/// score.
fn rows(r: &RunReport) -> Vec<[String; 7]> {
    let row = |name: &str, t: &Tally| {
        [
            name.to_string(),
            frac(t.valid_accepted, t.valid),
            frac(t.must_rejected, t.must),
            frac(t.should_rejected, t.should),
            t.errored.to_string(),
            t.not_applicable.to_string(),
            percent(t.score()),
        ]
    };
    let mut v: Vec<_> = r.documents.iter().map(|(d, t)| row(d, t)).collect();
    v.push(row("total", &r.total));
    v
}

const HEADER: [&str; 7] = [
    "document",
    "valid accepted",
    "MUST rejected",
    "SHOULD rejected",
    "errored",
    "n/a",
    "score",
];

fn commands_lines(r: &RunReport) -> Vec<String> {
    let mut v = Vec::new();
    for (k, c) in [
        ("layout", &r.commands.layout),
        ("archive", &r.commands.archive),
        ("document", &r.commands.document),
    ] {
        v.push(format!(
            "{k}: {}",
            c.as_deref().unwrap_or("(not applicable)")
        ));
    }
    v
}

/// The cases a validator got wrong or errored on, by class.
fn wrong(r: &RunReport) -> Vec<(&'static str, Vec<&CaseResult>)> {
    let pick = |f: &dyn Fn(&CaseResult) -> bool| r.results.iter().filter(|x| f(x)).collect();
    vec![
        (
            "valid inputs rejected",
            pick(&|x| x.verdict == "valid" && x.outcome == "rejected"),
        ),
        (
            "MUST violations accepted",
            pick(&|x| x.verdict == "invalid-must" && x.outcome == "accepted"),
        ),
        ("errored", pick(&|x| x.outcome == "errored")),
    ]
}

fn detail(x: &CaseResult) -> String {
    let mut parts = Vec::new();
    if let Some(s) = x.status {
        parts.push(format!("exit {s}"));
    }
    if let Some(r) = &x.reason {
        parts.push(r.clone());
    }
    if let Some(e) = &x.stderr {
        parts.push(e.clone());
    }
    parts.join(": ")
}

fn counts_line(r: &RunReport) -> String {
    let t = &r.total;
    let run = r.results.len() as u32 - t.skipped - t.not_applicable;
    format!(
        "{} cases: {run} run, {} not applicable, {} skipped (ocicheck-specific settings or spec other than {})",
        r.results.len(),
        t.not_applicable,
        t.skipped,
        r.spec
    )
}

/// The text matrix.
pub fn render_text(r: &RunReport) -> String {
    let mut s = format!("validator: {}\n", r.validator);
    for l in commands_lines(r) {
        s.push_str(&format!("  {l}\n"));
    }
    s.push_str(&counts_line(r));
    s.push_str("\n\n");
    let rows = rows(r);
    let mut w = [0usize; 7];
    for row in std::iter::once(&HEADER.map(String::from)).chain(&rows) {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    for row in std::iter::once(&HEADER.map(String::from)).chain(&rows) {
        let mut line = String::new();
        for (i, c) in row.iter().enumerate() {
            if i == 0 {
                line.push_str(&format!("{c:<width$}", width = w[0]));
            } else {
                line.push_str(&format!("  {c:>width$}", width = w[i]));
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    let (right, of) = r.total.score();
    s.push_str(&format!(
        "\nscore {} ({right}/{of}: valid inputs accepted and MUST violations rejected)\n",
        r.score_text()
    ));
    for (title, list) in wrong(r) {
        if list.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{title} ({}):\n", list.len()));
        for x in list {
            s.push_str(&format!("  {}  {}\n", x.id, detail(x)));
        }
    }
    s
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// The Markdown matrix of one run.
pub fn render_markdown(r: &RunReport) -> String {
    let mut s = format!("### {}\n\n", md_escape(&r.validator));
    for l in commands_lines(r) {
        s.push_str(&format!("- {}\n", md_escape(&l)));
    }
    s.push_str(&format!("\n{}\n\n", counts_line(r)));
    s.push_str(&format!("| {} |\n", HEADER.join(" | ")));
    s.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for row in rows(r) {
        s.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    for (title, list) in wrong(r) {
        if list.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "\n<details><summary>{title} ({})</summary>\n\n",
            list.len()
        ));
        for x in list {
            s.push_str(&format!("- `{}` {}\n", x.id, md_escape(&detail(x))));
        }
        s.push_str("\n</details>\n");
    }
    s
}

/// The JSON form of a run (what `compare` reads).
pub fn render_json(r: &RunReport) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
    s.push('\n');
    s
}

/// Read a run written by `render_json`.
pub fn read_run(path: &Path) -> Result<RunReport, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let r: RunReport =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if r.format != RUN_FORMAT {
        return Err(format!(
            "{}: format {:?}, expected {RUN_FORMAT:?}",
            path.display(),
            r.format
        ));
    }
    Ok(r)
}

/// Several runs side by side, in Markdown: one row per validator, then one table per document, then each
/// validator's disagreements with the corpus.
pub fn compare(runs: &[RunReport]) -> String {
    let mut s = String::from(
        "| validator | valid accepted | MUST rejected | SHOULD rejected | errored | n/a | score |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in runs {
        let t = &r.total;
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            md_escape(&r.validator),
            frac(t.valid_accepted, t.valid),
            frac(t.must_rejected, t.must),
            frac(t.should_rejected, t.should),
            t.errored,
            t.not_applicable,
            r.score_text()
        ));
    }
    let mut docs: Vec<&String> = runs.iter().flat_map(|r| r.documents.keys()).collect();
    docs.sort();
    docs.dedup();
    s.push_str("\nBy document (valid accepted · MUST rejected · errored; `n/a` where the validator does not read that kind of input):\n\n");
    s.push_str("| document |");
    for r in runs {
        s.push_str(&format!(" {} |", md_escape(&r.validator)));
    }
    s.push_str("\n|---|");
    for _ in runs {
        s.push_str("---:|");
    }
    s.push('\n');
    for d in docs {
        s.push_str(&format!("| {d} |"));
        for r in runs {
            let t = r.documents.get(d).copied().unwrap_or_default();
            let cell = if t.valid + t.must + t.should == 0 && t.not_applicable > 0 {
                "n/a".to_string()
            } else {
                format!(
                    "{} · {} · {}",
                    frac(t.valid_accepted, t.valid),
                    frac(t.must_rejected, t.must),
                    t.errored
                )
            };
            s.push_str(&format!(" {cell} |"));
        }
        s.push('\n');
    }
    s.push_str("\nCommand lines:\n\n");
    for r in runs {
        s.push_str(&format!("- **{}**\n", md_escape(&r.validator)));
        for l in commands_lines(r) {
            s.push_str(&format!("  - {}\n", md_escape(&l)));
        }
    }
    for r in runs {
        for (title, list) in wrong(r) {
            if list.is_empty() {
                continue;
            }
            s.push_str(&format!(
                "\n<details><summary>{}: {title} ({})</summary>\n\n",
                md_escape(&r.validator),
                list.len()
            ));
            for x in list {
                s.push_str(&format!("- `{}` {}\n", x.id, md_escape(&detail(x))));
            }
            s.push_str("\n</details>\n");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(quote("a'b"), r"'a'\''b'");
    }

    #[test]
    fn outcomes_from_exit_status() {
        let dir = std::env::temp_dir().join(format!("ocicheck-run-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let t = Duration::from_secs(5);
        assert_eq!(execute("true", t, &dir).0, "accepted");
        assert_eq!(execute("exit 1", t, &dir).0, "rejected");
        assert_eq!(execute("exit 125", t, &dir).0, "not-applicable");
        assert_eq!(execute("kill -9 $$", t, &dir).0, "errored");
        assert_eq!(execute("no-such-command-xyz", t, &dir).0, "errored");
        assert_eq!(
            execute("echo 'thread main panicked at x' >&2; exit 101", t, &dir).0,
            "errored"
        );
        let slow = execute("sleep 5", Duration::from_millis(100), &dir);
        assert_eq!(slow.0, "errored");
        assert!(slow.2.unwrap().starts_with("timeout"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
