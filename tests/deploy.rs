//! The recipes of `deploy/` (a Kubernetes Indexed Job, a GitHub Actions matrix) do what they say: their commands,
//! read from the manifests and run here as separate processes (one per completion index or matrix entry, each in a
//! directory of its own, as on separate machines), give shard reports that merge into the unsharded run's report.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{combined_layout, json, ocicheck};
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

fn yaml(path: &str) -> Yaml {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path}: one document");
    docs.remove(0)
}

fn strings(y: &Yaml) -> Vec<String> {
    y.as_vec()
        .into_iter()
        .flatten()
        .map(|a| match a {
            Yaml::String(s) => s.clone(),
            Yaml::Integer(i) => i.to_string(),
            other => panic!("not a string: {other:?}"),
        })
        .collect()
}

fn whole_run(layout: &Path) -> Value {
    let p = layout.to_str().unwrap_or_else(|| panic!("not UTF-8"));
    json(&ocicheck(&["validate", "--format", "json", p]))
}

fn same_as_whole(merged: &Value, whole: &Value) {
    assert!(merged["findings"].as_array().is_some_and(|f| f.len() > 100));
    assert_eq!(merged["findings"], whole["findings"]);
    assert_eq!(merged["summary"], whole["summary"]);
    assert_eq!(merged["images"], whole["images"]);
}

/// A pod's container: its args with `$(VAR)` expanded as Kubernetes expands them, and each volume's mount path
/// replaced by a local directory.
fn pod_args(job: &Yaml, env: &[(&str, String)], mounts: &[(&str, &Path)]) -> Vec<String> {
    let pod = &job["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(
        container["command"],
        Yaml::BadValue,
        "the image's entrypoint is ocicheck"
    );
    let volumes: Vec<(String, String)> = container["volumeMounts"]
        .as_vec()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["name"].as_str().unwrap_or_default().to_string(),
                m["mountPath"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    strings(&container["args"])
        .into_iter()
        .map(|mut a| {
            for (k, v) in env {
                a = a.replace(&format!("$({k})"), v);
            }
            for (name, at) in &volumes {
                let local = mounts
                    .iter()
                    .find(|(n, _)| n == name)
                    .unwrap_or_else(|| panic!("no local directory for volume {name}"))
                    .1;
                a = a.replace(at.as_str(), &local.display().to_string());
            }
            a
        })
        .collect()
}

fn run(args: &[String], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("ocicheck: {e}"))
}

#[test]
fn the_kubernetes_indexed_job_shards_and_merges_to_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    combined_layout(&layout);
    let reports = tmp.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap_or_else(|e| panic!("{e}"));
    let job = yaml("deploy/kubernetes/shards-job.yaml");
    assert_eq!(job["kind"].as_str(), Some("Job"));
    assert_eq!(job["spec"]["completionMode"].as_str(), Some("Indexed"));
    let n = job["spec"]["completions"].as_i64().unwrap_or(0);
    assert!(n > 1);
    let mounts = [("layout", layout.as_path()), ("reports", reports.as_path())];
    for i in 0..n {
        let args = pod_args(&job, &[("JOB_COMPLETION_INDEX", i.to_string())], &mounts);
        // The shard count in the args is the Job's completions.
        assert!(args.contains(&format!("{i}/{n}")), "{args:?}");
        let pod = tmp.path().join(format!("pod-{i}"));
        std::fs::create_dir_all(&pod).unwrap_or_else(|e| panic!("{e}"));
        let o = run(&args, &pod);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let merge = yaml("deploy/kubernetes/merge-job.yaml");
    let args = pod_args(&merge, &[], &mounts[1..]);
    assert_eq!(
        args.iter().filter(|a| a.ends_with(".json")).count() as i64,
        n,
        "one report per completion index: {args:?}"
    );
    let o = run(&args, tmp.path());
    // The layout holds errors: the merge says so.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    same_as_whole(&json(&o), &whole_run(&layout));
}

/// A `run` step's script with the matrix expressions of the workflow replaced.
fn script(step: &Yaml, shard: Option<(&str, usize)>) -> String {
    let mut s = step["run"].as_str().unwrap_or_default().to_string();
    if let Some((value, total)) = shard {
        s = s
            .replace("${{ matrix.shard }}", value)
            .replace("${{ strategy.job-total }}", &total.to_string());
    }
    assert!(
        !s.contains("${{"),
        "an expression the test does not know: {s}"
    );
    s
}

/// Runs a job's `run` steps (but the install step: the ocicheck under test is first on PATH) with bash -e in
/// `dir`, as the runner does.
fn run_steps(job: &Yaml, dir: &Path, layout: &Path, shard: Option<(&str, usize)>) -> Vec<i32> {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ocicheck"), bin.join("ocicheck"))
        .unwrap_or_else(|e| panic!("{e}"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut codes = Vec::new();
    for step in job["steps"].as_vec().into_iter().flatten() {
        if step["run"].as_str().is_none() || step["name"].as_str() == Some("Install ocicheck") {
            continue;
        }
        let o = Command::new("bash")
            .args(["-e", "-c", &script(step, shard)])
            .current_dir(dir)
            .env("PATH", &path)
            .env("LAYOUT", layout)
            .output()
            .unwrap_or_else(|e| panic!("bash: {e}"));
        codes.push(o.status.code().unwrap_or(-1));
    }
    codes
}

#[test]
fn the_github_actions_matrix_shards_and_merges_to_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    combined_layout(&layout);
    let wf = yaml("deploy/github/ocicheck-shards.yml");
    assert!(wf["env"]["LAYOUT"].as_str().is_some());
    let shard = &wf["jobs"]["shard"];
    let matrix = strings(&shard["strategy"]["matrix"]["shard"]);
    assert!(matrix.len() > 1);
    let merge_dir = tmp.path().join("merge");
    std::fs::create_dir_all(&merge_dir).unwrap_or_else(|e| panic!("{e}"));
    for m in &matrix {
        let dir = tmp.path().join(format!("shard-{m}"));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let codes = run_steps(shard, &dir, &layout, Some((m, matrix.len())));
        assert_eq!(codes, vec![0], "shard {m}");
        // What upload-artifact takes and download-artifact (merge-multiple) puts in the merge job's directory.
        let up = shard["steps"]
            .as_vec()
            .into_iter()
            .flatten()
            .find(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/upload-artifact"))
            })
            .unwrap_or_else(|| panic!("no upload step"));
        let file = up["with"]["path"]
            .as_str()
            .unwrap_or_default()
            .replace("${{ matrix.shard }}", m);
        let from: PathBuf = dir.join(&file);
        std::fs::copy(&from, merge_dir.join(&file))
            .unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
    let merge = &wf["jobs"]["merge"];
    assert_eq!(merge["needs"].as_str(), Some("shard"));
    let codes = run_steps(merge, &merge_dir, &layout, None);
    // The layout holds errors: the merge step fails, after writing the report.
    assert_eq!(codes, vec![1]);
    let text = std::fs::read(merge_dir.join("report.json")).unwrap_or_else(|e| panic!("{e}"));
    let merged: Value = serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{e}"));
    same_as_whole(&merged, &whole_run(&layout));
}
