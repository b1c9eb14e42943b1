//! `--fast` (structure, digests and sizes; no layer decompression): over the whole corpus, a fast run reports
//! exactly what a full run reports minus the findings of the rules that read layer contents, and every output
//! format says what was not checked.

use std::path::Path;

use ocicheck::corpus::{self, CaseKind};
use ocicheck::report::{Finding, Report, catalogue};
use ocicheck::rules;
use ocicheck::source::{dir::DirSource, fault::FaultSource};
use ocicheck::{Options, validate_layout};

fn reads_contents(code: &str) -> bool {
    rules::by_code(code).is_some_and(rules::layer::reads_layer_contents)
}

/// A layout or archive case validated with `opts` (`None` for single documents).
fn run(case: &corpus::Case, root: &Path, opts: &Options) -> Option<Report> {
    match case.file.kind {
        CaseKind::Layout => {
            let src = DirSource::open(&case.input_path()).unwrap_or_else(|e| panic!("{e}"));
            let src = FaultSource {
                inner: &src,
                unreadable: case.file.options.unreadable.clone(),
            };
            Some(validate_layout(&src, &case.display_path(), opts))
        }
        CaseKind::Archive => Some(
            case.validate_archive(root, opts)
                .unwrap_or_else(|e| panic!("{e}")),
        ),
        CaseKind::Document => None,
    }
}

#[test]
fn fast_reports_all_but_what_reads_layer_contents() {
    let root = corpus::root();
    let cases = corpus::load_all(&root).unwrap_or_else(|e| panic!("{e}"));
    let (mut compared, mut with_layer_findings) = (0, 0);
    let mut problems = Vec::new();
    for case in &cases {
        let full_opts = case.options().unwrap_or_else(|e| panic!("{e}"));
        let mut fast_opts = full_opts.clone();
        fast_opts.fast = true;
        let Some(full) = run(case, &root, &full_opts) else {
            continue;
        };
        let Some(fast) = run(case, &root, &fast_opts) else {
            continue;
        };
        compared += 1;
        assert!(full.skipped.is_none(), "{}", case.id);
        let Some(sk) = &fast.skipped else {
            problems.push(format!(
                "{}: the fast report does not say what it skipped",
                case.id
            ));
            continue;
        };
        if sk.rules.iter().any(|c| !reads_contents(c)) || sk.rules.is_empty() {
            problems.push(format!(
                "{}: rules listed as not run: {:?}",
                case.id, sk.rules
            ));
        }
        let want: Vec<&Finding> = full
            .findings
            .iter()
            .filter(|f| !reads_contents(f.code))
            .collect();
        if want.len() < full.findings.len() {
            with_layer_findings += 1;
        }
        let got: Vec<&Finding> = fast.findings.iter().collect();
        if got != want {
            let show = |v: &[&Finding]| {
                v.iter()
                    .map(|f| format!("  {} {} {}", f.code, f.location.display(), f.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            problems.push(format!(
                "{}:\n full run less layer-content rules:\n{}\n fast run:\n{}",
                case.id,
                show(&want),
                show(&got)
            ));
        }
    }
    println!(
        "{compared} cases compared, {with_layer_findings} with findings of layer-content rules"
    );
    assert!(compared > 300, "only {compared} cases compared");
    assert!(with_layer_findings > 20, "only {with_layer_findings}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_format_says_what_fast_left_out() {
    let root = corpus::root();
    let case = corpus::load_all(&root)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|c| c.id == "valid/mixed-compression-layers")
        .expect("the case exists");
    let mut opts = case.options().unwrap_or_else(|e| panic!("{e}"));
    opts.fast = true;
    let report = run(&case, &root, &opts).expect("a layout");
    let sk = report.skipped.as_ref().expect("skipped");
    assert_eq!(sk.option, "--fast");
    assert!(sk.layers >= 2 && sk.layer_bytes > 0, "{sk:?}");
    assert!(sk.rules.contains(&"LYR007") && !sk.rules.contains(&"LYR024"));

    let human = ocicheck::report::human::render(&report);
    assert!(human.contains("note: --fast: "), "{human}");
    assert!(
        human.contains("(layer contents not checked: --fast)"),
        "{human}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&ocicheck::report::json::render(&report)).expect("JSON");
    assert_eq!(json["skipped"]["layers"], sk.layers);
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/report.schema.json")).expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    let infos = catalogue::rule_infos(&opts, report.input.kind);
    let junit = ocicheck::report::junit::render(&report, &infos, None);
    let doc = roxmltree::Document::parse(&junit).expect("XML");
    let skipped: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .filter_map(|n| n.parent()?.attribute("name")?.split(' ').next())
        .collect();
    assert_eq!(skipped, sk.rules, "{junit}");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("suite");
    assert_eq!(
        suite.attribute("skipped"),
        Some(sk.rules.len().to_string().as_str())
    );

    let sarif: serde_json::Value =
        serde_json::from_str(&ocicheck::report::sarif::render(&report, &infos)).expect("JSON");
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
        sk.message.as_str()
    );

    let github = ocicheck::report::github::render(&report);
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::notice title=ocicheck --fast::")),
        "{github}"
    );
}
