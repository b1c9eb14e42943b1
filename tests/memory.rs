//! The memory cap (`--max-memory`, README § Hostile input) is enforced by every large structure, each shown here
//! with an input made by the test: the archive listing (GNU long names of 1 MiB), a directory listing of 210,000
//! files, the report (a 15 MiB key repeated in every location), zstd windows of 128 MiB, the layers' entry lists
//! and the parsed JSON documents. The small versions run with `cargo test` (in-process, or with a low
//! `--max-memory`); the full-size ones measure the child's peak RSS against the 256 MiB default at `--jobs 1` and
//! `--jobs 8`, are `#[ignore]`d, and are run (and their peaks printed) by `scripts/hostile.sh`.
//! `OCICHECK_BIN` runs them against another build (to measure one from before a change).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ocicheck::corpus::{self, recipe};

mod measure;
use ocicheck::digest::Algorithm;
use ocicheck::{Options, validate};

/// The default `--max-memory`, which the full-size runs must stay under.
const CAP_BYTES: u64 = ocicheck::DEFAULT_MAX_MEMORY;

fn bin() -> String {
    std::env::var("OCICHECK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_ocicheck").to_string())
}

/// Run the CLI; returns (exit status, stdout length, stdout (its first 64 MiB), stderr, peak RSS in bytes: by
/// `/usr/bin/time` when it is there, else the rusage of the child).
fn run_cli(args: &[&str], limit: Duration) -> (i32, usize, String, String, u64) {
    let r = measure::run(&bin(), args, None, limit);
    (r.code, r.out_len, r.out, r.err, r.rss)
}

/// The distinct codes of a JSON report (findings and the notes of those not listed).
fn json_codes(stdout: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap_or_default();
    let mut c: Vec<String> = ["findings", "not_listed"]
        .iter()
        .flat_map(|k| v[k].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect();
    c.sort();
    c.dedup();
    c
}

/// The message of the first finding of `code` in a JSON report.
/// How many findings of a JSON report have `code`.
fn json_count(stdout: &str, code: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap_or_default();
    v["findings"]
        .as_array()
        .map_or(0, |a| a.iter().filter(|f| f["code"] == code).count())
}

fn message_of(stdout: &str, code: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap_or_default();
    v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == code))
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Peaks measured, printed as `scripts/hostile.sh` shows them; what broke is collected, so that every case is
/// measured (and printed) before the test fails.
#[derive(Default)]
struct Peaks {
    broken: Vec<String>,
}

impl Peaks {
    fn check(&mut self, what: &str, jobs: &str, rss: u64, ok: Result<(), String>) {
        println!(
            "peak RSS {what} (--jobs {jobs}): {:.1} MiB (cap {} MiB)",
            rss as f64 / f64::from(1u32 << 20),
            CAP_BYTES >> 20
        );
        if rss >= CAP_BYTES {
            self.broken.push(format!(
                "{what} --jobs {jobs}: peak RSS {rss} is over the cap"
            ));
        }
        if let Err(e) = ok {
            self.broken.push(format!("{what} --jobs {jobs}: {e}"));
        }
    }

    fn done(self) {
        assert!(self.broken.is_empty(), "{:#?}", self.broken);
    }
}

/// `Ok` when the JSON report says it is incomplete (a limit kept something from being checked).
fn incomplete(out: &str) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_str(out).map_err(|e| format!("not a JSON report: {e}"))?;
    expect(v["incomplete"].is_object(), || {
        "not marked incomplete".into()
    })
}

/// `Ok` when `cond`, else the reason.
fn expect(cond: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(why()) }
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

/// The minimal layout as tar entries (without the end-of-archive marker), to follow other entries.
fn minimal_layout_tar() -> Vec<u8> {
    let (_t, dir) = minimal_layout();
    let built = recipe::read_tree(&dir).expect("read");
    let mut tar = corpus::archive::write(
        &recipe::Built {
            files: built,
            docs: std::collections::BTreeMap::new(),
        },
        &corpus::archive::ArchiveSpec::default(),
    )
    .expect("tar");
    tar.truncate(tar.len() - 1024);
    tar
}

