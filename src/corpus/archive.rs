//! Archive cases: a built layout written as a tar archive (as `skopeo copy … oci-archive:`, `docker save` or
//! `tar -C layout -cf` would), plus the archive-level defects a case asks for.
//!
//! ```toml
//! kind = "archive"
//! base = "minimal"               # the layout, as for layout cases (patches and blob ops apply first)
//! file = "image.tar"             # the committed archive (default archive.tar)
//!
//! [archive]
//! compression = "gzip"           # none (default), gzip, zstd
//! prefix = "img"                 # the layout under one top-level directory
//! dot_slash = true               # names written ./oci-layout, with a ./ entry first
//! order = "index-last"           # sorted (default); blobs first, index.json and oci-layout last (skopeo,
//!                                #   podman); or index-first (oci-layout, index.json, then the rest)
//! docker = true                  # add Docker 25's manifest.json and repositories for every tagged image
//! manifest_json = '[…]'          # or write manifest.json as given (${path:DOC}, ${digest:DOC} expand)
//! no_eof = true                  # leave out the end-of-archive marker
//! truncate = 3000                # keep only this many bytes of the tar stream
//! cut = 1500                     # or drop this many bytes from its end
//!
//! [[archive.entry]]              # extra entries, after the layout's (at = "start" for before)
//! path = "../../etc/passwd"      # ${path:DOC} and ${digest:DOC} expand in path, link and content
//! type = "file"                  # file, dir, symlink, hardlink, or raw (content as a bare 512-byte block)
//! content = "…"                  # or copy = "index.json" (the bytes of a built file)
//! link = "…"
//! ```

use std::collections::BTreeMap;
use std::io::Write as _;

use serde::Deserialize;
use serde_json::{Value as J, json};

use super::recipe::{Built, FileNode};

/// How a case's layout is archived.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ArchiveSpec {
    #[serde(default)]
    pub compression: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub dot_slash: bool,
    #[serde(default)]
    pub order: Option<String>,
    #[serde(default)]
    pub docker: bool,
    #[serde(default)]
    pub manifest_json: Option<String>,
    #[serde(default)]
    pub no_eof: bool,
    #[serde(default)]
    pub truncate: Option<u64>,
    #[serde(default)]
    pub cut: Option<u64>,
    #[serde(default, rename = "entry")]
    pub entries: Vec<ExtraEntry>,
}

/// An entry added to the archive as written.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExtraEntry {
    pub path: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    /// The bytes of a file of the built layout.
    #[serde(default)]
    pub copy: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    /// `end` (default) or `start`.
    #[serde(default)]
    pub at: Option<String>,
}

const MTIME: u64 = 1_700_000_000;

use super::tar::{BLOCK, pad, pax_record};

fn header(name: &[u8], flag: u8, size: u64, link: &[u8], mode: u32) -> [u8; BLOCK] {
    super::tar::plain_header(name, flag, size, link, mode, MTIME)
}

/// One tar entry: a PAX header first when the name or link does not fit the ustar fields.
fn put_entry(out: &mut Vec<u8>, name: &str, flag: u8, data: &[u8], link: &str) {
    let mut pax = Vec::new();
    if name.len() > 100 {
        pax.extend(pax_record("path", name.as_bytes()));
    }
    if link.len() > 100 {
        pax.extend(pax_record("linkpath", link.as_bytes()));
    }
    if !pax.is_empty() {
        out.extend_from_slice(&header(b"PaxHeader", b'x', pax.len() as u64, b"", 0o644));
        out.extend_from_slice(&pax);
        pad(out);
    }
    let mode = if flag == b'5' { 0o755 } else { 0o644 };
    out.extend_from_slice(&header(
        name.as_bytes(),
        flag,
        data.len() as u64,
        link.as_bytes(),
        mode,
    ));
    out.extend_from_slice(data);
    pad(out);
}

