//! Hostile input: the guarantees of README § Hostile input, each shown here.
//!
//! - no panic, whatever the input (also `fuzz/`, and the property tests' arbitrary bytes);
//! - the input is never modified (every layout case of the corpus, and the special files below, hashed before and
//!   after a run);
//! - nothing outside the input is opened, whatever symbolic links, `..` or digest strings say (inotify watches the
//!   outside directory while hostile layouts point into it);
//! - no network access (descriptor `urls` point at a listening socket that must see no connection; the HTTP
//!   client of docker:// inputs is used by the registry source only);
//! - special files (FIFOs, sockets, device nodes) and names that are not UTF-8 are findings, never a hang;
//! - memory and time are bounded: bombs, huge and deeply nested JSON, a million entries, findings by the million.
//!   The small versions run with `cargo test`; the full-size ones (hundreds of MiB, peak RSS measured against the
//!   256 MiB cap) are `#[ignore]`d: `scripts/hostile.sh` runs them and prints what they measured.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ocicheck::corpus::{self, CaseKind, recipe};
use ocicheck::digest::Algorithm;
use ocicheck::report::Report;
use ocicheck::source::Source;
use ocicheck::source::dir::DirSource;
use ocicheck::{Options, validate, validate_layout};

#[path = "hostile/audit.rs"]
mod audit;
#[path = "hostile/incomplete.rs"]
mod incomplete;
#[path = "hostile/inputs.rs"]
mod inputs;
mod measure;
#[path = "hostile/time.rs"]
mod time;

/// The memory cap the README documents for the default limits.
const CAP_BYTES: u64 = 256 << 20;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ocicheck")
}

