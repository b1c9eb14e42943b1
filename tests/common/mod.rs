//! Helpers of the tests of sharding and deployment: a layout of many images, made of the corpus cases' layouts
//! put together (every case's blobs in one `blobs/`, every case's `index.json` entries in one `index.json`), so
//! that its images carry the corpus's defects, share blobs, and spread over the shards.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn ocicheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("ocicheck: {e}"))
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// The corpus groups whose cases break an image (not the layout around it).
const GROUPS: &[&str] = &[
    "valid",
    "manifest",
    "config",
    "layer",
    "descriptor",
    "index",
    "annotation",
];

/// One layout made of the layouts of the corpus cases of `GROUPS` (a case whose blob would clash with another's
/// bytes at the same path is left out, and so is one whose `index.json` is not an object with `manifests`).
pub fn combined_layout(dir: &Path) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let mut cases: Vec<PathBuf> = GROUPS
        .iter()
        .flat_map(|g| {
            std::fs::read_dir(root.join(g))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.path().join("layout"))
        .filter(|p| p.join("index.json").is_file())
        .collect();
    cases.sort();
    let mut blobs: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    let mut manifests = Vec::new();
    'case: for c in cases {
        let Ok(index) = std::fs::read(c.join("index.json")) else {
            continue;
        };
        let Ok(v) = serde_json::from_slice::<Value>(&index) else {
            continue;
        };
        let Some(entries) = v.get("manifests").and_then(Value::as_array) else {
            continue;
        };
        let mut mine = BTreeMap::new();
        for alg in std::fs::read_dir(c.join("blobs"))
            .into_iter()
            .flatten()
            .flatten()
        {
            for b in std::fs::read_dir(alg.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let Ok(bytes) = std::fs::read(b.path()) else {
                    continue 'case;
                };
                let rel = Path::new("blobs").join(alg.file_name()).join(b.file_name());
                if blobs.get(&rel).is_some_and(|old| *old != bytes) {
                    continue 'case;
                }
                mine.insert(rel, bytes);
            }
        }
        blobs.extend(mine);
        manifests.extend(entries.iter().cloned());
    }
    for (rel, bytes) in &blobs {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap_or(dir)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    });
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap_or_else(|e| panic!("{e}"));
    manifests.len()
}

/// A progress display that records what it is told: every start (blobs, bytes), and the bytes, blobs and ends it
/// sees.
#[derive(Default)]
pub struct Recorder {
    pub starts: std::sync::Mutex<Vec<(u64, u64)>>,
    pub bytes: std::sync::atomic::AtomicU64,
    pub blobs: std::sync::atomic::AtomicU64,
    pub finished: std::sync::atomic::AtomicU64,
}

impl Recorder {
    /// The last start it was told of.
    pub fn last_start(&self) -> Option<(u64, u64)> {
        self.starts.lock().ok().and_then(|s| s.last().copied())
    }

    pub fn count(n: &std::sync::atomic::AtomicU64) -> u64 {
        n.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl ocicheck::progress::Progress for Recorder {
    fn start(&self, blobs: u64, bytes: u64) {
        if let Ok(mut s) = self.starts.lock() {
            s.push((blobs, bytes));
        }
    }
    fn advance(&self, bytes: u64) {
        self.bytes
            .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
    }
    fn blob_done(&self) {
        self.blobs
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn finish(&self) {
        self.finished
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}
