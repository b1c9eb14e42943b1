//! The corpus runner: one named trial per case under `conformance/`.
//!
//! For each case: a generated case's committed bytes must equal what its recipe builds (so no case is hand-edited
//! out of step with its description); the validator must report exactly the expected codes (checked first, so a
//! snapshot can never be accepted while showing the wrong rule); then the human report is compared with the
//! case's `report.snap`, which a person has read. The same report is snapshot-tested as JSON (`report.json.snap`)
//! and SARIF (`report.sarif.snap`), with the tool version redacted so that a release does not change every
//! snapshot; the SARIF output is first validated against the official SARIF 2.1.0 schema
//! (`testdata/schemas/sarif-schema-2.1.0.json`) and its results checked against the expected codes. The SARIF
//! snapshots leave out the rule table (the same for every case of a spec version), which is snapshot-tested once
//! per spec version. The JUnit output is parsed with an XML parser and the GitHub output checked line by line.
//!
//! Also: every rule in the catalogue is expected by at least one case.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use libtest_mimic::{Arguments, Failed, Trial};
use ocicheck::corpus::{self, Case, CaseKind};
use ocicheck::report::{Report, catalogue};
use ocicheck::rule::Severity;
use ocicheck::{Options, Spec};

/// What stands for the tool version in snapshots.
const VERSION: &str = "[version]";

fn sarif_validator() -> Result<&'static jsonschema::Validator, Failed> {
    static V: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    V.get_or_init(|| {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/schemas/sarif-schema-2.1.0.json");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let schema: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        jsonschema::validator_for(&schema).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Failed::from(e.clone()))
}

/// Compare `text` with the snapshot `name` next to the case.
fn snapshot(case: &Case, name: &str, text: &str) -> Result<(), String> {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&case.dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(case.file.description.clone());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name, text));
    }));
    outcome.map_err(|_| {
        format!(
            "{}: report differs from {name}.snap (review with cargo insta review)",
            case.id
        )
    })
}

/// The SARIF log checked against the official schema and the case's codes, then with the rule table left out.
fn checked_sarif(case: &Case, report: &Report, opts: &Options) -> Result<String, Failed> {
    let rules = catalogue::rule_infos(opts, report.input.kind);
    let mut log = ocicheck::report::sarif::to_value(report, &rules);
    let errors: Vec<String> = sarif_validator()?
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "{}: SARIF output is not valid SARIF 2.1.0: {errors:?}",
            case.id
        )
        .into());
    }
    let run = &mut log["runs"][0];
    let results = run["results"].as_array().cloned().unwrap_or_default();
    let got: BTreeSet<&str> = results
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    let want: BTreeSet<&str> = case.file.expect.iter().map(String::as_str).collect();
    if got != want || results.len() != report.findings.len() {
        return Err(format!("{}: SARIF results name {got:?}, expected {want:?}", case.id).into());
    }
    for r in &results {
        let i = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        if rules.get(i).map(|x| x.code) != r["ruleId"].as_str() {
            return Err(format!(
                "{}: ruleIndex {i} does not point at {}",
                case.id, r["ruleId"]
            )
            .into());
        }
    }
    for o in run["invocations"][0]["ruleConfigurationOverrides"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let i = o["descriptor"]["index"].as_u64().unwrap_or(u64::MAX) as usize;
        if rules.get(i).map(|x| x.code) != o["descriptor"]["id"].as_str() {
            return Err(format!(
                "{}: override index {i} does not point at {}",
                case.id, o["descriptor"]["id"]
            )
            .into());
        }
    }
    if run["tool"]["driver"]["rules"] != rules_table(opts.spec) {
        return Err(format!(
            "{}: the SARIF rule table differs from the one snapshot-tested",
            case.id
        )
        .into());
    }
    // Indexes into the rule table change whenever a rule is added; they were checked above.
    for r in run["results"].as_array_mut().into_iter().flatten() {
        if let Some(o) = r.as_object_mut() {
            o.remove("ruleIndex");
        }
    }
    for inv in run["invocations"].as_array_mut().into_iter().flatten() {
        for o in inv
            .get_mut("ruleConfigurationOverrides")
            .and_then(|v| v.as_array_mut())
            .into_iter()
            .flatten()
        {
            if let Some(d) = o["descriptor"].as_object_mut() {
                d.remove("index");
            }
        }
    }
    run["tool"]["driver"]["rules"] = serde_json::Value::String(format!(
        "[the rule table of --spec {}, snapshot-tested once]",
        opts.spec.as_str()
    ));
    let mut text = serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// The SARIF rule table of a spec version (the same for every input and every level override).
