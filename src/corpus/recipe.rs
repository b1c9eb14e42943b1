//! Recipes: a short description of an image layout from which the builder writes every byte, computing digests,
//! sizes and DiffIDs bottom-up, so that a case's only defect is the one its patches introduce.
//!
//! ```toml
//! [index]                                  # index.json
//! manifests = [ { node = "img", ref = "latest" } ]
//!
//! [nodes.img]                              # an image: manifest + config + layers
//! kind = "image"
//! platform = { os = "linux", architecture = "amd64" }
//! layers = ["base"]
//!
//! [nodes.base]                             # a layer generated from a description of its tar entries
//! kind = "layer"
//! compression = "gzip"
//! entries = [ { path = "etc/hello", content = "hello\n" } ]
//! ```
//!
//! Patches then change one document right before it is serialised (`set`, `set_json`, `remove`), or its bytes
//! right after (`text`, `raw`); parents are built after their children, so a patched child's digest propagates
//! upwards while a patched descriptor field stays as written. Blob operations run on the finished tree.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use serde::Deserialize;
use serde_json::{Map, Value as J, json};

use super::tar::{self, TarEntry, TarOptions};
use crate::digest::Algorithm;
use crate::mediatype as mt;

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// Digest algorithm of every blob: `sha256` (default), `sha512`, `blake3`.
    #[serde(default)]
    pub algorithm: Option<String>,
    /// The `oci-layout` object (default `{"imageLayoutVersion": "1.0.0"}`).
    #[serde(default)]
    pub oci_layout: Option<toml::Table>,
    #[serde(default)]
    pub index: IndexSpec,
    #[serde(default)]
    pub nodes: BTreeMap<String, Node>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSpec {
    #[serde(default)]
    pub manifests: Vec<EntrySpec>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    /// Write the index's own `mediaType` (default true).
    #[serde(default = "yes")]
    pub media_type: bool,
}

impl Default for IndexSpec {
    fn default() -> Self {
        IndexSpec {
            manifests: Vec::new(),
            annotations: None,
            artifact_type: None,
            subject: None,
            media_type: true,
        }
    }
}

/// An entry of an index's `manifests`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySpec {
    pub node: String,
    /// `org.opencontainers.image.ref.name`.
    #[serde(default, rename = "ref")]
    pub ref_name: Option<String>,
    /// Copy the image's platform into the entry (default true; only images have one).
    #[serde(default = "yes")]
    pub platform: bool,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Embed the target's bytes as `data`.
    #[serde(default)]
    pub embed: bool,
    /// Copy the artifact type of an artifact node into the entry (default true).
    #[serde(default = "yes")]
    pub artifact_type: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Node {
    Image(ImageSpec),
    Index(NestedIndexSpec),
    Artifact(ArtifactSpec),
    Layer(LayerSpec),
    Blob(BlobSpec),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    /// `os`, `architecture`, and optionally `variant`, `"os.version"`, `"os.features"`.
    pub platform: toml::Table,
    #[serde(default)]
    pub layers: Vec<String>,
    /// Members merged over the generated config's top level (e.g. `config = { Env = [...] }`).
    #[serde(default)]
    pub config: Option<toml::Table>,
    /// Annotations of the manifest.
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Write one history entry per layer (default true).
    #[serde(default = "yes")]
    pub history: bool,
    /// Write the manifest's own `mediaType` (default true).
    #[serde(default = "yes")]
    pub media_type: bool,
    #[serde(default)]
    pub subject: Option<String>,
    /// Embed the config's bytes in the config descriptor's `data`.
    #[serde(default)]
    pub embed_config: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NestedIndexSpec {
    #[serde(default)]
    pub manifests: Vec<EntrySpec>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default = "yes")]
    pub media_type: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtifactSpec {
    #[serde(default)]
    pub artifact_type: Option<String>,
    /// A blob node for the config; absent = the empty descriptor (`{}`).
    #[serde(default)]
    pub config: Option<String>,
    /// Embed the config as `data` (`e30=` for the empty config).
    #[serde(default)]
    pub embed_config: bool,
    #[serde(default)]
    pub layers: Vec<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// `gzip` (default), `zstd` or `none`.
    #[serde(default)]
    pub compression: Option<String>,
    /// Override the media type (default: the OCI layer type of the compression).
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub entries: Vec<TarEntry>,
    #[serde(default)]
    pub tar: TarOptions,
    /// Compress with this (`gzip`, `zstd`, `none`) regardless of the media type (to mislabel a layer).
    #[serde(default)]
    pub actual_compression: Option<String>,
    /// Compress the tar stream in this many pieces of about equal size: concatenated gzip members or zstd
    /// frames (default 1).
    #[serde(default)]
    pub frames: Option<u32>,
    /// Put a zstd skippable frame holding these bytes (UTF-8 text) before the data.
    #[serde(default)]
    pub skippable: Option<String>,
    /// Bytes (UTF-8 text) appended to the compressed stream, before its digest is taken.
    #[serde(default)]
    pub compressed_trailing: Option<String>,
    /// Cut the compressed stream to this many bytes, before its digest is taken.
    #[serde(default)]
    pub compressed_truncate: Option<u64>,
    /// Take the blob's bytes from this file (relative to the repository root) instead of `entries`, as made by
    /// a real tool; its DiffID is computed by decompressing it.
    #[serde(default)]
    pub from_file: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobSpec {
    pub media_type: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub content_hex: Option<String>,
}

/// A change to one document, applied while it is built.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// `index.json`, `oci-layout`, `<image>/manifest`, `<image>/config`, `<index node>`, `<artifact>/manifest`.
    pub doc: String,
    /// JSON pointer → value (TOML value converted to JSON).
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
    /// JSON pointer → JSON text (for null, or exact numbers such as `2.0`). `${digest:DOC}`, `${size:DOC}` and
    /// `${path:DOC}` are replaced by the built document's values, `${diffid:LAYER}` by a built layer's DiffID.
    #[serde(default)]
    pub set_json: BTreeMap<String, String>,
    #[serde(default)]
    pub remove: Vec<String>,
    /// `[from, to]` replacements on the serialised text (each `from` must occur).
    #[serde(default)]
    pub text: Vec<[String; 2]>,
    /// Replace the serialised bytes entirely (UTF-8 text).
    #[serde(default)]
    pub raw: Option<String>,
    /// Replace the serialised bytes entirely (hex).
    #[serde(default)]
    pub raw_hex: Option<String>,
}

