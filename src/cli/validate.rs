//! `ocicheck validate A B C`: resolve the settings, validate each input, take out what ignores and a baseline
//! accept, write the reports, and exit with the worst status.

use std::path::PathBuf;
use std::process::ExitCode;

use ocicheck::Options;
use ocicheck::baseline::{self, Baseline};
use ocicheck::output::{self, ColorChoice, Format};
use ocicheck::report::Report;

pub struct Limits {
    pub max_json_size: u64,
    pub max_layer_ratio: u64,
    pub max_layer_size: u64,
    pub max_json_values: usize,
    pub max_json_total: u64,
    pub batch_images: usize,
    pub max_layer_entries: usize,
    pub max_findings: usize,
    pub max_stream_memory: u64,
    pub max_input_size: u64,
    pub max_blob_time: u64,
    pub max_time: u64,
    pub max_memory: u64,
}

pub struct Args {
    pub flags: ocicheck::config::Flags,
    pub paths: Vec<PathBuf>,
    pub refs: Vec<String>,
    pub platforms: Vec<String>,
    pub digests: Vec<String>,
    pub media_type: Option<String>,
    pub fast: bool,
    pub allow_incomplete: bool,
    pub shard: Option<ocicheck::shard::Shard>,
    /// `--format jsonl` (then `format` is `json`, for the checks of the other flags).
    pub jsonl: bool,
    pub resume: Option<PathBuf>,
    /// `--referrers`, `--insecure`, `--timeout` (docker:// inputs).
    pub remote: ocicheck::options::Remote,
    pub format: Format,
    pub output: Vec<String>,
    pub quiet: bool,
    pub color: ColorChoice,
    pub statistics: bool,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    pub jobs: Option<usize>,
    pub limits: Limits,
}