/// A ustar header block.
fn header(name: &[u8], size: u64, flag: u8) -> [u8; 512] {
    let mut h = [0u8; 512];
    let n = name.len().min(100);
    h[..n].copy_from_slice(&name[..n]);
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
}

/// An empty file under a GNU long name (a `L` header and its data, then the entry).
fn gnu_long_entry(out: &mut impl Write, name: &[u8]) {
    let size = name.len() as u64 + 1;
    out.write_all(&header(b"././@LongLink", size, b'L'))
        .expect("write");
    out.write_all(name).expect("write");
    let pad = (512 - (size % 512) as usize) % 512;
    out.write_all(&vec![0u8; pad + 1]).expect("write");
    out.write_all(&header(name, 0, b'0')).expect("write");
}

/// An archive of `n` empty files with GNU long names of `len` bytes (1 MiB: the longest accepted, its NUL
/// included), then the minimal layout (its `oci-layout`
/// and `index.json` after all of them), written to `path`; zstd-compressed with `zstd`.
fn long_names_archive(path: &Path, n: usize, len: usize, zstd: bool) {
    let f = std::fs::File::create(path).expect("create");
    let mut out: Box<dyn Write> = if zstd {
        Box::new(
            zstd::stream::Encoder::new(f, 3)
                .expect("zstd")
                .auto_finish(),
        )
    } else {
        Box::new(std::io::BufWriter::new(f))
    };
    // Each name a KiB of its own hex digits, repeated: about 2,000:1 with zstd, under the ratio guard.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..n {
        let unit: Vec<u8> = (0..1024)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                b"0123456789abcdef"[(seed % 16) as usize]
            })
            .collect();
        let mut name = format!("extra/{i:05}-").into_bytes();
        while name.len() < len - 1 {
            let take = unit.len().min(len - 1 - name.len());
            name.extend_from_slice(&unit[..take]);
        }
        gnu_long_entry(&mut out, &name);
    }
    out.write_all(&minimal_layout_tar()).expect("write");
    out.write_all(&[0u8; 1024]).expect("write");
    out.flush().expect("flush");
}

/// The layout's own files are found and nothing is claimed missing; a listing limit is a finding.
fn no_false_missing(out: &str, limit: &str) -> Result<(), String> {
    let c = json_codes(out);
    expect(
        !c.iter()
            .any(|c| c == "LAY001" || c == "LAY004" || c == "LAY005"),
        || format!("a layout file claimed missing: {c:?}"),
    )?;
    let m = message_of(out, limit);
    expect(m.contains("--max-memory") || m.contains("entries"), || {
        format!("no {limit} about the listing limit: {c:?} {m}")
    })
}

#[test]
fn a_small_memory_cap_stops_the_listing_with_a_finding_not_a_false_missing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = tmp.path().join("names.tar");
    // 40 names of 1 MiB: the listing's half of a 64 MiB cap holds fewer than 10 of them.
    long_names_archive(&a, 40, 1 << 20, false);
    let as_ = a.to_string_lossy().into_owned();
    let (code, _, out, err, _) = run_cli(
        &["validate", &as_, "--format", "json", "--max-memory", "64M"],
        Duration::from_secs(60),
    );
    // Incomplete (exit status 2), with the option to raise.
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("raise --max-memory"), "{err}");
    no_false_missing(&out, "ARC005").unwrap_or_else(|e| panic!("{e}"));
    assert!(message_of(&out, "ARC005").contains("raise --max-memory"));
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn long_names_in_an_archive_stay_under_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut p = Peaks::default();
    // 2,000 names of 1 MiB in a 1 MB .tar.zst; 300 of them in a 300 MiB plain tar.
    for (what, n, zstd, file) in [
        (
            "2,000 GNU long names of 1 MiB, .tar.zst",
            2000,
            true,
            "names.tar.zst",
        ),
        (
            "300 GNU long names of 1 MiB, plain tar",
            300,
            false,
            "names.tar",
        ),
    ] {
        let a = tmp.path().join(file);
        long_names_archive(&a, n, 1 << 20, zstd);
        let bytes = std::fs::metadata(&a).map(|m| m.len()).unwrap_or(0);
        println!("{what}: {bytes} bytes");
        let as_ = a.to_string_lossy().into_owned();
        for jobs in ["1", "8"] {
            let (code, _, out, _, rss) = run_cli(
                &["validate", &as_, "--format", "json", "--jobs", jobs],
                Duration::from_secs(600),
            );
            // A limit kept entries from being checked: incomplete, exit status 2.
            let ok = expect(code == 2, || format!("exit {code}"))
                .and_then(|()| incomplete(&out))
                .and_then(|()| no_false_missing(&out, "ARC005"));
            p.check(what, jobs, rss, ok);
        }
    }
    p.done();
}

