//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), here so that `cargo test` replays every input that ever
//! crashed one of them (`fuzz/regressions/<target>/`, `tests/hostile.rs`) without libFuzzer. Each takes arbitrary
//! bytes and must return without panicking, whatever they are; the limits are small so that a bomb costs the
//! fuzzer milliseconds.

use crate::digest::Algorithm;
use crate::layer::{self, Limits, Request};
use crate::mediatype::Compression;
use crate::source::archive::ArchiveSource;
use crate::{Options, Spec};

const KINDS: [Option<&str>; 6] = [
    None,
    Some("application/vnd.oci.image.manifest.v1+json"),
    Some("application/vnd.oci.image.index.v1+json"),
    Some("application/vnd.oci.image.config.v1+json"),
    Some("application/vnd.oci.descriptor.v1+json"),
    Some("application/vnd.oci.layout.header.v1+json"),
];

fn small_limits(opts: Options) -> Options {
    Options {
        jobs: 1,
        max_layer_size: 64 << 20,
        max_layer_ratio: 1_000,
        ..opts
    }
}

/// Document validation: the first byte picks the media type (or none, so that the shape decides) and the spec
/// version; the rest is the document.
pub fn document(data: &[u8]) {
    let Some((&sel, doc)) = data.split_first() else {
        return;
    };
    let opts = small_limits(Options {
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
        limits: Limits {
            max_ratio: 1_000,
            max_size: 64 << 20,
            ratio_floor: 1 << 20,
            deadline: None,
        },
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
    let Ok(Some(src)) = ArchiveSource::from_bytes(data.to_vec()) else {
        return;
    };
    let _ = crate::validate_layout(&src, "fuzz.tar", &small_limits(Options::default()));
}

/// Run a target by name (`document`, `layer`, `archive`); `false` for an unknown name.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "document" => document(data),
        "layer" => layer(data),
        "archive" => archive(data),
        _ => return false,
    }
    true
}
