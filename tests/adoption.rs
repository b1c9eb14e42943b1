//! What a team putting ocicheck in CI relies on (issue 15): the concise format, wrapping, statistics and counts
//! under truncation, the settings every report records and `ocicheck config`, configuration discovery that never
//! reads a file inside the input, ignores, baselines, several inputs, `--output` checks, JSON errors, colour,
//! value enums, help headings, sizes, the man page, and the corpus of an installed binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VALID: &str = "conformance/valid/minimal-image/layout";
const BAD: &str = "conformance/manifest/MAN001-schema-version-not-2/layout";
const BAD2: &str = "conformance/manifest/MAN009-layers-empty/layout";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ocicheck"));
    c.env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("TERM");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", out(o), err(o)))
}

fn schema_errors(v: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// A copy of a corpus layout in a new directory.
fn copy_layout(from: &str, to: &Path) {
    let src = root().join(from);
    let st = Command::new("cp")
        .arg("-rL")
        .arg(&src)
        .arg(to)
        .status()
        .expect("cp");
    assert!(st.success());
}

#[test]
fn concise_is_one_line_per_finding_relative_to_the_working_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_layout(BAD, &tmp.path().join("image"));
    // An absolute input under the working directory is shown relative to it.
    let abs = tmp.path().join("image");
    let o = run_in(
        tmp.path(),
        &[
            "validate",
            abs.to_str().expect("utf-8"),
            "--format",
            "concise",
        ],
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let re = lines[0];
    assert!(
        re.starts_with("image/blobs/sha256/")
            && re.contains(":15:20: error[MAN001] schemaVersion is 3"),
        "{re}"
    );
    // The path opens: it names a file that exists, from the working directory.
    let path = re.split(':').next().expect("path");
    assert!(tmp.path().join(path).is_file(), "{path}");
    assert!(lines[1].starts_with("Found 1 finding"), "{}", lines[1]);
}

#[test]
fn the_human_report_wraps_at_80_columns_without_breaking_words() {
    for case in [
        BAD,
        "conformance/layer/LYR009-entry-path-dotdot/layout",
        "conformance/tools/umoci/layout",
        "conformance/config/CFG003-architecture-x86-64/document.json",
    ] {
        if !root().join(case).exists() {
            continue;
        }
        let o = run(&["validate", case, "--profile", "strict"]);
        for line in out(&o).lines() {
            let width = line.chars().count();
            // Longer only for one token that cannot be broken (a URL, a blob path), alone after its indent.
            assert!(
                width <= 80 || !line.trim().contains(' '),
                "{case}: {width} columns: {line:?}"
            );
        }
    }
}

/// A manifest with `n` layer descriptors whose digest is malformed: `n` findings of one rule in one file.
fn many_bad_digests(dir: &Path, n: usize) -> PathBuf {
    let layers: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:{i}","size":1}}"#
            )
        })
        .collect();
    let doc = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}},"layers":[{}]}}"#,
        layers.join(",")
    );
    let p = dir.join("manifest.json");
    std::fs::write(&p, doc).expect("write");
    p
}

