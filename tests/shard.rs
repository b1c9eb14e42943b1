//! `--shard I/N`, `ocicheck merge` and `--format jsonl` on a layout of many images, the corpus's
//! ([`common::combined_layout`]).

mod common;

use std::path::Path;

use common::{combined_layout, json, ocicheck};
use serde_json::Value;

fn path(p: &Path) -> &str {
    p.to_str()
        .unwrap_or_else(|| panic!("{}: not UTF-8", p.display()))
}

#[test]
fn three_shards_merged_equal_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    let images = combined_layout(&layout);
    assert!(images > 100, "only {images} images");
    let whole = json(&ocicheck(&["validate", "--format", "json", path(&layout)]));
    let findings = whole["findings"].as_array().map_or(0, Vec::len);
    assert!(findings > 100, "only {findings} findings");
    let mut files = Vec::new();
    let mut per_shard = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let o = ocicheck(&[
            "validate",
            "--format",
            "json",
            "--shard",
            &shard,
            path(&layout),
        ]);
        let v = json(&o);
        per_shard.push(v["findings"].as_array().map_or(0, Vec::len));
        let f = tmp.path().join(format!("shard-{i}.json"));
        std::fs::write(&f, &o.stdout).unwrap_or_else(|e| panic!("{e}"));
        files.push(f);
    }
    // Each shard did a share, not the whole.
    assert!(
        per_shard.iter().all(|&n| n > 0 && n < findings),
        "{per_shard:?} of {findings}"
    );
    // Reversed, to show that the order of the reports does not matter.
    let mut args = vec!["merge"];
    args.extend(files.iter().rev().map(|p| path(p)));
    let merged = json(&ocicheck(&args));
    assert_eq!(merged["findings"], whole["findings"]);
    assert_eq!(merged["summary"], whole["summary"]);
    assert_eq!(merged["images"], whole["images"]);
    // The same items, though not always in the same order (a run lists them in the order of the descriptors
    // that reach them, which the merge cannot know).
    let items = |v: &Value| {
        let mut i: Vec<String> = v["not_validated"]["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(Value::to_string)
            .collect();
        i.sort();
        i
    };
    assert_eq!(items(&merged), items(&whole));
    for k in [
        "images_validated",
        "images_not_validated",
        "blobs_not_validated",
    ] {
        assert_eq!(merged["not_validated"][k], whole["not_validated"][k], "{k}");
    }
}

#[test]
fn the_shards_images_are_disjoint_and_cover_the_layout() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    combined_layout(&layout);
    let whole = json(&ocicheck(&["validate", "--format", "json", path(&layout)]));
    let key = |i: &Value| i.to_string();
    let all: Vec<String> = whole["images"]
        .as_array()
        .into_iter()
        .flatten()
        .map(key)
        .collect();
    assert!(all.len() > 100);
    let mut union = Vec::new();
    for i in 0..4 {
        let v = json(&ocicheck(&[
            "validate",
            "--format",
            "json",
            "--shard",
            &format!("{i}/4"),
            path(&layout),
        ]));
        assert_eq!(v["shard"]["index"], i);
        union.extend(v["images"].as_array().into_iter().flatten().map(key));
    }
    let mut a = all.clone();
    a.sort();
    a.dedup();
    union.sort();
    let n = union.len();
    union.dedup();
    // Disjoint: an image two entries reach is listed by the shard of the first (the head of its via).
    assert_eq!(n, union.len());
    assert_eq!(union, a);
}

