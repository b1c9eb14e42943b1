//! The CI integrations shipped in the repository (`action.yml`, `.pre-commit-hooks.yaml`, `docs/ci/gitlab-ci.yml`,
//! `docs/ci/Jenkinsfile`) are parsed, and the ocicheck commands they hold run, as written, against corpus cases in
//! place of the image a pipeline would build: what they promise (reports written where the next step reads them,
//! the exit status passed on) is what they do.

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

const VALID: &str = "conformance/valid/minimal-image/layout";
const BAD: &str = "conformance/manifest/MAN001-schema-version-not-2/layout";
const BAD_DOC: &str = "conformance/descriptor/DSC014-data-url-safe-alphabet/document.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(path: &str) -> Yaml {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path}: one document");
    docs.remove(0)
}

/// A directory whose only program is the ocicheck under test, put first on PATH.
fn path_with_ocicheck(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ocicheck"), bin.join("ocicheck")).expect("link");
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn copy_dir(from: &str, to: &Path) {
    let st = Command::new("cp")
        .arg("-rL")
        .arg(root().join(from))
        .arg(to)
        .status()
        .expect("cp");
    assert!(st.success());
}

fn sarif_ok(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    v
}

/// `${{ inputs.NAME }}` and `${{ runner.temp }}` replaced, as the runner does before a step runs.
fn expand(s: &str, inputs: &[(&str, String)], temp: &Path) -> String {
    let mut out = s.replace("${{ runner.temp }}", &temp.display().to_string());
    for (k, v) in inputs {
        out = out.replace(&format!("${{{{ inputs.{k} }}}}"), v);
    }
    assert!(!out.contains("${{"), "unresolved expression in {s:?}");
    out
}

#[test]
fn the_github_action_installs_a_pinned_build_runs_ocicheck_and_uploads_sarif() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_vec().expect("steps");
    let run_of = |name: &str| -> &Yaml {
        steps
            .iter()
            .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with(name)))
            .unwrap_or_else(|| panic!("no step {name}"))
    };
    // Installed from the action's own checkout, i.e. the commit `uses:` pins, with the lock file.
    let install = run_of("Install ocicheck")["run"].as_str().expect("run");
    assert!(
        install.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""),
        "{install}"
    );
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("a step uploads SARIF with github/codeql-action/upload-sarif");
    assert_eq!(
        upload["with"]["sarif_file"].as_str(),
        Some("${{ inputs.sarif }}")
    );
    // No expression inside a script: inputs reach it through the environment only.
    for s in steps {
        if let Some(script) = s["run"].as_str() {
            assert!(!script.contains("${{"), "expression in a script: {script}");
        }
    }

    let defaults: Vec<(String, String)> = action["inputs"]
        .as_hash()
        .expect("inputs")
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap_or_default().to_string(),
                v["default"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for (case, want) in [(BAD, 1), (VALID, 0)] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let output = tmp.path().join("github_output");
        std::fs::write(&output, "").expect("write");
        let mut inputs: Vec<(&str, String)> = defaults
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        inputs.retain(|(k, _)| *k != "path");
        inputs.push(("path", root().join(case).display().to_string()));
        let validate = run_of("Validate");
        let mut cmd = Command::new("bash");
        cmd.arg("-e")
            .arg("-c")
            .arg(validate["run"].as_str().expect("run"))
            .current_dir(tmp.path())
            .env("PATH", path_with_ocicheck(tmp.path()))
            .env("GITHUB_OUTPUT", &output)
            .env("NO_COLOR", "1");
        for (k, v) in validate["env"].as_hash().expect("env") {
            cmd.env(
                k.as_str().expect("name"),
                expand(v.as_str().expect("value"), &inputs, tmp.path()),
            );
        }
        let o = cmd.output().expect("bash runs");
        assert!(
            o.status.success(),
            "the step itself passes: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let stdout = String::from_utf8_lossy(&o.stdout);
        if want == 1 {
            assert!(stdout.contains("::error file="), "annotations: {stdout}");
        }
        let out = std::fs::read_to_string(&output).expect("output");
        assert_eq!(out.trim(), format!("exit-status={want}"));
        let log = sarif_ok(&tmp.path().join("ocicheck.sarif"));
        assert_eq!(
            log["runs"][0]["results"].as_array().map(Vec::len),
            Some(want as usize)
        );

        // The last step passes the status on.
        let fail = run_of("Fail on findings");
        let status = Command::new("bash")
            .arg("-c")
            .arg(fail["run"].as_str().expect("run"))
            .env("OCICHECK_STATUS", want.to_string())
            .status()
            .expect("bash");
        assert_eq!(status.code(), Some(want));
    }
}

