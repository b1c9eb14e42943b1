//! Issue 12 § 1 from the command line: a hardening finding is a warning by default, and `--deny hardening`, the
//! `hardening` key of `ocicheck.toml` and `--profile strict` make it an error; `rules` shows every rule's basis.

use std::process::{Command, Output};

const ESCAPE: &str = "conformance/layer/LYR010-whiteout-through-symlink-lower/layout";

fn ocicheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_whiteout_through_a_link_is_a_warning_that_deny_hardening_raises() {
    let o = ocicheck(&["validate", ESCAPE]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("warning[LYR010]"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("hostetc -> /etc") && stdout(&o).contains("/etc/passwd"),
        "the message names the link and where it leads: {}",
        stdout(&o)
    );
    for extra in [&["--deny", "hardening"][..], &["--profile", "strict"][..]] {
        let mut args = vec!["validate", ESCAPE];
        args.extend_from_slice(extra);
        let o = ocicheck(&args);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {}", stdout(&o));
        assert!(
            stdout(&o).contains("error[LYR010]"),
            "{extra:?}: {}",
            stdout(&o)
        );
    }
    // The same from a configuration file, and a code still beats its basis.
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = tmp.path().join("ocicheck.toml");
    std::fs::write(&cfg, "[rules]\nhardening = \"deny\"\n").expect("write");
    let cfg = cfg.to_string_lossy().into_owned();
    let o = ocicheck(&["validate", ESCAPE, "--config", &cfg]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = ocicheck(&[
        "validate",
        ESCAPE,
        "--deny",
        "hardening",
        "--warn",
        "LYR010",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn rules_and_explain_show_the_basis() {
    let o = ocicheck(&["rules"]);
    let table = stdout(&o);
    assert!(table.lines().next().is_some_and(|h| h.contains("BASIS")));
    let row = table
        .lines()
        .find(|l| l.starts_with("LYR010"))
        .expect("LYR010 row");
    assert!(
        row.contains("warning") && row.contains("hardening"),
        "{row}"
    );
    let o = ocicheck(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for r in v.as_array().expect("array") {
        let b = r["basis"].as_str().unwrap_or_default();
        assert!(
            ["keyword", "type", "hardening", "exception"].contains(&b),
            "{}: basis {b:?}",
            r["code"]
        );
    }
    let o = ocicheck(&["explain", "IDX021"]);
    assert!(stdout(&o).contains("Basis: exception"), "{}", stdout(&o));
    assert!(stdout(&o).contains("## Basis"), "{}", stdout(&o));
}
