//! `docker://` against a real registry (Debian's docker-registry, distribution 2.8), started by
//! `scripts/registry.sh`: corpus images pushed and validated back, authentication (htpasswd, a token service),
//! corrupt storage, referrers (the tag schema, and a test double of the Referrers API), and a fault-injecting proxy
//! between ocicheck and the registry.

mod registry_support;

use std::path::Path;

use ocicheck::report::Finding;
use registry_support::Registry;
use registry_support::push::Pusher;

/// A finding as both inputs can name it: code, the blob it is in (`blobs/<alg>/<hex>`), the pointer.
fn key(f: &Finding) -> String {
    let file = match f.location.file.split_once('@') {
        Some((_, d)) => {
            let (alg, hex) = d.split_once(':').unwrap_or(("", d));
            format!("blobs/{alg}/{hex}")
        }
        None => f.location.file.clone(),
    };
    format!(
        "{} {} {} {}",
        f.code,
        f.severity,
        file,
        f.location.pointer.as_deref().unwrap_or("")
    )
}

/// What a layout's report says that a registry cannot: the layout's own files and the LAY rules (the registry
/// counterparts of LAY007 and LAY011 are REG006 and REG007; nothing of a layout's tree exists in a registry).
fn layout_only(f: &Finding) -> bool {
    !f.location.file.starts_with("blobs/") || f.code.starts_with("LAY")
}

/// One corpus case pushed and validated both ways: `None` when the registry refused it (the reason).
fn compare_case(case: &ocicheck::corpus::Case, reg: &Registry) -> Result<Option<String>, String> {
    let layout = case.input_path();
    let Ok(opts) = case.options() else {
        return Err("no options".into());
    };
    let mut pusher = Pusher::new(&reg.authority(), "corpus", None);
    pusher.tag_prefix = format!(
        "{}.",
        case.id
            .to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let pushed = match pusher.layout(&layout) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => return Err("no image entry in index.json".into()),
        Err(e) => return Err(e),
    };
    let from_layout = ocicheck::validate(&layout, &opts).map_err(|e| format!("the layout: {e}"))?;
    if from_layout
        .findings
        .iter()
        .any(|f| f.location.file == "index.json" && f.code.starts_with("JSN"))
    {
        // index.json was not read: the layout's walk reached nothing that could be compared.
        return Err("index.json itself is not read (JSN)".into());
    }
    let mut expected: Vec<String> = from_layout
        .findings
        .iter()
        .filter(|f| !layout_only(f))
        .map(key)
        .collect();
    let mut got = Vec::new();
    let mut reg_codes = Vec::new();
    for p in &pushed {
        let url = format!("docker://{}/corpus:{}", reg.authority(), p.tag);
        let r = match ocicheck::validate(Path::new(&url), &opts) {
            Ok(r) => r,
            // Docker's types at the top: a usage error without --profile docker-compat, as the README says.
            Err(e) if e.to_string().contains("--profile docker-compat") => {
                return Err(format!("{url}: Docker-typed"));
            }
            Err(e) => panic!("{}: {e}", case.id),
        };
        // Fetched by tag, the image is known by the sha256 of what was served; its layout names it by the digest of
        // its index.json entry (another algorithm, in some cases).
        let bytes = registry_support::push::read_blob(&layout, &p.digest)?;
        let served_as = format!(
            "blobs/sha256/{}",
            ocicheck::digest::Algorithm::Sha256
                .digest_of(&bytes)
                .trim_start_matches("sha256:")
        );
        let entry_path = p.digest.replacen(':', "/", 1);
        for f in &r.findings {
            if f.code.starts_with("REG") {
                reg_codes.push(format!("{} {}", f.code, f.message));
            } else {
                got.push(key(f).replace(&served_as, &format!("blobs/{entry_path}")));
            }
        }
    }
    expected.sort();
    expected.dedup();
    got.sort();
    got.dedup();
    if expected == got && reg_codes.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!(
        "{}:\n  layout only:   {:?}\n  registry only: {:?}\n  REG: {reg_codes:?}",
        case.id,
        expected
            .iter()
            .filter(|k| !got.contains(k))
            .collect::<Vec<_>>(),
        got.iter()
            .filter(|k| !expected.contains(k))
            .collect::<Vec<_>>(),
    )))
}

#[test]
fn corpus_images_pushed_to_a_registry_validate_as_their_layouts() {
    need_registry!();
    let reg = Registry::shared();
    let root = ocicheck::corpus::root();
    let cases: Vec<_> = ocicheck::corpus::load_all(&root)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|c| {
            c.file.kind == ocicheck::corpus::CaseKind::Layout
                && !c.id.starts_with("hostile/")
                && c.input_path().join("index.json").is_file()
        })
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let r = compare_case(case, reg);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((case.id.clone(), r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let refused: Vec<String> = results
        .iter()
        .filter_map(|(id, r)| r.as_ref().err().map(|e| format!("{id}: {e}")))
        .collect();
    let mismatches: Vec<&String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().and_then(Option::as_ref))
        .collect();
    let compared = results.len() - refused.len();
    println!(
        "compared {compared} of {} corpus layouts through the registry; {} not pushed or not validated as such:\n  {}",
        cases.len(),
        refused.len(),
        refused.join("\n  ")
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} cases differ:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(compared >= 150, "only {compared} cases could be compared");
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers for the tests below.

use registry_support::http::{Req, Resp};
use registry_support::proxy::{Fault, Proxy};
use registry_support::{ocicheck, run};

const MINIMAL: &str = "conformance/valid/minimal-image/layout";

/// The digests of an image layout's first manifest and its first layer.
struct Image {
    manifest: String,
    layer: String,
}

fn image_of(layout: &Path) -> Image {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap_or_default())
            .unwrap_or_default();
    let manifest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let m: serde_json::Value = serde_json::from_slice(
        &registry_support::push::read_blob(layout, &manifest).unwrap_or_default(),
    )
    .unwrap_or_default();
    Image {
        layer: m["layers"][0]["digest"].as_str().unwrap_or_default().into(),
        manifest,
    }
}

