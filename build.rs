//! Packs the conformance corpus into the binary, so that `ocicheck conformance list|export|run` work from an
//! installed copy with no source tree beside it: every file, directory and symbolic link of `conformance/`
//! (except the report snapshots, which only the tests read) and of each `testdata/<dir>/` a case links to or reads
//! a layer from (the layouts and archives real tools made), in a plain record format, gzip-compressed
//! (`src/corpus/embedded.rs` reads it). Only with the `cli` feature: the library alone does not embed it.

use std::io::Write as _;
use std::path::Path;

fn walk(root: &Path, rel: &Path, out: &mut Vec<u8>) -> std::io::Result<()> {
    let dir = root.join(rel);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let rel = rel.join(e.file_name());
        let path = root.join(&rel);
        let meta = std::fs::symlink_metadata(&path)?;
        let name = rel.to_string_lossy().into_owned();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path)?;
            record(out, b'l', &name, target.to_string_lossy().as_bytes());
        } else if meta.is_dir() {
            record(out, b'd', &name, b"");
            walk(root, &rel, out)?;
        } else if meta.is_file() {
            if name.ends_with(".snap") || name.ends_with(".snap.new") {
                continue;
            }
            record(out, b'f', &name, &std::fs::read(&path)?);
        }
    }
    Ok(())
}

fn record(out: &mut Vec<u8>, kind: u8, name: &str, data: &[u8]) {
    out.push(kind);
    out.extend_from_slice(&(name.len() as u32).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    out.extend_from_slice(data);
}

/// The `testdata/<dir>` directories the corpus refers to: targets of its symbolic links, and `testdata/…` paths
/// in its case files (layers read from files).
fn testdata_dirs(
    root: &Path,
    dir: &Path,
    out: &mut std::collections::BTreeSet<String>,
) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let path = e.path();
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            let target = path
                .parent()
                .unwrap_or(root)
                .join(std::fs::read_link(&path)?);
            let mut norm = std::path::PathBuf::new();
            for c in target.components() {
                match c {
                    std::path::Component::ParentDir => {
                        norm.pop();
                    }
                    std::path::Component::CurDir => {}
                    c => norm.push(c),
                }
            }
            if let Ok(rel) = norm.strip_prefix(root.join("testdata"))
                && let Some(first) = rel.components().next()
            {
                out.insert(format!("testdata/{}", first.as_os_str().to_string_lossy()));
            }
        } else if meta.is_dir() {
            testdata_dirs(root, &path, out)?;
        } else if path.file_name().is_some_and(|n| n == "case.toml") {
            let text = std::fs::read_to_string(&path)?;
            for part in text.split("\"testdata/").skip(1) {
                if let Some(first) = part.split(['/', '"']).next().filter(|f| !f.is_empty()) {
                    out.insert(format!("testdata/{first}"));
                }
            }
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=conformance");
    println!("cargo:rerun-if-changed=testdata");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_CLI").is_none() {
        // Only the command line's `conformance` subcommands read the packed corpus (`corpus::embedded` is built
        // with the `cli` feature alone): a library build does not pack it.
        return Ok(());
    }
    let mut dirs = std::collections::BTreeSet::new();
    if root.join("conformance").is_dir() {
        testdata_dirs(root, &root.join("conformance"), &mut dirs)?;
    }
    let mut pack = Vec::new();
    let tops: Vec<String> = std::iter::once("conformance".to_string())
        .chain(dirs)
        .collect();
    for top in &tops {
        let top = top.as_str();
        if root.join(top).is_dir() {
            let mut prefix = std::path::PathBuf::new();
            for part in top.split('/') {
                prefix.push(part);
                record(&mut pack, b'd', &prefix.to_string_lossy(), b"");
            }
            walk(root, Path::new(top), &mut pack)?;
        }
    }
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let file = std::fs::File::create(out.join("corpus.pack.gz"))?;
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    gz.write_all(&pack)?;
    gz.finish()?;
    Ok(())
}