/// A layout with `n` empty files in `blobs/sha256` (named as digests, so that each is a blob to verify).
fn layout_with_empty_blobs(n: usize) -> (tempfile::TempDir, PathBuf) {
    let (t, dir) = minimal_layout();
    let blobs = dir.join("blobs/sha256");
    for i in 0..n {
        let d = Algorithm::Sha256.digest_of(format!("{i}").as_bytes());
        std::fs::write(blobs.join(d.trim_start_matches("sha256:")), b"").expect("write");
    }
    (t, dir)
}

#[test]
fn a_directory_listing_limit_never_claims_the_layout_files_missing() {
    // 20,000 blob files: more than the listing's share of a 40 MiB cap. `blobs` sorts before `index.json` and
    // `oci-layout`, which must be listed all the same.
    let (_t, dir) = layout_with_empty_blobs(20_000);
    let ds = dir.to_string_lossy().into_owned();
    let (code, _, out, err, _) = run_cli(
        &["validate", &ds, "--format", "json", "--max-memory", "40M"],
        Duration::from_secs(120),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("raise --max-memory"), "{err}");
    no_false_missing(&out, "LAY012").unwrap_or_else(|e| panic!("{e}"));
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn a_directory_of_210000_files_stays_under_the_memory_cap() {
    let (_t, dir) = layout_with_empty_blobs(210_000);
    let ds = dir.to_string_lossy().into_owned();
    let mut p = Peaks::default();
    for jobs in ["1", "8"] {
        let (code, _, out, _, rss) = run_cli(
            &["validate", &ds, "--format", "json", "--jobs", jobs],
            Duration::from_secs(600),
        );
        let ok = expect(code == 2, || format!("exit {code}"))
            .and_then(|()| incomplete(&out))
            .and_then(|()| no_false_missing(&out, "LAY012"));
        p.check("a directory of 210,000 empty blob files", jobs, rss, ok);
    }
    p.done();
}

/// A manifest of about 15 MiB (under --max-json-size) whose one annotation key is nearly all of it: each finding
/// at that key repeats it in its pointer, and the key rules quote it in their messages.
fn huge_key_manifest(path: &Path) {
    let key = "k".repeat(15 << 20);
    let doc = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": format!("sha256:{}", "a".repeat(64)), "size": 1},
        "layers": [],
        "annotations": {key: 1},
    });
    std::fs::write(path, doc.to_string()).expect("write");
}

#[test]
fn a_huge_key_in_a_location_is_cut_with_a_marker() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = tmp.path().join("m.json");
    huge_key_manifest(&p);
    let r = validate(&p, &Options::default()).expect("validates");
    let at_key: Vec<_> = r
        .findings
        .iter()
        .filter(|f| {
            f.location
                .pointer
                .as_deref()
                .is_some_and(|p| p.starts_with("/annotations/"))
        })
        .collect();
    assert!(!at_key.is_empty(), "{:?}", r.codes());
    for f in &r.findings {
        let l = &f.location;
        assert!(
            l.pointer.as_ref().is_none_or(|p| p.len() < 1024),
            "{}",
            f.code
        );
        assert!(f.message.len() < 4096, "{}", f.code);
    }
    assert!(
        at_key.iter().all(|f| f
            .location
            .pointer
            .as_deref()
            .is_some_and(|p| p.contains("…(+"))),
        "the cut is marked"
    );
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn reports_of_a_huge_key_stay_small_and_under_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let m = tmp.path().join("m.json");
    huge_key_manifest(&m);
    let ms = m.to_string_lossy().into_owned();
    let mut p = Peaks::default();
    for format in ["human", "json", "sarif", "junit", "github", "html"] {
        for jobs in ["1", "8"] {
            let (code, len, _, _, rss) = run_cli(
                &["validate", &ms, "--format", format, "--jobs", jobs],
                Duration::from_secs(120),
            );
            println!("report --format {format}: {len} bytes");
            let ok = expect(code == 1, || format!("exit {code}"))
                .and_then(|()| expect(len < 2 << 20, || format!("a report of {len} bytes")));
            p.check(
                &format!("a 15 MiB key in every location, --format {format}"),
                jobs,
                rss,
                ok,
            );
        }
    }
    p.done();
}

