//! Inputs that are not what the user thinks: an xz or bzip2 file, an empty file or stdin, a directory that holds
//! a layout further down, the `blobs/` directory of a layout, a containers/image `dir:` directory, a tar archive
//! of files that is a layer rather than a layout, a Docker manifest given alone. Each is a usage error (exit
//! status 2) whose message names what was found and what to pass instead, rather than a report of findings about
//! a layout that is not there (or a JSON syntax error about compressed bytes).

use std::path::Path;

use crate::json::{self, Value};
use crate::mediatype as mt;
use crate::source::{EntryKind, Source};

/// What the first bytes of a file (or of stdin) say it is, when that is something ocicheck cannot read: `what`
/// names the input in the message (`stdin`, a path).
pub fn unreadable_bytes(what: &str, head: &[u8]) -> Option<String> {
    if head.is_empty() {
        return Some(format!("{what} is empty: there is nothing to validate"));
    }
    let compressed = if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        ("xz", "xz -dc")
    } else if head.starts_with(b"BZh") {
        ("bzip2", "bzip2 -dc")
    } else {
        return None;
    };
    Some(format!(
        "{what} is {} data; ocicheck reads image layouts as directories or as tar archives, plain, gzip or zstd: \
         decompress it first (`{} FILE | ocicheck validate -`)",
        compressed.0, compressed.1
    ))
}

/// A directory that is not an image layout (no `oci-layout`, `index.json` or `blobs/`) but is recognisably
/// something else, or has layouts below it.
pub fn not_a_layout_dir(dir: &Path, display: &str) -> Option<String> {
    let has = |name: &str| std::fs::symlink_metadata(dir.join(name)).is_ok();
    if has("oci-layout") || has("index.json") || has("blobs") {
        return None;
    }
    let names = list(dir, 1000);
    let hex64 = |n: &str| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit());
    if has("manifest.json") && has("version") && names.iter().any(|(n, _)| hex64(n)) {
        return Some(format!(
            "{display} is a containers/image `dir:` directory (manifest.json, version and blobs named by their \
             digest), not an OCI image layout; make a layout from it with `skopeo copy dir:{display} \
             oci:LAYOUT:TAG` and validate that"
        ));
    }
    let alg_dirs: Vec<&str> = names
        .iter()
        .filter(|(n, d)| *d && matches!(n.as_str(), "sha256" | "sha512" | "blake3"))
        .map(|(n, _)| n.as_str())
        .collect();
    if !alg_dirs.is_empty() {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| "..".to_string(), |p| p.display().to_string());
        return Some(format!(
            "{display} looks like the blobs/ directory of an image layout (it holds {}/), not a layout; pass the \
             layout directory that holds it ({parent}) instead",
            alg_dirs.join("/, ")
        ));
    }
    let is_alg = dir
        .file_name()
        .is_some_and(|n| matches!(n.to_str(), Some("sha256" | "sha512" | "blake3")));
    if is_alg && !names.is_empty() && names.iter().all(|(n, d)| !*d && n.len() >= 64) {
        let layout = dir
            .parent()
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| "../..".to_string(), |p| p.display().to_string());
        return Some(format!(
            "{display} looks like the blobs/<algorithm> directory of an image layout, not a layout; pass the \
             layout directory that holds it ({layout}) instead"
        ));
    }
    let below = layouts_below(dir, 3, 5);
    if !below.is_empty() {
        let shown: Vec<String> = below.iter().map(|p| p.display().to_string()).collect();
        return Some(format!(
            "{display} is not an image layout (it has no oci-layout, index.json or blobs/), but {} below it: {}; \
             pass {} instead",
            if below.len() == 1 {
                "there is one"
            } else {
                "there are layouts"
            },
            shown.join(", "),
            if below.len() == 1 {
                "that"
            } else {
                "one of them"
            }
        ));
    }
    None
}

/// A tar archive that holds no image layout at all (no `oci-layout`, `index.json`, `blobs/`, nor docker save's
/// `manifest.json`): a layer blob or some other tarball.
pub fn not_a_layout_archive(src: &dyn Source, display: &str) -> Option<String> {
    let entries = src.entries();
    let top = |name: &str| {
        entries
            .iter()
            .any(|e| &*e.path == name || e.path.starts_with(&format!("{name}/")))
    };
    if top("oci-layout") || top("index.json") || top("blobs") || top("manifest.json") {
        return None;
    }
    // A limit stopped the listing (the decompression guard, the time limit): what it did not list may be a layout,
    // so the archive is validated and the limit reported (ARC005, an incomplete run), never called something else.
    if src.archive().is_some_and(|a| {
        a.defects
            .iter()
            .any(|d| d.kind == crate::source::archive::DefectKind::Limit)
    }) {
        return None;
    }
    if entries.is_empty() {
        return Some(format!(
            "{display} is a tar archive with no entries: there is no image layout to validate"
        ));
    }
    let sample: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .take(3)
        .map(|e| &*e.path)
        .collect();
    let shown = if sample.is_empty() {
        entries
            .iter()
            .take(3)
            .map(|e| &*e.path)
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        sample.join(", ")
    };
    let whiteouts = entries.iter().any(|e| {
        e.path
            .rsplit('/')
            .next()
            .is_some_and(|b| b.starts_with(".wh."))
    });
    Some(format!(
        "{display} is a tar archive of files ({shown} …), not an image layout (no oci-layout, index.json or blobs/): \
         it looks like {}; validate the image layout that holds it (or the archive of one) instead",
        if whiteouts {
            "a layer blob (it has whiteout entries)"
        } else {
            "a layer blob or a tarball of a file system"
        }
    ))
}