fn rules_table(spec: Spec) -> serde_json::Value {
    let opts = Options::builder().spec(spec).build().expect("options");
    ocicheck::report::sarif::rules_table(&catalogue::rule_infos(&opts, "layout"))
}

/// The JUnit XML parses, and its failing test cases are the expected codes with an error.
fn check_junit(case: &Case, report: &Report, opts: &Options) -> Result<(), Failed> {
    let xml = ocicheck::report::junit::render(
        report,
        &catalogue::rule_infos(opts, report.input.kind),
        Some(Severity::Error),
    );
    let doc = roxmltree::Document::parse(&xml)
        .map_err(|e| format!("{}: JUnit output is not XML: {e}", case.id))?;
    let failing: BTreeSet<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| {
            n.parent()?
                .attribute("name")?
                .split(' ')
                .next()
                .map(String::from)
        })
        .collect();
    let want: BTreeSet<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.to_string())
        .collect();
    if failing != want {
        return Err(format!("{}: JUnit failures {failing:?}, expected {want:?}", case.id).into());
    }
    Ok(())
}

/// One well-formed workflow command per finding (and, after them, one for an incomplete report).
fn check_github(case: &Case, report: &Report) -> Result<(), Failed> {
    let text = ocicheck::report::github::render(report);
    let commands: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    if commands.len() != report.findings.len() + usize::from(report.incomplete.is_some()) {
        return Err(format!(
            "{}: {} annotations for {} findings",
            case.id,
            commands.len(),
            report.findings.len()
        )
        .into());
    }
    for (line, f) in commands.iter().zip(&report.findings) {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let ok = line.starts_with(&format!("::{command} file="))
            && line.contains(&format!(",title={} ", f.code))
            && line.matches("::").count() >= 2;
        if !ok {
            return Err(format!("{}: malformed annotation {line}", case.id).into());
        }
    }
    Ok(())
}

fn run_case(case: &Case, root: &Path, opts: &Options) -> Result<Report, Failed> {
    let opts = opts.clone();
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
        (CaseKind::Archive, _) => Ok(case.validate_archive(root, &opts)?),
    }
}

