//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), here so that `cargo test` replays every input that ever
//! crashed one of them (`fuzz/regressions/<target>/`, `tests/hostile.rs`) without libFuzzer. Each takes arbitrary
//! bytes and must return without panicking, whatever they are.
//!
//! Each runs with one of two sets of limits ([`Limits`]): small ones, so that a bomb costs the fuzzer
//! milliseconds, or the real defaults of the command line, so that what the defaults let through is fuzzed too.
//! A target binary takes them from `OCICHECK_FUZZ_LIMITS` (`default`, or anything else for the small ones);
//! [`run`], which replays regressions, runs both.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::corpus::recipe::{Built, FileNode};
use crate::corpus::tar::{TarEntry, TarOptions};
use crate::digest::Algorithm;
use crate::layer::{self, Request};
use crate::mediatype::Compression;
use crate::source::archive::ArchiveSource;
use crate::{Options, Spec};

/// Which limits a target runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limits {
    /// Small decompression limits (64 MiB, 1,000:1): bombs stop at once.
    Small,
    /// The command line's defaults.
    Default,
}

impl Limits {
    /// The limits of this process: `OCICHECK_FUZZ_LIMITS=default` for the defaults, else the small ones.
    pub fn from_env() -> Limits {
        static MODE: std::sync::OnceLock<Limits> = std::sync::OnceLock::new();
        *MODE.get_or_init(|| match std::env::var("OCICHECK_FUZZ_LIMITS").as_deref() {
            Ok("default") => Limits::Default,
            _ => Limits::Small,
        })
    }

    fn options(self, opts: Options) -> Options {
        match self {
            Limits::Small => Options {
                jobs: 1,
                max_layer_size: 64 << 20,
                max_layer_ratio: 1_000,
                ..opts
            },
            Limits::Default => Options { jobs: 1, ..opts },
        }
    }

    fn layer(self) -> layer::Limits {
        match self {
            Limits::Small => layer::Limits {
                max_ratio: 1_000,
                max_size: 64 << 20,
                ratio_floor: 1 << 20,
                deadline: None,
            },
            Limits::Default => layer::Limits::from_options(&Options::default()),
        }
    }
}

const KINDS: [Option<&str>; 6] = [
    None,
    Some("application/vnd.oci.image.manifest.v1+json"),
    Some("application/vnd.oci.image.index.v1+json"),
    Some("application/vnd.oci.image.config.v1+json"),
    Some("application/vnd.oci.descriptor.v1+json"),
    Some("application/vnd.oci.layout.header.v1+json"),
];

/// Document validation: the first byte picks the media type (or none, so that the shape decides) and the spec
/// version; the rest is the document.
pub fn document(data: &[u8]) {
    document_with(data, Limits::from_env());
}

pub fn document_with(data: &[u8], limits: Limits) {
    let Some((&sel, doc)) = data.split_first() else {
        return;
    };
    let opts = limits.options(Options {
        spec: if sel & 0x80 != 0 {
            Spec::Main
        } else {
            Spec::V1_1_1
        },
        media_type: KINDS[usize::from(sel & 0x7f) % KINDS.len()].map(str::to_string),
        ..Options::default()
    });
    // A usage error (a shape that names no kind) is an answer too; only a panic is a failure.
    let _ = crate::validate_document("doc.json", "doc.json", doc.to_vec(), &opts);
}

/// The layer pass: the first byte picks the compression the media type names; the rest is the blob (the decoder
/// is chosen from its magic bytes). The entries kept are then replayed as two stacked layers.
pub fn layer(data: &[u8]) {
    layer_with(data, Limits::from_env());
}

pub fn layer_with(data: &[u8], limits: Limits) {
    let Some((&sel, blob)) = data.split_first() else {
        return;
    };
    let req = Request {
        declared: match sel % 3 {
            0 => Compression::None,
            1 => Compression::Gzip,
            _ => Compression::Zstd,
        },
        blob_algorithm: Some(Algorithm::Sha256),
        diff_algorithms: vec![Algorithm::Sha256],
        limits: limits.layer(),
        budget: None,
    };
    let out = layer::scan(blob, &req);
    if let Some(facts) = out.facts {
        let _ = facts.by_path();
        let _ = layer::tree::replay(&[Some(&facts), Some(&facts)]);
    }
}

/// The archive reader: the bytes as an archive of a layout (plain, gzip or zstd tar, told apart by content),
/// listed and validated as `ocicheck validate img.tar` would.
pub fn archive(data: &[u8]) {
    archive_with(data, Limits::from_env());
}

pub fn archive_with(data: &[u8], limits: Limits) {
    let Ok(Some(src)) = ArchiveSource::from_bytes(data.to_vec()) else {
        return;
    };
    let _ = crate::validate_layout(&src, "fuzz.tar", &limits.options(Options::default()));
}

/// `--max-time` of the rule-phase target: a run must end within it, plus [`RULES_GRACE`] for the step that was
/// running when it passed (a sanitizer-instrumented build is several times slower than a release build).
pub const RULES_MAX_TIME: Duration = Duration::from_secs(2);
pub const RULES_GRACE: Duration = Duration::from_secs(10);

/// Entries of the synthetic layer at most.
const RULES_MAX_ENTRIES: usize = 20_000;