fn codes(r: &Report) -> Vec<&str> {
    let mut v: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn opts() -> Options {
    Options::builder().jobs(2).build().expect("options")
}

/// Everything about a tree that a write could change: per path, its type, mode, size, modification time, and
/// the content's digest (files) or target (links). Special files are never opened.
fn tree_hash(root: &Path) -> BTreeMap<String, String> {
    use std::os::unix::fs::MetadataExt;
    fn walk(base: &Path, rel: &Path, out: &mut BTreeMap<String, String>) {
        let dir = base.join(rel);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            out.insert(format!("{}/ (unlistable)", rel.display()), String::new());
            return;
        };
        let mut names: Vec<_> = rd.filter_map(Result::ok).map(|e| e.file_name()).collect();
        names.sort();
        for n in names {
            let p = rel.join(&n);
            let full = base.join(&p);
            let Ok(m) = std::fs::symlink_metadata(&full) else {
                continue;
            };
            let ft = m.file_type();
            let what = if ft.is_symlink() {
                format!(
                    "link {}",
                    std::fs::read_link(&full)
                        .map(|t| t.display().to_string())
                        .unwrap_or_default()
                )
            } else if ft.is_file() {
                let bytes = std::fs::read(&full).unwrap_or_default();
                format!("file {}", Algorithm::Sha256.digest_of(&bytes))
            } else if ft.is_dir() {
                "dir".to_string()
            } else {
                "special".to_string()
            };
            out.insert(
                format!("{:?}", p),
                format!(
                    "{what} mode {:o} size {} mtime {}.{} ino {}",
                    m.mode(),
                    m.size(),
                    m.mtime(),
                    m.mtime_nsec(),
                    m.ino()
                ),
            );
            if ft.is_dir() {
                walk(base, &p, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, Path::new(""), &mut out);
    out
}

/// A valid one-image layout (the corpus's `minimal` base) in a temporary directory.
fn minimal_layout() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("layout");
    let root = corpus::root();
    let cases = corpus::load_all(&root).expect("corpus");
    let case = cases
        .iter()
        .find(|c| c.id == "valid/minimal-image")
        .expect("valid/minimal-image");
    let built = case.build(&root).expect("build").expect("a recipe");
    recipe::write_tree(&built, &dir).expect("write");
    (tmp, dir)
}

fn layer_blob(dir: &Path) -> PathBuf {
    // The minimal image's only layer (its name is fixed by its recipe).
    dir.join("blobs/sha256/463cc83ddde620d02e9d291af22d814cb37eaced699f1de4f6a90714f6b20053")
}

/// Run the CLI with a time limit; returns (exit status, stdout, stderr, peak RSS in bytes: measured by
/// `/usr/bin/time` when it is there, else an upper bound).
fn run_cli(args: &[&str], stdin: Option<Stdio>, limit: Duration) -> (i32, String, String, u64) {
    let r = measure::run(bin(), args, stdin, limit);
    (r.code, r.out, r.err, r.rss)
}

fn json_codes(stdout: &str) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let mut c: Vec<String> = v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    c.sort();
    c.dedup();
    c
}

// --- the input is never modified -------------------------------------------------------------------------------

#[test]
fn no_layout_case_of_the_corpus_is_modified_by_a_run() {
    let root = corpus::root();
    let cases = corpus::load_all(&root).expect("corpus");
    let mut n = 0;
    for case in cases.iter().filter(|c| c.file.kind == CaseKind::Layout) {
        let Ok(Some(built)) = case.build(&root) else {
            continue;
        };
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("layout");
        recipe::write_tree(&built, &dir).expect("write");
        let before = tree_hash(tmp.path());
        let o = case.options().expect("options");
        let _ = validate(&dir, &o);
        assert_eq!(before, tree_hash(tmp.path()), "{} was modified", case.id);
        n += 1;
    }
    assert!(n > 250, "only {n} layout cases");
}

#[test]
fn special_files_and_odd_names_are_findings_never_a_hang_nor_a_write() {
    use std::os::unix::ffi::OsStrExt;
    let mk = |name: &str, f: &dyn Fn(&Path)| -> (tempfile::TempDir, PathBuf, &'static str) {
        let (tmp, dir) = minimal_layout();
        f(&dir);
        let _ = name;
        (tmp, dir, "")
    };
    let fifo = |p: &Path| {
        let c = std::ffi::CString::new(p.as_os_str().as_bytes()).expect("path");
        // SAFETY: a valid path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    };
    let mut cases: Vec<(&str, tempfile::TempDir, PathBuf, Vec<&str>)> = Vec::new();
    // A FIFO where the layer blob belongs: a reader that opened it would block forever.
    let (t, d, _) = mk("fifo blob", &|d| {
        std::fs::remove_file(layer_blob(d)).expect("rm");
        fifo(&layer_blob(d));
    });
    cases.push(("a FIFO as a blob", t, d, vec!["LAY010"]));
    // index.json and oci-layout as FIFOs.
    let (t, d, _) = mk("fifo index", &|d| {
        std::fs::remove_file(d.join("index.json")).expect("rm");
        fifo(&d.join("index.json"));
    });
    cases.push(("a FIFO as index.json", t, d, vec!["LAY004"]));
    let (t, d, _) = mk("fifo oci-layout", &|d| {
        std::fs::remove_file(d.join("oci-layout")).expect("rm");
        fifo(&d.join("oci-layout"));
    });
    cases.push(("a FIFO as oci-layout", t, d, vec!["LAY001"]));
    // A unix socket as a blob.
    let (t, d, _) = mk("socket", &|d| {
        std::fs::remove_file(layer_blob(d)).expect("rm");
        let _l = std::os::unix::net::UnixListener::bind(layer_blob(d)).expect("bind");
    });
    cases.push(("a socket as a blob", t, d, vec!["LAY010"]));
    // A character device (like /dev/zero: endless) as oci-layout, when this user may make one.
    let (t, d, _) = mk("device", &|d| {
        std::fs::remove_file(d.join("oci-layout")).expect("rm");
        let c = std::ffi::CString::new(d.join("oci-layout").as_os_str().as_bytes()).expect("path");
        // SAFETY: a valid path; makedev(1, 5) is /dev/zero's number.
        unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 5)) };
    });
    if std::fs::symlink_metadata(d.join("oci-layout")).is_ok() {
        cases.push(("a character device as oci-layout", t, d, vec!["LAY001"]));
    }
    // Names that are not UTF-8, in blobs/sha256 and as a directory.
    let (t, d, _) = mk("non-utf8", &|d| {
        let name = std::ffi::OsStr::from_bytes(b"\xff\xfe-not-utf8");
        std::fs::write(d.join("blobs/sha256").join(name), b"x").expect("write");
        std::fs::create_dir(d.join("blobs").join(name)).expect("mkdir");
        std::fs::write(d.join("blobs").join(name).join("inner"), b"y").expect("write");
    });
    cases.push(("names that are not UTF-8", t, d, vec!["LAY006"]));
    for (what, tmp, dir, want) in cases {
        let before = tree_hash(tmp.path());
        let dir_s = dir.to_string_lossy().into_owned();
        // Special files under blobs/ are hardening warnings (LAY010), so warnings fail the run here too.
        let (code, out, err, _) = run_cli(
            &[
                "validate",
                &dir_s,
                "--format",
                "json",
                "--fail-on",
                "warning",
            ],
            None,
            Duration::from_secs(60),
        );
        assert_eq!(code, 1, "{what}: exit {code}, stderr {err}");
        let got = json_codes(&out);
        for w in &want {
            assert!(
                got.iter().any(|g| g == w),
                "{what}: expected {w} in {got:?}"
            );
        }
        assert_eq!(
            before,
            tree_hash(tmp.path()),
            "{what}: the input was modified"
        );
    }
}