#[test]
fn truncated_findings_are_counted_not_listed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let doc = many_bad_digests(tmp.path(), 300);
    let doc = doc.to_str().expect("utf-8");
    let o = run(&["validate", doc, "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert!(schema_errors(&v).is_empty(), "{:?}", schema_errors(&v));
    let listed = v["findings"].as_array().expect("findings").len();
    assert_eq!(
        v["summary"]["errors"], 300,
        "every finding counts: {}",
        v["summary"]
    );
    assert_eq!(v["summary"]["not_listed"], 300 - listed as u64);
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| !f["message"].as_str().unwrap_or("").contains("not listed")),
        "the note is not a finding"
    );
    assert_eq!(v["not_listed"][0]["count"], 300 - listed as u64);
    assert_eq!(v["not_listed"][0]["limit"], "max-findings");

    let o = run(&["validate", doc, "--statistics"]);
    let text = out(&o);
    let first = text.lines().next().unwrap_or("");
    assert!(
        first.starts_with("300\tDSC005\tdigest-encoding-invalid"),
        "{text}"
    );
    let o = run(&["validate", doc, "--statistics", "--format", "json"]);
    assert_eq!(json(&o)[0]["count"], 300);
    let o = run(&["validate", doc]);
    assert!(
        out(&o).contains("300 errors, 0 warnings, 0 infos (200 not listed)"),
        "{}",
        out(&o)
    );
    let o = run(&[
        "validate",
        doc,
        "--max-findings",
        "1000",
        "--format",
        "json",
    ]);
    assert_eq!(json(&o)["findings"].as_array().map(Vec::len), Some(300));
    let o = run(&["validate", doc, "--statistics", "--format", "sarif"]);
    assert_eq!(code(&o), 2, "statistics is a table");
}