/// The rule phase on large synthetic layers. The first three bytes say how many copies of the entries the layer
/// holds (1 to 2,041, up to 20,000 entries), how many times each manifest names a layer (1 to 256) and how many
/// manifests there are (1 to 8); the rest is up to 64 entries, one per line: a kind byte (file, directory,
/// symbolic link, hard link, whiteout, opaque whiteout), a path, and for links a target after a tab. Each copy
/// puts the entries under a directory of its own; a second layer holds them once, at the root. The manifests
/// stack the two layers in turns (with the right DiffIDs), so the cross-layer rules see whiteouts, links and
/// hard links across layers, repeated layers and shared stacks. The run has a two-second `--max-time` and must
/// end within it (plus a grace): a run that does not is a failure, as a crash is.
pub fn rules(data: &[u8]) {
    rules_with(data, Limits::from_env());
}

pub fn rules_with(data: &[u8], limits: Limits) {
    let [copies, refs, manifests, rest @ ..] = data else {
        return;
    };
    let copies = 1 + usize::from(*copies) * 8;
    let refs = 1 + usize::from(*refs);
    let manifests = 1 + usize::from(*manifests % 8);
    let lines: Vec<&[u8]> = rest
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .take(64)
        .collect();
    let entry = |prefix: &str, line: &[u8]| -> TarEntry {
        let (kind, text) = line.split_first().map_or((0, &[][..]), |(k, t)| (*k, t));
        let text = String::from_utf8_lossy(&text[..text.len().min(200)]).into_owned();
        let (path, link) = match text.split_once('\t') {
            Some((p, l)) => (p.to_string(), Some(l.to_string())),
            None => (text, None),
        };
        let (kind, path, link) = match kind % 6 {
            0 => ("file", path, None),
            1 => ("dir", path, None),
            2 => ("symlink", path, Some(link.unwrap_or_else(|| "..".into()))),
            3 => ("hardlink", path, Some(link.unwrap_or_default())),
            4 => (
                "file",
                format!("{path}/.wh.{}", link.unwrap_or_default()),
                None,
            ),
            _ => ("file", format!("{path}/.wh..wh..opq"), None),
        };
        TarEntry {
            path: format!("{prefix}{path}"),
            kind: Some(kind.into()),
            link,
            ..TarEntry::default()
        }
    };
    let mut big = Vec::new();
    'copies: for c in 0..copies {
        for l in &lines {
            if big.len() >= RULES_MAX_ENTRIES {
                break 'copies;
            }
            big.push(entry(&format!("c{c}/"), l));
        }
    }
    let small: Vec<TarEntry> = lines.iter().map(|l| entry("", l)).collect();
    let layers = [
        crate::corpus::tar::write(&big, &TarOptions::default()),
        crate::corpus::tar::write(&small, &TarOptions::default()),
    ];
    let Some(tar) = synthetic_layout(&layers, refs, manifests) else {
        return;
    };
    let Ok(Some(src)) = ArchiveSource::from_bytes(tar) else {
        return;
    };
    let opts = limits.options(Options {
        max_time: RULES_MAX_TIME,
        ..Options::default()
    });
    let started = Instant::now();
    let report = crate::validate_layout(&src, "fuzz.tar", &opts);
    let took = started.elapsed();
    assert!(
        took <= RULES_MAX_TIME + RULES_GRACE,
        "--max-time {RULES_MAX_TIME:?} did not hold: the run took {took:?} ({} findings)",
        report.findings.len()
    );
}

/// A tar archive of a layout whose `manifests` images each stack the two `layers` `refs` times, in turns.
fn synthetic_layout(layers: &[Vec<u8>; 2], refs: usize, manifests: usize) -> Option<Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut put = |bytes: Vec<u8>| -> (String, usize) {
        let digest = Algorithm::Sha256.digest_of(&bytes);
        let len = bytes.len();
        files.insert(
            format!("blobs/sha256/{}", digest.trim_start_matches("sha256:")),
            FileNode::File(bytes),
        );
        (digest, len)
    };
    let ids: Vec<(String, usize)> = layers.iter().map(|l| put(l.clone())).collect();
    let mut index = Vec::new();
    for m in 0..manifests {
        let stack: Vec<&(String, usize)> = (0..refs)
            .map(|i| &ids[usize::from((i + m) % 3 == 0)])
            .collect();
        let config = serde_json::json!({
            "architecture": "amd64", "os": "linux", "author": format!("m{m}"),
            "rootfs": {"type": "layers", "diff_ids": stack.iter().map(|(d, _)| d).collect::<Vec<_>>()}
        });
        let (cd, cs) = put(config.to_string().into_bytes());
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
            "layers": stack.iter().map(|(d, s)| serde_json::json!({
                "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s
            })).collect::<Vec<_>>()
        });
        let (md, ms) = put(manifest.to_string().into_bytes());
        index.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
            "platform": {"architecture": "amd64", "os": "linux"}
        }));
    }
    let index = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": index
    });
    files.insert(
        "index.json".into(),
        FileNode::File(index.to_string().into_bytes()),
    );
    files.insert(
        "oci-layout".into(),
        FileNode::File(br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
    );
    let built = Built {
        files,
        docs: BTreeMap::new(),
    };
    crate::corpus::archive::write(&built, &crate::corpus::archive::ArchiveSpec::default()).ok()
}

/// The targets, by name.
pub const TARGETS: &[&str] = &["document", "layer", "archive", "rules"];

/// Run a target by name (`document`, `layer`, `archive`, `rules`) with both sets of limits; `false` for an unknown
/// name.
pub fn run(target: &str, data: &[u8]) -> bool {
    for limits in [Limits::Small, Limits::Default] {
        match target {
            "document" => document_with(data, limits),
            "layer" => layer_with(data, limits),
            "archive" => archive_with(data, limits),
            "rules" => rules_with(data, limits),
            _ => return false,
        }
    }
    true
}