/// Push a corpus layout into `repo` of the shared registry, its first entry tagged `v1`.
fn push_minimal(reg: &Registry, repo: &str, auth: Option<String>) -> Image {
    let layout = registry_support::repo_root().join(MINIMAL);
    let p = Pusher::new(&reg.authority(), repo, auth);
    let pushed = p.layout(&layout).unwrap_or_else(|e| panic!("push: {e}"));
    let bytes = registry_support::push::read_blob(&layout, &pushed[0].digest)
        .unwrap_or_else(|e| panic!("{e}"));
    p.manifest("v1", "application/vnd.oci.image.manifest.v1+json", &bytes)
        .unwrap_or_else(|e| panic!("{e}"));
    image_of(&layout)
}

/// A fresh home directory (no credential files but those a test writes).
fn home() -> std::path::PathBuf {
    registry_support::fresh_dir("home")
}

/// `ocicheck validate ARGS… --format json`: exit status, the codes found, stderr, and the report.
fn validate_json(
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, Vec<String>, String, serde_json::Value) {
    let h = home();
    let mut c = ocicheck(&h);
    c.arg("validate")
        .args(args)
        .args(["--format", "json", "--quiet"]);
    for (k, v) in env {
        c.env(k, v);
    }
    let (code, out, err) = run(c);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let codes = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect();
    (code, codes, err, report)
}

/// A proxy in front of the shared registry with a plan, and the URL of `repo:v1` through it.
fn through(
    plan: impl Fn(&Req, usize) -> Fault + Send + Sync + 'static,
    repo: &str,
) -> (Proxy, String) {
    let proxy = Proxy::start(Registry::shared().port, std::sync::Arc::new(plan));
    let url = format!("docker://127.0.0.1:{}/{repo}:v1", proxy.port);
    (proxy, url)
}

fn is(req: &Req, method: &str, suffix: &str) -> bool {
    req.method == method && req.path().ends_with(suffix)
}

// ---------------------------------------------------------------------------------------------------------------
// A pushed image, validated where it lives.

#[test]
fn a_pushed_image_is_validated_with_docker_locations_selection_and_fast() {
    need_registry!();
    let reg = Registry::shared();
    let layout =
        registry_support::repo_root().join("conformance/valid/multi-platform-index/layout");
    let pushed = Pusher::new(&reg.authority(), "show/multi", None)
        .layout(&layout)
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("docker://{}/show/multi:{}", reg.authority(), pushed[0].tag);
    let h = home();
    let (code, out, err) = run({
        let mut c = ocicheck(&h);
        c.args(["validate", &url, "--platform", "linux/arm64"]);
        c
    });
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("ocicheck: registry {url}")), "{out}");
    assert!(out.contains("linux/arm64"), "{out}");
    let (_, _, _, report) = validate_json(&[&url, "--platform", "linux/arm64"], &[]);
    assert_eq!(report["input"]["kind"], "registry");
    let images = report["images"].as_array().cloned().unwrap_or_default();
    assert_eq!(images.len(), 1, "{report}");
    assert!(
        images[0]["file"]
            .as_str()
            .unwrap_or("")
            .starts_with(&format!("docker://{}/show/multi@sha256:", reg.authority())),
        "{report}"
    );
    let (code, _, err, _) = validate_json(&[&url, "--platform", "linux/s390x"], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no image of") && err.contains("linux/amd64"),
        "{err}"
    );
    let (code, _, _, report) = validate_json(&[&url, "--fast"], &[]);
    assert_eq!(code, 0);
    assert!(
        report["skipped"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("HEAD only"),
        "{report}"
    );

    // A defect is located at the blob as the registry names it, with the chain that reached it.
    let bad =
        registry_support::repo_root().join("conformance/config/CFG003-env-not-key-value/layout");
    let bad = if bad.is_dir() {
        bad
    } else {
        registry_support::repo_root().join("conformance/manifest/MAN009-layers-empty/layout")
    };
    let pushed = Pusher::new(&reg.authority(), "show/bad", None)
        .layout(&bad)
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("docker://{}/show/bad:{}", reg.authority(), pushed[0].tag);
    let (code, codes, _, report) = validate_json(&[&url], &[]);
    assert!(code == 0 || code == 1);
    assert!(!codes.is_empty(), "{report}");
    let file = report["findings"][0]["location"]["file"]
        .as_str()
        .unwrap_or("");
    assert!(
        file.starts_with(&format!("docker://{}/show/bad@sha256:", reg.authority())),
        "{report}"
    );
}