#[test]
fn every_report_records_the_settings_in_force() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = tmp.path().join("ocicheck.toml");
    std::fs::write(&cfg, "fail-on = \"warning\"\n[rules]\nMAN004 = \"allow\"\n").expect("write");
    let layout = root().join(BAD);
    let l = layout.to_str().expect("utf-8");
    let args = ["validate", l, "--profile", "strict", "--deny", "MAN009"];
    let o = run_in(tmp.path(), &[&args[..], &["--format", "json"]].concat());
    let v = json(&o);
    let s = &v["settings"];
    assert_eq!(s["profile"], "strict");
    assert_eq!(s["fail_on"], "warning");
    assert_eq!(s["sources"]["fail_on"], cfg.display().to_string());
    assert_eq!(s["sources"]["profile"], "--profile");
    assert_eq!(s["config"], cfg.display().to_string());
    assert_eq!(s["overrides"][0]["selector"], "MAN004");
    assert_eq!(s["overrides"][0]["source"], cfg.display().to_string());
    assert_eq!(s["overrides"][1]["source"], "--deny");
    assert!(schema_errors(&v).is_empty(), "{:?}", schema_errors(&v));

    let o = run_in(tmp.path(), &[&args[..], &["--format", "sarif"]].concat());
    assert_eq!(
        json(&o)["runs"][0]["properties"]["settings"]["profile"],
        "strict"
    );
    let o = run_in(tmp.path(), &[&args[..], &["--format", "junit"]].concat());
    let xml = out(&o);
    assert!(
        xml.contains(r#"<property name="profile" value="strict"/>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<property name="override" value="MAN009=deny (--deny)"/>"#),
        "{xml}"
    );
    let o = run_in(tmp.path(), &args);
    // Wrapped at 80 columns: join the continuation lines.
    let human = out(&o).replace("\n  ", " ");
    assert!(
        human.contains("settings: fail-on warning (config)"),
        "{human}"
    );
    assert!(human.contains("profile strict (--profile)"), "{human}");

    // `ocicheck config` from a subdirectory finds the file walking up, and says where each setting came from.
    let sub = tmp.path().join("a/b");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let o = run_in(&sub, &["config", "--spec", "main"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = out(&o);
    assert!(text.contains(&cfg.display().to_string()), "{text}");
    assert!(text.contains("found walking up from"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("spec") && l.contains("main") && l.contains("(--spec)")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("fail-on") && l.contains("warning")),
        "{text}"
    );
    assert!(text.contains("MAN004 = allow"), "{text}");
    let o = run_in(&sub, &["config", "--format", "json"]);
    assert_eq!(json(&o)["fail_on"], "warning");
}

#[test]
fn a_configuration_file_inside_the_input_is_never_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let image = tmp.path().join("image");
    copy_layout(BAD, &image);
    // The image ships a configuration that would pass anything.
    std::fs::write(
        image.join("ocicheck.toml"),
        "fail-on = \"never\"\n[rules]\nall = \"allow\"\n",
    )
    .expect("write");
    let o = run_in(&image, &["validate", "."]);
    assert_eq!(
        code(&o),
        1,
        "obeyed the image's own ocicheck.toml: {}",
        out(&o)
    );
    assert!(
        err(&o).contains("not reading") && err(&o).contains("inside an input"),
        "{}",
        err(&o)
    );
    // Nor from deeper inside it, nor through a symbolic link.
    let o = run_in(&image.join("blobs"), &["validate", ".."]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    std::os::unix::fs::symlink(&image, tmp.path().join("link")).expect("symlink");
    let o = run_in(&tmp.path().join("link"), &["validate", "."]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    // Nor when the input is named through `..`, or through a link from inside it.
    let o = run_in(&image, &["validate", "./blobs/.."]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let o = run_in(&image, &["validate", "./blobs/sha256/../../"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let o = run_in(&image, &["validate", "../link"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    // Nor when the configuration found walking up is a link into the input.
    let beside = tmp.path().join("beside");
    std::fs::create_dir(&beside).expect("mkdir");
    std::os::unix::fs::symlink(image.join("ocicheck.toml"), beside.join("ocicheck.toml"))
        .expect("symlink");
    let o = run_in(&beside, &["validate", "../image"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    // Nor when the working directory is the input mounted elsewhere (a bind mount, in a mount namespace of its
    // own: needs unshare(1) and either root or unprivileged user namespaces; skipped without them).
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).expect("mkdir");
    let script = format!(
        "mount --bind '{}' '{}' && cd '{}' && exec '{}' validate '{}'",
        image.display(),
        mnt.display(),
        mnt.display(),
        env!("CARGO_BIN_EXE_ocicheck"),
        image.display()
    );
    let probe = Command::new("unshare")
        .args(["--mount", "--map-root-user", "true"])
        .status();
    if probe.is_ok_and(|s| s.success()) {
        let o = Command::new("unshare")
            .args(["--mount", "--map-root-user", "sh", "-c", &script])
            .output()
            .expect("unshare");
        assert_eq!(code(&o), 1, "{}{}", out(&o), err(&o));
        assert!(err(&o).contains("not reading"), "{}", err(&o));
    } else {
        eprintln!("note: no mount namespace here, the bind-mount case was not run");
    }
    // Naming it is a usage error.
    let o = run_in(
        tmp.path(),
        &["validate", "image", "--config", "image/ocicheck.toml"],
    );
    assert_eq!(code(&o), 2, "{}", out(&o));
    assert!(err(&o).contains("lies inside the input"), "{}", err(&o));
    // One beside the input, walking up, is read.
    std::fs::write(tmp.path().join("ocicheck.toml"), "fail-on = \"never\"\n").expect("write");
    let o = run_in(&image, &["validate", "."]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    // And --no-config reads none.
    let o = run_in(&image, &["validate", ".", "--no-config"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn ignores_need_a_reason_and_say_what_they_took_out() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let layout = root().join(BAD);
    let l = layout.to_str().expect("utf-8");
    std::fs::write(
        tmp.path().join("ocicheck.toml"),
        "[[ignore]]\ncode = \"MAN001\"\n",
    )
    .expect("write");
    let o = run_in(tmp.path(), &["validate", l]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("reason"), "{}", err(&o));
    std::fs::write(
        tmp.path().join("ocicheck.toml"),
        "[[ignore]]\ncode = \"MAN001\"\nreason = \"   \"\n",
    )
    .expect("write");
    assert_eq!(
        code(&run_in(tmp.path(), &["validate", l])),
        2,
        "an empty reason"
    );
    std::fs::write(
        tmp.path().join("ocicheck.toml"),
        "[[ignore]]\ncode = \"MAN001\"\nfile = \"blobs/sha256/*\"\nreason = \"legacy generator, fixed in 2.0\"\n",
    )
    .expect("write");
    let o = run_in(tmp.path(), &["validate", l, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["suppressed"]["ignored"], 1);
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(
        v["settings"]["ignores"][0]["reason"],
        "legacy generator, fixed in 2.0"
    );
    // An entry for another file ignores nothing.
    std::fs::write(
        tmp.path().join("ocicheck.toml"),
        "[[ignore]]\ncode = \"MAN001\"\nfile = \"index.json\"\nreason = \"x\"\n",
    )
    .expect("write");
    assert_eq!(code(&run_in(tmp.path(), &["validate", l])), 1);
}

#[test]
fn a_baseline_fails_only_on_new_findings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = tmp.path().join("baseline.json");
    let b = base.to_str().expect("utf-8");
    let o = run(&["validate", BAD, "--write-baseline", b]);
    assert_eq!(
        code(&o),
        0,
        "writing a baseline accepts the findings: {}",
        err(&o)
    );
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).expect("written")).expect("JSON");
    assert_eq!(recorded["format"], "ocicheck-baseline/1");
    let fp = recorded["inputs"][0]["findings"][0]["fingerprint"].clone();
    // The fingerprint is the SARIF one.
    let sarif = json(&run(&["validate", BAD, "--format", "sarif"]));
    assert_eq!(
        sarif["runs"][0]["results"][0]["partialFingerprints"]["ocicheck/v1"],
        fp
    );

    let o = run(&["validate", BAD, "--baseline", b]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).contains("1 baselined in"), "{}", out(&o));
    let o = run(&["validate", BAD, "--baseline", b, "--format", "json"]);
    assert_eq!(json(&o)["suppressed"]["baselined"], 1);
    // A copy of the image elsewhere (a rebuild into another directory) keeps its baseline.
    let copy = tmp.path().join("rebuilt");
    copy_layout(BAD, &copy);
    assert_eq!(
        code(&run(&[
            "validate",
            copy.to_str().expect("utf-8"),
            "--baseline",
            b
        ])),
        0
    );
    // Another defect is new.
    let o = run(&["validate", BAD2, "--baseline", b, "--deny", "MAN009"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let o = run(&["validate", BAD, "--baseline", "/no/such/baseline.json"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn several_inputs_make_one_report_with_a_section_each() {
    let o = run(&["validate", VALID, BAD]);
    assert_eq!(code(&o), 1, "the worst of them");
    let text = out(&o);
    assert_eq!(text.matches("ocicheck: layout ").count(), 2, "{text}");
    assert!(text.contains("2 inputs: 1 error"), "{text}");
    assert_eq!(code(&run(&["validate", VALID, VALID])), 0);
    assert_eq!(
        code(&run(&["validate", VALID, "no/such/dir"])),
        2,
        "an unreadable input"
    );

    let v = json(&run(&["validate", VALID, BAD, "--format", "json"]));
    assert!(schema_errors(&v).is_empty(), "{:?}", schema_errors(&v));
    assert_eq!(v["inputs"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["inputs"][1]["input"]["path"], BAD);

    let xml = out(&run(&["validate", VALID, BAD, "--format", "junit"]));
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap_or("").to_string())
        .collect();
    assert_eq!(suites, [VALID, BAD]);
    let top = doc.root_element();
    assert_eq!(top.attribute("failures"), Some("1"));

    let s = json(&run(&["validate", VALID, BAD, "--format", "sarif"]));
    let bases = s["runs"][0]["originalUriBaseIds"]
        .as_object()
        .expect("bases");
    assert!(
        bases.contains_key("INPUT1") && bases.contains_key("INPUT2"),
        "{bases:?}"
    );
    assert_eq!(
        s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "INPUT2"
    );
}

#[test]
fn output_targets_are_checked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = run_in(
        tmp.path(),
        &[
            "validate",
            &root().join(VALID).display().to_string(),
            "--output",
            "sarf=x.sarif",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("unknown format `sarf`"), "{}", err(&o));
    assert!(!tmp.path().join("sarf=x.sarif").exists());
    let o = run_in(
        tmp.path(),
        &[
            "validate",
            &root().join(VALID).display().to_string(),
            "--output",
            "x.sarif",
        ],
    );
    assert_eq!(code(&o), 0);
    assert!(
        err(&o).contains("warning: --output x.sarif writes the human report"),
        "{}",
        err(&o)
    );
    let o = run_in(
        tmp.path(),
        &[
            "validate",
            &root().join(VALID).display().to_string(),
            "--format",
            "sarif",
            "--output",
            "y.sarif",
            "-o",
            "html=r.html",
        ],
    );
    assert!(!err(&o).contains("warning"), "{}", err(&o));
    assert!(tmp.path().join("r.html").is_file());
}

#[test]
fn with_format_json_a_failure_is_a_json_object() {
    for args in [
        &["validate", "no/such/layout", "--format", "json"][..],
        &["validate", VALID, "--format", "json", "--allow", "MAN01"],
        &["validate", VALID, "--format=json", "--no-such-flag"],
        &["validate", VALID, "--format", "json", "--spec", "v2"],
    ] {
        let o = run(args);
        assert_eq!(code(&o), 2, "{args:?}");
        let v = json(&o);
        assert!(
            v["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{args:?}: {v}"
        );
        assert!(!err(&o).is_empty(), "stderr still says why");
    }
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let ansi = |o: &Output| out(o).contains("\x1b[");
    let with = |envs: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ocicheck"));
        c.args(args)
            .current_dir(root())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("TERM");
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().expect("runs")
    };
    assert!(
        !ansi(&with(&[], &["validate", BAD])),
        "a pipe is not coloured"
    );
    assert!(ansi(&with(&[], &["validate", BAD, "--color", "always"])));
    assert!(ansi(&with(&[("CLICOLOR_FORCE", "1")], &["validate", BAD])));
    assert!(!ansi(&with(
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        &["validate", BAD]
    )));
    assert!(!ansi(&with(
        &[("CLICOLOR_FORCE", "1")],
        &["validate", BAD, "--color", "never"]
    )));
}

#[test]
fn flags_have_value_enums_headings_and_sizes() {
    let o = run(&["validate", VALID, "--profile", "stict"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("strict"), "{}", err(&o));
    let bash = out(&run(&["completions", "bash"]));
    for values in [
        "v1.1.1 main",
        "strict portable docker-compat",
        "error warning info never",
        "auto always never",
    ] {
        assert!(bash.contains(values), "completions lack {values}");
    }
    let help = out(&run(&["validate", "--help"]));
    for h in ["Selection:", "Output:", "Rules:", "Limits:"] {
        assert!(help.contains(h), "help lacks {h}");
    }
    assert!(help.contains("[default: 16M]"), "{help}");
    // 1K: the document is larger, so it is not parsed and a finding says so.
    let doc = "conformance/valid/minimal-image/layout/index.json";
    let o = run(&["validate", doc, "--max-json-size", "1K", "--format", "json"]);
    let small = json(&o);
    assert!(
        std::fs::metadata(root().join(doc))
            .map(|m| m.len())
            .unwrap_or(0)
            < 1024
            || small["findings"].to_string().contains("JSN007")
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let big = many_bad_digests(tmp.path(), 40);
    let o = run(&[
        "validate",
        big.to_str().expect("utf-8"),
        "--max-json-size",
        "1K",
        "--format",
        "json",
    ]);
    assert!(
        json(&o)["findings"].to_string().contains("JSN007"),
        "{}",
        out(&o)
    );
    let o = run(&[
        "validate",
        big.to_str().expect("utf-8"),
        "--max-json-size",
        "1M",
        "--format",
        "json",
    ]);
    assert!(!json(&o)["findings"].to_string().contains("JSN007"));
    let o = run(&["validate", VALID, "--max-json-size", "12X"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("unknown unit"), "{}", err(&o));
}

/// Every long option of every subcommand's --help, as `--name`.
fn long_options(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| {
            let t = l.trim_start();
            let t = t
                .strip_prefix("-")
                .filter(|r| r.starts_with('-'))
                .map(|_| t)
                .or_else(|| {
                    t.split_once(", ")
                        .map(|(_, r)| r)
                        .filter(|r| r.starts_with("--"))
                })?;
            let t = t
                .strip_prefix("--")
                .or_else(|| t.split_once(", --").map(|(_, r)| r))?;
            let name: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            (!name.is_empty() && name != "help" && name != "version").then(|| format!("--{name}"))
        })
        .collect()
}

#[test]
fn the_man_page_has_every_option_and_the_exit_status() {
    let page = out(&run(&["man"])).replace("\\-", "-");
    assert!(
        page.contains(".SH \"EXIT STATUS\""),
        "no EXIT STATUS section"
    );
    let mut checked = 0;
    for sub in [
        &["validate"][..],
        &["config"],
        &["rules"],
        &["man"],
        &["conformance", "build"],
        &["conformance", "list"],
        &["conformance", "export"],
        &["conformance", "run"],
    ] {
        let help = out(&run(&[sub, &["--help"]].concat()));
        for opt in long_options(&help) {
            checked += 1;
            assert!(page.contains(&opt), "the man page lacks {opt} of {sub:?}");
        }
    }
    assert!(checked > 40, "only {checked} options found");
    // The README's install line writes a page per subcommand.
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let line = readme
        .lines()
        .find(|l| l.contains("ocicheck man --dir"))
        .expect("README installs the man pages with `ocicheck man --dir`");
    let dir = line
        .split("--dir")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("a directory");
    assert!(dir.contains("man1"), "{line}");
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = run(&["man", "--dir", tmp.path().to_str().expect("utf-8")]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    for page in [
        "ocicheck.1",
        "ocicheck-validate.1",
        "ocicheck-config.1",
        "ocicheck-conformance-run.1",
    ] {
        assert!(tmp.path().join(page).is_file(), "{page} not written");
    }
    let validate = std::fs::read_to_string(tmp.path().join("ocicheck-validate.1")).expect("page");
    assert!(validate.contains("EXIT STATUS"));
}

#[test]
fn an_installed_binary_has_its_corpus_and_no_path_of_the_source_tree() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let installed = tmp.path().join("bin/ocicheck");
    std::fs::create_dir_all(installed.parent().expect("parent")).expect("mkdir");
    std::fs::copy(env!("CARGO_BIN_EXE_ocicheck"), &installed).expect("copy");
    let bytes = std::fs::read(&installed).expect("read");
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance");
    assert!(
        !bytes.windows(source.len()).any(|w| w == source.as_bytes()),
        "the binary has the source tree's corpus path compiled in"
    );
    let elsewhere = tmp.path().join("work");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let cases = ocicheck::corpus::load_all(&ocicheck::corpus::root())
        .expect("corpus")
        .len();
    let run = |args: &[&str]| {
        Command::new(&installed)
            .args(args)
            .current_dir(&elsewhere)
            .output()
            .expect("runs")
    };
    let o = run(&["conformance", "list", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(listed["cases"].as_array().map(Vec::len), Some(cases));
    let o = run(&["conformance", "export", "out"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(elsewhere.join("out/cases.tsv").is_file());
    assert!(
        elsewhere
            .join("out/tools/umoci/layout/index.json")
            .is_file(),
        "tool-made layouts are there"
    );
    let o = run(&[
        "conformance",
        "run",
        "--dir",
        "out",
        "--validator",
        "true",
        "--jobs",
        "2",
    ]);
    assert_eq!(code(&o), 1, "accepting everything is not 100%: {}", out(&o));
    assert!(out(&o).contains("valid"), "{}", out(&o));
    // `conformance build` needs a checkout.
    let o = run(&["conformance", "build", "--check"]);
    assert_eq!(code(&o), 2);
}
