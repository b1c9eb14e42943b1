//! `docker://HOST`: a registry's whole catalogue, against a real registry (Debian's docker-registry, started by
//! `scripts/registry.sh`): repositories sharing blobs (each blob fetched once per run), pagination (the registry's
//! own with `--page-size`, and a test double's `Link` headers), `--repos`/`--tags`, a 3-way shard merged equal to
//! the whole run, `--format jsonl`, and the ways a catalogue run stops (exit 2) or goes on (a tag list that fails).

mod registry_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use registry_support::http::{Req, Resp};
use registry_support::proxy::{Fault, Proxy};
use registry_support::push::Pusher;
use registry_support::{Registry, fresh_dir, ocicheck, run};
use serde_json::Value;

fn corpus(case: &str) -> std::path::PathBuf {
    registry_support::repo_root()
        .join("conformance")
        .join(case)
        .join("layout")
}

/// A registry of its own (the catalogue of the shared one holds what every other test pushed), with:
/// - `cat/a`, `cat/b`: the same multi-platform image (every blob shared), tagged `v1` and `v2` in `cat/a`;
/// - `cat/c`, `cat/e`: a layer with an absolute entry path (LYR008), shared;
/// - `cat/d`: a DiffID that does not match (LYR007);
/// - `other/x`: the valid multi-platform image again.
fn catalogue() -> &'static Registry {
    static R: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let reg = Registry::start(&[]);
        let push = |repo: &str, case: &str, prefix: &str| {
            let mut p = Pusher::new(&reg.authority(), repo, None);
            p.tag_prefix = prefix.to_string();
            p.layout(&corpus(case))
                .unwrap_or_else(|e| panic!("{repo}: {e}"));
        };
        let multi = "valid/multi-platform-index";
        push("cat/a", multi, "v1.");
        push("cat/a", multi, "v2.");
        push("cat/b", multi, "v1.");
        push("cat/c", "layer/LYR008-entry-path-absolute", "v1.");
        push("cat/e", "layer/LYR008-entry-path-absolute", "v1.");
        push("cat/d", "layer/LYR007-diff-id-mismatch-gzip", "v1.");
        push("other/x", multi, "v1.");
        reg
    })
}

fn home() -> std::path::PathBuf {
    fresh_dir("catalog-home")
}

/// `ocicheck validate ARGS… --format json --quiet`: exit status, report, standard error.
fn validate(args: &[&str]) -> (i32, Value, String) {
    let mut c = ocicheck(&home());
    c.arg("validate")
        .args(args)
        .args(["--format", "json", "--quiet"]);
    let (code, out, err) = run(c);
    (code, serde_json::from_str(&out).unwrap_or_default(), err)
}

fn codes(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap_or(""),
                f["location"]["file"].as_str().unwrap_or("")
            )
        })
        .collect();
    v.sort();
    v
}

/// `(repository, tags)` of each image the report lists.
fn repos_of(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["images"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["repository"].as_str().unwrap_or("?").to_string())
        .collect();
    v.dedup();
    v
}