#[test]
fn every_blob_is_fetched_once() {
    need_registry!();
    let reg = Registry::shared();
    let layout =
        registry_support::repo_root().join("conformance/valid/multi-platform-index/layout");
    let pushed = Pusher::new(&reg.authority(), "once/multi", None)
        .layout(&layout)
        .unwrap_or_else(|e| panic!("{e}"));
    let proxy = Proxy::start(reg.port, std::sync::Arc::new(|_: &Req, _| Fault::Pass));
    let url = format!(
        "docker://127.0.0.1:{}/once/multi:{}",
        proxy.port, pushed[0].tag
    );
    let (code, codes, err, report) = validate_json(&[&url, "--jobs", "2"], &[]);
    assert_eq!((code, codes.len()), (0, 0), "{err}{report}");
    let seen = proxy.seen();
    let mut gets: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for s in seen
        .iter()
        .filter(|s| s.method == "GET" && s.path != "/v2/")
    {
        *gets.entry(s.path.as_str()).or_default() += 1;
    }
    // The index by its tag, and below it every manifest, config and layer by its digest.
    assert!(gets.len() >= 7, "{gets:?}");
    assert!(gets.values().all(|&n| n == 1), "{gets:?}");
}

#[test]
fn skopeo_style_local_references_are_a_path_and_a_ref() {
    let h = home();
    let (code, out, err) = run({
        let mut c = ocicheck(&h);
        c.args([
            "validate",
            "oci:conformance/valid/multi-platform-index/layout:latest",
            "--platform",
            "linux/arm64",
        ]);
        c
    });
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("latest linux/arm64"), "{out}");
    let (code, _, err) = run({
        let mut c = ocicheck(&h);
        c.args([
            "validate",
            "oci:conformance/valid/multi-platform-index/layout:no-such-ref",
        ]);
        c
    });
    assert_eq!(code, 2);
    assert!(err.contains("--ref no-such-ref"), "{err}");
}

// ---------------------------------------------------------------------------------------------------------------
// What cannot be validated at all: exit status 2, one line that says why.

