//! `--format jsonl`: one JSON object per line, written as each image of a layout finishes
//! ([`ocicheck::steps`]) or each image of a registry's catalogue ([`ocicheck::catalog::stream`]: K counts its
//! images in run order, a repository's tag list last after its images), and `--resume FILE` to skip the images a
//! previous run's lines say are done.
//!
//! The lines: `{"input", "image": K, "finding": {…}}` (K the image's position in `index.json`; `"layout": true`
//! instead for the layout-level checks), `{"input", "image": K, "not_listed": {…}}`, then once the image is done
//! `{"input", "image": K, "limit": {…}}` for a limit that kept part of the image from being checked, then once the
//! image is done `{"input", "image": {"position", "digest", "ref"}, "done": true, "summary": {…}}` (or `"layout":
//! true, "done": true`); last, `{"summary": {…}, "resumed": N}` with the counts of the whole run, those of resumed
//! images included, and `"incomplete": {…}` (as in the JSON report) when a limit was hit: exit status 2 then,
//! unless `--allow-incomplete`.
//! An image's findings are written together, just before its done line: when a run dies, the findings of an image
//! without a done line are written again by the resumed run, so a reader keeps only those of done images.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ocicheck::Options;
use ocicheck::report::{Incomplete, LimitHit, Summary};
use ocicheck::rule::Severity;
use ocicheck::shard::Image;
use ocicheck::steps::{Event, Resume};
use serde_json::{Value, json};

/// What a previous run's lines say, per input: the images done and the counts of their findings.
#[derive(Default)]
struct Previous {
    resume: Resume,
    summary: Summary,
    /// The limits the done images hit.
    limits: Vec<LimitHit>,
}

fn read_resume(path: &Path) -> Result<HashMap<String, Previous>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut done: HashMap<String, Previous> = HashMap::new();
    let mut findings: Vec<(String, Option<u64>, String, u64)> = Vec::new();
    let mut limits: Vec<(String, Option<u64>, LimitHit)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        // A line cut short by a run that died is not an error: that image is simply done again.
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let input = v["input"].as_str().unwrap_or_default().to_string();
        if v["done"] == true {
            let p = done.entry(input).or_default();
            if v["layout"] == true {
                p.resume.layout = true;
            } else if let Some(k) = v["image"]["position"].as_u64() {
                let digest = v["image"]["digest"].as_str().map(str::to_string);
                p.resume.done.insert((k as usize, digest));
            }
        } else if let Some(f) = v.get("finding") {
            let sev = f["severity"].as_str().unwrap_or_default().to_string();
            findings.push((input, v["image"].as_u64(), sev, 1));
        } else if let Some(l) = v.get("limit").and_then(ocicheck::merge::limit_of) {
            limits.push((input, v["image"].as_u64(), l));
        } else if let Some(n) = v.get("not_listed") {
            let sev = n["severity"].as_str().unwrap_or_default().to_string();
            findings.push((
                input,
                v["image"].as_u64(),
                sev,
                n["count"].as_u64().unwrap_or(0),
            ));
        }
    }
    // Count the findings of what is done (once: a finding line of an image done twice counts twice, which a
    // resumed run never writes).
    for (input, image, sev, n) in findings {
        let Some(p) = done.get_mut(&input) else {
            continue;
        };
        let is_done = match image {
            Some(k) => p.resume.done.iter().any(|(pos, _)| *pos as u64 == k),
            None => p.resume.layout,
        };
        if is_done {
            let n = n as usize;
            match sev.as_str() {
                "error" => p.summary.errors += n,
                "warning" => p.summary.warnings += n,
                "info" => p.summary.infos += n,
                _ => {}
            }
        }
    }
    for (input, image, l) in limits {
        if let Some(p) = done.get_mut(&input)
            && match image {
                Some(k) => p.resume.done.iter().any(|(pos, _)| *pos as u64 == k),
                None => p.resume.layout,
            }
        {
            p.limits.push(l);
        }
    }
    Ok(done)
}

fn image_json(i: &Image) -> Value {
    json!({ "position": i.position, "digest": i.digest, "ref": i.ref_name })
}