pub fn run(a: Args) -> Result<ExitCode, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("working directory: {e}"))?;
    if a.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err("`-` (stdin) can be given once".into());
    }
    let settings = ocicheck::config::resolve(&a.flags, &cwd)?;
    for skipped in &settings.skipped {
        super::out::eprint_line(&format!(
            "ocicheck: note: not reading {}: it lies inside an input being validated",
            skipped.display()
        ));
    }
    let (targets, warnings) = output::plan(a.format, &a.output, a.quiet)?;
    for w in &warnings {
        super::out::eprint_line(&format!("ocicheck: warning: {w}"));
    }
    if a.statistics && !matches!(a.format, Format::Human | Format::Concise | Format::Json) {
        return Err(format!(
            "--statistics prints a table or JSON: use it with --format human, concise or json, not {}",
            a.format.name()
        ));
    }
    let known = a
        .baseline
        .as_deref()
        .map(|p| Baseline::read(p).map(|b| (b, p.to_path_buf())))
        .transpose()?;
    let l = &a.limits;
    // Options is #[non_exhaustive] (the binary is another crate than the library): its fields are set one by one.
    let mut opts = Options::default();
    opts.spec = settings.spec;
    opts.profile = settings.profile;
    opts.progress = ocicheck::progress::Bar::for_stderr(a.quiet);
    opts.media_type = a.media_type.clone();
    opts.max_json_size = l.max_json_size;
    opts.max_layer_ratio = l.max_layer_ratio;
    opts.max_layer_size = l.max_layer_size;
    opts.max_json_values = l.max_json_values;
    opts.max_json_total = l.max_json_total;
    opts.batch_images = l.batch_images;
    opts.max_findings = l.max_findings;
    opts.max_layer_entries = l.max_layer_entries;
    opts.max_stream_memory = l.max_stream_memory;
    opts.max_input_size = l.max_input_size;
    opts.max_blob_time = std::time::Duration::from_secs(l.max_blob_time);
    opts.max_time = std::time::Duration::from_secs(l.max_time);
    opts.overrides = settings.overrides.clone();
    opts.content_graph = targets.iter().any(|t| t.format == Format::Html);
    // The human formats list the images only for a selection or a shard, which always keep the list.
    opts.list_images = a.jsonl || targets.iter().any(|t| t.format == Format::Json);
    opts.fast = a.fast;
    opts.max_memory = l.max_memory;
    opts.shard = a.shard;
    opts.remote = a.remote.clone();
    if let Some(j) = a.jobs {
        opts.jobs = j.max(1);
    }
    opts.select = ocicheck::select::Selection {
        refs: a.refs.clone(),
        platforms: a
            .platforms
            .iter()
            .map(|p| ocicheck::select::Platform::parse(p))
            .collect::<Result<_, _>>()?,
        digests: a.digests.clone(),
    };
    if a.resume.is_some() && !a.jsonl {
        return Err(
            "--resume reads the output of --format jsonl: use it with --format jsonl".into(),
        );
    }
    if a.jsonl {
        if !a.output.is_empty()
            || a.baseline.is_some()
            || a.write_baseline.is_some()
            || a.statistics
        {
            return Err(
                "--format jsonl writes to stdout alone: not with --output, --baseline, --write-baseline or --statistics"
                    .into(),
            );
        }
        if let Some(p) = a.paths.iter().find(|p| {
            p.to_str().is_some_and(|s| s.starts_with("docker://"))
                && ocicheck::catalog::catalogue_of(p).is_none()
        }) {
            return Err(format!(
                "--format jsonl streams a layout, an archive or a registry's catalogue (docker://HOST) image by image; {} is validated whole: use --format json",
                p.display()
            ));
        }
        return super::jsonl::run(
            &a.paths,
            &opts,
            a.resume.as_deref(),
            settings.fail_on,
            a.allow_incomplete,
        );
    }
    let recorded = settings.settings(a.fast, l.max_findings, a.baseline.as_deref());
    let mut reports: Vec<Report> = Vec::with_capacity(a.paths.len());
    for path in &a.paths {
        let mut report = ocicheck::validate(path, &opts).map_err(|e| e.to_string())?;
        baseline::apply(
            &mut report,
            &settings.ignores,
            known.as_ref().map(|(b, p)| (b, p.as_path())),
            a.paths.len(),
        );
        report.settings = Some(recorded.clone());
        if let Some(inc) = &mut report.incomplete {
            inc.allowed = a.allow_incomplete;
        }
        reports.push(report);
    }
    if let Some(path) = &a.write_baseline {
        let b = Baseline::of(&reports);
        std::fs::write(path, b.to_json()).map_err(|e| format!("{}: {e}", path.display()))?;
        let n: usize = b.inputs.iter().map(|i| i.findings.len()).sum();
        let unlisted: usize = reports.iter().map(|r| r.summary.not_listed).sum();
        super::out::eprint_line(&format!(
            "ocicheck: wrote {n} finding(s) to the baseline {}{}",
            path.display(),
            if unlisted > 0 {
                format!(
                    "; {unlisted} more were counted but not listed, so not recorded: raise --max-findings"
                )
            } else {
                String::new()
            }
        ));
    }
    let cx = output::Context {
        opts: &opts,
        fail_on: settings.fail_on,
        color: false,
        cwd: Some(&cwd),
    };
    for t in &targets {
        match &t.file {
            Some(path) => {
                let text = output::render(t.format, &reports, &cx);
                std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            None if a.statistics => {
                super::out::print(&if t.format == Format::Json {
                    ocicheck::report::statistics::json(&reports)
                } else {
                    ocicheck::report::statistics::text(&reports)
                })?;
            }
            None => {
                let color = t.format == Format::Human && output::stdout_color(a.color);
                let cx = output::Context { color, ..cx };
                super::out::print(&output::render(t.format, &reports, &cx))?;
            }
        }
    }
    // A limit kept part of an input from being checked: never a pass, whatever the findings say.
    let mut incomplete = false;
    for r in &reports {
        if let Some(inc) = r.incomplete.as_ref().filter(|i| !i.allowed) {
            incomplete = true;
            super::out::eprint_line(&format!("ocicheck: {}: {}", r.input.path, inc.message));
        }
    }
    if incomplete {
        return Ok(ExitCode::from(2));
    }
    let fails = reports.iter().any(|r| r.fails(settings.fail_on));
    Ok(if fails && a.write_baseline.is_none() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
