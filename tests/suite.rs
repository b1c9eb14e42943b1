//! The corpus as a product: `conformance list`, `export` and `run`.

use std::collections::BTreeSet;
use std::process::Command;

use ocicheck::suite;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ocicheck"))
}

#[test]
fn export_materialises_every_case_and_ocicheck_scores_100_percent() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("corpus");
    let out = bin()
        .args(["conformance", "export"])
        .arg(&dir)
        .output()
        .expect("run ocicheck");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let manifest = suite::export::read_manifest(&dir).expect("index.json");
    let cases = ocicheck::corpus::load_all(&ocicheck::corpus::root()).expect("corpus");
    assert_eq!(manifest.cases.len(), cases.len());
    for e in &manifest.cases {
        assert!(dir.join(&e.path).exists(), "{}: {} missing", e.id, e.path);
    }
    // The empty directory git cannot keep is there.
    assert!(dir.join("valid/empty-index/layout/blobs").is_dir());
    let tsv = std::fs::read_to_string(dir.join("cases.tsv")).expect("cases.tsv");
    assert_eq!(tsv.lines().count(), cases.len() + 1);
    assert!(
        tsv.lines()
            .skip(1)
            .all(|l| l.split('\t').count() == tsv.lines().next().unwrap_or("").split('\t').count())
    );

    // The done criterion of the suite: ocicheck itself, as any validator would be run.
    let validator = format!("{} validate {{}}", env!("CARGO_BIN_EXE_ocicheck"));
    let out = bin()
        .args(["conformance", "run", "--format", "json", "--dir"])
        .arg(&dir)
        .args(["--validator", &validator, "--name", "ocicheck"])
        .output()
        .expect("run ocicheck");
    let report: suite::run::RunReport =
        serde_json::from_slice(&out.stdout).expect("a JSON run report");
    let wrong: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.correct == Some(false) || r.outcome == "errored")
        .map(|r| format!("{} {} {:?} {:?}", r.id, r.outcome, r.reason, r.stderr))
        .collect();
    assert!(
        wrong.is_empty(),
        "ocicheck gets these wrong:\n{}",
        wrong.join("\n")
    );
    assert!(report.perfect() && out.status.success());
    assert!(report.total.valid >= 30, "fewer than 30 valid cases run");
    // SHOULD cases are accepted: ocicheck fails only on errors by default, except on the cases listed in
    // conformance/tools/KNOWN-FALSE-POSITIVES.md (whose expectation is the truth ocicheck does not meet yet).
    let known: BTreeSet<String> = ocicheck::corpus::known::load(&ocicheck::corpus::root())
        .expect("known false positives")
        .into_iter()
        .filter(|k| k.kind == ocicheck::corpus::known::Kind::Skipped)
        .map(|k| k.case)
        .collect();
    let rejected: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.verdict == "warn-should" && r.outcome == "rejected" && !known.contains(&r.id))
        .map(|r| r.id.as_str())
        .collect();
    assert!(rejected.is_empty(), "SHOULD cases rejected: {rejected:?}");
}

#[test]
fn list_json_describes_every_case() {
    let out = bin()
        .args(["conformance", "list", "--format", "json"])
        .output()
        .expect("run ocicheck");
    assert!(out.status.success());
    let m: suite::Manifest = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(m.format, suite::MANIFEST_FORMAT);
    let valid = m.cases.iter().filter(|e| e.verdict == "valid").count();
    assert!(valid >= 30, "{valid} valid cases");
    for e in &m.cases {
        assert!(["layout", "archive", "document"].contains(&e.kind.as_str()));
        assert!(["valid", "invalid-must", "warn-should"].contains(&e.verdict.as_str()));
        // Valid: nothing expected, or only infos (what the spec allows, such as a sparse layout).
        if e.expect.is_empty() {
            assert_eq!(e.verdict, "valid", "{}", e.id);
        }
        if e.verdict == "valid" {
            for c in &e.expect {
                assert!(
                    ocicheck::rules::by_code(c)
                        .is_some_and(|r| r.severity == ocicheck::rule::Severity::Info),
                    "{}: a valid case expects {c}, which is not an info",
                    e.id
                );
            }
        }
    }
}

/// MUST and SHOULD cases kept apart: every rule that reports an error by default has a case that expects an
/// error of it (an `invalid-must` case), every rule that warns has a `warn-should` case, where no error is
/// expected along with it, and every info has a case where nothing worse is expected (`valid`, or `warn-should`
/// when the case raises it).
#[test]
fn must_and_should_rules_have_cases_of_their_own_level() {
    let entries = suite::entries(&ocicheck::corpus::root()).expect("corpus");
    // The REG rules judge what a registry serves, which no corpus case has: their cases are the tests of
    // tests/registry.rs, against a real registry and a fault-injecting proxy. Each must be named there.
    // (tests/catalog.rs has those of a catalogue run's tag lists.)
    let registry_tests = ["tests/registry.rs", "tests/catalog.rs"]
        .map(|f| {
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f))
                .unwrap_or_default()
        })
        .concat();
    let mut missing = Vec::new();
    for r in ocicheck::rules::all() {
        if r.code.starts_with("REG") {
            if !registry_tests.contains(&format!("\"{}\"", r.code)) {
                missing.push(format!(
                    "{}: no test in tests/registry.rs or tests/catalog.rs expects it",
                    r.code
                ));
            }
            continue;
        }
        let want = match r.severity {
            ocicheck::rule::Severity::Error => "invalid-must",
            _ => "warn-should",
        };
        let levels: BTreeSet<&str> = entries
            .iter()
            .filter(|e| e.expect.iter().any(|c| c == r.code))
            .map(|e| e.verdict.as_str())
            .collect();
        if r.severity == ocicheck::rule::Severity::Info {
            if !levels.contains("valid") && !levels.contains("warn-should") {
                missing.push(format!("{} (info): cases {levels:?}", r.code));
            }
            continue;
        }
        // Rules off by default (or on only for another spec) are switched on as warnings by their cases.
        if !levels.contains(want) && !levels.contains("warn-should") {
            missing.push(format!("{} ({want}): cases {levels:?}", r.code));
        }
        if r.severity != ocicheck::rule::Severity::Error && !levels.contains("warn-should") {
            missing.push(format!("{}: no warn-should case", r.code));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn run_counts_not_applicable_and_errored_apart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("corpus");
    suite::export(&ocicheck::corpus::root(), &dir).expect("export");
    // A "validator" that accepts layouts, crashes on archives and does not read documents.
    let o = suite::run::RunOptions {
        name: "toy".into(),
        commands: suite::run::Commands {
            layout: Some("true {}".into()),
            archive: Some("kill -9 $$".into()),
            document: None,
        },
        timeout: std::time::Duration::from_secs(30),
        jobs: 2,
        spec: "v1.1.1".into(),
    };
    let r = suite::run::run(&dir, &o).expect("run");
    let n = |kind: &str, outcome: &str| {
        r.results
            .iter()
            .filter(|x| x.kind == kind && x.outcome == outcome)
            .count()
    };
    assert!(n("document", "not-applicable") > 0);
    assert!(n("archive", "errored") > 0);
    assert_eq!(n("archive", "errored"), r.total.errored as usize);
    assert_eq!(
        r.total.valid_accepted,
        r.documents.values().map(|t| t.valid_accepted).sum::<u32>()
    );
    assert!(!r.perfect());
    let text = suite::run::render_text(&r);
    assert!(text.contains("MUST violations accepted"));
    let md = suite::run::render_markdown(&r);
    assert!(md.contains("| total |"));
}