pub fn run(
    paths: &[PathBuf],
    opts: &Options,
    resume: Option<&Path>,
    fail_on: Option<Severity>,
    allow_incomplete: bool,
) -> Result<ExitCode, String> {
    let previous = match resume {
        Some(p) => read_resume(p)?,
        None => HashMap::new(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut total = Summary::default();
    let mut resumed = 0;
    let mut limits: Vec<LimitHit> = Vec::new();
    let mut io_error: Option<std::io::Error> = None;
    for path in paths {
        let input = path.display().to_string();
        let prev = previous.get(&input);
        let empty = Resume::default();
        let r = prev.map_or(&empty, |p| &p.resume);
        resumed += r.done.len();
        if let Some(p) = prev {
            total = Summary::sum([&total, &p.summary]);
            limits.extend(p.limits.iter().cloned());
        }
        let mut line = |v: Value| {
            if io_error.is_none()
                && let Err(e) = writeln!(out, "{v}").and_then(|()| {
                    // Each image's lines reach the file when it is done, not when the buffer fills.
                    if v["done"] == true {
                        out.flush()
                    } else {
                        Ok(())
                    }
                })
            {
                io_error = Some(e);
            }
        };
        let mut emit = |e: Event| {
            let at = |i: Option<&Image>| match i {
                Some(i) => ("image", json!(i.position)),
                None => ("layout", json!(true)),
            };
            match e {
                Event::Finding(i, f) => {
                    let (k, v) = at(i);
                    line(json!({ "input": input, k: v, "finding": f }));
                }
                Event::NotListed(i, n) => {
                    let (k, v) = at(i);
                    line(json!({ "input": input, k: v, "not_listed": n }));
                }
                Event::Limit(i, l) => {
                    let (k, v) = at(i);
                    line(json!({ "input": input, k: v, "limit": l }));
                    limits.push(l.clone());
                }
                Event::Done(Some(i), s) => {
                    line(
                        json!({ "input": input, "image": image_json(i), "done": true, "summary": s }),
                    );
                }
                Event::Done(None, s) => {
                    line(json!({ "input": input, "layout": true, "done": true, "summary": s }));
                }
            }
        };
        let streamed =
            match ocicheck::catalog::stream(path, opts, r, &mut emit).map_err(|e| e.to_string())? {
                Some(s) => Some(s),
                None => ocicheck::steps::validate_steps(path, opts, r, &mut emit)
                    .map_err(|e| e.to_string())?,
            };
        let summary = match streamed {
            Some(s) => s,
            None => {
                // Not a layout: validated whole, its findings as the layout's.
                let report = ocicheck::validate(path, opts).map_err(|e| e.to_string())?;
                for f in &report.findings {
                    emit(Event::Finding(None, f));
                }
                for n in &report.not_listed {
                    emit(Event::NotListed(None, n));
                }
                for l in report.incomplete.iter().flat_map(|i| &i.limits) {
                    emit(Event::Limit(None, l));
                }
                emit(Event::Done(None, &report.summary));
                report.summary
            }
        };
        total = Summary::sum([&total, &summary]);
    }
    let count = limits.len();
    let incomplete = Incomplete::of(limits, count).map(|mut i| {
        i.allowed = allow_incomplete;
        i
    });
    let mut last = json!({ "summary": total, "resumed": resumed });
    if let Some(i) = &incomplete {
        last["incomplete"] = json!(i);
    }
    if io_error.is_none()
        && let Err(e) = writeln!(out, "{last}").and_then(|()| out.flush())
    {
        io_error = Some(e);
    }
    match io_error {
        // The reader has gone (`… | head`): the run ends as if its output had been read.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Some(e) => return Err(format!("cannot write to stdout: {e}")),
        None => {}
    }
    if let Some(i) = incomplete.filter(|i| !i.allowed) {
        super::out::eprint_line(&format!("ocicheck: {}", i.message));
        return Ok(ExitCode::from(2));
    }
    let fails = fail_on.is_some_and(|t| total.worst().is_some_and(|w| w >= t));
    Ok(if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