/// A layout whose one manifest has these layers (media type, bytes); the config's DiffIDs are wrong.
fn layout_with_layers(dir: &Path, layers: &[(&str, Vec<u8>)]) {
    let put = |b: &[u8]| -> (String, usize) {
        let d = Algorithm::Sha256.digest_of(b);
        let p = dir
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"));
        std::fs::write(p, b).expect("write");
        (d, b.len())
    };
    std::fs::create_dir_all(dir.join("blobs/sha256")).expect("mkdir");
    let descs: Vec<serde_json::Value> = layers
        .iter()
        .map(|(mt, b)| {
            let (d, s) = put(b);
            serde_json::json!({"mediaType": mt, "digest": d, "size": s})
        })
        .collect();
    let zero = format!("sha256:{}", "0".repeat(64));
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": vec![zero; layers.len()]}
    });
    let (cd, cs) = put(config.to_string().as_bytes());
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
        "layers": descs
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

/// Eight zstd layers whose frames ask for (and fill) a 128 MiB window: one file of 160 MiB made of a random MiB
/// repeated, so that the window is filled long before the ratio guard looks. The big frame is encoded once; the
/// layers differ in their first frame (the tar header of a file of their own name).
fn window_layers() -> Vec<(&'static str, Vec<u8>)> {
    let size: u64 = 160 << 20;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let block: Vec<u8> = (0..1 << 20)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    let mut e = zstd::stream::Encoder::new(Vec::new(), 1).expect("zstd");
    e.window_log(27).expect("window");
    e.long_distance_matching(true).expect("ldm");
    e.include_contentsize(false).expect("no content size");
    for _ in 0..size >> 20 {
        e.write_all(&block).expect("write");
    }
    let body = e.finish().expect("zstd");
    let frame = |data: &[u8]| -> Vec<u8> {
        let mut e = zstd::stream::Encoder::new(Vec::new(), 1).expect("zstd");
        e.window_log(27).expect("window");
        e.include_contentsize(false).expect("no content size");
        e.write_all(data).expect("write");
        e.finish().expect("zstd")
    };
    (0..8)
        .map(|i| {
            let mut l = frame(&header(format!("file{i}").as_bytes(), size, b'0'));
            l.extend_from_slice(&body);
            l.extend(frame(&[0u8; 1024]));
            ("application/vnd.oci.image.layer.v1.tar+zstd", l)
        })
        .collect()
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn zstd_windows_stay_under_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path().join("layout");
    layout_with_layers(&d, &window_layers());
    let ds = d.to_string_lossy().into_owned();
    let mut p = Peaks::default();
    for jobs in ["1", "2", "8"] {
        let (code, _, out, _, rss) = run_cli(
            &["validate", &ds, "--format", "json", "--jobs", jobs],
            Duration::from_secs(600),
        );
        // Every layer decoded (one window at a time if need be): the only errors are the wrong DiffIDs.
        let ok = expect(code == 1, || format!("exit {code}")).and_then(|()| {
            let c = json_codes(&out);
            expect(!c.contains(&"LYR003".to_string()), || {
                format!("a layer was not decoded: {}", message_of(&out, "LYR003"))
            })
        });
        p.check("8 zstd layers with 128 MiB windows", jobs, rss, ok);
    }
    p.done();
}

