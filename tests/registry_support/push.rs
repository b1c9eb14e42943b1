//! Push an image layout into a registry through the distribution API, as it is (no conversion, no checks of our
//! own: what the registry accepts is what gets validated back). Blobs by the monolithic POST-then-PUT upload,
//! manifests deepest first by digest, then each `index.json` entry under a tag.

use std::collections::HashSet;
use std::path::Path;

const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

fn is_index(media_type: &str) -> bool {
    media_type.ends_with("index.v1+json") || media_type.ends_with("manifest.list.v2+json")
}

/// One `index.json` entry, as pushed.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub tag: String,
    pub digest: String,
}

pub struct Pusher {
    pub base: String,
    pub repo: String,
    /// An `Authorization` value for every request.
    pub auth: Option<String>,
    /// Put before every tag (many images share one repository).
    pub tag_prefix: String,
    agent: ureq::Agent,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent()
}

fn body_text(r: ureq::http::Response<ureq::Body>) -> String {
    let status = r.status().as_u16();
    let mut body = r.into_body();
    let text = body.read_to_string().unwrap_or_default();
    format!("{status} {}", text.trim())
}

impl Pusher {
    pub fn new(authority: &str, repo: &str, auth: Option<String>) -> Pusher {
        Pusher {
            base: format!("http://{authority}"),
            repo: repo.to_string(),
            auth,
            tag_prefix: String::new(),
            agent: agent(),
        }
    }

    fn with_auth<B>(&self, rb: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.auth {
            Some(a) => rb.header("Authorization", a.as_str()),
            None => rb,
        }
    }

    /// Upload a blob under its digest, unless the repository has it already.
    pub fn blob(&self, digest: &str, bytes: &[u8]) -> Result<(), String> {
        let head = format!("{}/v2/{}/blobs/{digest}", self.base, self.repo);
        if self
            .with_auth(self.agent.head(&head))
            .call()
            .is_ok_and(|r| r.status().as_u16() == 200)
        {
            return Ok(());
        }
        let url = format!("{}/v2/{}/blobs/uploads/", self.base, self.repo);
        let r = self
            .with_auth(self.agent.post(&url))
            .send_empty()
            .map_err(|e| e.to_string())?;
        if r.status().as_u16() != 202 {
            return Err(format!("POST {url}: {}", body_text(r)));
        }
        let loc = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or("no Location")?
            .to_string();
        let loc = if loc.starts_with("http") {
            loc
        } else {
            format!("{}{loc}", self.base)
        };
        let sep = if loc.contains('?') { '&' } else { '?' };
        let r = self
            .with_auth(self.agent.put(&format!("{loc}{sep}digest={digest}")))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .map_err(|e| e.to_string())?;
        if r.status().as_u16() != 201 {
            return Err(format!("PUT blob {digest}: {}", body_text(r)));
        }
        Ok(())
    }

    /// Put a manifest under a digest or a tag.
    pub fn manifest(&self, reference: &str, media_type: &str, bytes: &[u8]) -> Result<(), String> {
        let url = format!("{}/v2/{}/manifests/{reference}", self.base, self.repo);
        let r = self
            .with_auth(self.agent.put(&url))
            .header("Content-Type", media_type)
            .send(bytes)
            .map_err(|e| e.to_string())?;
        if r.status().as_u16() != 201 {
            return Err(format!("PUT manifest {reference}: {}", body_text(r)));
        }
        Ok(())
    }

    /// Push a whole layout: every blob under `blobs/`, then the manifests `index.json` reaches, then a tag per
    /// entry (its `org.opencontainers.image.ref.name` when that is a tag, else `entryN`).
    pub fn layout(&self, layout: &Path) -> Result<Vec<Pushed>, String> {
        let blobs = layout.join("blobs");
        for alg in std::fs::read_dir(&blobs)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let alg_name = alg.file_name().to_string_lossy().into_owned();
            let Ok(files) = std::fs::read_dir(alg.path()) else {
                continue;
            };
            for f in files.flatten() {
                let Ok(meta) = std::fs::symlink_metadata(f.path()) else {
                    continue;
                };
                if !meta.is_file() {
                    continue;
                }
                let bytes = std::fs::read(f.path()).map_err(|e| e.to_string())?;
                let digest = format!("{alg_name}:{}", f.file_name().to_string_lossy());
                // A blob the registry refuses (its content is not its digest) is left out; a manifest that
                // needs it is then refused too, and the case is not compared.
                let _ = self.blob(&digest, &bytes);
            }
        }
        let index: serde_json::Value = serde_json::from_slice(
            &std::fs::read(layout.join("index.json")).map_err(|e| e.to_string())?,
        )
        .map_err(|e| format!("index.json: {e}"))?;
        let entries = index
            .get("manifests")
            .and_then(|m| m.as_array())
            .ok_or("index.json has no manifests")?;
        let mut done = HashSet::new();
        let mut pushed = Vec::new();
        let mut tags = HashSet::new();
        for (i, e) in entries.iter().enumerate() {
            let (Some(mt), Some(digest)) = (
                e.get("mediaType").and_then(|m| m.as_str()),
                e.get("digest").and_then(|d| d.as_str()),
            ) else {
                continue;
            };
            if !MANIFEST_TYPES.contains(&mt) {
                continue;
            }
            self.tree(layout, digest, mt, &mut done, 0)?;
            let name = e
                .get("annotations")
                .and_then(|a| a.get("org.opencontainers.image.ref.name"))
                .and_then(|n| n.as_str())
                .map(|n| format!("{}{n}", self.tag_prefix))
                .filter(|n| ocicheck::source::registry::reference::is_tag(n) && !tags.contains(n))
                .unwrap_or_else(|| format!("{}entry{i}", self.tag_prefix));
            tags.insert(name.clone());
            let bytes = read_blob(layout, digest)?;
            self.manifest(&name, mt, &bytes)?;
            pushed.push(Pushed {
                tag: name,
                digest: digest.to_string(),
            });
        }
        Ok(pushed)
    }

    /// Push a manifest by digest, an index's children first.
    fn tree(
        &self,
        layout: &Path,
        digest: &str,
        media_type: &str,
        done: &mut HashSet<String>,
        depth: usize,
    ) -> Result<(), String> {
        if !done.insert(digest.to_string()) || depth > 8 {
            return Ok(());
        }
        let bytes = read_blob(layout, digest)?;
        if is_index(media_type)
            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
        {
            for c in v
                .get("manifests")
                .and_then(|m| m.as_array())
                .into_iter()
                .flatten()
            {
                if let (Some(mt), Some(d)) = (
                    c.get("mediaType").and_then(|m| m.as_str()),
                    c.get("digest").and_then(|d| d.as_str()),
                ) && MANIFEST_TYPES.contains(&mt)
                {
                    self.tree(layout, d, mt, done, depth + 1)?;
                }
            }
        }
        if depth == 0 {
            // Pushed by its tag next.
            return Ok(());
        }
        self.manifest(digest, media_type, &bytes)
    }
}

pub fn read_blob(layout: &Path, digest: &str) -> Result<Vec<u8>, String> {
    let (alg, hex) = digest.split_once(':').ok_or("not a digest")?;
    if hex.contains('/') || alg.contains('/') || hex.contains("..") {
        return Err(format!("{digest}: not a path"));
    }
    std::fs::read(layout.join("blobs").join(alg).join(hex)).map_err(|e| format!("{digest}: {e}"))
}
