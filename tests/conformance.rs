//! The corpus runner: one named trial per case under `conformance/`.
//!
//! For each case: a generated case's committed bytes must equal what its recipe builds (so no case is hand-edited
//! out of step with its description); the validator must report exactly the expected codes (checked first, so a
//! snapshot can never be accepted while showing the wrong rule); then the human report is compared with the
//! case's `report.snap`, which a person has read.
//!
//! Also: every rule in the catalogue is expected by at least one case.

use std::collections::BTreeSet;
use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use ocicheck::corpus::{self, Case, CaseKind};
use ocicheck::report::Report;

fn run_case(case: &Case, root: &Path) -> Result<Report, Failed> {
    let opts = case.options()?;
    let built = case.build(root)?;
    let display = case.display_path();
    match (case.file.kind, built) {
        (CaseKind::Layout, Some(built)) => {
            let committed = corpus::recipe::read_tree(&case.input_path()).unwrap_or_default();
            if !corpus::same_files(&built.files, &committed) {
                return Err(format!(
                    "{}: committed layout/ differs from what the recipe builds; run `cargo run -- conformance build {}` and review the diff",
                    case.id, case.id
                )
                .into());
            }
            // Validate what the recipe builds (it also holds the empty directories git cannot keep).
            let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
            let dir = tmp.path().join("layout");
            corpus::recipe::write_tree(&built, &dir).map_err(|e| e.to_string())?;
            let src = ocicheck::source::dir::DirSource::open(&dir).map_err(|e| e.to_string())?;
            let src = ocicheck::source::fault::FaultSource {
                inner: &src,
                unreadable: case.file.options.unreadable.clone(),
            };
            Ok(ocicheck::validate_layout(&src, &display, &opts))
        }
        (CaseKind::Layout, None) => {
            let src = ocicheck::source::dir::DirSource::open(&case.input_path())
                .map_err(|e| format!("{}: {e}", case.id))?;
            let src = ocicheck::source::fault::FaultSource {
                inner: &src,
                unreadable: case.file.options.unreadable.clone(),
            };
            Ok(ocicheck::validate_layout(&src, &display, &opts))
        }
        (CaseKind::Document, _) => {
            let path = case.input_path();
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(ocicheck::validate_document(&name, &display, bytes, &opts)
                .map_err(|e| e.to_string())?)
        }
    }
}

fn check_case(case: &Case, root: &Path) -> Result<(), Failed> {
    let report = run_case(case, root)?;
    let got: BTreeSet<&str> = report.findings.iter().map(|f| f.code).collect();
    let want: BTreeSet<&str> = case.file.expect.iter().map(String::as_str).collect();
    if got != want {
        return Err(format!(
            "{}: expected codes {want:?}, got {got:?}\n{}",
            case.id,
            ocicheck::report::human::render(&report)
        )
        .into());
    }
    let text = ocicheck::report::human::render(&report);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&case.dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(case.file.description.clone());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!("report", text));
    }));
    outcome.map_err(|_| {
        Failed::from(format!(
            "{}: report differs from report.snap (review with cargo insta review)",
            case.id
        ))
    })
}

fn main() {
    let args = Arguments::from_args();
    let root = corpus::root();
    let cases = match corpus::load_all(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot load the corpus: {e}");
            std::process::exit(2);
        }
    };
    let mut trials: Vec<Trial> = Vec::new();

    let expected: BTreeSet<String> = cases
        .iter()
        .flat_map(|c| c.file.expect.iter().cloned())
        .collect();
    trials.push(Trial::test(
        "catalogue::every_rule_has_a_failing_case",
        move || {
            let missing: Vec<&str> = ocicheck::rules::all()
                .map(|r| r.code)
                .filter(|c| !expected.contains(*c))
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{} rules have no case that expects them: {}",
                    missing.len(),
                    missing.join(" ")
                )
                .into())
            }
        },
    ));
    let case_list = cases.clone();
    trials.push(Trial::test("catalogue::cases_are_well_formed", move || {
        let mut problems = Vec::new();
        for c in &case_list {
            for code in &c.file.expect {
                if ocicheck::rules::by_code(code).is_none() {
                    problems.push(format!("{}: unknown code {code}", c.id));
                }
            }
            for cl in &c.file.clauses {
                if ocicheck::clauses::lookup(cl).is_none() {
                    problems.push(format!("{}: unknown clause {cl}", c.id));
                }
            }
            let name = c.id.rsplit('/').next().unwrap_or_default();
            if !c.id.starts_with("valid/")
                && !c.id.starts_with("tools/")
                && c.file.expect.is_empty()
            {
                problems.push(format!(
                    "{}: a case outside valid/ must expect at least one code",
                    c.id
                ));
            }
            if c.id.starts_with("tools/") {
                // Real images must be free of errors; what they do report is explained in their notes.
                for code in &c.file.expect {
                    if ocicheck::rules::by_code(code)
                        .is_some_and(|r| r.severity == ocicheck::rule::Severity::Error)
                    {
                        problems.push(format!(
                            "{}: a real tool's image expects the error {code}",
                            c.id
                        ));
                    }
                }
                if !c.file.expect.is_empty() && c.file.notes.is_none() {
                    problems.push(format!("{}: explain each expected code in notes", c.id));
                }
                if c.file.producer.is_none() {
                    problems.push(format!("{}: say which tool made it in producer", c.id));
                }
            }
            if let Some(first) = c.file.expect.first() {
                if !c.id.starts_with("valid/")
                    && !c.id.starts_with("tools/")
                    && !name.starts_with(first.as_str())
                    && !c.file.expect.iter().any(|e| name.starts_with(e.as_str()))
                {
                    problems.push(format!(
                        "{}: a bad case is named after the code it expects",
                        c.id
                    ));
                }
            }
            if c.file.clauses.is_empty() {
                problems.push(format!("{}: no clause ids", c.id));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    }));

    for case in cases {
        let root = root.clone();
        let name = case.id.clone();
        trials.push(Trial::test(name, move || check_case(&case, &root)));
    }
    libtest_mimic::run(&args, trials).exit();
}