/// A single document that is a Docker image manifest or manifest list (its own `mediaType`, and Docker types
/// among what it points at), given without `--profile docker-compat` or `--media-type`: the hint IDX022 gives in
/// a layout. (A document that names a Docker type but points at OCI content is validated, and MAN003 or IDX003
/// report its `mediaType`.)
pub fn docker_document(display: &str, bytes: &[u8]) -> Option<String> {
    let parsed = json::parse_limited(bytes, crate::DEFAULT_MAX_JSON_VALUES);
    let v = parsed.value.as_ref()?;
    let own = v.get("mediaType").and_then(Value::as_str)?;
    let docker = |d: &Value| {
        d.get("mediaType")
            .and_then(Value::as_str)
            .is_some_and(|m| m.starts_with("application/vnd.docker."))
    };
    let (what, oci) = match own {
        mt::DOCKER_MANIFEST => {
            let layers = v
                .get("layers")
                .and_then(Value::as_array)
                .unwrap_or_default();
            if !v.get("config").is_some_and(docker) && !layers.iter().any(docker) {
                return None;
            }
            ("a Docker image manifest", "an OCI image manifest")
        }
        mt::DOCKER_MANIFEST_LIST => {
            let entries = v
                .get("manifests")
                .and_then(Value::as_array)
                .unwrap_or_default();
            if !entries.is_empty() && !entries.iter().any(docker) {
                return None;
            }
            ("a Docker manifest list", "an OCI image index")
        }
        _ => return None,
    };
    Some(format!(
        "{display} is {what} ({own}), not OCI content, so it was not validated; --profile docker-compat \
         validates it as {oci}"
    ))
}

/// The names in a directory (at most `cap`), with whether each is a directory (links are not followed).
fn list(dir: &Path, cap: usize) -> Vec<(String, bool)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.flatten()
        .take(cap)
        .map(|e| {
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (e.file_name().to_string_lossy().into_owned(), is_dir)
        })
        .collect()
}

/// Directories below `dir` (at most `depth` levels down, `cap` found, 1,000 names read per directory; links not
/// followed) that hold an `oci-layout` or an `index.json`, in name order.
fn layouts_below(dir: &Path, depth: usize, cap: usize) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut level = vec![dir.to_path_buf()];
    // At most this many names looked at in all, so that `ocicheck validate /` answers at once.
    let mut budget: usize = 20_000;
    for _ in 0..depth {
        let mut next = Vec::new();
        for d in &level {
            if budget == 0 {
                return found;
            }
            let mut subs: Vec<(String, bool)> = list(d, budget.min(1000));
            budget = budget.saturating_sub(subs.len());
            subs.sort();
            for (name, is_dir) in subs {
                if !is_dir {
                    continue;
                }
                let p = d.join(&name);
                if p.join("oci-layout").is_file() || p.join("index.json").is_file() {
                    found.push(p);
                    if found.len() >= cap {
                        return found;
                    }
                } else {
                    next.push(p);
                }
            }
        }
        if next.len() > 1000 {
            next.truncate(1000);
        }
        level = next;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_and_empty() {
        assert!(
            unreadable_bytes("stdin", b"")
                .is_some_and(|m| m == "stdin is empty: there is nothing to validate")
        );
        assert!(
            unreadable_bytes("x", &[0xfd, b'7', b'z', b'X', b'Z', 0, 0])
                .is_some_and(|m| m.contains("xz data"))
        );
        assert!(unreadable_bytes("x", b"BZh91AY").is_some_and(|m| m.contains("bzip2")));
        assert_eq!(unreadable_bytes("x", b"{}"), None);
        assert_eq!(unreadable_bytes("x", &[0x1f, 0x8b]), None);
    }

    #[test]
    fn docker_documents() {
        let real = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:00"},"layers":[]}"#;
        assert!(docker_document("m", real).is_some_and(|m| m.contains("--profile docker-compat")));
        let oci_content = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":1,"digest":"sha256:00"},"layers":[]}"#;
        assert_eq!(docker_document("m", oci_content), None);
        assert_eq!(docker_document("m", b"{\"schemaVersion\":2}"), None);
        assert_eq!(docker_document("m", b"not json"), None);
    }
}
