//! `ocicheck conformance export DIR`: every case as real files, for validators that know nothing of ocicheck.
//!
//! ```text
//! DIR/index.json                           the manifest: format, exporter, cases[] (see super::Entry)
//! DIR/cases.tsv                            the same, one tab-separated line per case
//! DIR/<group>/<CASE>/case.toml             the case's description, as committed
//! DIR/<group>/<CASE>/layout/               a layout directory (with the empty directories git cannot keep)
//! DIR/<group>/<CASE>/<name>.tar[.gz]       an archive
//! DIR/<group>/<CASE>/document.json         a single document (or the name the case gives it)
//! ```
//!
//! Generated cases are written from their recipe (so the bytes are exactly what the runner validates); cases
//! made by real tools are copied as committed.

use std::path::Path;

use crate::corpus::recipe::{self, Built};
use crate::corpus::{self, Case, CaseKind};

use super::Entry;

fn io(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// Write one case's input under `dir/<id>/`; returns the first ref name of a layout's `index.json`.
fn write_case(case: &Case, root: &Path, dir: &Path) -> Result<Option<String>, String> {
    let case_dir = dir.join(&case.id);
    std::fs::create_dir_all(&case_dir).map_err(io(&case_dir))?;
    let toml = case.dir.join("case.toml");
    std::fs::copy(&toml, case_dir.join("case.toml")).map_err(io(&toml))?;
    let name = case
        .input_path()
        .file_name()
        .map(|n| n.to_os_string())
        .ok_or_else(|| format!("{}: input has no file name", case.id))?;
    let out = case_dir.join(name);
    match case.file.kind {
        CaseKind::Layout => {
            let built = match case.build(root)? {
                Some(b) => b,
                None => {
                    let src = case.input_path();
                    Built {
                        files: recipe::read_tree(&src).map_err(io(&src))?,
                        docs: Default::default(),
                    }
                }
            };
            recipe::write_tree(&built, &out).map_err(io(&out))?;
            Ok(match built.files.get("index.json") {
                Some(recipe::FileNode::File(b)) => super::first_ref(b),
                _ => None,
            })
        }
        CaseKind::Archive => {
            let bytes = match case.archive_bytes(root)? {
                Some(b) => b,
                None => {
                    let src = case.input_path();
                    std::fs::read(&src).map_err(io(&src))?
                }
            };
            std::fs::write(&out, bytes).map_err(io(&out))?;
            // The ref of the layout a generated archive holds (archives made by tools are not opened here).
            Ok(match case.build(root)? {
                Some(b) => match b.files.get("index.json") {
                    Some(recipe::FileNode::File(x)) => super::first_ref(x),
                    _ => None,
                },
                None => None,
            })
        }
        CaseKind::Document => {
            let src = case.input_path();
            std::fs::copy(&src, &out).map_err(io(&src))?;
            Ok(None)
        }
    }
}

/// Export the corpus under `root` into `dir` (which must not exist, or be empty). Returns the manifest's entries.
pub fn export(root: &Path, dir: &Path) -> Result<Vec<Entry>, String> {
    if dir.exists() {
        let mut it = std::fs::read_dir(dir).map_err(io(dir))?;
        if it.next().is_some() {
            return Err(format!(
                "{}: exists and is not empty (export into a new directory)",
                dir.display()
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let cases = corpus::load_all(root)?;
    let mut entries = Vec::with_capacity(cases.len());
    for case in &cases {
        let mut e = super::entry(case)?;
        e.ref_name = write_case(case, root, dir)?;
        entries.push(e);
    }
    let index = dir.join("index.json");
    std::fs::write(&index, super::manifest_json(&entries)).map_err(io(&index))?;
    let tsv = dir.join("cases.tsv");
    std::fs::write(&tsv, super::cases_tsv(&entries)).map_err(io(&tsv))?;
    Ok(entries)
}

/// Read the manifest of an export.
pub fn read_manifest(dir: &Path) -> Result<super::Manifest, String> {
    let path = dir.join("index.json");
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let m: super::Manifest =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if m.format != super::MANIFEST_FORMAT {
        return Err(format!(
            "{}: format {:?}, expected {:?}",
            path.display(),
            m.format,
            super::MANIFEST_FORMAT
        ));
    }
    Ok(m)
}

/// Create the directories of a built tree that are missing under `dir` (git keeps no empty directory, so a
/// checkout of a case can lack one its recipe builds); returns how many were made.
pub fn create_missing_dirs(built: &Built, dir: &Path) -> Result<usize, String> {
    let mut made = 0;
    for (p, node) in &built.files {
        if *node == recipe::FileNode::Dir {
            let full = dir.join(p);
            if !full.exists() {
                std::fs::create_dir_all(&full).map_err(io(&full))?;
                made += 1;
            }
        }
    }
    Ok(made)
}