fn check_case(case: &Case, root: &Path) -> Result<(), Failed> {
    let opts = case.options()?;
    let report = run_case(case, root, &opts)?;
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
    check_junit(case, &report, &opts)?;
    check_github(case, &report)?;
    let sarif = checked_sarif(case, &report, &opts);

    // Every snapshot is compared (and a new one written) before the first difference is reported.
    let mut redacted = report.clone();
    redacted.tool.version = VERSION;
    let human = ocicheck::report::human::render(&report);
    let json = ocicheck::report::json::render(&redacted);
    let mut failures: Vec<String> = [
        snapshot(case, "report", &human),
        snapshot(case, "report.json", &json),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    match sarif {
        Ok(text) => {
            let text = text.replacen(
                &format!("\"version\": \"{}\"", ocicheck::TOOL.version),
                &format!("\"version\": \"{VERSION}\""),
                1,
            );
            let text = text.replacen(
                &format!("\"semanticVersion\": \"{}\"", ocicheck::TOOL.version),
                &format!("\"semanticVersion\": \"{VERSION}\""),
                1,
            );
            failures.extend(snapshot(case, "report.sarif", &text).err());
        }
        Err(e) => failures.push(e.message().map_or_else(String::new, str::to_string)),
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
}

/// The `"REGnnn"` codes tests/registry.rs expects.
fn registry_test_codes() -> Vec<String> {
    // tests/catalog.rs has the cases of a catalogue run's tag lists.
    let text = ["tests/registry.rs", "tests/catalog.rs"]
        .map(|f| {
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f))
                .unwrap_or_default()
        })
        .join("\n");
    text.split('"')
        .filter(|s| {
            s.len() == 6 && s.starts_with("REG") && s[3..].bytes().all(|b| b.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
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
    let known = match corpus::known::load(&root) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("cannot read the known false positives: {e}");
            std::process::exit(2);
        }
    };
    let mut trials: Vec<Trial> = Vec::new();

    let mut expected: BTreeSet<String> = cases
        .iter()
        .flat_map(|c| c.file.expect.iter().cloned())
        .collect();
    // The REG rules judge what a registry serves, which no corpus layout has: their failing cases are the tests
    // of tests/registry.rs and tests/catalog.rs against a real registry (and a fault-injecting proxy), which name
    // the code they expect.
    expected.extend(registry_test_codes());
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
    let known_list = known.clone();
    trials.push(Trial::test("catalogue::cases_are_well_formed", move || {
        let mut problems = Vec::new();
        for k in &known_list {
            if !case_list.iter().any(|c| c.id == k.case) {
                problems.push(format!("{}: {} names no case", corpus::known::FILE, k.case));
            }
        }
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
                // A real image expects an error only where the producer breaks a MUST the case names (or where
                // the level is a listed false positive); what it reports is explained in its notes.
                for code in &c.file.expect {
                    let Some(rule) = ocicheck::rules::by_code(code) else {
                        continue;
                    };
                    let named_must = rule.clauses.iter().any(|cl| {
                        c.file.clauses.iter().any(|x| x == cl)
                            && ocicheck::clauses::lookup(cl).is_some_and(|k| {
                                matches!(k.keyword, "MUST" | "MUST NOT" | "REQUIRED" | "SHALL" | "SHALL NOT")
                            })
                    });
                    let listed = known_list.iter().any(|k| k.case == c.id && k.code == *code);
                    if rule.severity == ocicheck::rule::Severity::Error && !named_must && !listed {
                        problems.push(format!(
                            "{}: a real tool's image expects the error {code} without naming the MUST it breaks",
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
            if let Some(first) = c.file.expect.first()
                && !c.id.starts_with("valid/")
                && !c.id.starts_with("tools/")
                && !name.starts_with(first.as_str())
                && !c.file.expect.iter().any(|e| name.starts_with(e.as_str()))
            {
                problems.push(format!(
                    "{}: a bad case is named after the code it expects",
                    c.id
                ));
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

    for spec in [Spec::V1_1_1, Spec::Main] {
        trials.push(Trial::test(
            format!("catalogue::sarif_rule_table_{}", spec.as_str()),
            move || {
                // The help texts are the rules' docs, kept in docs/rules.md (which has its own test).
                let mut table = rules_table(spec);
                for r in table.as_array_mut().into_iter().flatten() {
                    let code = r["id"].as_str().unwrap_or_default().to_string();
                    let docs = ocicheck::rules::by_code(&code).map(|r| r.docs_text());
                    if r["help"]["text"].as_str() != docs.as_deref()
                        || r["help"]["markdown"] != r["help"]["text"]
                    {
                        return Err(format!("{code}: SARIF help is not the rule's docs").into());
                    }
                    r["help"] = serde_json::json!({ "text": "[docs]", "markdown": "[docs]" });
                }
                let table = serde_json::to_string_pretty(&table).map_err(|e| e.to_string())?;
                let name = format!("sarif_rules_{}", spec.as_str());
                let outcome = std::panic::catch_unwind(|| {
                    insta::assert_snapshot!(name.clone(), table);
                });
                outcome.map_err(|_| {
                    Failed::from(format!(
                        "{name}: the SARIF rule table changed (review with cargo insta review)"
                    ))
                })
            },
        ));
    }

    for case in cases {
        let root = root.clone();
        let name = case.id.clone();
        // A listed false positive runs only with --ignored (to see whether it is fixed).
        let skipped = known
            .iter()
            .any(|k| k.kind == corpus::known::Kind::Skipped && k.case == name);
        if skipped {
            println!(
                "skipped: known false positive, see conformance/{}: {name}",
                corpus::known::FILE
            );
        }
        trials.push(Trial::test(name, move || check_case(&case, &root)).with_ignored_flag(skipped));
    }
    libtest_mimic::run(&args, trials).exit();
}
