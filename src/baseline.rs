//! Baselines (`--write-baseline FILE`, `--baseline FILE`) and the `[[ignore]]` entries of `ocicheck.toml`: which
//! findings of a report are already known and accepted, so that CI fails only on new ones.
//!
//! A baseline records each finding by its SARIF fingerprint (`partialFingerprints["ocicheck/v1"]`, see
//! [`crate::report::sarif`]), which follows the finding's place in the content graph rather than digests, so a
//! rebuilt image keeps its known findings known. Findings are grouped by input (the path as given); when the
//! baseline and the run both have a single input, it applies whatever the path, so a renamed build directory
//! keeps its baseline.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::settings::Ignore;
use crate::report::{Report, Suppressed, sarif};

pub const FORMAT: &str = "ocicheck-baseline/1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Baseline {
    pub format: String,
    /// The ocicheck version that wrote it.
    pub tool: String,
    pub inputs: Vec<BaselineInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BaselineInput {
    pub input: String,
    pub findings: Vec<Known>,
}

/// One known finding: its fingerprint, and what it was, for a person reading the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Known {
    pub fingerprint: String,
    pub code: String,
    pub file: String,
    pub message: String,
}

impl Baseline {
    /// The baseline of reports (after ignores).
    pub fn of(reports: &[Report]) -> Baseline {
        Baseline {
            format: FORMAT.into(),
            tool: crate::TOOL.version.into(),
            inputs: reports
                .iter()
                .map(|r| BaselineInput {
                    input: r.input.path.clone(),
                    findings: r
                        .findings
                        .iter()
                        .zip(sarif::fingerprints(r))
                        .map(|(f, fp)| Known {
                            fingerprint: fp,
                            code: f.code.into(),
                            file: f.location.file.clone(),
                            message: f.message.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }

    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an ocicheck baseline: {e}", path.display()))?;
        if b.format != FORMAT {
            return Err(format!(
                "{}: format {:?}, expected {FORMAT:?}",
                path.display(),
                b.format
            ));
        }
        Ok(b)
    }

    /// The fingerprints known for an input of a run of `inputs` inputs.
    fn known(&self, input: &str, inputs: usize) -> HashSet<&str> {
        let entry = self
            .inputs
            .iter()
            .find(|i| i.input == input)
            .or_else(|| (inputs == 1 && self.inputs.len() == 1).then(|| &self.inputs[0]));
        entry
            .map(|e| e.findings.iter().map(|k| k.fingerprint.as_str()).collect())
            .unwrap_or_default()
    }
}

/// Take out of `report` the findings an ignore entry matches, then those the baseline knows; record how many in
/// `report.suppressed` and count again. Fingerprints are those of the report as it came (a finding keeps its
/// fingerprint however many others are taken out), and stay with the findings left (`report.fingerprints`).
pub fn apply(
    report: &mut Report,
    ignores: &[Ignore],
    baseline: Option<(&Baseline, &Path)>,
    inputs: usize,
) {
    let fps = sarif::fingerprints(report);
    let known = baseline.map(|(b, _)| b.known(&report.input.path, inputs));
    let mut sup = Suppressed {
        baseline: baseline.map(|(_, p)| p.display().to_string()),
        ..Suppressed::default()
    };
    let input = report.input.path.clone();
    let mut keep_fps = Vec::with_capacity(fps.len());
    let findings = std::mem::take(&mut report.findings);
    for (f, fp) in findings.into_iter().zip(fps) {
        if ignores.iter().any(|i| i.matches(&input, &f)) {
            sup.ignored += 1;
            continue;
        }
        if known.as_ref().is_some_and(|k| k.contains(fp.as_str())) {
            sup.baselined += 1;
            continue;
        }
        report.findings.push(f);
        keep_fps.push(fp);
    }
    // Counted findings that were not listed have no fingerprint: an ignore matches them by code and file.
    report.not_listed.retain(|n| {
        let hit = ignores.iter().any(|i| {
            i.code.eq_ignore_ascii_case(n.code)
                && i.pointer.is_none()
                && i.file.as_deref().is_none_or(|p| match p.strip_suffix('*') {
                    Some(prefix) => n.file.starts_with(prefix),
                    None => p == n.file,
                })
                && i.input.as_deref().is_none_or(|x| x == input)
        });
        if hit {
            sup.ignored += n.count;
        }
        !hit
    });
    report.fingerprints = Some(keep_fps);
    if !ignores.is_empty() || baseline.is_some() {
        report.suppressed = Some(sup);
    }
    report.recount();
}