#[test]
fn a_bad_shard_or_a_missing_one_is_a_usage_error() {
    let o = ocicheck(&[
        "validate",
        "--shard",
        "3/3",
        "conformance/valid/same-image-two-refs/layout",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = ocicheck(&[
        "validate",
        "--shard",
        "0/2",
        "conformance/manifest/MAN001-schema-version-not-2/layout/index.json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = tmp.path().join("0.json");
    let o = ocicheck(&[
        "validate",
        "--format",
        "json",
        "--shard",
        "0/2",
        "conformance/valid/same-image-two-refs/layout",
    ]);
    std::fs::write(&f, &o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let o = ocicheck(&["merge", path(&f)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1/2 missing"));
}

fn lines(text: &[u8]) -> Vec<Value> {
    // A line a dead run cut short is skipped, as --resume skips it.
    String::from_utf8_lossy(text)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn sorted(v: impl IntoIterator<Item = Value>) -> Vec<String> {
    let mut s: Vec<String> = v.into_iter().map(|f| f.to_string()).collect();
    s.sort();
    s
}

#[test]
fn jsonl_streams_the_findings_image_by_image_and_resumes() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    let images = combined_layout(&layout);
    let whole = json(&ocicheck(&["validate", "--format", "json", path(&layout)]));
    let o = ocicheck(&["validate", "--format", "jsonl", path(&layout)]);
    assert_eq!(o.status.code(), Some(1));
    let all = lines(&o.stdout);
    let findings = |ls: &[Value], keep: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        ls.iter()
            .filter(|l| l.get("finding").is_some() && keep(l))
            .map(|l| l["finding"].clone())
            .collect()
    };
    let expected = sorted(whole["findings"].as_array().cloned().unwrap_or_default());
    assert_eq!(sorted(findings(&all, &|_| true)), expected);
    // One done line per image, each after that image's findings, then the layout's, then the summary.
    let done: Vec<u64> = all
        .iter()
        .filter(|l| l["done"] == true)
        .filter_map(|l| l["image"]["position"].as_u64())
        .collect();
    // Every entry that is a descriptor (a case's index.json may hold one that is not an object).
    assert!(done.len() + 2 >= images, "{} of {images}", done.len());
    assert!(done.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        all.iter()
            .filter(|l| l["done"] == true && l["layout"] == true)
            .count(),
        1
    );
    for (k, l) in all.iter().enumerate() {
        if let Some(i) = l["image"].as_u64() {
            let closes = all[k..]
                .iter()
                .find(|x| x["done"] == true)
                .map(|x| x["image"]["position"].clone());
            assert_eq!(closes, Some(Value::from(i)), "line {k}");
        }
    }
    let last = all.last().unwrap_or_else(|| panic!("no lines"));
    assert_eq!(last["summary"], whole["summary"]);

    // A run that died a third of the way in (mid-line), resumed.
    let cut = &o.stdout[..o.stdout.len() / 3];
    let part = tmp.path().join("part.jsonl");
    std::fs::write(&part, cut).unwrap_or_else(|e| panic!("{e}"));
    let first = lines(cut);
    let finished: Vec<Value> = first
        .iter()
        .filter(|l| l["done"] == true)
        .map(|l| l["image"]["position"].clone())
        .collect();
    assert!(!finished.is_empty() && finished.len() < images);
    let o = ocicheck(&[
        "validate",
        "--format",
        "jsonl",
        "--resume",
        path(&part),
        path(&layout),
    ]);
    let rest = lines(&o.stdout);
    // No finished image is done again.
    assert!(
        rest.iter()
            .filter(|l| l["done"] == true)
            .all(|l| !finished.contains(&l["image"]["position"]))
    );
    let mut got = findings(&first, &|l| finished.contains(&l["image"]));
    got.extend(findings(&rest, &|_| true));
    assert_eq!(sorted(got), expected);
    let last = rest.last().unwrap_or_else(|| panic!("no lines"));
    assert_eq!(last["summary"], whole["summary"]);
    assert_eq!(last["resumed"], finished.len());
}

/// Write `bytes` as a blob of `layout`; its descriptor.
fn put_blob(layout: &Path, media_type: &str, bytes: &[u8]) -> Value {
    let digest = ocicheck::digest::Algorithm::Sha256.digest_of(bytes);
    let dir = layout.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join(&digest["sha256:".len()..]), bytes).unwrap_or_else(|e| panic!("{e}"));
    serde_json::json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
}

/// A layer shared by two images whose configs name its DiffID in different algorithms: the first image's in
/// SHA-512, the second's in SHA-256 (and wrong). Run image by image, the layer is read in the first image's step;
/// the second's mismatch is still found, as in a whole run (its DiffID was computed for every config that names
/// the layer, not only for those of the step that read it first).
#[test]
fn a_shared_layer_is_read_for_every_images_diff_id_algorithm() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    let layer = put_blob(
        &layout,
        "application/vnd.oci.image.layer.v1.tar",
        &[0u8; 1024],
    );
    let mut entries = Vec::new();
    for diff_id in [
        format!("sha512:{}", "a".repeat(128)),
        format!("sha256:{}", "b".repeat(64)),
    ] {
        let config = serde_json::json!({
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        });
        let config = put_blob(
            &layout,
            "application/vnd.oci.image.config.v1+json",
            config.to_string().as_bytes(),
        );
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config,
            "layers": [layer],
        });
        entries.push(put_blob(
            &layout,
            "application/vnd.oci.image.manifest.v1+json",
            manifest.to_string().as_bytes(),
        ));
    }
    let index = serde_json::json!({"schemaVersion": 2, "manifests": entries});
    std::fs::write(layout.join("index.json"), index.to_string()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let whole = json(&ocicheck(&["validate", "--format", "json", path(&layout)]));
    let mismatches = |fs: &[Value]| -> Vec<String> {
        let mut v: Vec<String> = fs
            .iter()
            .filter(|f| f["code"] == "LYR007")
            .map(|f| f["message"].as_str().unwrap_or_default().to_string())
            .collect();
        v.sort();
        v
    };
    let expected = mismatches(whole["findings"].as_array().map_or(&[], Vec::as_slice));
    assert_eq!(expected.len(), 2, "one mismatch per image: {expected:?}");
    assert!(
        expected.iter().any(|m| m.contains("sha256:bbbb")),
        "{expected:?}"
    );
    let o = ocicheck(&["validate", "--format", "jsonl", path(&layout)]);
    let streamed: Vec<Value> = lines(&o.stdout)
        .into_iter()
        .filter_map(|l| l.get("finding").cloned())
        .collect();
    assert_eq!(mismatches(&streamed), expected);
}

/// A copy of the corpus's minimal image whose `index.json` names its manifest `n` times, one entry a line: those at
/// `bad` with a wrong size, and a `subject` with a wrong size too. Returns each bad entry's line.
fn many_entries(layout: &Path, n: usize, bad: &[usize]) -> Vec<usize> {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/valid/minimal-image/layout");
    let blobs = layout.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap_or_else(|e| panic!("{e}"));
    for b in std::fs::read_dir(case.join("blobs/sha256")).unwrap_or_else(|e| panic!("{e}")) {
        let b = b.unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(b.path(), blobs.join(b.file_name())).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::copy(case.join("oci-layout"), layout.join("oci-layout"))
        .unwrap_or_else(|e| panic!("{e}"));
    let index: Value = serde_json::from_slice(
        &std::fs::read(case.join("index.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let entry = &index["manifests"][0];
    let subject =
        serde_json::json!({"mediaType": entry["mediaType"], "digest": entry["digest"], "size": 2});
    let mut text = format!(
        "{{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.oci.image.index.v1+json\", \"subject\": {subject},\n\"manifests\": [\n"
    );
    let first_line = 3;
    for k in 0..n {
        let mut e = entry.clone();
        e["annotations"]["org.opencontainers.image.ref.name"] = Value::from(format!("img-{k}"));
        if bad.contains(&k) {
            e["size"] = Value::from(1);
        }
        text.push_str(&e.to_string());
        text.push_str(if k + 1 < n { ",\n" } else { "\n" });
    }
    text.push_str("]}\n");
    std::fs::write(layout.join("index.json"), text).unwrap_or_else(|e| panic!("{e}"));
    bad.iter().map(|k| first_line + k).collect()
}

/// `index.json` is checked a group of entries at a time (its whole tree only for its own rules, before the walk
/// goes on): a finding of an entry in any group, and of its `subject`, is found where it is, with its line, in a
/// whole run, image by image, and in the shard that has the layout.
#[test]
fn the_entries_of_a_long_index_json_are_checked_in_every_part() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = tmp.path().join("layout");
    let bad = [0, 3, 63, 64, 130, 199];
    let lines_of = many_entries(&layout, 200, &bad);
    let mut wanted: Vec<(String, u64)> = bad
        .iter()
        .zip(&lines_of)
        .map(|(k, l)| (format!("/manifests/{k}/size"), *l as u64))
        .collect();
    wanted.push(("/subject/size".to_string(), 1));
    wanted.sort();
    let found = |findings: &mut dyn Iterator<Item = &Value>| {
        let mut v: Vec<(String, u64)> = findings
            .filter(|f| f["location"]["file"] == "index.json")
            .map(|f| {
                assert_eq!(f["code"], "DSC010", "{f}");
                let at = &f["location"];
                (
                    at["pointer"].as_str().unwrap_or_default().to_string(),
                    at["line"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let whole = json(&ocicheck(&["validate", "--format", "json", path(&layout)]));
    let findings = whole["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(found(&mut findings.iter()), wanted);
    assert_eq!(whole["summary"]["errors"], wanted.len());

    let streamed = ocicheck(&["validate", "--format", "jsonl", path(&layout)]);
    let events = lines(&streamed.stdout);
    let findings: Vec<&Value> = events.iter().filter_map(|e| e.get("finding")).collect();
    assert_eq!(found(&mut findings.into_iter()), wanted);

    let shard = json(&ocicheck(&[
        "validate",
        "--format",
        "json",
        "--shard",
        "0/2",
        path(&layout),
    ]));
    let findings = shard["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(found(&mut findings.iter()), wanted);
}