fn expand(text: &str, built: &Built) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..]
            .find('}')
            .ok_or_else(|| format!("unclosed ${{ in {text}"))?
            + i;
        let inner = &rest[i + 2..end];
        let (what, name) = inner
            .split_once(':')
            .ok_or_else(|| format!("bad placeholder {inner}"))?;
        let d = built
            .docs
            .get(name)
            .ok_or_else(|| format!("placeholder {inner}: no document {name}"))?;
        match what {
            "path" => out.push_str(&d.path),
            "digest" => out.push_str(&d.digest),
            _ => return Err(format!("bad placeholder {inner}")),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Docker 25's `manifest.json` and `repositories` for the tagged images of `index.json`.
fn docker_files(built: &Built) -> Result<(Vec<u8>, Vec<u8>), String> {
    let index: J = match built.files.get("index.json") {
        Some(FileNode::File(b)) => serde_json::from_slice(b).map_err(|e| e.to_string())?,
        _ => return Err("docker = true needs an index.json".into()),
    };
    let by_digest: BTreeMap<&str, &super::recipe::BuiltDoc> = built
        .docs
        .values()
        .map(|d| (d.digest.as_str(), d))
        .collect();
    let mut items = Vec::new();
    let mut repos = serde_json::Map::new();
    for e in index["manifests"].as_array().into_iter().flatten() {
        let Some(m) = e["digest"].as_str().and_then(|d| by_digest.get(d)) else {
            continue;
        };
        let Ok(manifest) = serde_json::from_slice::<J>(&m.bytes) else {
            continue;
        };
        let path_of = |d: &J| {
            d["digest"]
                .as_str()
                .and_then(|x| x.split_once(':'))
                .map(|(a, h)| format!("blobs/{a}/{h}"))
        };
        let Some(config) = path_of(&manifest["config"]) else {
            continue;
        };
        let layers: Vec<String> = manifest["layers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(path_of)
            .collect();
        let tag = e["annotations"]["org.opencontainers.image.ref.name"]
            .as_str()
            .map(|t| format!("ocicheck/corpus:{t}"));
        if let Some(t) = &tag {
            let (repo, tag) = t.split_once(':').unwrap_or((t, "latest"));
            let id = config.rsplit('/').next().unwrap_or_default();
            repos
                .entry(repo.to_string())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|o| o.insert(tag.to_string(), json!(id)));
        }
        let mut sources = serde_json::Map::new();
        for l in manifest["layers"].as_array().into_iter().flatten() {
            if let Some(d) = l["digest"].as_str() {
                sources.insert(d.to_string(), l.clone());
            }
        }
        items.push(json!({
            "Config": config,
            "RepoTags": tag.map_or_else(Vec::new, |t| vec![t]),
            "Layers": layers,
            "LayerSources": sources,
        }));
    }
    let mut manifest = serde_json::to_vec(&J::Array(items)).map_err(|e| e.to_string())?;
    manifest.push(b'\n');
    let mut repositories = serde_json::to_vec(&J::Object(repos)).map_err(|e| e.to_string())?;
    repositories.push(b'\n');
    Ok((manifest, repositories))
}

/// The bytes of the archive of a built layout.
pub fn write(built: &Built, spec: &ArchiveSpec) -> Result<Vec<u8>, String> {
    let mut files: Vec<(String, FileNode)> = built
        .files
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if spec.docker {
        let (m, r) = docker_files(built)?;
        files.push(("manifest.json".into(), FileNode::File(m)));
        files.push(("repositories".into(), FileNode::File(r)));
    }
    if let Some(text) = &spec.manifest_json {
        let m = expand(text, built)?.into_bytes();
        files.retain(|(p, _)| p != "manifest.json");
        files.push(("manifest.json".into(), FileNode::File(m)));
    }
    match spec.order.as_deref() {
        None | Some("sorted") => files.sort_by(|a, b| a.0.cmp(&b.0)),
        // skopeo and podman write the blobs first, then index.json and oci-layout.
        Some("index-last") => files.sort_by_key(|(p, _)| {
            (
                !p.starts_with("blobs"),
                p == "oci-layout",
                p == "index.json",
                p.clone(),
            )
        }),
        Some("index-first") => files.sort_by_key(|(p, _)| {
            (
                p != "oci-layout",
                p != "index.json",
                p.starts_with("blobs"),
                p.clone(),
            )
        }),
        Some(o) => return Err(format!("unknown archive order {o}")),
    }
    let name_of = |p: &str| {
        let mut n = String::new();
        if spec.dot_slash {
            n.push_str("./");
        }
        if let Some(pre) = &spec.prefix {
            n.push_str(pre);
            n.push('/');
        }
        n.push_str(p);
        n
    };
    let extra = |out: &mut Vec<u8>, at: &str| -> Result<(), String> {
        for e in spec
            .entries
            .iter()
            .filter(|e| e.at.as_deref().unwrap_or("end") == at)
        {
            let data = match (&e.content, &e.copy) {
                (_, Some(c)) => match built.files.get(c) {
                    Some(FileNode::File(b)) => b.clone(),
                    _ => return Err(format!("archive entry copy: no file {c}")),
                },
                (Some(c), None) => expand(c, built)?.into_bytes(),
                (None, None) => Vec::new(),
            };
            let link = expand(e.link.as_deref().unwrap_or_default(), built)?;
            let path = expand(&e.path, built)?;
            match e.kind.as_deref().unwrap_or("file") {
                "file" => put_entry(out, &path, b'0', &data, ""),
                "dir" => put_entry(out, &path, b'5', &[], ""),
                "symlink" => put_entry(out, &path, b'2', &[], &link),
                "hardlink" => put_entry(out, &path, b'1', &[], &link),
                "raw" => {
                    out.extend_from_slice(&data);
                    pad(out);
                }
                k => return Err(format!("unknown archive entry type {k}")),
            }
        }
        Ok(())
    };
    let mut out = Vec::new();
    extra(&mut out, "start")?;
    if spec.dot_slash {
        put_entry(&mut out, "./", b'5', &[], "");
    }
    if spec.prefix.is_some() {
        put_entry(&mut out, &name_of(""), b'5', &[], "");
    }
    for (p, node) in &files {
        match node {
            FileNode::Dir => put_entry(&mut out, &format!("{}/", name_of(p)), b'5', &[], ""),
            FileNode::File(b) => put_entry(&mut out, &name_of(p), b'0', b, ""),
            FileNode::Symlink(t) => put_entry(&mut out, &name_of(p), b'2', &[], t),
        }
    }
    extra(&mut out, "end")?;
    if !spec.no_eof {
        out.extend_from_slice(&[0u8; 2 * BLOCK]);
    }
    if let Some(n) = spec.truncate {
        out.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    if let Some(n) = spec.cut {
        let keep = out
            .len()
            .saturating_sub(usize::try_from(n).unwrap_or(usize::MAX));
        out.truncate(keep);
    }
    compress(spec.compression.as_deref().unwrap_or("none"), out)
}

fn compress(how: &str, raw: Vec<u8>) -> Result<Vec<u8>, String> {
    match how {
        "none" => Ok(raw),
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            e.write_all(&raw).map_err(|e| e.to_string())?;
            e.finish().map_err(|e| e.to_string())
        }
        "zstd" => zstd::encode_all(&raw[..], 3).map_err(|e| e.to_string()),
        other => Err(format!("unknown archive compression {other}")),
    }
}
