//! The corpus built into the binary (see `build.rs`): `conformance/` and the tool-made layouts of
//! `testdata/tools/` it links to. [`extract`] writes them into a temporary directory, where the corpus code reads
//! them as it reads a checkout; nothing depends on where the binary was built.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

static PACK: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/corpus.pack.gz"));

/// An extracted corpus; the directory goes when this is dropped.
pub struct Extracted {
    _dir: tempfile::TempDir,
    /// The corpus root (`…/conformance`).
    pub root: PathBuf,
}

/// Write the built-in corpus into a new temporary directory.
pub fn extract() -> Result<Extracted, String> {
    let dir = tempfile::Builder::new()
        .prefix("ocicheck-corpus-")
        .tempdir()
        .map_err(|e| format!("temporary directory: {e}"))?;
    unpack(dir.path())?;
    let root = dir.path().join("conformance");
    Ok(Extracted { _dir: dir, root })
}

fn take<'a>(data: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if data.len() < n {
        return Err("the built-in corpus is truncated".into());
    }
    let (a, b) = data.split_at(n);
    *data = b;
    Ok(a)
}

/// Unpack the built-in corpus under `dest` (`dest/conformance`, `dest/testdata/tools`).
pub fn unpack(dest: &Path) -> Result<(), String> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(PACK)
        .read_to_end(&mut raw)
        .map_err(|e| format!("the built-in corpus: {e}"))?;
    let mut data = &raw[..];
    while !data.is_empty() {
        let kind = take(&mut data, 1)?[0];
        let n = u32::from_le_bytes(take(&mut data, 4)?.try_into().map_err(|_| "bad record")?);
        let name = std::str::from_utf8(take(&mut data, n as usize)?)
            .map_err(|_| "the built-in corpus has a name that is not UTF-8".to_string())?;
        let len = u64::from_le_bytes(take(&mut data, 8)?.try_into().map_err(|_| "bad record")?);
        let body = take(&mut data, usize::try_from(len).map_err(|_| "bad record")?)?;
        let rel = Path::new(name);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(format!("the built-in corpus names {name:?}"));
        }
        let path = dest.join(rel);
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        match kind {
            b'd' => std::fs::create_dir_all(&path).map_err(io)?,
            b'f' => std::fs::write(&path, body).map_err(io)?,
            b'l' => {
                let target = std::str::from_utf8(body).map_err(|_| "bad link".to_string())?;
                std::os::unix::fs::symlink(target, &path).map_err(io)?;
            }
            _ => return Err("the built-in corpus has an unknown record".into()),
        }
    }
    Ok(())
}

/// The corpus of a source checkout: `conformance/` (with `bases/`) in the working directory or a parent.
pub fn find_checkout(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|d| d.join("conformance"))
        .find(|c| c.join("bases").is_dir())
}