// --- nothing outside the input is opened -----------------------------------------------------------------------

/// inotify on a directory: every open or read of a file in it, from any process.
struct Watch {
    fd: libc::c_int,
}

impl Watch {
    fn new(dir: &Path) -> Watch {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: plain syscalls with valid arguments.
        let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        assert!(fd >= 0, "inotify_init1");
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).expect("path");
        let mask =
            libc::IN_OPEN | libc::IN_ACCESS | libc::IN_MODIFY | libc::IN_ATTRIB | libc::IN_CREATE;
        // SAFETY: as above.
        let wd = unsafe { libc::inotify_add_watch(fd, c.as_ptr(), mask) };
        assert!(wd >= 0, "inotify_add_watch");
        Watch { fd }
    }

    /// Events since the last call.
    fn events(&self) -> usize {
        let mut buf = [0u8; 65536];
        let mut n = 0;
        loop {
            // SAFETY: reading into a buffer we own.
            let r = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if r <= 0 {
                return n;
            }
            let mut off = 0usize;
            while off + 16 <= r as usize {
                let len = u32::from_ne_bytes([
                    buf[off + 12],
                    buf[off + 13],
                    buf[off + 14],
                    buf[off + 15],
                ]);
                n += 1;
                off += 16 + len as usize;
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // SAFETY: closing our own descriptor.
        unsafe { libc::close(self.fd) };
    }
}

#[test]
fn nothing_outside_the_input_is_opened_whatever_links_and_digests_say() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(outside.join("sha256")).expect("mkdir");
    let secret = outside.join("secret");
    std::fs::write(&secret, b"{\"imageLayoutVersion\": \"1.0.0\"}").expect("write");
    // A copy of the layer under the name the blob has, for a link of the blobs directory to find.
    let (_keep, base) = minimal_layout();
    let layer_name = layer_blob(&base)
        .file_name()
        .map(|n| n.to_os_string())
        .expect("name");
    std::fs::copy(layer_blob(&base), outside.join("sha256").join(&layer_name)).expect("copy");

    type Mutate = Box<dyn Fn(&Path)>;
    let link = |target: PathBuf, at: &'static str| -> Mutate {
        Box::new(move |d: &Path| {
            let p = d.join(at);
            if p.is_dir() && !p.is_symlink() {
                std::fs::remove_dir_all(&p).expect("rm");
            } else {
                let _ = std::fs::remove_file(&p);
            }
            std::os::unix::fs::symlink(&target, &p).expect("symlink");
        })
    };
    let rel_secret = PathBuf::from("../../../outside/secret");
    let variants: Vec<(&str, Mutate)> = vec![
        ("index.json → outside", link(secret.clone(), "index.json")),
        ("oci-layout → outside", link(secret.clone(), "oci-layout")),
        (
            "blob → outside, relative with ..",
            link(
                rel_secret.clone(),
                "blobs/sha256/463cc83ddde620d02e9d291af22d814cb37eaced699f1de4f6a90714f6b20053",
            ),
        ),
        ("blobs/ → outside", link(outside.clone(), "blobs")),
        (
            "blobs/sha256/ → outside",
            link(outside.join("sha256"), "blobs/sha256"),
        ),
        (
            "digest strings that climb",
            Box::new(|d: &Path| {
                let p = d.join("index.json");
                let s = std::fs::read_to_string(&p).expect("read");
                let v: serde_json::Value = serde_json::from_str(&s).expect("json");
                let mut v = v;
                v["manifests"][0]["digest"] = "sha256:../../../outside/secret".into();
                v["manifests"]
                    .as_array_mut()
                    .expect("array")
                    .push(serde_json::json!({
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": "../../outside:secret",
                        "size": 3
                    }));
                std::fs::write(&p, v.to_string()).expect("write");
            }),
        ),
    ];
    for (what, mutate) in variants {
        let work = tempfile::tempdir().expect("tempdir");
        let dir = work.path().join("a/b/layout");
        std::fs::create_dir_all(dir.parent().expect("parent")).expect("mkdir");
        // Copy the base layout.
        let built = recipe::read_tree(&base).expect("read");
        recipe::write_tree(
            &recipe::Built {
                files: built,
                docs: BTreeMap::new(),
            },
            &dir,
        )
        .expect("write");
        // Put the outside directory where the relative links reach it.
        let _ = std::fs::remove_dir_all(work.path().join("outside"));
        std::os::unix::fs::symlink(&outside, work.path().join("outside")).expect("link");
        mutate(&dir);
        let watch_top = Watch::new(&outside);
        let watch_sha = Watch::new(&outside.join("sha256"));
        let r = validate(&dir, &opts()).expect("validates");
        assert!(!r.findings.is_empty(), "{what}: no finding");
        let seen = watch_top.events() + watch_sha.events();
        assert_eq!(
            seen,
            0,
            "{what}: {seen} file-system event(s) outside the input ({:?})",
            codes(&r)
        );
    }
}