/// An operation on the finished tree.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BlobOp {
    /// `delete`, `append`, `replace` (content, same name), `write` (a new file), `symlink`, `mkdir`, `rename`.
    pub op: String,
    /// The blob of a built document (`img/config`, `base`, …).
    #[serde(default)]
    pub doc: Option<String>,
    /// Or a path in the layout.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub content_hex: Option<String>,
    /// Symlink target, or new path for `rename`.
    #[serde(default)]
    pub target: Option<String>,
}

/// A node of the finished tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileNode {
    File(Vec<u8>),
    Symlink(String),
    Dir,
}

/// A document or blob the builder made.
#[derive(Debug, Clone)]
pub struct BuiltDoc {
    pub path: String,
    pub digest: String,
    pub size: u64,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Built {
    pub files: BTreeMap<String, FileNode>,
    pub docs: BTreeMap<String, BuiltDoc>,
}

fn hex_decode(s: &str) -> Result<Vec<u8>, String> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd-length hex: {s}"));
    }
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

/// TOML → JSON.
pub fn toml_to_json(v: &toml::Value) -> J {
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

fn table_to_json(t: &toml::Table) -> Map<String, J> {
    t.iter()
        .map(|(k, v)| (k.clone(), toml_to_json(v)))
        .collect()
}

/// Set a value at a JSON pointer, creating objects on the way.
fn pointer_set(root: &mut J, pointer: &str, value: J) -> Result<(), String> {
    if pointer.is_empty() {
        *root = value;
        return Ok(());
    }
    let tokens: Vec<String> = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("pointer {pointer:?} must start with /"))?
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut cur = root;
    for (i, t) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        match cur {
            J::Object(m) => {
                if last {
                    m.insert(t.clone(), value);
                    return Ok(());
                }
                cur = m.entry(t.clone()).or_insert_with(|| J::Object(Map::new()));
            }
            J::Array(a) => {
                let idx: usize = if t == "-" {
                    a.len()
                } else {
                    t.parse().map_err(|_| format!("bad index {t}"))?
                };
                if last {
                    if idx == a.len() {
                        a.push(value);
                    } else if idx < a.len() {
                        a[idx] = value;
                    } else {
                        return Err(format!("index {idx} out of range at {pointer}"));
                    }
                    return Ok(());
                }
                cur = a
                    .get_mut(idx)
                    .ok_or_else(|| format!("index {idx} out of range at {pointer}"))?;
            }
            _ => return Err(format!("cannot descend into a scalar at {pointer}")),
        }
    }
    Ok(())
}