#[test]
fn the_pre_commit_hooks_run_ocicheck_on_what_they_are_given() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_vec().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().filter_map(|h| h["id"].as_str()).collect();
    assert_eq!(ids, ["ocicheck", "ocicheck-layout"]);
    for h in hooks {
        assert_eq!(
            h["language"].as_str(),
            Some("rust"),
            "pre-commit builds it from the pinned rev"
        );
        let entry: Vec<&str> = h["entry"]
            .as_str()
            .expect("entry")
            .split_whitespace()
            .collect();
        assert_eq!(entry[0], "ocicheck");
        let tmp = tempfile::tempdir().expect("tempdir");
        let pass_files = h["pass_filenames"].as_bool().unwrap_or(true);
        let cases: Vec<(PathBuf, i32)> = if pass_files {
            // What `files` selects: a committed document.
            assert!(
                h["files"]
                    .as_str()
                    .is_some_and(|f| f.contains(r"\.oci\.json"))
            );
            let bad = tmp.path().join("descriptor.oci.json");
            std::fs::copy(root().join(BAD_DOC), &bad).expect("copy");
            let good = tmp.path().join("index.oci.json");
            std::fs::copy(root().join(VALID).join("index.json"), &good).expect("copy");
            vec![(bad, 1), (good, 0)]
        } else {
            copy_dir(BAD, &tmp.path().join("bad"));
            copy_dir(VALID, &tmp.path().join("good"));
            vec![(tmp.path().join("bad"), 1), (tmp.path().join("good"), 0)]
        };
        for (file, want) in cases {
            let o = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
                .args(&entry[1..])
                .arg(&file)
                .current_dir(tmp.path())
                .env("NO_COLOR", "1")
                .output()
                .expect("runs");
            assert_eq!(
                o.status.code(),
                Some(want),
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&o.stdout)
            );
            if want == 1 {
                let text = String::from_utf8_lossy(&o.stdout);
                let first = text.lines().next().unwrap_or("");
                // Concise: PATH:LINE:COL:, relative to where pre-commit runs.
                let path = first.split(':').next().unwrap_or("");
                assert!(tmp.path().join(path).exists(), "{first}");
            }
        }
    }
}

#[test]
fn the_gitlab_job_writes_the_reports_it_keeps() {
    let ci = yaml("docs/ci/gitlab-ci.yml");
    let job = &ci["validate-image"];
    let script = job["script"].as_vec().expect("script");
    let install = script[0].as_str().expect("install line");
    assert!(
        install.contains("cargo install --locked") && install.contains("--rev"),
        "pinned: {install}"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(BAD, &tmp.path().join("image"));
    let mut ran = 0;
    for line in script
        .iter()
        .filter_map(Yaml::as_str)
        .filter(|l| l.starts_with("ocicheck "))
    {
        ran += 1;
        let o = Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(tmp.path())
            .env("PATH", path_with_ocicheck(tmp.path()))
            .env("NO_COLOR", "1")
            .output()
            .expect("sh");
        assert_eq!(o.status.code(), Some(1), "{line}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(":15:20: error[MAN001]"),
            "concise on the log"
        );
    }
    assert_eq!(ran, 1);
    for p in job["artifacts"]["paths"].as_vec().expect("paths") {
        let p = p.as_str().expect("path");
        assert!(tmp.path().join(p).is_file(), "artifact {p} not written");
    }
    let junit = job["artifacts"]["reports"]["junit"]
        .as_str()
        .expect("junit report");
    let xml = std::fs::read_to_string(tmp.path().join(junit)).expect("junit");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    assert!(doc.descendants().any(|n| n.has_tag_name("failure")));
    assert_eq!(
        job["artifacts"]["when"].as_str(),
        Some("always"),
        "kept when validation fails"
    );
}

#[test]
fn the_jenkins_pipeline_runs_ocicheck_and_publishes_what_it_wrote() {
    let text = std::fs::read_to_string(root().join("docs/ci/Jenkinsfile")).expect("Jenkinsfile");
    // The single-quoted shell commands of `sh '…'` and `script: '…'`.
    let mut scripts = Vec::new();
    for part in text
        .split("sh '")
        .skip(1)
        .chain(text.split("script: '").skip(1))
    {
        if let Some(end) = part.find('\'') {
            scripts.push(&part[..end]);
        }
    }
    let install = scripts
        .iter()
        .find(|s| s.starts_with("cargo install"))
        .expect("an install step");
    assert!(
        install.contains("--locked") && install.contains("--rev"),
        "{install}"
    );
    let validate = scripts
        .iter()
        .find(|s| s.contains("ocicheck\" validate"))
        .expect("a validate step");
    let tmp = tempfile::tempdir().expect("tempdir");
    let bin = tmp.path().join(".ocicheck/bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ocicheck"), bin.join("ocicheck")).expect("link");
    for (case, want) in [(BAD, 1), (VALID, 0)] {
        let _ = std::fs::remove_dir_all(tmp.path().join("image"));
        copy_dir(case, &tmp.path().join("image"));
        let o = Command::new("sh")
            .arg("-c")
            .arg(validate)
            .current_dir(tmp.path())
            .env("WORKSPACE", tmp.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("sh");
        assert_eq!(o.status.code(), Some(want), "{validate}");
        assert!(
            text.contains("status == 1") && text.contains("unstable("),
            "1 marks the build unstable"
        );
        assert!(text.contains("testResults: 'ocicheck.xml'"));
        let xml = std::fs::read_to_string(tmp.path().join("ocicheck.xml")).expect("junit");
        roxmltree::Document::parse(&xml).expect("XML");
        sarif_ok(&tmp.path().join("ocicheck.sarif"));
        assert!(tmp.path().join("ocicheck.html").is_file());
    }
}