/// A tar stream of `n` empty regular files (headers only), spread over 1,000 directories.
fn tar_of_empty_files(n: usize, prefix: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 512 + 1024);
    for i in 0..n {
        out.extend_from_slice(&header(
            format!("{prefix}d{:03}/f{i:07}", i % 1000).as_bytes(),
            0,
            b'0',
        ));
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn entry_lists_of_many_layers_stay_under_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path().join("layout");
    // Four layers of a million entries each, and --max-layer-entries out of the way: the memory budget binds.
    let layers: Vec<(&str, Vec<u8>)> = (0..4)
        .map(|i| {
            let raw = tar_of_empty_files(1_000_000, &format!("l{i}/"));
            (
                "application/vnd.oci.image.layer.v1.tar+zstd",
                zstd::encode_all(&raw[..], 1).expect("zstd"),
            )
        })
        .collect();
    layout_with_layers(&d, &layers);
    let ds = d.to_string_lossy().into_owned();
    let mut p = Peaks::default();
    for jobs in ["1", "8"] {
        let (code, _, out, _, rss) = run_cli(
            &[
                "validate",
                &ds,
                "--format",
                "json",
                "--jobs",
                jobs,
                "--max-layer-entries",
                "100000000",
            ],
            Duration::from_secs(600),
        );
        let ok = expect(code == 2, || format!("exit {code}")).and_then(|()| {
            incomplete(&out)?;
            let m = message_of(&out, "LYR003");
            expect(m.contains("--max-memory"), || format!("LYR003: {m:?}"))
        });
        p.check("4 layers of 1,000,000 entries", jobs, rss, ok);
    }
    p.done();
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn json_documents_stay_under_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path().join("layout");
    std::fs::create_dir_all(d.join("blobs/sha256")).expect("mkdir");
    // Twelve manifests of 15 MiB each (an annotation value fills them), and --max-json-total out of the way. Each
    // costs the budget 45 MiB parsed: at the default cap they are checked one group at a time, all of them; under a
    // cap of 64 MiB none fits, and each is refused with the limit that kept it out.
    let mut entries = Vec::new();
    for i in 0..12 {
        let m = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": format!("sha256:{}", "a".repeat(64)), "size": 1},
            "layers": [],
            "annotations": {"org.example.fill": format!("{i}{}", "v".repeat(15 << 20))},
        })
        .to_string();
        let digest = Algorithm::Sha256.digest_of(m.as_bytes());
        std::fs::write(
            d.join("blobs/sha256")
                .join(digest.trim_start_matches("sha256:")),
            &m,
        )
        .expect("write");
        entries.push(
            serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                        "digest": digest, "size": m.len()}),
        );
    }
    let index = serde_json::json!({"schemaVersion": 2, "manifests": entries});
    std::fs::write(d.join("index.json"), index.to_string()).expect("write");
    std::fs::write(d.join("oci-layout"), br#"{"imageLayoutVersion": "1.0.0"}"#).expect("write");
    let ds = d.to_string_lossy().into_owned();
    let mut p = Peaks::default();
    for (cap, jobs) in [(None, "1"), (None, "8"), (Some("64M"), "1")] {
        let mut args = vec![
            "validate",
            &ds,
            "--format",
            "json",
            "--jobs",
            jobs,
            "--max-json-total",
            "1G",
        ];
        args.extend(cap.iter().flat_map(|c| ["--max-memory", c]));
        let (code, _, out, _, rss) = run_cli(&args, Duration::from_secs(600));
        let refused = json_count(&out, "JSN007");
        let m = message_of(&out, "JSN007");
        let ok = match cap {
            // Every manifest parsed and checked: no limit, a valid layout but for its warnings.
            None => expect(code == 0 && refused == 0, || {
                format!("exit {code}, {refused} JSN007: {m:?}")
            }),
            // None fits: every one refused, naming the option to raise, and the run incomplete.
            Some(_) => expect(
                code == 2 && refused == 12 && m.contains("--max-memory"),
                || format!("exit {code}, {refused} JSN007: {m:?}"),
            ),
        };
        let label = match cap {
            None => "12 manifests of 15 MiB".to_string(),
            Some(c) => format!("12 manifests of 15 MiB, --max-memory {c}"),
        };
        p.check(&label, jobs, rss, ok);
    }
    p.done();
}