#[test]
fn unreachable_unknown_and_refused_registries_exit_2_saying_which() {
    need_registry!();
    let reg = Registry::shared();
    push_minimal(reg, "exit/two", None);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(1);
    for (url, says) in [
        (
            format!("docker://127.0.0.1:{closed}/a/b:v1"),
            "cannot reach the registry",
        ),
        (
            format!("docker://{}/exit/two:nope", reg.authority()),
            "manifest not found",
        ),
        (
            format!("docker://{}/exit/none:v1", reg.authority()),
            "repository not found",
        ),
    ] {
        let (code, _, err, _) = validate_json(&[&url], &[]);
        assert_eq!(code, 2, "{url}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(says), "{url}: {err}");
    }
    // Denied: a 403 from the registry (here, a proxy in front of it).
    let (_p, url) = through(
        |req, _| {
            if req.path().contains("/manifests/") {
                Fault::Reply(Resp::new(
                    403,
                    r#"{"errors":[{"code":"DENIED","message":"no"}]}"#,
                ))
            } else {
                Fault::Pass
            }
        },
        "exit/two",
    );
    let (code, _, err, _) = validate_json(&[&url], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("access denied"), "{err}");
}

#[test]
fn a_tls_failure_exits_2() {
    need_registry!();
    // openssl's test server with a self-signed certificate the system does not trust (registry.sh installs
    // openssl; its token-cert makes the key and certificate).
    let dir = registry_support::fresh_dir("tls");
    registry_support::script_output(&["token-cert", dir.to_str().unwrap_or_default()]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(1);
    let mut server = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(dir.join("token.crt"))
        .arg("-key")
        .arg(dir.join("token.pem"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("openssl s_server: {e}"));
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (code, _, err, _) = validate_json(&[&format!("docker://127.0.0.1:{port}/a/b:v1")], &[]);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("TLS with 127.0.0.1") && err.contains("certificate"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Authentication.

/// A Docker `config.json` in its own directory (for `DOCKER_CONFIG`).
fn docker_config(json: &str) -> std::path::PathBuf {
    let dir = registry_support::fresh_dir("docker-config");
    std::fs::write(dir.join("config.json"), json).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn basic(user: &str, password: &str) -> String {
    ocicheck::source::registry::credentials::base64_encode(format!("{user}:{password}").as_bytes())
}

#[test]
fn htpasswd_credentials_from_docker_config_podman_auth_and_a_helper() {
    need_registry!();
    let (user, password) = ("ci-user", "s3cret-Pa55word");
    let dir = registry_support::fresh_dir("htpasswd");
    let line = registry_support::script_output(&["htpasswd", user, password]);
    let file = dir.join("htpasswd");
    std::fs::write(&file, line).unwrap_or_else(|e| panic!("{e}"));
    let reg = Registry::start(&["--htpasswd", file.to_str().unwrap_or_default()]);
    push_minimal(
        &reg,
        "auth/basic",
        Some(format!("Basic {}", basic(user, password))),
    );
    let url = format!("docker://{}/auth/basic:v1", reg.authority());
    let no_leak = |out: &str| {
        assert!(
            !out.contains(password) && !out.contains(&basic(user, password)),
            "a secret in the output: {out}"
        );
    };

    // No credentials anywhere: exit 2, saying so.
    let (code, _, err, _) = validate_json(&[&url], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("access denied") && err.contains("none were found"),
        "{err}"
    );

    // DOCKER_CONFIG with the right credentials (under the URL form Docker writes).
    let good = docker_config(&format!(
        r#"{{"auths":{{"http://{}/v2/":{{"auth":"{}"}}}}}}"#,
        reg.authority(),
        basic(user, password)
    ));
    let (code, codes, err, report) = validate_json(
        &[&url],
        &[("DOCKER_CONFIG", good.to_str().unwrap_or_default())],
    );
    assert_eq!((code, codes.len()), (0, 0), "{err}{report}");
    no_leak(&format!("{err}{report}"));

    // Wrong credentials: exit 2, naming the file, never the password.
    let wrong = docker_config(&format!(
        r#"{{"auths":{{"{}":{{"auth":"{}"}}}}}}"#,
        reg.authority(),
        basic(user, "not-the-password")
    ));
    let (code, _, err, _) = validate_json(
        &[&url],
        &[("DOCKER_CONFIG", wrong.to_str().unwrap_or_default())],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("refused the credentials from") && err.contains("config.json"),
        "{err}"
    );
    assert!(!err.contains("not-the-password"), "{err}");

    // podman's auth.json ($REGISTRY_AUTH_FILE) wins over a wrong Docker config.
    let podman = registry_support::fresh_dir("podman").join("auth.json");
    std::fs::write(
        &podman,
        format!(
            r#"{{"auths":{{"{}/auth":{{"auth":"{}"}}}}}}"#,
            reg.authority(),
            basic(user, password)
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err, _) = validate_json(
        &[&url],
        &[
            ("REGISTRY_AUTH_FILE", podman.to_str().unwrap_or_default()),
            ("DOCKER_CONFIG", wrong.to_str().unwrap_or_default()),
        ],
    );
    assert_eq!(code, 0, "{err}");

    // A credential helper (credHelpers), found on PATH.
    let bin = registry_support::fresh_dir("bin");
    let helper = bin.join("docker-credential-ocitest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = \"{}\" ] || exit 1\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{password}\"}}' \"$server\"\n",
            reg.authority()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut perms = std::fs::metadata(&helper)
        .map(|m| m.permissions())
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&helper, perms).unwrap_or_else(|e| panic!("{e}"));
    let helpers = docker_config(&format!(
        r#"{{"credHelpers":{{"{}":"ocitest"}}}}"#,
        reg.authority()
    ));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (code, _, err, report) = validate_json(
        &[&url],
        &[
            ("DOCKER_CONFIG", helpers.to_str().unwrap_or_default()),
            ("PATH", &path),
        ],
    );
    assert_eq!(code, 0, "{err}");
    no_leak(&format!("{err}{report}"));
    reg.stop();
}

#[test]
fn the_bearer_token_flow_with_a_token_service() {
    need_registry!();
    let (user, password) = ("token-user", "t0ken-Pa55");
    let dir = registry_support::fresh_dir("token");
    registry_support::script_output(&["token-cert", dir.to_str().unwrap_or_default()]);
    let tokens = registry_support::token::TokenServer::start(&dir, user, password);
    let cert = dir.join("token.crt");
    let reg = Registry::start(&[
        "--token",
        &tokens.realm(),
        registry_support::token::SERVICE,
        registry_support::token::ISSUER,
        cert.to_str().unwrap_or_default(),
    ]);
    push_minimal(
        &reg,
        "auth/token",
        Some(format!("Bearer {}", tokens.mint("auth/token"))),
    );
    let url = format!("docker://{}/auth/token:v1", reg.authority());

    let (code, _, err, _) = validate_json(&[&url], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("access denied") && err.contains("token service refused anonymous access"),
        "{err}"
    );

    let good = docker_config(&format!(
        r#"{{"auths":{{"{}":{{"auth":"{}"}}}}}}"#,
        reg.authority(),
        basic(user, password)
    ));
    let (code, codes, err, report) = validate_json(
        &[&url],
        &[("DOCKER_CONFIG", good.to_str().unwrap_or_default())],
    );
    assert_eq!((code, codes.len()), (0, 0), "{err}{report}");
    // The token service was asked for the repository's pull scope, with the credentials.
    let asked = tokens.asked.lock().map(|a| a.clone()).unwrap_or_default();
    assert!(
        asked.iter().any(
            |r| r.query("scope").as_deref() == Some("repository:auth/token:pull")
                && r.query("service").as_deref() == Some(registry_support::token::SERVICE)
                && r.header("authorization").is_some()
        ),
        "{asked:?}"
    );
    reg.stop();
}

// ---------------------------------------------------------------------------------------------------------------
// What the registry serves is not what was pushed.

#[test]
fn a_corrupted_blob_in_the_registry_storage_is_an_error() {
    need_registry!();
    let reg = Registry::start(&[]);
    let img = push_minimal(&reg, "corrupt/layer", None);
    let url = format!("docker://{}/corrupt/layer:v1", reg.authority());
    let (code, codes, err, _) = validate_json(&[&url], &[]);
    assert_eq!((code, codes.len()), (0, 0), "{err}");
    // The layer's bytes in the registry's own storage, changed in place (same length).
    let data = reg.blob_data(&img.layer);
    let mut bytes = std::fs::read(&data).unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&data, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let (code, codes, _, report) = validate_json(&[&url], &[]);
    assert_eq!(code, 1, "{report}");
    let f = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == "REG006")
        .cloned()
        .unwrap_or_else(|| panic!("no REG006 in {codes:?}"));
    assert_eq!(f["severity"], "error");
    assert_eq!(
        f["location"]["file"].as_str().unwrap_or(""),
        format!("docker://{}/corrupt/layer@{}", reg.authority(), img.layer)
    );
    assert!(
        f["location"]["via"][0]
            .as_str()
            .unwrap_or("")
            .ends_with(&format!("@{}#/layers/0", img.manifest)),
        "{f}"
    );
    // --fast asks for the layer with HEAD only: the corruption is not seen, and the report says what was not read.
    let (code, codes, _, report) = validate_json(&[&url, "--fast"], &[]);
    assert_eq!((code, codes.len()), (0, 0), "{report}");
    assert!(
        report["skipped"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("HEAD only")
    );
    reg.stop();
}

// ---------------------------------------------------------------------------------------------------------------
// Referrers.

const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn sha(b: &[u8]) -> String {
    ocicheck::digest::Algorithm::Sha256.digest_of(b)
}

/// Push an SBOM-like artifact whose subject is `subject` (a manifest of `size` bytes); returns the artifact
/// manifest's bytes. Its `org.opencontainers.image.created` is no date (ANN009): a finding only a walk that
/// reached it can give.
fn push_artifact(p: &Pusher, subject: &str, size: usize) -> Vec<u8> {
    let sbom = br#"{"spdxVersion":"SPDX-2.3"}"#;
    p.blob(&sha(b"{}"), b"{}").unwrap_or_else(|e| panic!("{e}"));
    p.blob(&sha(sbom), sbom).unwrap_or_else(|e| panic!("{e}"));
    let m = serde_json::json!({
        "schemaVersion": 2, "mediaType": MANIFEST, "artifactType": "application/spdx+json",
        "config": {"mediaType": EMPTY, "digest": sha(b"{}"), "size": 2},
        "layers": [{"mediaType": "application/spdx+json", "digest": sha(sbom), "size": sbom.len()}],
        "subject": {"mediaType": MANIFEST, "digest": subject, "size": size},
        "annotations": {"org.opencontainers.image.created": "yesterday"}
    })
    .to_string()
    .into_bytes();
    p.manifest(&sha(&m), MANIFEST, &m)
        .unwrap_or_else(|e| panic!("{e}"));
    m
}

fn subject_size(digest: &str) -> usize {
    registry_support::push::read_blob(&registry_support::repo_root().join(MINIMAL), digest)
        .map(|b| b.len())
        .unwrap_or(0)
}

#[test]
fn referrers_through_the_tag_schema_fallback() {
    need_registry!();
    let reg = Registry::shared();
    let img = push_minimal(reg, "refs/fallback", None);
    let p = Pusher::new(&reg.authority(), "refs/fallback", None);
    let art = push_artifact(&p, &img.manifest, subject_size(&img.manifest));
    // The index a client without the Referrers API pushes under `sha256-<hex>`; its entry's artifactType is not
    // the artifact's (REG009, the pusher's duty: dist-117).
    let list = serde_json::json!({
        "schemaVersion": 2, "mediaType": INDEX,
        "manifests": [{"mediaType": MANIFEST, "digest": sha(&art), "size": art.len(),
                       "artifactType": "application/vnd.example.other",
                       "annotations": {"org.opencontainers.image.created": "yesterday"}}]
    })
    .to_string()
    .into_bytes();
    p.manifest(&img.manifest.replacen(':', "-", 1), INDEX, &list)
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("docker://{}/refs/fallback:v1", reg.authority());
    let (code, codes, _, _) = validate_json(&[&url], &[]);
    assert_eq!(
        (code, codes.len()),
        (0, 0),
        "without --referrers: {codes:?}"
    );
    let (code, codes, _, report) = validate_json(&[&url, "--referrers"], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        codes.contains(&"ANN009".to_string()),
        "the artifact was not validated: {codes:?}"
    );
    let reg009 = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == "REG009")
        .cloned()
        .unwrap_or_else(|| panic!("no REG009: {codes:?}"));
    assert_eq!(reg009["clauses"][0], "dist-117", "{reg009}");
    assert_eq!(
        reg009["location"]["pointer"], "/manifests/0/artifactType",
        "{reg009}"
    );
}

#[test]
fn referrers_through_a_referrers_api() {
    need_registry!();
    let reg = Registry::shared();
    let img = push_minimal(reg, "refs/api", None);
    let p = Pusher::new(&reg.authority(), "refs/api", None);
    let art = push_artifact(&p, &img.manifest, subject_size(&img.manifest));
    // distribution 2.8 has no Referrers API: the proxy answers it, as a registry that has one would.
    let listing = |content_type: &'static str, annotations: bool| {
        let mut entry = serde_json::json!({"mediaType": MANIFEST, "digest": sha(&art), "size": art.len(),
                                           "artifactType": "application/spdx+json"});
        if annotations {
            entry["annotations"] =
                serde_json::json!({"org.opencontainers.image.created": "yesterday"});
        }
        let body =
            serde_json::json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": [entry]})
                .to_string();
        let path = format!("/v2/refs/api/referrers/{}", img.manifest);
        move |req: &Req, _: usize| {
            if req.method == "GET" && req.path() == path {
                Fault::Reply(Resp::new(200, body.clone()).with("Content-Type", content_type))
            } else {
                Fault::Pass
            }
        }
    };
    let (proxy, url) = through(listing(INDEX, true), "refs/api");
    let (code, codes, _, report) = validate_json(&[&url, "--referrers"], &[]);
    assert_eq!(code, 1, "{report}");
    // Only the artifact's own defect (in it, and in the list that copies its annotations).
    assert!(
        codes.iter().all(|c| c == "ANN009") && !codes.is_empty(),
        "{report}"
    );
    let at = format!("@{}", sha(&art));
    assert!(
        report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["location"]["file"].as_str().unwrap_or("").ends_with(&at)),
        "the artifact was not validated: {report}"
    );
    let image_tag = format!("/manifests/{}", img.manifest.replacen(':', "-", 1));
    assert!(
        !proxy.seen().iter().any(|s| s.path.ends_with(&image_tag)),
        "the tag schema was asked for the image although the API answered"
    );
    // A registry whose list has the wrong Content-Type and drops the annotations.
    let (_proxy, url) = through(listing("application/json", false), "refs/api");
    let (code, codes, _, report) = validate_json(&[&url, "--referrers"], &[]);
    assert_eq!(code, 1);
    for (code, clause) in [("REG008", "dist-139"), ("REG010", "dist-143")] {
        let f = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("no {code}: {codes:?}"));
        assert_eq!(f["clauses"][0], clause);
        assert!(
            f["location"]["file"]
                .as_str()
                .unwrap_or("")
                .contains("/v2/refs/api/referrers/sha256:"),
            "{f}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A registry that lies, stalls or breaks: a fault-injecting proxy between ocicheck and the real registry. Every
// run ends, with findings or a clean exit status 2.

/// The image pushed once for the fault tests.
fn faults_image() -> &'static Image {
    static IMG: std::sync::OnceLock<Image> = std::sync::OnceLock::new();
    IMG.get_or_init(|| push_minimal(Registry::shared(), "faults/img", None))
}

/// Validate `faults/img:v1` through a proxy with this plan.
fn with_fault(
    plan: impl Fn(&Req, usize) -> Fault + Send + Sync + 'static,
    args: &[&str],
) -> (i32, Vec<String>, serde_json::Value, Proxy) {
    let (proxy, url) = through(plan, "faults/img");
    let mut all = vec![url.as_str()];
    all.extend_from_slice(args);
    let started = std::time::Instant::now();
    let (code, codes, err, report) = validate_json(&all, &[]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    assert!(code == 0 || code == 1 || code == 2, "{err}");
    (code, codes, report, proxy)
}

fn finding<'a>(report: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report}"))
}

#[test]
fn a_body_cut_once_is_resumed_with_range() {
    need_registry!();
    let layer = faults_image().layer.clone();
    let (code, codes, report, proxy) = with_fault(
        move |req, n| {
            if is(req, "GET", &format!("/blobs/{layer}")) && n == 0 {
                Fault::Cut(20)
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!((code, codes.len()), (0, 0), "{report}");
    assert!(
        proxy
            .seen()
            .iter()
            .any(|s| s.range.as_deref() == Some("bytes=20-")),
        "{:?}",
        proxy.seen()
    );
}

#[test]
fn a_body_cut_every_time_is_content_not_served() {
    need_registry!();
    let layer = faults_image().layer.clone();
    let (code, _, report, _) = with_fault(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{layer}")) {
                Fault::Cut(20)
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(code, 1);
    let f = finding(&report, "REG007");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("resumed 3 times"),
        "{f}"
    );
}

#[test]
fn a_wrong_or_missing_docker_content_digest() {
    need_registry!();
    let img = faults_image();
    let layer = img.layer.clone();
    let zeros = format!("sha256:{}", "0".repeat(64));
    let (code, _, report, _) = with_fault(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{layer}")) {
                let z = zeros.clone();
                Fault::Edit(Box::new(move |r| r.set("Docker-Content-Digest", &z)))
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(finding(&report, "REG001")["clauses"][0], "dist-036");
    let (code, codes, report, _) = with_fault(
        |req, _| {
            if req.path().contains("/manifests/") {
                Fault::Edit(Box::new(|r| r.remove("Docker-Content-Digest")))
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(
        (code, codes.as_slice()),
        (0, &["REG002".to_string()][..]),
        "{report}"
    );
    assert_eq!(finding(&report, "REG002")["severity"], "warning");
}

#[test]
fn a_manifest_served_with_the_wrong_content_type() {
    need_registry!();
    faults_image();
    let (code, codes, report, _) = with_fault(
        |req, _| {
            if req.path().contains("/manifests/") {
                Fault::Edit(Box::new(|r| r.set("Content-Type", INDEX)))
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(
        (code, codes.as_slice()),
        (0, &["REG003".to_string()][..]),
        "{report}"
    );
    let (_, codes, report, _) = with_fault(
        |req, _| {
            if req.path().contains("/manifests/") {
                Fault::Edit(Box::new(|r| {
                    r.set("Content-Type", &format!("{MANIFEST}; charset=utf-8"))
                }))
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(codes, ["REG004"], "{report}");
}

#[test]
fn content_length_that_disagrees_with_the_body() {
    need_registry!();
    let layer = faults_image().layer.clone();
    // A HEAD that announces another size.
    let l = layer.clone();
    let (_, codes, report, _) = with_fault(
        move |req, _| {
            if is(req, "HEAD", &format!("/blobs/{l}")) {
                Fault::Edit(Box::new(|r| r.set("Content-Length", "7")))
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert!(codes.contains(&"REG005".to_string()), "{report}");
    // A GET whose Content-Length (and body) stop short of the blob: what was served is not the blob.
    let (code, codes, report, _) = with_fault(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{layer}")) {
                Fault::Edit(Box::new(|r| {
                    r.body.truncate(r.body.len() - 5);
                    let n = r.body.len().to_string();
                    r.set("Content-Length", &n);
                }))
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(code, 1);
    for c in ["REG006", "DSC010"] {
        assert!(codes.contains(&c.to_string()), "{c}: {report}");
    }
}

#[test]
fn rate_limits_server_errors_resets_and_delays() {
    need_registry!();
    let layer = faults_image().layer.clone();
    // Two 429s and a reset, then the answer: retried, clean.
    let l = layer.clone();
    let (code, codes, report, proxy) = with_fault(
        move |req, n| match (is(req, "GET", &format!("/blobs/{l}")), n) {
            (true, 0 | 1) => Fault::Reply(Resp::new(429, "slow down").with("Retry-After", "0")),
            (true, 2) => Fault::Reset,
            _ => Fault::Delay(std::time::Duration::from_millis(100)),
        },
        &[],
    );
    assert_eq!((code, codes.len()), (0, 0), "{report}");
    assert_eq!(
        proxy
            .seen()
            .iter()
            .filter(|s| s.method == "GET" && s.path.ends_with(&layer))
            .count(),
        4
    );
    // A blob that always fails: four attempts, then a finding.
    let l = layer.clone();
    let (code, _, report, proxy) = with_fault(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{l}")) {
                Fault::Reply(Resp::new(503, "down"))
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        finding(&report, "REG007")["message"]
            .as_str()
            .unwrap_or("")
            .contains("503")
    );
    assert_eq!(
        proxy
            .seen()
            .iter()
            .filter(|s| s.method == "GET" && s.path.ends_with(&layer))
            .count(),
        4
    );
    // A response slower than --timeout: a finding, not a hang.
    let (code, _, report, _) = with_fault(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{layer}")) {
                Fault::Delay(std::time::Duration::from_secs(3))
            } else {
                Fault::Pass
            }
        },
        &["--timeout", "1"],
    );
    assert_eq!(code, 1);
    finding(&report, "REG007");
}

#[test]
fn endless_bodies_huge_manifests_and_redirect_loops_end() {
    need_registry!();
    let layer = faults_image().layer.clone();
    // A body without Content-Length that never ends: stopped at the size HEAD gave.
    let l = layer.clone();
    let (code, _, report, _) = with_fault(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{l}")) {
                Fault::Endless
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        finding(&report, "REG007")["message"]
            .as_str()
            .unwrap_or("")
            .contains("longer than")
    );
    // A manifest of 2 MiB, read no further than --max-json-size.
    let (code, codes, report, _) = with_fault(
        |req, _| {
            if req.method == "GET" && req.path().ends_with("/manifests/v1") {
                let mut body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":""#.to_vec();
                body.resize(2 << 20, b' ');
                Fault::Reply(Resp::new(200, body).with("Content-Type", MANIFEST))
            } else {
                Fault::Pass
            }
        },
        &["--max-json-size", "100000"],
    );
    // Not parsed, so not checked: incomplete.
    assert!(
        code == 2 && codes.contains(&"JSN007".to_string()) && report["incomplete"].is_object(),
        "{report}"
    );
    // A blob redirected to itself, forever.
    let (code, _, report, _) = with_fault(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{layer}")) {
                let here = req.path().to_string();
                Fault::Reply(Resp::new(302, "").with("Location", &here))
            } else {
                Fault::Pass
            }
        },
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        finding(&report, "REG007")["message"]
            .as_str()
            .unwrap_or("")
            .contains("redirects")
    );
}

#[test]
fn warning_headers_and_error_bodies_are_checked() {
    need_registry!();
    faults_image();
    let (_, codes, report, _) = with_fault(
        |req, _| {
            if req.path().contains("/manifests/") {
                Fault::Edit(Box::new(|r| {
                    r.set("Warning", r#"199 registry "deprecated""#)
                }))
            } else if req.path().contains("/referrers/") {
                Fault::Reply(
                    Resp::new(404, r#"{"errors":[{"code":"not-found"}]}"#)
                        .with("Content-Type", "application/json"),
                )
            } else {
                Fault::Pass
            }
        },
        &["--referrers"],
    );
    assert_eq!(finding(&report, "REG011")["clauses"][0], "dist-185");
    assert_eq!(finding(&report, "REG012")["clauses"][0], "dist-177");
    assert!(
        codes.iter().all(|c| c == "REG011" || c == "REG012"),
        "{report}"
    );
}

#[test]
fn a_blob_redirect_to_another_host_never_gets_the_credentials() {
    need_registry!();
    let (user, password) = ("redirect-user", "redirect-Pa55");
    let dir = registry_support::fresh_dir("htpasswd");
    let file = dir.join("htpasswd");
    std::fs::write(
        &file,
        registry_support::script_output(&["htpasswd", user, password]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let reg = Registry::start(&["--htpasswd", file.to_str().unwrap_or_default()]);
    let auth = format!("Basic {}", basic(user, password));
    let img = push_minimal(&reg, "redirect/img", Some(auth.clone()));
    // "Storage": another origin (another port) that serves blobs as the registry has them, and notes whether
    // anyone sent it an Authorization.
    let leaked = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (l, up, a) = (leaked.clone(), reg.port, auth.clone());
    let storage =
        registry_support::http::serve(std::sync::Arc::new(move |mut req: Req, stream| {
            if req.header("authorization").is_some() {
                l.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            req.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
            req.headers.push(("Authorization".into(), a.clone()));
            let r = registry_support::http::forward(up, &req)
                .unwrap_or_else(|e| Resp::new(502, e.to_string()));
            let _ = registry_support::http::write_response(stream, &r, req.method == "HEAD");
        }));
    let proxy = Proxy::start(
        reg.port,
        std::sync::Arc::new(move |req: &Req, _| {
            if req.method == "GET" && req.path().contains("/blobs/") {
                Fault::Reply(Resp::new(307, "").with(
                    "Location",
                    &format!("http://127.0.0.1:{storage}{}", req.path()),
                ))
            } else {
                Fault::Pass
            }
        }),
    );
    let config = docker_config(&format!(
        r#"{{"auths":{{"127.0.0.1:{}":{{"auth":"{}"}}}}}}"#,
        proxy.port,
        basic(user, password)
    ));
    let url = format!("docker://127.0.0.1:{}/redirect/img:v1", proxy.port);
    let (code, codes, err, report) = validate_json(
        &[&url],
        &[("DOCKER_CONFIG", config.to_str().unwrap_or_default())],
    );
    assert_eq!((code, codes.len()), (0, 0), "{err}{report}");
    assert!(
        proxy
            .seen()
            .iter()
            .any(|s| s.authorization && s.path.ends_with("/manifests/v1")),
        "the registry itself got no credentials"
    );
    assert!(
        proxy.seen().iter().any(|s| s.path.ends_with(&img.layer)),
        "the layer was not asked for"
    );
    assert!(
        !leaked.load(std::sync::atomic::Ordering::SeqCst),
        "Authorization was sent to the storage host"
    );
    reg.stop();
}

#[test]
fn bodies_that_trickle_in_or_never_end_are_given_up() {
    need_registry!();
    let layer = faults_image().layer.clone();
    let drip = std::time::Duration::from_millis(200);
    // The manifest the tag names, one byte every 200 ms: given up after --timeout, exit 2 with one line.
    let (_proxy, url) = through(
        move |req, _| {
            if req.method == "GET" && req.path().ends_with("/manifests/v1") {
                Fault::Drip(drip)
            } else {
                Fault::Pass
            }
        },
        "faults/img",
    );
    let started = std::time::Instant::now();
    let (code, _, err, _) = validate_json(&[&url, "--timeout", "1"], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did not arrive whole within 1 s"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // A layer the same way: stopped by --max-blob-time, a finding and a limit (the report is incomplete).
    let l = layer.clone();
    let (_proxy, url) = through(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{l}")) {
                Fault::Drip(drip)
            } else {
                Fault::Pass
            }
        },
        "faults/img",
    );
    let started = std::time::Instant::now();
    let (code, codes, _, report) =
        validate_json(&[&url, "--timeout", "1", "--max-blob-time", "2"], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert_eq!(
        (code, codes.as_slice()),
        (2, &["LAY013".to_string()][..]),
        "{report}"
    );
    assert_eq!(
        report["incomplete"]["raise"][0], "--max-blob-time",
        "{report}"
    );
    assert!(
        finding(&report, "LAY013")["message"]
            .as_str()
            .unwrap_or("")
            .contains("--max-blob-time"),
        "{report}"
    );
    // A layer whose HEAD and GET both come without Content-Length, the GET without end.
    let (_proxy, url) = through(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{layer}")) {
                Fault::Endless
            } else if is(req, "HEAD", &format!("/blobs/{layer}")) {
                Fault::Edit(Box::new(|r| {
                    r.remove("Content-Length");
                    r.no_length = true;
                }))
            } else {
                Fault::Pass
            }
        },
        "faults/img",
    );
    let started = std::time::Instant::now();
    let (code, codes, _, report) = validate_json(&[&url], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert_eq!(code, 1);
    // The HEAD without a length (REG005), the GET cut past the descriptor's size (REG007).
    assert_eq!(codes, ["REG005", "REG007"], "{report}");
    assert!(
        finding(&report, "REG007")["message"]
            .as_str()
            .unwrap_or("")
            .contains("longer than the 144 bytes its descriptor gives"),
        "{report}"
    );
    // A manifest without end, at the default --max-json-size.
    let (_proxy, url) = through(
        |req, _| {
            if req.method == "GET" && req.path().ends_with("/manifests/v1") {
                Fault::Endless
            } else {
                Fault::Pass
            }
        },
        "faults/img",
    );
    let started = std::time::Instant::now();
    let (code, codes, err, report) = validate_json(&[&url], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    // Not parsed, so not checked: incomplete (exit status 2), never a pass.
    assert_eq!(code, 2, "{err}");
    assert_eq!(codes, ["JSN007"], "{report}");
    assert!(err.contains("raise --max-json-size"), "{err}");
}

#[test]
fn a_registry_that_stalls_a_blob_is_given_up_at_max_time() {
    need_registry!();
    let layer = faults_image().layer.clone();
    // The layer's answer held back for 40 s, well within --timeout 60: --max-time 3 ends the run (a request never
    // outlives the run's deadline), and the report is incomplete, not a read error.
    let (_proxy, url) = through(
        move |req, _| {
            if is(req, "GET", &format!("/blobs/{layer}")) {
                Fault::Delay(std::time::Duration::from_secs(40))
            } else {
                Fault::Pass
            }
        },
        "faults/img",
    );
    let started = std::time::Instant::now();
    let (code, codes, err, report) =
        validate_json(&[&url, "--timeout", "60", "--max-time", "3"], &[]);
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(15), "{took:?}");
    assert_eq!(code, 2, "{err}");
    assert!(codes.iter().any(|c| c == "LAY014"), "{report}");
    assert!(err.contains("raise --max-time"), "{err}");
}

#[test]
fn jsonl_and_shard_refuse_a_registry_input() {
    // Both are refused before any connection: port 9 (discard) is never asked.
    for (args, says) in [
        (
            &["--format", "jsonl"][..],
            "--format jsonl streams a layout",
        ),
        (&["--shard", "1/2"][..], "--shard shares out the images"),
    ] {
        let h = home();
        let (code, out, err) = run({
            let mut c = ocicheck(&h);
            c.args(["validate", "docker://127.0.0.1:9/some/repo:v1"])
                .args(args);
            c
        });
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}
