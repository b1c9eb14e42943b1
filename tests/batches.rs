//! A layout is walked and checked a batch of `index.json`'s entries at a time, each batch's records dropped once
//! it is checked (`--batch-images`, a setting for tests and benchmarks). Whatever the batch size, the report is
//! the whole walk's (`--batch-images 0`), byte for byte: here on the corpus's layout of many images, and on one
//! whose images share what batches have to agree on.

mod common;

use std::path::Path;

use common::{combined_layout, ocicheck};
use ocicheck::corpus::tar::{TarEntry, TarOptions, write};
use serde_json::{Value, json};

fn path(p: &Path) -> &str {
    p.to_str()
        .unwrap_or_else(|| panic!("{}: not UTF-8", p.display()))
}

/// The JSON report of `layout` walked `batch` entries of `index.json` at a time, with `more` arguments.
fn report(layout: &Path, batch: usize, more: &[&str]) -> String {
    let n = batch.to_string();
    let mut args = vec!["validate", "--format", "json", "--batch-images", &n];
    args.extend(more);
    args.push(path(layout));
    let o = ocicheck(&args);
    String::from_utf8(o.stdout).unwrap_or_else(|e| panic!("{e}"))
}

fn put(layout: &Path, bytes: &[u8]) -> String {
    let digest = ocicheck::digest::Algorithm::Sha256.digest_of(bytes);
    let dir = layout.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join(&digest["sha256:".len()..]), bytes).unwrap_or_else(|e| panic!("{e}"));
    digest
}

fn desc(media_type: &str, digest: &str, size: usize) -> Value {
    json!({"mediaType": media_type, "digest": digest, "size": size})
}

fn entry(path: &str, kind: &str, link: Option<&str>) -> TarEntry {
    TarEntry {
        path: path.into(),
        kind: Some(kind.into()),
        link: link.map(str::to_string),
        content: (kind == "file").then(String::new),
        ..TarEntry::default()
    }
}

const LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// A layout of 23 images (28 entries) whose images share blobs across any cut into batches: a base layer; a
/// layer whose content does not match its digest; a config four images name (the image rules report at it, with
/// each image's manifest in the message); a symbolic link to `/` and a whiteout through it, stacked by several
/// images; a blob that is missing, named as a layer by three images and as a manifest by the last entry; a
/// manifest two entries name; a nested index; `index.json`'s `subject`; and blobs nothing names, one of them not
/// what its name says.
fn shared_layout(layout: &Path) {
    let tar = |entries: &[TarEntry]| write(entries, &TarOptions::default());
    let base = tar(&[entry("etc", "dir", None), entry("etc/passwd", "file", None)]);
    let link = tar(&[entry("lnk", "symlink", Some("/"))]);
    let through = tar(&[entry("lnk/.wh.etc", "file", None)]);
    let (base_d, link_d, through_d) = (
        put(layout, &base),
        put(layout, &link),
        put(layout, &through),
    );
    let bad = tar(&[entry("x", "file", None)]);
    let bad_d = put(layout, &bad);
    let mut corrupt = bad.clone();
    corrupt.extend_from_slice(b"junk");
    std::fs::write(
        layout.join("blobs/sha256").join(&bad_d["sha256:".len()..]),
        &corrupt,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let missing = ocicheck::digest::Algorithm::Sha256.digest_of(b"missing");
    let config = |i: usize| {
        json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
               "config": {"Labels": {"i": i.to_string()}}})
        .to_string()
        .into_bytes()
    };
    let shared_config = config(0);
    let shared_config_d = put(layout, &shared_config);
    let mut entries = Vec::new();
    for i in 0..23 {
        let mut layers = vec![desc(LAYER, &base_d, base.len())];
        if i % 5 == 1 {
            layers.push(desc(LAYER, &bad_d, bad.len()));
        }
        if i % 7 == 3 {
            layers.push(desc(LAYER, &missing, 7));
        }
        if i % 4 == 2 {
            layers.push(desc(LAYER, &link_d, link.len()));
            layers.push(desc(LAYER, &through_d, through.len()));
        }
        let (c, c_d) = if i % 6 == 0 {
            (shared_config.clone(), shared_config_d.clone())
        } else {
            let c = config(i);
            let d = put(layout, &c);
            (c, d)
        };
        let mut m = json!({"schemaVersion": 2, "mediaType": MANIFEST,
                           "config": desc(CONFIG, &c_d, c.len()), "layers": layers});
        if i == 9 {
            m["config"]["size"] = json!(3);
        }
        if i == 11 {
            m["annotations"] = json!({"a": 1});
        }
        let m = m.to_string().into_bytes();
        let m_d = put(layout, &m);
        let mut e = desc(MANIFEST, &m_d, m.len());
        e["platform"] =
            json!({"os": "linux", "architecture": if i == 13 { "arm64" } else { "amd64" }});
        e["annotations"] = json!({"org.opencontainers.image.ref.name": format!("r{i}")});
        entries.push(e.clone());
        if i % 8 == 4 {
            entries.push(e);
        }
    }
    let nested = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": entries[2..4]})
        .to_string()
        .into_bytes();
    let nested_d = put(layout, &nested);
    entries.insert(5, desc(INDEX, &nested_d, nested.len()));
    entries.push(desc(MANIFEST, &missing, 9));
    put(layout, b"unreferenced blob");
    std::fs::write(layout.join("blobs/sha256").join("0".repeat(64)), b"bad")
        .unwrap_or_else(|e| panic!("{e}"));
    let index = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": entries,
                       "subject": entries[1]});
    let text = serde_json::to_string_pretty(&index).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(layout.join("index.json"), text).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion": "1.0.0"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn batches_that_share_blobs_report_what_the_whole_walk_does() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    shared_layout(&layout);
    let whole = report(&layout, 0, &[]);
    let v: Value = serde_json::from_str(&whole).unwrap_or_else(|e| panic!("{e}"));
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str())
        .collect();
    let count = |c: &str| codes.iter().filter(|x| **x == c).count();
    // What the batches have to agree on is there: the whiteout through the link, in every image that stacks it
    // (each by its own chain); the image rules at the shared config, once per image; the corrupt layer once; the
    // missing blob once, as part of an image (not as a missing manifest); the unreferenced blob that is not what
    // its name says (a digest mismatch, as the corrupt layer's).
    assert!(count("LYR010") >= 5, "{codes:?}");
    assert_eq!(count("CFG029"), 22, "{codes:?}");
    assert_eq!(count("LAY015"), 1, "{codes:?}");
    assert_eq!(count("LAY009"), 0, "{codes:?}");
    assert_eq!(count("LAY007"), 2, "{codes:?}");
    assert!(
        v["not_validated"]["items"]
            .as_array()
            .is_some_and(|i| i.len() >= 2)
    );
    // With one finding listed per rule and file, the rest counted: a batch that checks a shared blob again
    // finds again what an earlier batch found there, and that is not counted twice.
    let capped = report(&layout, 0, &["--max-findings", "1"]);
    assert!(capped.contains("more finding(s)"), "{capped}");
    for batch in [1, 2, 3, 5, 1024] {
        assert_eq!(
            report(&layout, batch, &[]),
            whole,
            "walked {batch} entries at a time"
        );
        assert_eq!(
            report(&layout, batch, &["--max-findings", "1"]),
            capped,
            "walked {batch} entries at a time, one finding per rule and file"
        );
    }
}

#[test]
fn batches_of_the_corpus_layout_report_what_the_whole_walk_does() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    let images = combined_layout(&layout);
    assert!(images > 100, "only {images} images");
    let whole = report(&layout, 0, &[]);
    for batch in [1, 16, 100] {
        assert_eq!(
            report(&layout, batch, &[]),
            whole,
            "walked {batch} entries at a time"
        );
    }
}

/// Walked in batches, the progress display is told of each batch's blobs as the batch comes (a total that grows),
/// sees every one of them read, and is finished once.
#[test]
fn the_progress_display_counts_every_batch_and_finishes_once() {
    use std::sync::Arc;

    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    shared_layout(&layout);
    let rec = Arc::new(common::Recorder::default());
    let mut opts = ocicheck::Options::builder()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    opts.progress = Some(ocicheck::progress::Sink(rec.clone()));
    opts.batch_images = 4;
    ocicheck::validate(&layout, &opts).unwrap_or_else(|e| panic!("{e}"));
    let starts = rec.starts.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(starts.len() > 2, "{starts:?}");
    assert!(
        starts
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1),
        "{starts:?}"
    );
    let last = rec.last_start().unwrap_or_default();
    assert_eq!(common::Recorder::count(&rec.blobs), last.0);
    assert_eq!(common::Recorder::count(&rec.bytes), last.1);
    assert_eq!(common::Recorder::count(&rec.finished), 1);
}