// --- no network ------------------------------------------------------------------------------------------------

#[test]
fn descriptor_urls_are_checked_as_strings_never_fetched() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let (_tmp, dir) = minimal_layout();
    // Point the layer descriptor at the listener and take the blob away: a validator that fetches would call.
    let blobs = dir.join("blobs/sha256");
    let manifest = std::fs::read_dir(&blobs)
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|s| s.contains("\"layers\"")))
        .expect("manifest");
    let s = std::fs::read_to_string(&manifest).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&s).expect("json");
    v["layers"][0]["urls"] = serde_json::json!([
        format!("http://127.0.0.1:{port}/layer"),
        format!("https://localhost:{port}/layer")
    ]);
    std::fs::write(&manifest, v.to_string()).expect("write");
    std::fs::remove_file(layer_blob(&dir)).expect("rm");
    let d = dir.to_string_lossy().into_owned();
    let (code, out, _, _) = run_cli(
        &["validate", &d, "--format", "json"],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(code, 1, "{out}");
    let _ = validate(&dir, &opts());
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("something connected: {other:?}"),
    }
    // And the one HTTP client (for docker:// inputs) is reachable from the registry source only: no other module
    // names it or opens a socket.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src.clone()];
    let mut users = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("ls").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("read");
                if ["ureq::", "TcpStream", "UdpSocket", "std::net::"]
                    .iter()
                    .any(|n| text.contains(n))
                {
                    users.push(p.strip_prefix(&src).expect("below src").to_path_buf());
                }
            }
        }
    }
    users.sort();
    assert!(
        users.iter().all(|p| p.starts_with("source/registry")),
        "network code outside src/source/registry: {users:?}"
    );
    assert!(!users.is_empty(), "the registry source was not found");
}

// --- bombs, huge inputs: small versions here, full size in the ignored tests below ----------------------------

/// `n` gzip members of 1 MiB of zeros each (multi-member gzip, as real layers may be): n MiB decompressed.
fn gzip_bomb(mib: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![0u8; 1 << 20]).expect("gzip");
    let member = e.finish().expect("gzip");
    member.repeat(mib)
}

/// zstd frames of 64 MiB of zeros each: `n` × 64 MiB decompressed.
fn zstd_bomb(frames: usize) -> Vec<u8> {
    let frame = zstd::encode_all(&vec![0u8; 64 << 20][..], 19).expect("zstd");
    frame.repeat(frames)
}

