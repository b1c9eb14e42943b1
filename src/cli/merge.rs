//! `ocicheck merge A.json B.json …`: read the shards' JSON reports, merge them ([`ocicheck::merge`]), print the
//! JSON report of the whole run, and exit 1 when its findings reach `--fail-on`.

use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(paths: &[PathBuf], fail_on: &str) -> Result<ExitCode, String> {
    let mut reports = Vec::with_capacity(paths.len());
    for p in paths {
        let name = p.display().to_string();
        let text = std::fs::read(p).map_err(|e| format!("{name}: {e}"))?;
        let v: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| format!("{name}: not a JSON report: {e}"))?;
        reports.push((name, v));
    }
    let merged = ocicheck::merge::merge(&reports).map_err(|e| e.to_string())?;
    let mut text = serde_json::to_string_pretty(&merged).map_err(|e| e.to_string())?;
    text.push('\n');
    crate::cli::out::print(&text)?;
    let threshold = match fail_on {
        "error" => Some(ocicheck::rule::Severity::Error),
        "warning" => Some(ocicheck::rule::Severity::Warning),
        "info" => Some(ocicheck::rule::Severity::Info),
        _ => None,
    };
    let count = |k: &str| merged["summary"][k].as_u64().unwrap_or(0);
    let worst = if count("errors") > 0 {
        Some(ocicheck::rule::Severity::Error)
    } else if count("warnings") > 0 {
        Some(ocicheck::rule::Severity::Warning)
    } else if count("infos") > 0 {
        Some(ocicheck::rule::Severity::Info)
    } else {
        None
    };
    // A shard that a limit kept from checking everything: the whole run is incomplete.
    if let Some(i) = merged.get("incomplete")
        && i["allowed"] != true
    {
        crate::cli::out::eprint_line(&format!(
            "ocicheck: {}",
            i["message"].as_str().unwrap_or("incomplete")
        ));
        return Ok(ExitCode::from(2));
    }
    let fails = threshold.is_some_and(|t| worst.is_some_and(|w| w >= t));
    Ok(if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