fn pointer_remove(root: &mut J, pointer: &str) -> Result<(), String> {
    let (parent, last) = pointer
        .rsplit_once('/')
        .ok_or_else(|| format!("bad pointer {pointer}"))?;
    let last = last.replace("~1", "/").replace("~0", "~");
    let p = root
        .pointer_mut(parent)
        .ok_or_else(|| format!("no {parent} to remove from"))?;
    match p {
        J::Object(m) => m
            .remove(&last)
            .map(|_| ())
            .ok_or_else(|| format!("nothing at {pointer}")),
        J::Array(a) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("bad index in {pointer}"))?;
            if i < a.len() {
                a.remove(i);
                Ok(())
            } else {
                Err(format!("nothing at {pointer}"))
            }
        }
        _ => Err(format!("cannot remove from a scalar at {pointer}")),
    }
}

struct Builder<'a> {
    /// The directory `from_file` paths are relative to (the repository, or an extracted corpus).
    base: Option<&'a std::path::Path>,
    recipe: &'a Recipe,
    patches: &'a [Patch],
    used: BTreeSet<usize>,
    built: Built,
    diff_ids: BTreeMap<String, String>,
    building: BTreeSet<String>,
}

impl Builder<'_> {
    fn algorithm(&self) -> Result<Algorithm, String> {
        match self.recipe.algorithm.as_deref().unwrap_or("sha256") {
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            "blake3" => Ok(Algorithm::Blake3),
            other => Err(format!("unknown algorithm {other}")),
        }
    }

    fn substitute(&self, s: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let end = rest[i..]
                .find('}')
                .ok_or_else(|| format!("unclosed ${{ in {s}"))?
                + i;
            let inner = &rest[i + 2..end];
            let (what, name) = inner
                .split_once(':')
                .ok_or_else(|| format!("bad placeholder {inner}"))?;
            if what == "diffid" {
                let id = self
                    .diff_ids
                    .get(name)
                    .ok_or_else(|| format!("placeholder {inner}: {name} is not a built layer"))?;
                out.push_str(id);
                rest = &rest[end + 1..];
                continue;
            }
            let d = self
                .built
                .docs
                .get(name)
                .ok_or_else(|| format!("placeholder {inner}: {name} is not built yet"))?;
            match what {
                "digest" => out.push_str(&d.digest),
                "size" => out.push_str(&d.size.to_string()),
                "path" => out.push_str(&d.path),
                "mediaType" => out.push_str(&d.media_type),
                _ => return Err(format!("bad placeholder {inner}")),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Apply value patches, serialise, apply byte patches, and store the blob.
    fn finish_json(
        &mut self,
        name: &str,
        mut v: J,
        media_type: &str,
        blob: bool,
    ) -> Result<BuiltDoc, String> {
        let mut text_patches: Vec<(usize, Patch)> = Vec::new();
        for (i, p) in self.patches.iter().enumerate() {
            if p.doc != name {
                continue;
            }
            self.used.insert(i);
            for (ptr, val) in &p.set {
                pointer_set(&mut v, ptr, toml_to_json(val))?;
            }
            for (ptr, text) in &p.set_json {
                let t = self.substitute(text)?;
                let val: J =
                    serde_json::from_str(&t).map_err(|e| format!("set_json {ptr}: {e}"))?;
                pointer_set(&mut v, ptr, val)?;
            }
            for ptr in &p.remove {
                pointer_remove(&mut v, ptr)?;
            }
            text_patches.push((i, p.clone()));
        }
        let mut bytes = serde_json::to_vec_pretty(&v).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        for (_, p) in &text_patches {
            for [from, to] in &p.text {
                let from = self.substitute(from)?;
                let to = self.substitute(to)?;
                let s = String::from_utf8(bytes).map_err(|e| e.to_string())?;
                if !s.contains(&from) {
                    return Err(format!("text patch on {name}: {from:?} does not occur"));
                }
                bytes = s.replacen(&from, &to, 1).into_bytes();
            }
            if let Some(r) = &p.raw {
                bytes = self.substitute(r)?.into_bytes();
            }
            if let Some(h) = &p.raw_hex {
                bytes = hex_decode(h)?;
            }
        }
        if blob {
            self.store_blob(name, bytes, media_type)
        } else {
            let d = BuiltDoc {
                path: name.to_string(),
                digest: String::new(),
                size: bytes.len() as u64,
                media_type: media_type.to_string(),
                bytes: bytes.clone(),
            };
            self.built
                .files
                .insert(name.to_string(), FileNode::File(bytes));
            self.built.docs.insert(name.to_string(), d.clone());
            Ok(d)
        }
    }

    fn store_blob(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        media_type: &str,
    ) -> Result<BuiltDoc, String> {
        let digest = self.algorithm()?.digest_of(&bytes);
        let (alg, enc) = digest.split_once(':').unwrap_or(("sha256", ""));
        let path = format!("blobs/{alg}/{enc}");
        let d = BuiltDoc {
            path: path.clone(),
            digest,
            size: bytes.len() as u64,
            media_type: media_type.to_string(),
            bytes: bytes.clone(),
        };
        self.built.files.insert(path, FileNode::File(bytes));
        self.built.docs.insert(name.to_string(), d.clone());
        Ok(d)
    }

    fn descriptor(d: &BuiltDoc, embed: bool) -> J {
        let mut m = Map::new();
        m.insert("mediaType".into(), J::String(d.media_type.clone()));
        m.insert("digest".into(), J::String(d.digest.clone()));
        m.insert("size".into(), J::from(d.size));
        if embed {
            m.insert("data".into(), J::String(base64_encode(&d.bytes)));
        }
        J::Object(m)
    }

    fn node(&mut self, name: &str) -> Result<BuiltDoc, String> {
        if let Some(d) = self.built.docs.get(name) {
            return Ok(d.clone());
        }
        if !self.building.insert(name.to_string()) {
            return Err(format!("node {name} refers to itself"));
        }
        let node = self
            .recipe
            .nodes
            .get(name)
            .cloned()
            .ok_or_else(|| format!("no node named {name}"))?;
        let d = match node {
            Node::Blob(b) => {
                let bytes = match (&b.content, &b.content_hex) {
                    (_, Some(h)) => hex_decode(h)?,
                    (Some(c), None) => c.clone().into_bytes(),
                    (None, None) => Vec::new(),
                };
                self.store_blob(name, bytes, &b.media_type)?
            }
            Node::Layer(l) => self.layer(name, &l)?,
            Node::Image(i) => self.image(name, &i)?,
            Node::Artifact(a) => self.artifact(name, &a)?,
            Node::Index(x) => {
                let spec = IndexSpec {
                    manifests: x.manifests,
                    annotations: x.annotations,
                    artifact_type: x.artifact_type,
                    subject: x.subject,
                    media_type: x.media_type,
                };
                let v = self.index_json(&spec)?;
                self.finish_json(name, v, mt::INDEX, true)?
            }
        };
        self.building.remove(name);
        Ok(d)
    }

    fn layer(&mut self, name: &str, l: &LayerSpec) -> Result<BuiltDoc, String> {
        if let Some(file) = &l.from_file {
            return self.layer_from_file(name, l, file);
        }
        let raw = tar::write(&l.entries, &l.tar);
        let compression = l.compression.as_deref().unwrap_or("gzip");
        let media_type = l.media_type.clone().unwrap_or_else(|| {
            match compression {
                "zstd" => mt::LAYER_TAR_ZSTD,
                "none" => mt::LAYER_TAR,
                _ => mt::LAYER_TAR_GZIP,
            }
            .to_string()
        });
        let actual = l.actual_compression.as_deref().unwrap_or(compression);
        let mut bytes = match l.frames {
            Some(n) if n > 1 => {
                let piece = raw.len().div_ceil(n as usize).max(1);
                let mut out = Vec::new();
                for chunk in raw.chunks(piece) {
                    out.extend(compress(actual, chunk)?);
                }
                out
            }
            _ => compress(actual, &raw)?,
        };
        if let Some(skip) = &l.skippable {
            // Magic 0x184D2A50 (little-endian), a 4-byte little-endian length, the user data.
            let mut frame = vec![0x50, 0x2a, 0x4d, 0x18];
            frame.extend_from_slice(&(skip.len() as u32).to_le_bytes());
            frame.extend_from_slice(skip.as_bytes());
            frame.extend(bytes);
            bytes = frame;
        }
        if let Some(t) = &l.compressed_trailing {
            bytes.extend_from_slice(t.as_bytes());
        }
        if let Some(n) = l.compressed_truncate {
            bytes.truncate(usize::try_from(n).unwrap_or(usize::MAX));
        }
        self.diff_ids
            .insert(name.to_string(), self.algorithm()?.digest_of(&raw));
        self.store_blob(name, bytes, &media_type)
    }

    /// A layer whose bytes a real tool made.
    fn layer_from_file(
        &mut self,
        name: &str,
        l: &LayerSpec,
        file: &str,
    ) -> Result<BuiltDoc, String> {
        use std::io::Read as _;
        let base = self
            .base
            .ok_or_else(|| format!("{file}: a layer from a file needs the corpus's repository"))?;
        let path = base.join(file);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let compression = l.compression.as_deref().unwrap_or("gzip");
        let (media_type, raw) = match compression {
            "gzip" => {
                let mut raw = Vec::new();
                flate2::read::MultiGzDecoder::new(&bytes[..])
                    .read_to_end(&mut raw)
                    .map_err(|e| format!("{file}: {e}"))?;
                (mt::LAYER_TAR_GZIP, raw)
            }
            "zstd" => (
                mt::LAYER_TAR_ZSTD,
                zstd::decode_all(&bytes[..]).map_err(|e| format!("{file}: {e}"))?,
            ),
            _ => (mt::LAYER_TAR, bytes.clone()),
        };
        let media_type = l
            .media_type
            .clone()
            .unwrap_or_else(|| media_type.to_string());
        self.diff_ids
            .insert(name.to_string(), self.algorithm()?.digest_of(&raw));
        self.store_blob(name, bytes, &media_type)
    }

    fn image(&mut self, name: &str, i: &ImageSpec) -> Result<BuiltDoc, String> {
        let mut layer_descs = Vec::new();
        let mut diff_ids = Vec::new();
        for l in &i.layers {
            let d = self.node(l)?;
            layer_descs.push(Self::descriptor(&d, false));
            if let Some(id) = self.diff_ids.get(l) {
                diff_ids.push(J::String(id.clone()));
            }
        }
        let platform = table_to_json(&i.platform);
        let mut config = Map::new();
        config.insert("created".into(), json!("2024-01-01T00:00:00Z"));
        for (k, v) in &platform {
            config.insert(k.clone(), v.clone());
        }
        config.insert(
            "config".into(),
            json!({ "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] }),
        );
        config.insert(
            "rootfs".into(),
            json!({ "type": "layers", "diff_ids": diff_ids }),
        );
        if i.history {
            let h: Vec<J> = i
                .layers
                .iter()
                .map(|l| json!({ "created": "2024-01-01T00:00:00Z", "created_by": format!("ocicheck corpus: layer {l}") }))
                .collect();
            config.insert("history".into(), J::Array(h));
        }
        if let Some(extra) = &i.config {
            for (k, v) in table_to_json(extra) {
                config.insert(k, v);
            }
        }
        let cname = format!("{name}/config");
        let cfg = self.finish_json(&cname, J::Object(config), mt::CONFIG, true)?;
        let mut m = Map::new();
        m.insert("schemaVersion".into(), json!(2));
        if i.media_type {
            m.insert("mediaType".into(), json!(mt::MANIFEST));
        }
        m.insert("config".into(), Self::descriptor(&cfg, i.embed_config));
        m.insert("layers".into(), J::Array(layer_descs));
        if let Some(s) = &i.subject {
            let sd = self.node(s)?;
            m.insert("subject".into(), Self::descriptor(&sd, false));
        }
        if let Some(a) = &i.annotations {
            m.insert("annotations".into(), json!(a));
        }
        let d = self.finish_json(
            &format!("{name}/manifest"),
            J::Object(m),
            mt::MANIFEST,
            true,
        )?;
        self.built.docs.insert(name.to_string(), d.clone());
        Ok(d)
    }

    fn artifact(&mut self, name: &str, a: &ArtifactSpec) -> Result<BuiltDoc, String> {
        let cfg = match &a.config {
            Some(c) => self.node(c)?,
            None => {
                let cname = format!("{name}/config");
                match self.built.docs.get(&cname) {
                    Some(d) => d.clone(),
                    None => self.store_blob(&cname, b"{}".to_vec(), mt::EMPTY)?,
                }
            }
        };
        let mut layers = Vec::new();
        for l in &a.layers {
            let d = self.node(l)?;
            layers.push(Self::descriptor(&d, false));
        }
        let mut m = Map::new();
        m.insert("schemaVersion".into(), json!(2));
        m.insert("mediaType".into(), json!(mt::MANIFEST));
        if let Some(t) = &a.artifact_type {
            m.insert("artifactType".into(), json!(t));
        }
        m.insert("config".into(), Self::descriptor(&cfg, a.embed_config));
        m.insert("layers".into(), J::Array(layers));
        if let Some(s) = &a.subject {
            let sd = self.node(s)?;
            m.insert("subject".into(), Self::descriptor(&sd, false));
        }
        if let Some(an) = &a.annotations {
            m.insert("annotations".into(), json!(an));
        }
        let d = self.finish_json(
            &format!("{name}/manifest"),
            J::Object(m),
            mt::MANIFEST,
            true,
        )?;
        self.built.docs.insert(name.to_string(), d.clone());
        Ok(d)
    }

    fn index_json(&mut self, spec: &IndexSpec) -> Result<J, String> {
        let mut entries = Vec::new();
        for e in &spec.manifests {
            let d = self.node(&e.node)?;
            let mut desc = Self::descriptor(&d, e.embed);
            let node = self.recipe.nodes.get(&e.node);
            if let (Some(Node::Image(i)), true, J::Object(m)) = (node, e.platform, &mut desc) {
                m.insert("platform".into(), J::Object(table_to_json(&i.platform)));
            }
            if let (Some(Node::Artifact(a)), true, J::Object(m)) =
                (node, e.artifact_type, &mut desc)
                && let Some(t) = &a.artifact_type
            {
                m.insert("artifactType".into(), json!(t));
            }
            let mut ann = e.annotations.clone().unwrap_or_default();
            if let Some(r) = &e.ref_name {
                ann.insert("org.opencontainers.image.ref.name".into(), r.clone());
            }
            if let (false, J::Object(m)) = (ann.is_empty(), &mut desc) {
                m.insert("annotations".into(), json!(ann));
            }
            entries.push(desc);
        }
        let mut m = Map::new();
        m.insert("schemaVersion".into(), json!(2));
        if spec.media_type {
            m.insert("mediaType".into(), json!(mt::INDEX));
        }
        if let Some(t) = &spec.artifact_type {
            m.insert("artifactType".into(), json!(t));
        }
        m.insert("manifests".into(), J::Array(entries));
        if let Some(s) = &spec.subject {
            let sd = self.node(s)?;
            m.insert("subject".into(), Self::descriptor(&sd, false));
        }
        if let Some(a) = &spec.annotations {
            m.insert("annotations".into(), json!(a));
        }
        Ok(J::Object(m))
    }
}

fn compress(how: &str, raw: &[u8]) -> Result<Vec<u8>, String> {
    match how {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            e.write_all(raw).map_err(|e| e.to_string())?;
            e.finish().map_err(|e| e.to_string())
        }
        "zstd" => zstd::encode_all(raw, 3).map_err(|e| e.to_string()),
        "none" => Ok(raw.to_vec()),
        other => Err(format!("unknown compression {other}")),
    }
}

/// RFC 4648 base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        s.push(A[(n >> 18) as usize & 63] as char);
        s.push(A[(n >> 12) as usize & 63] as char);
        s.push(if c.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        s.push(if c.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    s
}

/// Build a layout from a recipe, its patches and blob operations (a recipe with layers from files needs
/// [`build_in`]).
pub fn build(recipe: &Recipe, patches: &[Patch], ops: &[BlobOp]) -> Result<Built, String> {
    build_in(None, recipe, patches, ops)
}

/// Build a layout; `from_file` paths are relative to `base` (the repository that holds the corpus).
pub fn build_in(
    base: Option<&std::path::Path>,
    recipe: &Recipe,
    patches: &[Patch],
    ops: &[BlobOp],
) -> Result<Built, String> {
    let mut b = Builder {
        base,
        recipe,
        patches,
        used: BTreeSet::new(),
        built: Built::default(),
        diff_ids: BTreeMap::new(),
        building: BTreeSet::new(),
    };
    b.built.files.insert("blobs".into(), FileNode::Dir);
    // Nodes not reachable from index.json are built too (unreferenced blobs, subjects elsewhere).
    let names: Vec<String> = recipe.nodes.keys().cloned().collect();
    let index = b.index_json(&recipe.index)?;
    for n in &names {
        b.node(n)?;
    }
    let layout = match &recipe.oci_layout {
        Some(t) => J::Object(table_to_json(t)),
        None => json!({ "imageLayoutVersion": "1.0.0" }),
    };
    b.finish_json("oci-layout", layout, mt::LAYOUT_HEADER, false)?;
    b.finish_json("index.json", index, mt::INDEX, false)?;
    for (i, p) in patches.iter().enumerate() {
        if !b.used.contains(&i) {
            return Err(format!(
                "patch {i} targets {:?}, which the recipe does not build",
                p.doc
            ));
        }
    }
    let mut built = b.built;
    for op in ops {
        apply_op(&mut built, op)?;
    }
    // Every directory on the way to a file exists.
    let paths: Vec<String> = built.files.keys().cloned().collect();
    for p in paths {
        let mut acc = String::new();
        let parts: Vec<&str> = p.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(part);
            built.files.entry(acc.clone()).or_insert(FileNode::Dir);
        }
    }
    Ok(built)
}

fn apply_op(built: &mut Built, op: &BlobOp) -> Result<(), String> {
    let path = match (&op.doc, &op.path) {
        (Some(d), _) => built
            .docs
            .get(d)
            .map(|d| d.path.clone())
            .ok_or_else(|| format!("blob op: no document {d}"))?,
        (None, Some(p)) => p.clone(),
        (None, None) => return Err("blob op needs doc or path".into()),
    };
    let content = match (&op.content, &op.content_hex) {
        (_, Some(h)) => hex_decode(h)?,
        (Some(c), None) => c.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    match op.op.as_str() {
        "delete" => {
            let prefix = format!("{path}/");
            let before = built.files.len();
            built
                .files
                .retain(|k, _| k != &path && !k.starts_with(&prefix));
            if built.files.len() == before {
                return Err(format!("delete: nothing at {path}"));
            }
        }
        "append" => match built.files.get_mut(&path) {
            Some(FileNode::File(b)) => b.extend_from_slice(&content),
            _ => return Err(format!("append: no file at {path}")),
        },
        "replace" | "write" => {
            built.files.insert(path, FileNode::File(content));
        }
        "symlink" => {
            let t = op.target.clone().ok_or("symlink needs target")?;
            built.files.insert(path, FileNode::Symlink(t));
        }
        "mkdir" => {
            built.files.insert(path, FileNode::Dir);
        }
        "rename" => {
            let t = op.target.clone().ok_or("rename needs target")?;
            let node = built
                .files
                .remove(&path)
                .ok_or_else(|| format!("rename: nothing at {path}"))?;
            built.files.insert(t, node);
        }
        other => return Err(format!("unknown blob op {other}")),
    }
    Ok(())
}

/// Write a built tree under `dir` (which must not exist or be empty).
pub fn write_tree(built: &Built, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (p, node) in &built.files {
        let full = dir.join(p);
        match node {
            FileNode::Dir => std::fs::create_dir_all(&full)?,
            FileNode::File(b) => {
                if let Some(parent) = full.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&full, b)?;
            }
            FileNode::Symlink(t) => {
                if let Some(parent) = full.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                #[cfg(unix)]
                std::os::unix::fs::symlink(t, &full)?;
            }
        }
    }
    Ok(())
}

/// Read a tree from disk into the same form (for comparing committed cases with their recipe).
pub fn read_tree(dir: &std::path::Path) -> std::io::Result<BTreeMap<String, FileNode>> {
    fn walk(
        base: &std::path::Path,
        rel: &str,
        out: &mut BTreeMap<String, FileNode>,
    ) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(base.join(rel))?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let p = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let ft = e.file_type()?;
            if ft.is_symlink() {
                let t = std::fs::read_link(e.path())?;
                out.insert(p, FileNode::Symlink(t.to_string_lossy().into_owned()));
            } else if ft.is_dir() {
                out.insert(p.clone(), FileNode::Dir);
                walk(base, &p, out)?;
            } else {
                out.insert(p, FileNode::File(std::fs::read(e.path())?));
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out)?;
    Ok(out)
}