/// A layout whose only layer is `blob` (with the given layer media type); every digest and size right.
fn layout_with_layer(dir: &Path, blob: &[u8], media_type: &str) {
    let put = |b: &[u8]| -> (String, usize) {
        let d = Algorithm::Sha256.digest_of(b);
        let p = dir
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"));
        std::fs::write(p, b).expect("write");
        (d, b.len())
    };
    std::fs::create_dir_all(dir.join("blobs/sha256")).expect("mkdir");
    let (ld, ls) = put(blob);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": ["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}
    });
    let (cd, cs) = put(config.to_string().as_bytes());
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
        "layers": [{"mediaType": media_type, "digest": ld, "size": ls}]
    });
    let (md, ms) = put(manifest.to_string().as_bytes());
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
                       "platform": {"os": "linux", "architecture": "amd64"}}]
    });
    std::fs::write(dir.join("index.json"), index.to_string()).expect("write");
    std::fs::write(
        dir.join("oci-layout"),
        br#"{"imageLayoutVersion": "1.0.0"}"#,
    )
    .expect("write");
}

#[test]
fn bombs_are_stopped_by_the_guard() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // gzip: deflate cannot pass ~1032:1, so the size limit stops it.
    let g = tmp.path().join("gzip");
    layout_with_layer(
        &g,
        &gzip_bomb(96),
        "application/vnd.oci.image.layer.v1.tar+gzip",
    );
    let mut o = opts();
    o.max_layer_size = 32 << 20;
    let r = validate(&g, &o).expect("validates");
    assert!(codes(&r).contains(&"LYR003"), "{:?}", codes(&r));
    // zstd: the ratio guard, with its defaults.
    let z = tmp.path().join("zstd");
    layout_with_layer(
        &z,
        &zstd_bomb(2),
        "application/vnd.oci.image.layer.v1.tar+zstd",
    );
    let r = validate(&z, &opts()).expect("validates");
    assert!(codes(&r).contains(&"LYR003"), "{:?}", codes(&r));
}

#[test]
fn a_slow_blob_is_stopped_by_the_time_limits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let g = tmp.path().join("gzip");
    // 2 GiB of zeros to decompress; the blob time limit stops it long before.
    layout_with_layer(
        &g,
        &gzip_bomb(2048),
        "application/vnd.oci.image.layer.v1.tar+gzip",
    );
    let t = Instant::now();
    let mut o = opts();
    o.max_blob_time = Duration::from_millis(300);
    let r = validate(&g, &o).expect("validates");
    assert!(codes(&r).contains(&"LAY013"), "{:?}", codes(&r));
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    // The run limit: the same blob, the run stopped instead.
    let mut o = opts();
    o.max_time = Duration::from_millis(300);
    let r = validate(&g, &o).expect("validates");
    assert!(codes(&r).contains(&"LAY014"), "{:?}", codes(&r));
}

#[test]
fn deep_nesting_and_large_documents_are_findings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // 100,000 levels, as a document and as index.json.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let p = tmp.path().join("deep.json");
    std::fs::write(&p, &deep).expect("write");
    let mut o = opts();
    o.media_type = Some("application/vnd.oci.image.manifest.v1+json".into());
    let r = validate(&p, &o).expect("validates");
    assert_eq!(codes(&r), ["JSN001"]);
    let (_t, dir) = minimal_layout();
    std::fs::write(dir.join("index.json"), &deep).expect("write");
    let r = validate(&dir, &opts()).expect("validates");
    assert!(codes(&r).contains(&"JSN001"), "{:?}", codes(&r));
    // Over --max-json-size: not read whole, one finding.
    let big = tmp.path().join("big.json");
    let mut f = std::fs::File::create(&big).expect("create");
    f.write_all(b"{\"schemaVersion\": 2,").expect("write");
    for _ in 0..20 {
        f.write_all(&vec![b' '; 1 << 20]).expect("write");
    }
    f.write_all(b"}").expect("write");
    drop(f);
    let r = validate(&big, &o).expect("validates");
    assert_eq!(codes(&r), ["JSN007"]);
    // Within the size limit, but over the value budget: one finding, not a million.
    let many = format!("[{}0]", "0,".repeat(1_200_000));
    let p = tmp.path().join("many.json");
    std::fs::write(&p, many).expect("write");
    let r = validate(&p, &o).expect("validates");
    assert_eq!(codes(&r), ["JSN007"]);
}

