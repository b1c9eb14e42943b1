//! The documentation is true: `docs/rules.md` is what the catalogue generates, every `console` example of the README
//! runs with the output and exit status it shows, files the README quotes are the committed ones, and the commands
//! of its CI snippets run.
//!
//! README conventions: in a ```` ```console ```` block, `$ ocicheck …` runs the binary (stdout, then stderr, is
//! compared with the lines that follow; a line `...` stands for any number of lines), and `$ echo $?` checks the
//! exit status of the command before it. A fenced block right after `<!-- file: PATH -->` must equal that file.
//! Commands run in a scratch directory where `conformance/` and `docs/` are the repository's, so examples that
//! write files write them there.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rules_md_is_generated_from_the_catalogue() {
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(
        committed == ocicheck::report::catalogue::markdown(),
        "docs/rules.md is out of date: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

/// Fenced blocks: (info string, the `<!-- file: … -->` before it, body).
fn blocks(md: &str) -> Vec<(String, Option<String>, String)> {
    let mut out = Vec::new();
    let mut lines = md.lines();
    let mut file = None;
    while let Some(line) = lines.next() {
        if let Some(p) = line
            .trim()
            .strip_prefix("<!-- file: ")
            .and_then(|r| r.strip_suffix(" -->"))
        {
            file = Some(p.to_string());
            continue;
        }
        if let Some(info) = line.strip_prefix("```") {
            let mut body = String::new();
            for l in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            out.push((info.trim().to_string(), file.take(), body));
        } else if !line.trim().is_empty() {
            file = None;
        }
    }
    out
}

/// Split a command line on spaces, honouring single and double quotes (no other shell syntax is used).
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// A scratch working directory that sees the repository's corpus and docs.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for d in ["conformance", "docs"] {
        std::os::unix::fs::symlink(root().join(d), dir.path().join(d)).expect("symlink");
    }
    dir
}

fn run(cwd: &Path, args: &[String]) -> (String, i32) {
    let o = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (text, o.status.code().unwrap_or(-1))
}

/// Whether `got` matches `want`, where a `...` line in `want` matches any number of lines.
fn matches(want: &[&str], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((&"...", rest)) => (0..=got.len()).any(|i| matches(rest, &got[i..])),
        Some((w, rest)) => got
            .split_first()
            .is_some_and(|(g, grest)| g.trim_end() == w.trim_end() && matches(rest, grest)),
    }
}

#[test]
fn readme_examples_run_as_shown() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut examples = 0;
    let mut failures = Vec::new();
    for (info, file, body) in blocks(&readme) {
        if let Some(path) = file {
            let committed = std::fs::read_to_string(root().join(&path)).unwrap_or_default();
            if committed != body {
                failures.push(format!("README quotes {path}, but the file differs"));
            }
        }
        if info != "console" {
            continue;
        }
        let dir = scratch();
        // (command, expected output lines)
        let mut steps: Vec<(String, Vec<&str>)> = Vec::new();
        for line in body.lines() {
            match line.strip_prefix("$ ") {
                Some(cmd) => steps.push((cmd.to_string(), Vec::new())),
                None => {
                    if let Some(s) = steps.last_mut() {
                        s.1.push(line);
                    }
                }
            }
        }
        let mut last_status = None;
        for (cmd, want) in steps {
            if cmd == "echo $?" {
                let shown = want.first().copied().unwrap_or_default();
                if last_status.map(|s: i32| s.to_string()).as_deref() != Some(shown) {
                    failures.push(format!("exit status {last_status:?}, README says {shown}"));
                }
                continue;
            }
            let w = words(&cmd);
            let Some((prog, args)) = w.split_first() else {
                continue;
            };
            if prog != "ocicheck" {
                failures.push(format!(
                    "README runs `{cmd}`: only ocicheck commands are checked"
                ));
                continue;
            }
            examples += 1;
            let (got, status) = run(dir.path(), args);
            last_status = Some(status);
            let got_lines: Vec<&str> = got.lines().collect();
            if !matches(&want, &got_lines) {
                failures.push(format!(
                    "`{cmd}` printed:\n{got}\nREADME shows:\n{}",
                    want.join("\n")
                ));
            }
        }
    }
    assert!(examples >= 8, "only {examples} README examples found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The ocicheck commands of the CI snippets run as written, on a sample layout in place of the built image.
#[test]
fn ci_snippets_run() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let layout = root().join("conformance/valid/minimal-image/layout");
    let mut found = 0;
    for (info, _, body) in blocks(&readme) {
        if info != "yaml" {
            continue;
        }
        for line in body.lines() {
            let Some(i) = line.find("ocicheck validate ") else {
                continue;
            };
            found += 1;
            let dir = scratch();
            let args: Vec<String> = words(&line[i..])
                .into_iter()
                .skip(1)
                .map(|w| {
                    if w == "image" {
                        layout.display().to_string()
                    } else {
                        w
                    }
                })
                .collect();
            let (out, status) = run(dir.path(), &args);
            assert_eq!(status, 0, "{line}: {out}");
            for (flag, check) in [("sarif=", "sarif"), ("junit=", "junit")] {
                if let Some(name) = args.iter().find_map(|a| a.strip_prefix(flag)) {
                    let text = std::fs::read_to_string(dir.path().join(name))
                        .unwrap_or_else(|e| panic!("{line}: {name}: {e}"));
                    if check == "sarif" {
                        let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                        assert_eq!(v["version"], "2.1.0");
                    } else {
                        roxmltree::Document::parse(&text).expect("XML");
                    }
                }
            }
        }
    }
    assert!(
        found >= 2,
        "the GitHub and GitLab snippets run ocicheck validate"
    );
}

#[test]
fn the_word_splitter_understands_quotes() {
    assert_eq!(
        words("validate 'a b' \"c\" d"),
        ["validate", "a b", "c", "d"]
    );
}
