//! No fail-open: what a limit kept from being checked never gives exit status 0 by default. Such a run is
//! incomplete: exit 2 with `incomplete: …, raise --max-…` on stderr and in the reports, unless
//! `--allow-incomplete` accepts it (its limit findings then count at their level).

use std::time::Duration;

use super::{minimal_layout, run_cli};

/// The corpus's minimal layout with an invalid `index.json` (schemaVersion 3) padded past --max-json-size.
fn padded_invalid_layout() -> (tempfile::TempDir, String) {
    let (tmp, dir) = minimal_layout();
    let p = dir.join("index.json");
    let text = std::fs::read_to_string(&p).expect("index.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut v = v;
    v["schemaVersion"] = serde_json::json!(3);
    let mut bad = v.to_string();
    bad.push_str(&" ".repeat(17 << 20));
    std::fs::write(&p, bad).expect("write");
    (tmp, dir.to_string_lossy().into_owned())
}

#[test]
fn an_invalid_image_padded_past_the_json_limit_is_incomplete_not_a_pass() {
    let (_t, dir) = padded_invalid_layout();
    let limit = Duration::from_secs(60);
    // Exit 2 and one line that says what to raise (main: a JSN007 warning, exit 0).
    let (code, out, err, _) = run_cli(&["validate", "--format", "json", &dir], None, limit);
    assert_eq!(code, 2, "{err}");
    assert_eq!(super::inputs::own_lines(&err), 1, "{err}");
    assert!(
        err.contains("incomplete: ") && err.contains("raise --max-json-size"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("a JSON report");
    assert_eq!(
        v["incomplete"]["raise"],
        serde_json::json!(["--max-json-size"])
    );
    assert_eq!(v["incomplete"]["limits"][0]["code"], "JSN007");
    assert_eq!(v["incomplete"]["allowed"], false);
    // The human report says so too.
    let (code, out, _, _) = run_cli(&["validate", "--color", "never", &dir], None, limit);
    assert_eq!(code, 2);
    assert!(out.contains("incomplete: "), "{out}");
    // --allow-incomplete: the limit finding counts at its level (JSN007 is a warning).
    let (code, out, err, _) = run_cli(&["validate", "--allow-incomplete", &dir], None, limit);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, _, _) = run_cli(
        &[
            "validate",
            "--allow-incomplete",
            "--fail-on",
            "warning",
            &dir,
        ],
        None,
        limit,
    );
    assert_eq!(code, 1);
    // Raising the limit checks the document: a real error.
    let (code, out, _, _) = run_cli(
        &[
            "validate",
            "--max-json-size",
            "32M",
            "--format",
            "concise",
            &dir,
        ],
        None,
        limit,
    );
    assert_eq!(code, 1, "{out}");
    // A baseline that holds the JSN007 finding does not make the run complete.
    let base = tempfile::NamedTempFile::new().expect("tmp");
    let b = base.path().to_string_lossy().into_owned();
    let (code, _, err, _) = run_cli(&["validate", "--write-baseline", &b, &dir], None, limit);
    assert_eq!(code, 2, "{err}");
    let (code, _, err, _) = run_cli(&["validate", "--baseline", &b, &dir], None, limit);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn every_kind_of_limit_makes_the_report_incomplete() {
    use ocicheck::validate;
    let tmp = tempfile::tempdir().expect("tempdir");
    // The decompression guard of the layer pass (LYR003).
    let g = tmp.path().join("gzip");
    super::layout_with_layer(
        &g,
        &super::gzip_bomb(48),
        "application/vnd.oci.image.layer.v1.tar+gzip",
    );
    let mut o = super::opts();
    o.max_layer_size = 16 << 20;
    let r = validate(&g, &o).expect("validates");
    let inc = r.incomplete.expect("incomplete");
    assert_eq!(
        (inc.limits[0].code, inc.raise.as_slice()),
        ("LYR003", &["--max-layer-size"][..])
    );
    // The guard of a compressed archive's listing (ARC005, as a limit).
    // An 8 MiB entry before the layout, so that the listing has to decompress past the limit.
    let big = ocicheck::corpus::tar::write(
        &[ocicheck::corpus::tar::TarEntry {
            path: "padding".into(),
            size: Some(8 << 20),
            ..Default::default()
        }],
        &ocicheck::corpus::tar::TarOptions::default(),
    );
    let mut tar = big;
    while tar.len() >= 512 && tar[tar.len() - 512..].iter().all(|&b| b == 0) {
        tar.truncate(tar.len() - 512);
    }
    tar.extend(super::inputs::minimal_tar());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).expect("gzip");
    let a = tmp.path().join("a.tar.gz");
    std::fs::write(&a, gz.finish().expect("gzip")).expect("write");
    let mut o = super::opts();
    o.max_layer_size = 1 << 20;
    let r = validate(&a, &o).expect("validates");
    let inc = r.incomplete.expect("incomplete");
    assert_eq!(
        (inc.limits[0].code, inc.raise.as_slice()),
        ("ARC005", &["--max-layer-size"][..])
    );
    // The time limits (LAY013 for a blob, LAY014 for the run).
    let slow = tmp.path().join("slow");
    super::layout_with_layer(
        &slow,
        &super::gzip_bomb(1024),
        "application/vnd.oci.image.layer.v1.tar+gzip",
    );
    let mut o = super::opts();
    o.max_blob_time = Duration::from_millis(200);
    let r = validate(&slow, &o).expect("validates");
    let inc = r.incomplete.expect("incomplete");
    assert!(inc.raise.contains(&"--max-blob-time"), "{inc:?}");
    // A listing limit (LAY012: directories nested too deep), which no option raises.
    let (_t, deep) = minimal_layout();
    let mut p = deep.join("blobs");
    for _ in 0..40 {
        p = p.join("d");
    }
    std::fs::create_dir_all(&p).expect("mkdir");
    let r = validate(&deep, &super::opts()).expect("validates");
    let inc = r.incomplete.expect("incomplete");
    assert_eq!(inc.limits[0].code, "LAY012");
    assert!(
        inc.raise.is_empty() && inc.message.contains("no option raises"),
        "{}",
        inc.message
    );
    // And a clean run is complete.
    let (_t, ok) = minimal_layout();
    assert!(
        validate(&ok, &super::opts())
            .expect("validates")
            .incomplete
            .is_none()
    );
}

#[test]
fn streamed_sharded_and_merged_runs_are_incomplete_too() {
    // --max-blob-time 0 stops every blob read at once (LAY013, a limit).
    let (_t, dir) = minimal_layout();
    let dir = dir.to_string_lossy().into_owned();
    let limit = Duration::from_secs(60);
    let (code, out, err, _) = run_cli(
        &[
            "validate",
            "--format",
            "jsonl",
            "--max-blob-time",
            "0",
            &dir,
        ],
        None,
        limit,
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("raise --max-blob-time"), "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(
        lines.iter().any(|l| l["limit"]["code"] == "LAY013"),
        "{out}"
    );
    let last = lines.last().expect("a summary line");
    assert_eq!(last["incomplete"]["raise"][0], "--max-blob-time", "{out}");
    // Resumed from those lines (every image done): still incomplete, from the limits of the lines read back.
    let prev = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(prev.path(), &out).expect("write");
    let p = prev.path().to_string_lossy().into_owned();
    let (code, out, err, _) = run_cli(
        &["validate", "--format", "jsonl", "--resume", &p, &dir],
        None,
        limit,
    );
    assert_eq!(code, 2, "{out}{err}");
    // --allow-incomplete accepts it.
    let (code, _, err, _) = run_cli(
        &[
            "validate",
            "--format",
            "jsonl",
            "--max-blob-time",
            "0",
            "--allow-incomplete",
            &dir,
        ],
        None,
        limit,
    );
    assert_ne!(code, 2, "{err}");
    // Two shards, merged: the merged report is incomplete and `merge` exits 2.
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut shards = Vec::new();
    for i in 0..2 {
        let s = format!("{i}/2");
        let (code, out, err, _) = run_cli(
            &[
                "validate",
                "--shard",
                &s,
                "--format",
                "json",
                "--max-blob-time",
                "0",
                &dir,
            ],
            None,
            limit,
        );
        assert!(code == 0 || code == 2, "{err}");
        let f = tmp.path().join(format!("{i}.json"));
        std::fs::write(&f, out).expect("write");
        shards.push(f.to_string_lossy().into_owned());
    }
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    let (code, out, err, _) = run_cli(&args, None, limit);
    assert_eq!(code, 2, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("a JSON report");
    assert_eq!(v["incomplete"]["raise"][0], "--max-blob-time", "{out}");
    assert!(err.contains("raise --max-blob-time"), "{err}");
}