#[test]
fn findings_by_the_hundred_thousand_are_capped_and_fast() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A manifest with 40,000 layer descriptors (within --max-json-values), each broken three ways.
    let doc = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[{}{{}}]}}",
        "{\"digest\":1},".repeat(40_000)
    );
    let p = tmp.path().join("m.json");
    std::fs::write(&p, doc).expect("write");
    let t = Instant::now();
    let r = validate(&p, &opts()).expect("validates");
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert!(
        r.findings.len() <= ocicheck::MAX_FINDINGS_TOTAL + 200,
        "{}",
        r.findings.len()
    );
    assert!(
        !r.not_listed.is_empty() && !r.findings.iter().any(|f| f.message.contains("not listed")),
        "the cap says what it left out, in notes that are not findings"
    );
    assert_eq!(
        r.summary.total(),
        r.findings.len() + r.summary.not_listed,
        "the summary counts every finding, listed or not"
    );
    assert!(r.summary.not_listed > 0);
}

#[test]
fn a_piped_archive_larger_than_the_memory_limit_is_spooled_to_a_temporary_file() {
    let (_t, dir) = minimal_layout();
    let built = recipe::read_tree(&dir).expect("read");
    let mut bytes = ocicheck::corpus::archive::write(
        &recipe::Built {
            files: built,
            docs: BTreeMap::new(),
        },
        &ocicheck::corpus::archive::ArchiveSpec::default(),
    )
    .expect("tar");
    // Padding after the end marker (zeros) makes the stream longer than the 1 MiB held in memory.
    bytes.extend(std::iter::repeat_n(0u8, 3 << 20));
    let mut child = Command::new(bin())
        .args([
            "validate",
            "-",
            "--max-stream-memory",
            "1048576",
            "--format",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// --- full size (ignored; scripts/hostile.sh) -------------------------------------------------------------------

fn assert_under_cap(what: &str, rss: u64) {
    println!("peak RSS {what}: {:.1} MiB", rss as f64 / (1 << 20) as f64);
    assert!(
        rss < CAP_BYTES,
        "{what}: peak RSS {rss} bytes is over the cap"
    );
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn full_size_bombs_stay_under_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let g = tmp.path().join("gzip");
    // 16 GiB of zeros in 16 MiB of gzip; stopped by --max-layer-size 4 GiB (the default, 64 GiB, only costs time).
    layout_with_layer(
        &g,
        &gzip_bomb(16 << 10),
        "application/vnd.oci.image.layer.v1.tar+gzip",
    );
    let gs = g.to_string_lossy().into_owned();
    let (code, out, _, rss) = run_cli(
        &[
            "validate",
            &gs,
            "--format",
            "json",
            "--max-layer-size",
            "4294967296",
        ],
        None,
        Duration::from_secs(300),
    );
    // Stopped by the guard: the run is incomplete.
    assert_eq!(code, 2);
    assert!(json_codes(&out).contains(&"LYR003".to_string()));
    assert_under_cap("gzip bomb (16 GiB of zeros, stopped at 4 GiB)", rss);
    let z = tmp.path().join("zstd");
    // 64 GiB of zeros in about 2 MiB of zstd, with the default limits.
    layout_with_layer(
        &z,
        &zstd_bomb(1024),
        "application/vnd.oci.image.layer.v1.tar+zstd",
    );
    let zs = z.to_string_lossy().into_owned();
    let (code, out, _, rss) = run_cli(
        &["validate", &zs, "--format", "json"],
        None,
        Duration::from_secs(300),
    );
    assert_eq!(code, 2);
    assert!(json_codes(&out).contains(&"LYR003".to_string()));
    assert_under_cap("zstd bomb (64 GiB of zeros, default limits)", rss);
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn full_size_json_stays_under_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // 100,000 levels deep.
    let deep = tmp.path().join("deep.json");
    std::fs::write(
        &deep,
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .expect("write");
    let ds = deep.to_string_lossy().into_owned();
    let mt = "application/vnd.oci.image.manifest.v1+json";
    let (code, out, _, rss) = run_cli(
        &["validate", &ds, "--media-type", mt, "--format", "json"],
        None,
        Duration::from_secs(60),
    );
    assert_eq!((code, json_codes(&out)), (1, vec!["JSN001".to_string()]));
    assert_under_cap("100,000 levels of nesting", rss);
    // 400 MiB of JSON: as a document, and as index.json.
    let big = tmp.path().join("big.json");
    let mut f = std::fs::File::create(&big).expect("create");
    f.write_all(b"{\"schemaVersion\": 2, \"manifests\": [")
        .expect("write");
    let item = b"{\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"size\": 1, \"digest\": \"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},";
    for _ in 0..(400 << 20) / item.len() {
        f.write_all(item).expect("write");
    }
    f.write_all(b"{}]}").expect("write");
    drop(f);
    let bs = big.to_string_lossy().into_owned();
    let (code, out, _, rss) = run_cli(
        &["validate", &bs, "--format", "json"],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(json_codes(&out), vec!["JSN007".to_string()], "exit {code}");
    assert_under_cap("a 400 MiB document", rss);
    let (_t, dir) = minimal_layout();
    std::fs::rename(&big, dir.join("index.json")).expect("mv");
    let ls = dir.to_string_lossy().into_owned();
    let (_, out, _, rss) = run_cli(
        &["validate", &ls, "--format", "json"],
        None,
        Duration::from_secs(120),
    );
    assert!(json_codes(&out).contains(&"JSN007".to_string()));
    assert_under_cap("a 400 MiB index.json", rss);
    // 16 MiB (the size limit) of values: the value budget stops it.
    let many = tmp.path().join("many.json");
    std::fs::write(
        &many,
        format!("{{\"layers\": [{}0]}}", "0,".repeat((16 << 20) / 2 - 16)),
    )
    .expect("write");
    let ms = many.to_string_lossy().into_owned();
    let (_, out, _, rss) = run_cli(
        &["validate", &ms, "--media-type", mt, "--format", "json"],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(json_codes(&out), vec!["JSN007".to_string()]);
    assert_under_cap("8 million values in 16 MiB", rss);
    // Within every limit, the most findings: descriptors that break three rules each, up to the value budget.
    for (what, item, n) in [
        (
            "49,000 descriptors with a bad digest",
            "{\"digest\":1},",
            49_000,
        ),
        ("99,000 empty descriptors", "{},", 99_000),
    ] {
        std::fs::write(&many, format!("{{\"layers\": [{}{{}}]}}", item.repeat(n))).expect("write");
        let (code, out, _, rss) = run_cli(
            &["validate", &ms, "--media-type", mt, "--format", "json"],
            None,
            Duration::from_secs(120),
        );
        assert_eq!(code, 1);
        assert!(
            !json_codes(&out).contains(&"JSN007".to_string()),
            "{what}: within the budget"
        );
        assert_under_cap(what, rss);
    }
}

/// A tar stream of `n` empty regular files (headers only), spread over 1,000 directories.
fn tar_of_empty_files(n: usize, prefix: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 512 + 1024);
    for i in 0..n {
        let mut h = [0u8; 512];
        let name = format!("{prefix}d{:03}/f{i:07}", i % 1000);
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(b"00000000000\0");
        h[136..148].copy_from_slice(b"00000000000\0");
        h[148..156].copy_from_slice(b"        ");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn a_million_entries_stay_under_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A layer of a million empty files.
    let raw = tar_of_empty_files(1_000_000, "");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(&raw).expect("gzip");
    let gz = e.finish().expect("gzip");
    let d = tmp.path().join("layer");
    layout_with_layer(&d, &gz, "application/vnd.oci.image.layer.v1.tar+gzip");
    let ds = d.to_string_lossy().into_owned();
    let (_, _, _, rss) = run_cli(
        &["validate", &ds, "--format", "json"],
        None,
        Duration::from_secs(300),
    );
    assert_under_cap("a layer of 1,000,000 entries", rss);
    // An archive of a layout with a million entries next to it, read from a file and piped to stdin.
    let (_t, dir) = minimal_layout();
    let built = recipe::read_tree(&dir).expect("read");
    let mut tar = ocicheck::corpus::archive::write(
        &recipe::Built {
            files: built,
            docs: BTreeMap::new(),
        },
        &ocicheck::corpus::archive::ArchiveSpec::default(),
    )
    .expect("tar");
    tar.truncate(tar.len() - 1024);
    tar.extend(tar_of_empty_files(1_000_000, "extra/"));
    let a = tmp.path().join("million.tar");
    std::fs::write(&a, &tar).expect("write");
    let as_ = a.to_string_lossy().into_owned();
    let (_, _, _, rss) = run_cli(
        &["validate", &as_, "--format", "json"],
        None,
        Duration::from_secs(300),
    );
    assert_under_cap("an archive of 1,000,000 entries", rss);
    let f = std::fs::File::open(&a).expect("open");
    let (_, _, _, rss) = run_cli(
        &["validate", "-", "--format", "json"],
        Some(Stdio::from(f)),
        Duration::from_secs(300),
    );
    assert_under_cap("the same archive on stdin (a file)", rss);
    let mut child = Command::new("cat")
        .arg(&a)
        .stdout(Stdio::piped())
        .spawn()
        .expect("cat");
    let pipe = child.stdout.take().expect("pipe");
    let (_, _, _, rss) = run_cli(
        &["validate", "-", "--format", "json"],
        Some(Stdio::from(pipe)),
        Duration::from_secs(300),
    );
    let _ = child.wait();
    assert_under_cap("the same archive piped to stdin (500 MiB)", rss);
}

#[test]
fn overlapping_archive_entries_are_read_as_a_tar_reader_would() {
    // A PAX header gives the first entry a size that swallows the next entry's header and data: a reader that
    // scanned for headers would see `index.json`, a tar reader sees it as data of the first entry only.
    let (_t, dir) = minimal_layout();
    let built = recipe::read_tree(&dir).expect("read");
    let tar = ocicheck::corpus::archive::write(
        &recipe::Built {
            files: built,
            docs: BTreeMap::new(),
        },
        &ocicheck::corpus::archive::ArchiveSpec::default(),
    )
    .expect("tar");
    let header = |name: &str, size: usize, flag: u8| {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[148..156].copy_from_slice(b"        ");
        h[156] = flag;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        h
    };
    // Find index.json's header in the archive and put, before it, an entry whose PAX size covers it.
    let at = tar
        .chunks(512)
        .position(|b| b.starts_with(b"index.json\0"))
        .expect("index.json in the archive")
        * 512;
    let swallowed = 512 + 1024; // index.json's header and (at most) two blocks of its data
    let rec = format!(" size={swallowed}\n");
    let rec = format!("{}{rec}", rec.len() + format!("{}", rec.len() + 2).len());
    let mut hostile = tar[..at].to_vec();
    hostile.extend_from_slice(&header("pax", rec.len(), b'x'));
    let mut data = rec.into_bytes();
    data.resize(512, 0);
    hostile.extend_from_slice(&data);
    hostile.extend_from_slice(&header("cover", 0, b'0'));
    hostile.extend_from_slice(&tar[at..]);
    let src = ocicheck::source::archive::ArchiveSource::from_bytes(hostile)
        .ok()
        .flatten()
        .expect("an archive");
    let r = validate_layout(&src, "overlap.tar", &opts());
    assert!(
        !r.findings.is_empty(),
        "the swallowed index.json is noticed"
    );
    assert!(
        src.entries().iter().any(|e| &*e.path == "cover"),
        "the covering entry is listed"
    );
    let _ = DirSource::open; // (the directory source has no notion of overlap)
}

// --- fuzzing ---------------------------------------------------------------------------------------------------

/// Every input that ever crashed a fuzz target (fuzz/regressions/<target>/) runs to the end, as does every seed
/// of the corpus: the same target bodies as `scripts/fuzz.sh`, without libFuzzer.
#[test]
fn fuzz_regressions_and_seeds_run_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for t in ocicheck::fuzzing::TARGETS {
        let dir = root.join("fuzz/regressions").join(t);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let bytes = std::fs::read(e.path()).expect("read");
            assert!(ocicheck::fuzzing::run(t, &bytes));
            n += 1;
        }
    }
    // Seeds: a few corpus inputs of each kind, with each selector byte.
    let corpus = root.join("conformance");
    let mut files = Vec::new();
    let mut stack = vec![corpus];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                files.push(e.path());
            }
        }
    }
    files.sort();
    for f in files.iter().step_by(7) {
        let bytes = std::fs::read(f).expect("read");
        if bytes.len() > 1 << 20 {
            continue;
        }
        let name = f.to_string_lossy();
        for sel in [0u8, 1, 2, 0x83] {
            let mut input = vec![sel];
            input.extend_from_slice(&bytes);
            ocicheck::fuzzing::document(&input);
            ocicheck::fuzzing::layer(&input);
        }
        if name.contains(".tar") {
            ocicheck::fuzzing::archive(&bytes);
        }
        n += 1;
    }
    assert!(n > 100, "only {n} inputs");
}
