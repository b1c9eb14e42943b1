//! image-spec's own JSON Schema fixtures (`testdata/upstream-fixtures`: extracted from `schema/*_test.go` at
//! v1.1.1, kept in step with the shared folder by `scripts/sync-shared.sh`) run through ocicheck, each as a
//! single document of the media type `index.tsv` gives.
//!
//! Upstream's verdict is what its schemas say; ours follows the prose. A fixture is "valid" for us when no finding
//! has severity error. Every fixture where the two verdicts differ must be listed in [`DISAGREEMENTS`] with the
//! clause that justifies our verdict; the test fails on a disagreement that is not listed, and on a listed one that
//! no longer disagrees (so the table never goes stale).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ocicheck::Options;
use ocicheck::rule::Severity;

/// Fixtures on which ocicheck knowingly disagrees with upstream: (fixture, clause id that justifies our verdict,
/// why).
const DISAGREEMENTS: &[(&str, &str, &str)] = &[(
    "manifest/TestManifest-05.json",
    "manifest-020",
    "`layers: []` fails upstream's schema (minItems 1), but the prose only says layers SHOULD have an entry: \
         we warn (MAN009) and do not fail",
)];

struct Fixture {
    file: String,
    media_type: String,
    /// `valid` or `invalid`.
    expected: String,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/upstream-fixtures")
}

fn load_index() -> Vec<Fixture> {
    let dir = fixtures_dir();
    let path = dir.join("index.tsv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        panic!("{} is missing", path.display());
    };
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 3, "index.tsv: malformed row {l:?}");
            Fixture {
                file: cols[0].to_string(),
                media_type: cols[1].to_string(),
                expected: cols[2].to_string(),
            }
        })
        .collect()
}

/// Our verdict on one fixture, with the codes of its error findings (for the failure message).
fn our_verdict(f: &Fixture) -> (&'static str, Vec<String>) {
    let path = fixtures_dir().join(&f.file);
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let opts = Options::builder()
        .media_type(f.media_type.clone())
        .build()
        .expect("options");
    let report = ocicheck::validate_document(&name, &f.file, bytes, &opts)
        .unwrap_or_else(|e| panic!("{}: ocicheck could not validate it: {e}", f.file));
    let errors: BTreeSet<String> = report
        .findings
        .iter()
        .filter(|x| x.severity == Severity::Error)
        .map(|x| x.code.to_string())
        .collect();
    let verdict = if errors.is_empty() {
        "valid"
    } else {
        "invalid"
    };
    (verdict, errors.into_iter().collect())
}

#[test]
fn upstream_fixtures_agree_except_where_listed() {
    let fixtures = load_index();
    assert!(!fixtures.is_empty(), "index.tsv lists no fixture");
    let listed: BTreeMap<&str, (&str, &str)> = DISAGREEMENTS
        .iter()
        .map(|(file, clause, why)| (*file, (*clause, *why)))
        .collect();
    let mut problems = Vec::new();
    for f in &fixtures {
        assert!(
            f.expected == "valid" || f.expected == "invalid",
            "{}: unknown upstream verdict {:?}",
            f.file,
            f.expected
        );
        let (ours, errors) = our_verdict(f);
        let disagrees = ours != f.expected;
        match (disagrees, listed.get(f.file.as_str())) {
            (true, None) => problems.push(format!(
                "{}: upstream says {}, ocicheck says {ours} (errors: {}); fix the rule or list it in DISAGREEMENTS with its clause",
                f.file,
                f.expected,
                if errors.is_empty() {
                    "none".to_string()
                } else {
                    errors.join(" ")
                }
            )),
            (false, Some((clause, _))) => problems.push(format!(
                "{}: listed as a disagreement ({clause}) but both now say {ours}; remove it from DISAGREEMENTS",
                f.file
            )),
            _ => {}
        }
    }
    for file in listed.keys() {
        if !fixtures.iter().any(|f| f.file == *file) {
            problems.push(format!(
                "{file}: listed in DISAGREEMENTS but not in index.tsv"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "upstream fixtures:\n{}",
        problems.join("\n")
    );
}

#[test]
fn disagreement_table_is_well_formed() {
    let mut seen = BTreeSet::new();
    for (file, clause, why) in DISAGREEMENTS {
        assert!(seen.insert(*file), "{file} is listed twice");
        assert!(
            ocicheck::clauses::lookup(clause).is_some(),
            "{file}: unknown clause {clause}"
        );
        assert!(!why.trim().is_empty(), "{file}: no reason given");
    }
}