#[test]
fn every_tagged_image_is_validated_and_each_blob_fetched_once() {
    need_registry!();
    let reg = catalogue();
    let proxy = Proxy::start(reg.port, Arc::new(|_: &Req, _| Fault::Pass));
    let url = format!("docker://127.0.0.1:{}", proxy.port);
    let (code, report, err) = validate(&[&url, "--jobs", "2"]);
    assert_eq!(code, 1, "{err}{report}");
    assert_eq!(
        repos_of(&report),
        ["cat/a", "cat/b", "cat/c", "cat/d", "cat/e", "other/x"],
        "{report}"
    );
    // The findings of the shared bad layer are in each repository that has it, located there.
    let found = codes(&report);
    let host = format!("docker://127.0.0.1:{}", proxy.port);
    for repo in ["cat/c", "cat/e"] {
        assert!(
            found
                .iter()
                .any(|f| f.starts_with("LYR008 ") && f.contains(&format!("{host}/{repo}@sha256:"))),
            "{repo}: {found:?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("LYR007 ") && f.contains("/cat/d@")),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|f| f.contains("/cat/a@") || f.contains("/cat/b@")),
        "{found:?}"
    );
    // Two tags of one manifest in cat/a: one image entry per manifest, with both tags.
    let a_tags: Vec<Vec<String>> = report["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["repository"] == "cat/a")
        .map(|i| {
            i["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .collect();
    assert!(!a_tags.is_empty());
    assert!(a_tags.iter().all(|t| t.len() == 2), "{a_tags:?}");

    let seen = proxy.seen();
    let mut gets: BTreeMap<String, usize> = BTreeMap::new();
    let mut heads: BTreeMap<String, usize> = BTreeMap::new();
    for s in &seen {
        if let Some((_, digest)) = s.path.split_once("/blobs/") {
            let m = if s.method == "GET" {
                &mut gets
            } else {
                &mut heads
            };
            *m.entry(digest.to_string()).or_default() += 1;
        }
    }
    assert!(!gets.is_empty());
    for (d, n) in &gets {
        assert_eq!(*n, 1, "GET of {d} {n} times in one run");
    }
    // The shared blobs are still asked for (HEAD) in each repository that references them.
    assert!(heads.values().any(|&n| n >= 3), "{heads:?}");
    assert!(
        seen.iter()
            .any(|s| s.method == "GET" && s.path == "/v2/_catalog"),
        "no catalogue request"
    );
}

#[test]
fn the_registry_pages_are_followed_with_a_small_page_size() {
    need_registry!();
    let reg = catalogue();
    let proxy = Proxy::start(reg.port, Arc::new(|_: &Req, _| Fault::Pass));
    let url = format!("docker://127.0.0.1:{}", proxy.port);
    let (code, report, err) = validate(&[&url, "--page-size", "1", "--repos", "cat/*"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        repos_of(&report),
        ["cat/a", "cat/b", "cat/c", "cat/d", "cat/e"]
    );
    let pages: Vec<String> = proxy
        .seen()
        .iter()
        .filter(|s| s.path.starts_with("/v2/_catalog"))
        .map(|s| s.path.clone())
        .collect();
    // 6 repositories, 1 a page: 6 pages (and maybe an empty seventh), the later ones asked for after a `last`.
    assert!(pages.len() >= 6, "{pages:?}");
    // distribution 2.8 does not page tag lists (it answers every tag whatever `n`): both tags of cat/a are
    // there; paging of tag lists by `Link` is the test double's, below.
    let tags: Vec<&str> = report["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["repository"] == "cat/a")
        .flat_map(|i| i["tags"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    assert!(
        tags.contains(&"v1.latest") && tags.contains(&"v2.latest"),
        "{tags:?}"
    );
    // Two tags for n=1: more than asked for, which the spec's paging does not allow (dist-126).
    let reg013: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "REG013")
        .map(|f| format!("{} {}", f["location"]["file"], f["message"]))
        .collect();
    assert_eq!(reg013.len(), 1, "{reg013:?}");
    assert!(
        reg013[0].contains("/v2/cat/a/tags/list") && reg013[0].contains("n=1"),
        "{reg013:?}"
    );
}

/// A test double of a registry whose catalogue and tag list come in pages by `Link` headers (with a relative and
/// an absolute target), the rest forwarded to the real registry.
#[test]
fn link_headers_lead_to_the_next_pages() {
    need_registry!();
    let reg = catalogue();
    let port = Arc::new(std::sync::OnceLock::<u16>::new());
    let p = port.clone();
    let proxy = Proxy::start(
        reg.port,
        Arc::new(move |req: &Req, _| {
            let json =
                |v: Value| Resp::new(200, v.to_string()).with("Content-Type", "application/json");
            match req.path() {
                "/v2/_catalog" if req.query("page").is_none() => Fault::Reply(
                    json(serde_json::json!({"repositories": ["cat/a"]}))
                        .with("Link", r#"</v2/_catalog?page=2>; rel="next""#),
                ),
                "/v2/_catalog" => {
                    Fault::Reply(json(serde_json::json!({"repositories": ["cat/d"]})))
                }
                "/v2/cat/a/tags/list" if req.query("page").is_none() => Fault::Reply(
                    json(serde_json::json!({"name": "cat/a", "tags": ["v1.latest"]})).with(
                        "Link",
                        &format!(
                            r#"<http://127.0.0.1:{}/v2/cat/a/tags/list?page=2>; rel="next""#,
                            p.get().copied().unwrap_or(0)
                        ),
                    ),
                ),
                "/v2/cat/a/tags/list" => Fault::Reply(json(
                    serde_json::json!({"name": "cat/a", "tags": ["v2.latest"]}),
                )),
                // cat/d's tag list: the right tags, a Link header that is not one.
                "/v2/cat/d/tags/list" => Fault::Edit(Box::new(|r: &mut Resp| {
                    r.set("Link", "/v2/cat/d/tags/list?last=x");
                })),
                _ => Fault::Pass,
            }
        }),
    );
    let _ = port.set(proxy.port);
    let (code, report, err) = validate(&[&format!("docker://127.0.0.1:{}", proxy.port)]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(repos_of(&report), ["cat/a", "cat/d"], "{report}");
    let tags: Vec<&str> = report["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["repository"] == "cat/a")
        .flat_map(|i| i["tags"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    assert!(
        tags.iter().any(|t| t.starts_with("v1.")) && tags.iter().any(|t| t.starts_with("v2.")),
        "{tags:?}"
    );
    let reg013: Vec<&Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "REG013")
        .collect();
    assert_eq!(reg013.len(), 1, "{report}");
    assert!(
        reg013[0]["location"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("/v2/cat/d/tags/list")),
        "{report}"
    );
    assert_eq!(reg013[0]["clauses"][0], "dist-128");
}

#[test]
fn repos_and_tags_narrow_the_run() {
    need_registry!();
    let url = format!("docker://{}", catalogue().authority());
    let (_, report, err) = validate(&[
        &url, "--repos", "cat/?", "--repos", "**/x", "--tags", "v2.*",
    ]);
    // Only cat/a has v2.* tags; other/x matches the repository glob but none of its tags the tag glob.
    assert_eq!(repos_of(&report), ["cat/a"], "{err}{report}");
    let (code, report, err) = validate(&[&url, "--repos", "other/*"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(repos_of(&report), ["other/x"]);
    assert!(report["findings"].as_array().is_some_and(Vec::is_empty));
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
    p.display().to_string()
}

#[test]
fn three_shards_merged_equal_the_whole_run() {
    need_registry!();
    let url = format!("docker://{}", catalogue().authority());
    let h = home();
    let whole_out = {
        let mut c = ocicheck(&h);
        c.args(["validate", &url, "--format", "json", "--quiet"]);
        run(c)
    };
    let whole: Value = serde_json::from_str(&whole_out.1).unwrap_or_default();
    assert_eq!(whole_out.0, 1, "{}", whole_out.2);
    let mut files = Vec::new();
    let mut shard_repos = Vec::new();
    for i in 0..3 {
        let mut c = ocicheck(&h);
        c.args([
            "validate",
            &url,
            "--shard",
            &format!("{i}/3"),
            "--format",
            "json",
            "--quiet",
        ]);
        let (code, out, err) = run(c);
        assert!(code == 0 || code == 1, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(v["shard"]["index"], i);
        shard_repos.push(repos_of(&v));
        files.push(write(&h, &format!("s{i}.json"), &out));
    }
    // Repository k (in catalogue order) goes to shard k mod 3: disjoint, and together all of them.
    assert_eq!(shard_repos[0], ["cat/a", "cat/d"]);
    assert_eq!(shard_repos[1], ["cat/b", "cat/e"]);
    assert_eq!(shard_repos[2], ["cat/c", "other/x"]);
    let mut c = ocicheck(&h);
    c.arg("merge").args(&files);
    let (code, out, err) = run(c);
    assert!(code == 0 || code == 1, "{err}");
    let merged: Value = serde_json::from_str(&out).unwrap_or_default();
    assert!(!whole["findings"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(merged["findings"], whole["findings"]);
    assert_eq!(merged["summary"], whole["summary"]);
    assert_eq!(merged["images"], whole["images"]);
}

#[test]
fn jsonl_streams_each_image_and_resumes() {
    need_registry!();
    let url = format!("docker://{}", catalogue().authority());
    let h = home();
    let mut c = ocicheck(&h);
    c.args([
        "validate", &url, "--repos", "cat/*", "--format", "jsonl", "--quiet",
    ]);
    let (code, out, err) = run(c);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    let done = lines.iter().filter(|l| l["done"] == true).count();
    assert!(done >= 5, "{out}");
    let last = lines.last().cloned().unwrap_or_default();
    let (_, whole, _) = validate(&[&url, "--repos", "cat/*"]);
    assert_eq!(last["summary"], whole["summary"], "{out}");
    // Resumed from its own output: nothing is done again, the summary is the same.
    let resume = write(&h, "run.jsonl", &out);
    let mut c = ocicheck(&h);
    c.args([
        "validate", &url, "--repos", "cat/*", "--format", "jsonl", "--quiet", "--resume", &resume,
    ]);
    let (_, again, err) = run(c);
    let lines: Vec<Value> = again
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    assert!(
        !lines.iter().any(|l| l.get("finding").is_some()),
        "{err}{again}"
    );
    assert_eq!(
        lines.last().map(|l| l["summary"].clone()),
        Some(whole["summary"].clone())
    );
}

#[test]
fn a_tag_list_that_fails_is_an_error_and_the_rest_goes_on() {
    need_registry!();
    let reg = catalogue();
    let proxy = Proxy::start(
        reg.port,
        Arc::new(|req: &Req, _| {
            if req.path() == "/v2/cat/b/tags/list" {
                Fault::Reply(Resp::new(500, "no"))
            } else if req.path().ends_with("/manifests/v1.latest")
                && req.path().starts_with("/v2/other/x/")
            {
                // other/x lists a tag whose manifest then cannot be had.
                Fault::Reply(Resp::new(
                    404,
                    r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"gone"}]}"#,
                ))
            } else {
                Fault::Pass
            }
        }),
    );
    let url = format!("docker://127.0.0.1:{}", proxy.port);
    let (code, report, err) = validate(&[
        &url, "--repos", "cat/a", "--repos", "cat/b", "--repos", "other/*",
    ]);
    assert_eq!(code, 1, "{err}{report}");
    assert_eq!(repos_of(&report), ["cat/a"], "{report}");
    let found = codes(&report);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("REG007 ") && f.ends_with("/v2/cat/b/tags/list")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("REG007 ") && f.contains("/other/x:v1.latest")),
        "{found:?}"
    );
    let items = &report["not_validated"]["items"];
    let kinds: Vec<&str> = items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["repository", "image"], "{report}");
}

#[test]
fn no_catalogue_or_no_registry_is_exit_2() {
    need_registry!();
    let reg = catalogue();
    for (status, says) in [(404, "has no catalogue"), (401, "does not let")] {
        let proxy = Proxy::start(
            reg.port,
            Arc::new(move |req: &Req, _| {
                if req.path() == "/v2/_catalog" {
                    Fault::Reply(Resp::new(status, ""))
                } else {
                    Fault::Pass
                }
            }),
        );
        let (code, _, err) = validate(&[&format!("docker://127.0.0.1:{}", proxy.port)]);
        assert_eq!(code, 2, "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(says), "{status}: {err}");
    }
    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    let (code, _, err) = validate(&[&format!("docker://127.0.0.1:{port}")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot reach the registry"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
