//! What a CI pipeline uses: the SARIF, JUnit and GitHub formats, `--output`, `ocicheck.toml`, profiles, shell
//! completions and the man page, colour and the progress bar on a terminal, and byte-identical reports.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VALID: &str = "conformance/valid/minimal-image/layout";
const BAD: &str = "conformance/manifest/MAN001-schema-version-not-2/layout";
const UMOCI: &str = "conformance/tools/umoci/layout";
const DOCUMENT: &str = "conformance/config/CFG003-architecture-x86-64/document.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn ocicheck(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sarif_errors(log: &serde_json::Value) -> Vec<String> {
    let path = root().join("testdata/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    let v = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    v.iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_sarif_2_1_0_with_the_catalogue_and_locations() {
    for args in [
        &["validate", BAD, "--format", "sarif"][..],
        &[
            "validate",
            VALID,
            "--format",
            "sarif",
            "--profile",
            "strict",
        ],
        &["validate", UMOCI, "--format", "sarif", "--warn", "LAY008"],
        &["validate", DOCUMENT, "--format", "sarif", "--spec", "main"],
    ] {
        let o = ocicheck(args);
        assert!(o.status.code() != Some(2), "{args:?}: {}", stderr(&o));
        let log: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
        let errors = sarif_errors(&log);
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), ocicheck::rules::all().count());
        for r in run["results"].as_array().expect("results") {
            let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
            assert!(r["partialFingerprints"]["ocicheck/v1"].is_string());
        }
    }
    let o = ocicheck(&["validate", BAD, "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    let run = &log["runs"][0];
    let man001 = &run["tool"]["driver"]["rules"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "MAN001").cloned())
        .expect("MAN001 in the table");
    assert_eq!(man001["name"], "manifest-schema-version-not-2");
    assert_eq!(man001["defaultConfiguration"]["level"], "error");
    assert!(
        man001["helpUri"]
            .as_str()
            .is_some_and(|u| u.ends_with("manifest.md#image-manifest-property-descriptions"))
    );
    assert!(
        man001["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("## Why it matters"))
    );
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "MAN001");
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "INPUT"
    );
    assert!(
        loc["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("blobs/sha256/"))
    );
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 15);
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "/schemaVersion"
    );
    assert_eq!(run["originalUriBaseIds"]["INPUT"]["uri"], format!("{BAD}/"));
}

