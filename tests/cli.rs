//! The command line: exit statuses, output formats, and error messages.

use std::process::{Command, Output};

fn ocicheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const VALID: &str = "conformance/valid/minimal-image/layout";
const BAD: &str = "conformance/manifest/MAN001-schema-version-not-2/layout";

#[test]
fn exit_0_on_a_conformant_layout() {
    let o = ocicheck(&["validate", VALID]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 errors"));
}

#[test]
fn exit_1_on_a_violation() {
    let o = ocicheck(&["validate", BAD]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("error[MAN001]"));
}

#[test]
fn fail_on_never_turns_violations_into_exit_0() {
    let o = ocicheck(&["validate", BAD, "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn allow_silences_a_rule() {
    let o = ocicheck(&["validate", BAD, "--allow", "MAN001"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("[MAN001]"));
}

#[test]
fn exit_2_with_one_line_when_the_path_does_not_exist() {
    let o = ocicheck(&["validate", "no/such/path"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("no/such/path"), "{e}");
}

#[test]
fn exit_2_on_bad_flags() {
    for args in [
        &["validate", VALID, "--spec", "v9"][..],
        &["validate", VALID, "--fail-on", "sometimes"],
        &["validate", VALID, "--format", "yaml"],
        &["validate"],
        &["frobnicate"],
    ] {
        let o = ocicheck(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn unknown_rule_codes_suggest_the_closest() {
    let o = ocicheck(&["validate", VALID, "--allow", "MAN01"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("did you mean `MAN001`"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
}

#[test]
fn json_report_has_the_documented_shape() {
    let o = ocicheck(&["validate", BAD, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["tool"]["name"], "ocicheck");
    assert_eq!(v["spec"], "v1.1.1");
    assert_eq!(v["input"]["kind"], "layout");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "MAN001");
    assert_eq!(f["name"], "manifest-schema-version-not-2");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["clauses"][0], "manifest-002");
    assert!(
        f["spec_url"]
            .as_str()
            .is_some_and(|u| u.ends_with("manifest.md#image-manifest-property-descriptions"))
    );
    assert_eq!(f["location"]["pointer"], "/schemaVersion");
    assert_eq!(f["location"]["via"][0], "index.json#/manifests/0");
    assert!(
        f["location"]["file"]
            .as_str()
            .is_some_and(|p| p.starts_with("blobs/sha256/"))
    );
    assert_eq!(f["message"], "schemaVersion is 3; it must be 2");
    assert_eq!(
        v["summary"],
        serde_json::json!({"errors": 1, "warnings": 0, "infos": 0})
    );
}

#[test]
fn json_report_validates_against_its_own_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/report.schema.json"))
            .expect("report schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("report schema compiles");
    for path in [VALID, BAD] {
        let o = ocicheck(&["validate", path, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{path}: {errors:?}");
    }
    // An archive, with a selection: `input.kind` is `archive` and `images` lists what was validated.
    let o = ocicheck(&[
        "validate",
        "conformance/archive/ARC002-entry-duplicate/archive.tar",
        "--format",
        "json",
        "--ref",
        "latest",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "archive: {errors:?}");
    assert_eq!(v["input"]["kind"], "archive");
    assert_eq!(v["images"][0]["ref"], "latest");
    assert_eq!(v["images"][0]["platform"], "linux/amd64");
    // An incomplete report (a limit hit: --max-blob-time 0) has `incomplete`, in the schema's shape.
    let o = ocicheck(&[
        "validate",
        VALID,
        "--format",
        "json",
        "--max-blob-time",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "incomplete: {errors:?}");
    assert_eq!(v["incomplete"]["raise"][0], "--max-blob-time");
    assert!(schema["properties"]["incomplete"].is_object());
}

#[test]
fn rules_and_explain() {
    let o = ocicheck(&["rules", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let first = &v[0];
    for key in ["code", "name", "severity", "clauses", "spec_url", "summary"] {
        assert!(first.get(key).is_some(), "rules --format json lacks {key}");
    }
    let o = ocicheck(&["rules"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("MAN001"));
    let o = ocicheck(&["explain", "MAN001"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("manifest-002")
            && text.contains("## Example")
            && text.contains("https://github.com/")
    );
    let o = ocicheck(&["explain", "NOPE999"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_single_document_names_its_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("m.json");
    std::fs::write(&p, br#"{"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2}, "layers": []}"#).expect("write");
    let o = ocicheck(&[
        "validate",
        p.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["input"]["kind"], "document");
    assert_eq!(
        v["input"]["media_type"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(v["input"]["media_type_source"], "shape");
    let o = ocicheck(&[
        "validate",
        p.to_str().unwrap_or_default(),
        "--media-type",
        "application/vnd.oci.image.index.v1+json",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["input"]["media_type_source"], "flag");
    assert_eq!(
        o.status.code(),
        Some(1),
        "a manifest checked as an index lacks manifests"
    );
}

#[test]
fn the_input_is_not_written_to() {
    fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("readable").flatten() {
                let m = e.metadata().expect("metadata");
                if m.is_dir() {
                    stack.push(e.path());
                } else {
                    out.push((
                        e.path().display().to_string(),
                        std::fs::read(e.path()).unwrap_or_default(),
                        m.modified().expect("mtime"),
                    ));
                }
            }
        }
        out.sort();
        out
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BAD);
    let before = snapshot(&root);
    ocicheck(&["validate", BAD]);
    assert_eq!(before, snapshot(&root));
}

/// Run with stdout a pipe (shrunk to one page, so that the output cannot fit in it) whose reader takes the first
/// line and closes it, as `ocicheck … | head -1` does: (exit status, stderr).
fn with_stdout_closed_early(args: &[&str]) -> (Option<i32>, String) {
    use std::io::{BufRead, Read};
    use std::os::fd::AsRawFd;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let out = child.stdout.take().expect("stdout");
    // SAFETY: a valid pipe descriptor owned by `out`; F_SETPIPE_SZ only resizes the pipe's buffer.
    unsafe { libc::fcntl(out.as_raw_fd(), libc::F_SETPIPE_SZ, 4096) };
    let mut first = String::new();
    std::io::BufReader::new(out)
        .read_line(&mut first)
        .expect("read a line");
    assert!(!first.is_empty(), "no output from {args:?}");
    // The reader is gone (dropped with the BufReader).
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("wait");
    (status.code(), err)
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_with_the_verdicts_status() {
    // The catalogue: exit 0 as if it had been read whole.
    let (code, err) = with_stdout_closed_early(&["rules", "--format", "json"]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    let (code, err) = with_stdout_closed_early(&["rules"]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    // A large report (hundreds of KiB) of inputs with violations: the verdict is still exit 1.
    let layouts: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/manifest"))
            .expect("corpus")
            .filter_map(Result::ok)
            .map(|e| {
                format!(
                    "conformance/manifest/{}/layout",
                    e.file_name().to_string_lossy()
                )
            })
            .filter(|p| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(p)
                    .is_dir()
            })
            .collect();
    let mut args = vec!["validate", "--format", "json"];
    args.extend(layouts.iter().map(String::as_str));
    let (code, err) = with_stdout_closed_early(&args);
    assert_eq!((code, err.as_str()), (Some(1), ""));
    let (code, err) = with_stdout_closed_early(&["man"]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
}

#[test]
fn a_write_error_on_stdout_is_exit_2_with_one_line() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    for args in [
        &["rules", "--format", "json"][..],
        &["validate", VALID][..],
        &["validate", "--format", "json", BAD][..],
        &["explain", "MAN001"][..],
        &["completions", "bash"][..],
        &["man"][..],
        &["--help"][..],
        &["--version"][..],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(full())
            .output()
            .expect("the binary runs");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
    }
}
