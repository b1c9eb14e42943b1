//! `--max-time` holds in every phase, the rule phase included: a manifest that names one large layer hundreds of
//! times, or hundreds of manifests over the same layers.

use std::path::Path;
use std::time::{Duration, Instant};

use ocicheck::digest::Algorithm;
use ocicheck::{Options, validate};

use super::{codes, tar_of_empty_files};

/// A layout of `manifests` image manifests, each naming `layer` `refs` times (digests and sizes right, DiffIDs
/// right).
pub fn layout_of_repeated_layer(dir: &Path, layer: &[u8], refs: usize, manifests: usize) {
    let put = |b: &[u8]| -> (String, usize) {
        let d = Algorithm::Sha256.digest_of(b);
        let p = dir
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"));
        std::fs::write(p, b).expect("write");
        (d, b.len())
    };
    std::fs::create_dir_all(dir.join("blobs/sha256")).expect("mkdir");
    let (ld, ls) = put(layer);
    let mut entries = Vec::new();
    for m in 0..manifests {
        let config = serde_json::json!({
            "architecture": "amd64", "os": "linux", "created": format!("2024-01-01T00:00:{:02}Z", m % 60),
            "author": format!("m{m}"),
            "rootfs": {"type": "layers", "diff_ids": vec![ld.clone(); refs]}
        });
        let (cd, cs) = put(config.to_string().as_bytes());
        let layers: Vec<_> = (0..refs)
            .map(|_| serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}))
            .collect();
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
            "layers": layers
        });
        let (md, ms) = put(manifest.to_string().as_bytes());
        entries.push(
            serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": md, "size": ms, "platform": {"os": "linux", "architecture": "amd64"}}),
        );
    }
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": entries
    });
    std::fs::write(dir.join("index.json"), index.to_string()).expect("write");
    std::fs::write(
        dir.join("oci-layout"),
        br#"{"imageLayoutVersion": "1.0.0"}"#,
    )
    .expect("write");
}

#[test]
fn the_time_limit_holds_in_the_rule_phase() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // 20,000 entries named 400 times: 8 million entries to replay, far more than two seconds' worth.
    layout_of_repeated_layer(tmp.path(), &tar_of_empty_files(20_000, ""), 400, 1);
    let mut o = Options::default();
    o.max_time = Duration::from_secs(2);
    o.jobs = 2;
    let t = Instant::now();
    let r = validate(tmp.path(), &o).expect("validates");
    let took = t.elapsed();
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(codes(&r).contains(&"LAY014"), "{:?}", codes(&r));
    let inc = r.incomplete.as_ref().expect("incomplete");
    assert_eq!(inc.raise, ["--max-time"], "{}", inc.message);
}

#[test]
fn manifests_over_the_same_layers_share_one_replay() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // 300 images of the same two-layer stack: one replay of 2 × 20,000 entries, not 300.
    layout_of_repeated_layer(tmp.path(), &tar_of_empty_files(20_000, ""), 2, 300);
    let mut o = Options::default();
    o.max_time = Duration::from_secs(60);
    o.jobs = 2;
    let r = validate(tmp.path(), &o).expect("validates");
    assert!(r.incomplete.is_none(), "{:?}", r.incomplete);
    assert!(!codes(&r).contains(&"LAY014"), "{:?}", codes(&r));
}

#[test]
fn the_rule_phase_fuzz_target_holds_its_time_limit() {
    use ocicheck::fuzzing::{Limits, rules_with};
    // The largest shapes the target makes: 20,000 entries (files, links through a symbolic link, whiteouts, hard
    // links) named 256 times by each of 8 manifests. The body asserts that --max-time held.
    let mut input = vec![255u8, 255, 7];
    input.extend_from_slice(b"\x00a/f\n\x01a\n\x02l\t/etc\n\x00l/x\n\x03h\ta/f\n\x04a\tf\n\x05a\n");
    for limits in [Limits::Small, Limits::Default] {
        rules_with(&input, limits);
    }
}