#[test]
fn sarif_lists_level_overrides_of_the_run() {
    let o = ocicheck(&[
        "validate",
        VALID,
        "--format",
        "sarif",
        "--profile",
        "strict",
        "--allow",
        "MAN004",
    ]);
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    let overrides = log["runs"][0]["invocations"][0]["ruleConfigurationOverrides"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let find = |code: &str| {
        overrides
            .iter()
            .find(|o| o["descriptor"]["id"] == code)
            .map(|o| o["configuration"].clone())
    };
    assert_eq!(find("MAN004"), Some(serde_json::json!({"enabled": false})));
    assert_eq!(
        find("MAN009"),
        Some(serde_json::json!({"enabled": true, "level": "error"}))
    );
    assert_eq!(
        find("LAY008"),
        Some(serde_json::json!({"enabled": true, "level": "error"}))
    );
    assert_eq!(find("MAN001"), None, "unchanged rules are not listed");
}

#[test]
fn junit_parses_and_fails_the_rules_that_found_errors() {
    let o = ocicheck(&["validate", UMOCI, "--format", "junit", "--deny", "MAN004"]);
    assert_eq!(o.status.code(), Some(1));
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    let suite: Vec<_> = suites
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suite.len(), 1, "one suite per input");
    assert_eq!(suite[0].attribute("name"), Some(UMOCI));
    let cases: Vec<_> = suite[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(
        suite[0].attribute("tests"),
        Some(cases.len().to_string().as_str())
    );
    assert!(cases.len() > 100, "one test case per rule that ran");
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .filter_map(|c| c.attribute("name"))
        .collect();
    assert_eq!(failed, ["MAN004 manifest-media-type-missing"]);
    assert_eq!(suite[0].attribute("failures"), Some("1"));
    // Warnings below --fail-on are reported in system-out, the test case passing.
    let dsc020 = cases
        .iter()
        .find(|c| c.attribute("name").is_some_and(|n| n.starts_with("DSC020")))
        .expect("DSC020 ran");
    let out = dsc020
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(out.contains("warning[DSC020]"), "{out}");
    // Layout rules do not run on a single document.
    let o = ocicheck(&["validate", DOCUMENT, "--format", "junit"]);
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert!(
        !doc.descendants()
            .filter_map(|n| n.attribute("name"))
            .any(|n| n.starts_with("LAY001"))
    );
}

#[test]
fn github_annotations_name_the_file_the_rule_and_the_line() {
    let o = ocicheck(&["validate", BAD, "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("::error file={BAD}/blobs/sha256/")),
        "{first}"
    );
    assert!(
        first.contains(",line=15,col=20,title=MAN001 manifest-schema-version-not-2::schemaVersion is 3; it must be 2%0A"),
        "{first}"
    );
    let o = ocicheck(&["validate", UMOCI, "--format", "github"]);
    let text = stdout(&o);
    assert!(text.lines().any(|l| l.starts_with("::warning file=")));
    let o = ocicheck(&[
        "validate", UMOCI, "--format", "github", "--warn", "LAY008", "--info", "DSC020",
    ]);
    assert_eq!(o.status.code(), Some(2), "there is no --info flag");
}

#[test]
fn output_writes_files_and_keeps_text_on_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("r.sarif");
    let junit = dir.path().join("r.xml");
    let o = ocicheck(&[
        "validate",
        BAD,
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error[MAN001]"), "human text on stdout");
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).expect("written")).expect("JSON");
    assert_eq!(log["version"], "2.1.0");

    let o = ocicheck(&[
        "validate",
        BAD,
        "--format",
        "github",
        "--output",
        &format!("sarif={}", sarif.display()),
        "-o",
        &format!("junit={}", junit.display()),
    ]);
    assert!(stdout(&o).starts_with("::error "), "stdout keeps --format");
    roxmltree::Document::parse(&std::fs::read_to_string(&junit).expect("written")).expect("XML");

    let o = ocicheck(&[
        "validate",
        BAD,
        "--quiet",
        "--output",
        sarif.to_str().unwrap_or_default(),
    ]);
    assert_eq!(stdout(&o), "", "--quiet: the report goes to the file only");

    let o = ocicheck(&[
        "validate",
        BAD,
        "--output",
        "sarif=/nonexistent/dir/r.sarif",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn reports_are_byte_identical_whatever_the_thread_count() {
    for format in ["human", "json", "sarif", "junit", "github"] {
        let one = ocicheck(&[
            "validate", UMOCI, "--warn", "LAY008", "--format", format, "--jobs", "1",
        ]);
        let many = ocicheck(&[
            "validate", UMOCI, "--warn", "LAY008", "--format", format, "--jobs", "8",
        ]);
        assert_eq!(one.stdout, many.stdout, "{format}");
        assert!(!one.stdout.is_empty());
    }
}

#[test]
fn config_file_in_the_working_directory_and_flags_over_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = root().join(BAD);
    let layout = layout.to_str().unwrap_or_default();
    std::fs::write(
        dir.path().join("ocicheck.toml"),
        "fail-on = \"never\"\n[rules]\nMAN001 = \"warn\"\n",
    )
    .expect("write");
    let o = run_in(dir.path(), &["validate", layout]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("warning[MAN001]"));
    let o = run_in(dir.path(), &["validate", layout, "--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(1), "the flag wins");
    let o = run_in(
        dir.path(),
        &["validate", layout, "--deny", "MAN001", "--fail-on", "error"],
    );
    assert!(stdout(&o).contains("error[MAN001]"));

    // --config names another file; unknown codes there are usage errors with a suggestion.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "[rules]\nMAN01 = \"allow\"\n").expect("write");
    let o = run_in(
        dir.path(),
        &[
            "validate",
            layout,
            "--config",
            other.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("did you mean `MAN001`") && e.contains("other.toml"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");

    std::fs::write(dir.path().join("ocicheck.toml"), "fail_on = \"never\"\n").expect("write");
    let o = run_in(dir.path(), &["validate", layout]);
    assert_eq!(o.status.code(), Some(2), "unknown keys are errors");
    assert!(stderr(&o).contains("fail_on"), "{}", stderr(&o));
}

#[test]
fn profiles() {
    // What real tools write passes the portable profile (registries and runtimes accept their images), unless the
    // case names a MUST the producer breaks or is a listed false positive (the corpus runner covers those).
    let corpus = ocicheck::corpus::root();
    let known = ocicheck::corpus::known::load(&corpus).expect("known false positives");
    let cases = ocicheck::corpus::load_all(&corpus).expect("corpus");
    for case in cases.iter().filter(|c| c.id.starts_with("tools/")) {
        if case.verdict().expect("verdict") == "invalid-must"
            || known.iter().any(|k| k.case == case.id)
        {
            continue;
        }
        let input = case.input_path();
        let mut args = vec!["validate", input.to_str().unwrap_or_default()];
        if let Some(p) = case.file.options.profile.as_deref() {
            assert_eq!(p, "docker-compat", "{}: one --profile at a time", case.id);
            // docker-compat and portable do not combine; a Docker-typed case runs with its own profile only.
            args.extend(["--profile", p]);
        } else {
            args.extend(["--profile", "portable"]);
        }
        let o = ocicheck(&args);
        assert_eq!(o.status.code(), Some(0), "{}: {}", case.id, stdout(&o));
        let o = ocicheck(&[args[0], args[1], "--profile", "strict"]);
        let want = if case.file.expect.is_empty() { 0 } else { 1 };
        assert_eq!(
            o.status.code(),
            Some(want),
            "{}: strict makes their SHOULDs errors",
            case.id
        );
    }
    // Portable makes the interoperability SHOULDs errors.
    for case in [
        "conformance/descriptor/DSC018-sha512-blobs/layout",
        "conformance/manifest/MAN012-config-media-type-docker/layout",
    ] {
        let o = ocicheck(&["validate", case]);
        assert_eq!(o.status.code(), Some(0), "{case}");
        let o = ocicheck(&["validate", case, "--profile", "portable"]);
        assert_eq!(o.status.code(), Some(1), "{case}");
    }
    // docker-compat does not warn that Docker's config type is not OCI's.
    let case = "conformance/manifest/MAN012-config-media-type-docker/layout";
    assert!(stdout(&ocicheck(&["validate", case])).contains("[MAN012]"));
    let o = ocicheck(&["validate", case, "--profile", "docker-compat"]);
    assert!(!stdout(&o).contains("[MAN012]"), "{}", stdout(&o));
    // The user's flags still win over a profile.
    let o = ocicheck(&[
        "validate",
        UMOCI,
        "--profile",
        "strict",
        "--allow",
        "should",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = ocicheck(&["validate", VALID, "--profile", "lenient"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = ocicheck(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let text = stdout(&o);
        assert!(
            text.contains("validate") && text.contains("fail-on"),
            "{shell}"
        );
    }
    assert_eq!(ocicheck(&["completions", "tcsh"]).status.code(), Some(2));

    let o = ocicheck(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let roff = stdout(&o);
    assert!(roff.starts_with(".ie") || roff.starts_with(".TH"), "{roff}");
    assert!(
        roff.contains("ocicheck") && roff.contains("Exit status"),
        "{roff}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let o = ocicheck(&["man", "--dir", dir.path().to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(dir.path().join("ocicheck-validate.1"))
        .expect("a page per command");
    assert!(page.contains("fail\\-on"), "{page}");
}

/// Run ocicheck on a pseudo-terminal (util-linux `script`), as a person at a terminal would.
fn on_a_terminal(args: &str, no_color: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_ocicheck");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .current_dir(root())
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let o = cmd.output().expect("script(1) runs");
    stdout(&o)
}

#[test]
fn colour_and_progress_only_on_a_terminal() {
    let text = on_a_terminal(&format!("validate {BAD}"), false);
    assert!(text.contains("\x1b[1;31merror\x1b[0m"), "{text:?}");
    assert!(text.contains("verifying blobs"), "progress bar: {text:?}");
    let text = on_a_terminal(&format!("validate {BAD} --quiet"), true);
    assert!(!text.contains('\x1b'), "NO_COLOR and --quiet: {text:?}");
    assert!(text.contains("error[MAN001]"));

    // On a pipe: no colour, no progress, nothing on stderr.
    let o = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(["validate", BAD])
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("runs");
    assert!(!o.stdout.contains(&0x1b));
    assert_eq!(stderr(&o), "");
}

/// The progress sink in `Options` is told the blobs and bytes to verify, and sees every one of them read.
#[test]
fn progress_sink_sees_every_blob_and_byte() {
    use std::sync::Arc;

    let rec = Arc::new(common::Recorder::default());
    let mut opts = ocicheck::Options::builder()
        .jobs(3)
        .build()
        .expect("options");
    opts.progress = Some(ocicheck::progress::Sink(rec.clone()));
    let report = ocicheck::validate(&root().join(UMOCI), &opts).expect("validates");
    assert_eq!(report.summary.errors, 0);
    let (blobs, bytes) = rec.last_start().expect("started");
    assert!(blobs >= 2, "the two layers at least");
    assert_eq!(common::Recorder::count(&rec.blobs), blobs);
    assert_eq!(common::Recorder::count(&rec.bytes), bytes);
    assert_eq!(common::Recorder::count(&rec.finished), 1);
}
