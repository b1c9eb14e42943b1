//! Credentials for a registry, from the files Docker and podman keep them in.
//!
//! Looked up in this order, the first file with an entry for the registry winning:
//! 1. `$REGISTRY_AUTH_FILE` (podman, skopeo, buildah),
//! 2. `$DOCKER_CONFIG/config.json`,
//! 3. `${XDG_RUNTIME_DIR}/containers/auth.json` (podman's default),
//! 4. `~/.docker/config.json` (Docker's default).
//!
//! An entry is `auths.<registry>` with `auth` (base64 of `user:password`), `username`/`password`, or
//! `identitytoken` (an OAuth2 refresh token, sent to the token service); `credHelpers.<registry>` and `credsStore`
//! name a `docker-credential-<name>` program, run as `docker-credential-<name> get` with the registry on stdin.
//!
//! Secrets never leave this module except inside [`Secret`], whose `Debug` hides them, and into an `Authorization`
//! header for the registry's own host or its token service. Messages name files and helpers, never contents.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::reference::Registry;

/// What a registry is logged in with.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken`), exchanged at the token service.
    IdentityToken(String),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Basic { .. } => f.write_str("Basic(<redacted>)"),
            Secret::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

/// Credentials and where they came from (for messages: a file name or a helper, never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub secret: Secret,
    pub from: String,
}

/// Where to look: the environment, as a value so tests can give their own.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub registry_auth_file: Option<PathBuf>,
    pub docker_config: Option<PathBuf>,
    pub xdg_runtime_dir: Option<PathBuf>,
    pub home: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Env {
            registry_auth_file: var("REGISTRY_AUTH_FILE"),
            docker_config: var("DOCKER_CONFIG"),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR"),
            home: var("HOME"),
        }
    }

    /// The credential files, in the order they are tried.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut v = Vec::new();
        v.extend(self.registry_auth_file.clone());
        v.extend(self.docker_config.as_ref().map(|d| d.join("config.json")));
        v.extend(
            self.xdg_runtime_dir
                .as_ref()
                .map(|d| d.join("containers/auth.json")),
        );
        v.extend(self.home.as_ref().map(|h| h.join(".docker/config.json")));
        v
    }
}

/// A credential file is input too: never more than this is read of one.
const MAX_FILE: u64 = 4 << 20;
/// A credential helper that has not answered by then is stopped.
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// The credentials for `registry` (and `repository`, for podman's per-namespace entries), and notes on files that
/// could not be used (unreadable, not JSON, a helper that failed), for the message when access is denied.
pub fn find(
    registry: &Registry,
    repository: &str,
    env: &Env,
) -> (Option<Credentials>, Vec<String>) {
    let mut notes = Vec::new();
    for path in env.files() {
        let text = match read_file(&path) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(e) => {
                notes.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                // serde_json's message gives a line and column, never the text.
                notes.push(format!("{}: not valid JSON ({e})", path.display()));
                continue;
            }
        };
        match from_config(&value, registry, repository, &path) {
            Ok(Some(c)) => return (Some(c), notes),
            Ok(None) => {}
            Err(e) => notes.push(e),
        }
    }
    (None, notes)
}

fn read_file(path: &Path) -> Result<Option<String>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.kind().to_string()),
    };
    if !file.metadata().map_err(|e| e.kind().to_string())?.is_file() {
        return Err("not a regular file".into());
    }
    let mut text = String::new();
    file.take(MAX_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|_| "not readable as UTF-8 text".to_string())?;
    if text.len() as u64 > MAX_FILE {
        return Err(format!("larger than {MAX_FILE} bytes"));
    }
    Ok(Some(text))
}

/// The keys a registry may be filed under: `host[:port]`, with Docker Hub's aliases and Docker's v1 URL for it.
fn keys_of(registry: &Registry) -> Vec<String> {
    if registry.is_docker_hub() {
        ["docker.io", "index.docker.io", "registry-1.docker.io"]
            .into_iter()
            .map(String::from)
            .collect()
    } else {
        vec![registry.name.to_ascii_lowercase()]
    }
}

/// `https://host:port/v1/` → (`host:port`, `v1`); `quay.io/org` → (`quay.io`, `org`).
fn split_key(key: &str) -> (String, String) {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let (host, path) = k.split_once('/').unwrap_or((k, ""));
    (
        host.to_ascii_lowercase(),
        path.trim_matches('/').to_string(),
    )
}

/// The entry of `auths` (or helper) for the registry: an exact host match, or podman's `host/namespace` entries,
/// the longest namespace that contains the repository first. Docker's `/v1/`, `/v2/` URL paths are no namespace.
fn matching_key<'a>(
    keys: impl Iterator<Item = &'a String>,
    registry: &Registry,
    repository: &str,
) -> Option<&'a String> {
    let names = keys_of(registry);
    keys.filter_map(|k| {
        let (host, path) = split_key(k);
        if !names.contains(&host) {
            return None;
        }
        let path = if matches!(path.as_str(), "v1" | "v2") {
            String::new()
        } else {
            path
        };
        let inside =
            path.is_empty() || repository == path || repository.starts_with(&format!("{path}/"));
        inside.then_some((path.len(), k))
    })
    .max_by_key(|(len, _)| *len)
    .map(|(_, k)| k)
}

fn from_config(
    v: &serde_json::Value,
    registry: &Registry,
    repository: &str,
    path: &Path,
) -> Result<Option<Credentials>, String> {
    let file = path.display().to_string();
    let helper = |name: &str| -> Result<Option<Credentials>, String> {
        helper_get(name, registry).map(|s| {
            s.map(|secret| Credentials {
                secret,
                from: format!("docker-credential-{name} (named in {file})"),
            })
        })
    };
    if let Some(helpers) = v.get("credHelpers").and_then(|h| h.as_object()) {
        let keys: Vec<String> = helpers.keys().cloned().collect();
        if let Some(k) = matching_key(keys.iter(), registry, repository)
            && let Some(name) = helpers.get(k).and_then(|n| n.as_str())
        {
            return helper(name);
        }
    }
    if let Some(auths) = v.get("auths").and_then(|a| a.as_object()) {
        let keys: Vec<String> = auths.keys().cloned().collect();
        if let Some(k) = matching_key(keys.iter(), registry, repository)
            && let Some(entry) = auths.get(k)
            && let Some(secret) = entry_secret(entry).map_err(|e| format!("{file}: {e}"))?
        {
            return Ok(Some(Credentials { secret, from: file }));
        }
    }
    match v.get("credsStore").and_then(|s| s.as_str()) {
        Some(name) if !name.is_empty() => helper(name),
        _ => Ok(None),
    }
}

/// The secret of one `auths` entry; `None` for an entry with nothing in it (a credsStore keeps the secret).
fn entry_secret(entry: &serde_json::Value) -> Result<Option<Secret>, String> {
    let s = |k: &str| {
        entry
            .get(k)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    if let Some(t) = s("identitytoken") {
        return Ok(Some(Secret::IdentityToken(t.to_string())));
    }
    if let Some(a) = s("auth") {
        let decoded = crate::formats::base64_decode(a.trim())
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or("an `auth` value that is not base64 of user:password")?;
        let (username, password) = decoded
            .split_once(':')
            .ok_or("an `auth` value without a `:` between user and password")?;
        return Ok(Some(Secret::Basic {
            username: username.to_string(),
            password: password.to_string(),
        }));
    }
    match (s("username"), s("password")) {
        (Some(u), Some(p)) => Ok(Some(Secret::Basic {
            username: u.to_string(),
            password: p.to_string(),
        })),
        _ => Ok(None),
    }
}

/// Run `docker-credential-<name> get` for the registry.
fn helper_get(name: &str, registry: &Registry) -> Result<Option<Secret>, String> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(format!("`{name}` is not a credential helper name"));
    }
    let program = format!("docker-credential-{name}");
    // Docker files Docker Hub under its v1 index URL, everything else under the host as written.
    let server = if registry.is_docker_hub() {
        "https://index.docker.io/v1/".to_string()
    } else {
        registry.name.clone()
    };
    let mut child = std::process::Command::new(&program)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {}", e.kind()))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that does not read its input must not block us: the pipe buffer holds a host name.
        let _ = stdin.write_all(server.as_bytes());
    }
    let mut out = Vec::new();
    let reader = child.stdout.take().map(|mut o| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut o).take(MAX_FILE).read_to_end(&mut buf);
            buf
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() < HELPER_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} did not answer in {} s",
                    HELPER_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("{program}: {}", e.kind())),
        }
    };
    if let Some(r) = reader {
        out = r.join().unwrap_or_default();
    }
    if !status.success() {
        // "credentials not found": the helper has nothing for this registry.
        return Ok(None);
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out).map_err(|_| format!("{program} did not answer with JSON"))?;
    let field = |k: &str| v.get(k).and_then(|s| s.as_str()).unwrap_or("");
    let (user, secret) = (field("Username"), field("Secret"));
    if secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(if user == "<token>" {
        Secret::IdentityToken(secret.to_string())
    } else {
        Secret::Basic {
            username: user.to_string(),
            password: secret.to_string(),
        }
    }))
}

/// RFC 4648 base64 with padding, for `Authorization: Basic`.
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::registry::reference::Reference;

    fn reg(s: &str) -> Reference {
        Reference::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    }

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "user:pässword", "x:y:z"] {
            let enc = base64_encode(s.as_bytes());
            assert_eq!(
                crate::formats::base64_decode(&enc).as_deref(),
                Some(s.as_bytes()),
                "{s}"
            );
        }
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
    }

    #[test]
    fn docker_and_podman_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let r = reg("127.0.0.1:5000/team/app:v1");
        let docker = dir.path().join("docker");
        write(
            &docker,
            "config.json",
            r#"{"auths":{"http://127.0.0.1:5000/v2/":{"auth":"dXNlcjpwYXNz"},"other:1":{"auth":"eDp5"}}}"#,
        );
        let env = Env {
            docker_config: Some(docker.clone()),
            ..Env::default()
        };
        let (c, notes) = find(&r.registry, &r.repository, &env);
        assert!(notes.is_empty(), "{notes:?}");
        let c = c.unwrap_or_else(|| panic!("no credentials"));
        assert_eq!(
            c.secret,
            Secret::Basic {
                username: "user".into(),
                password: "pass".into()
            }
        );
        assert!(!format!("{c:?}").contains("pass"));

        // podman's file comes first when REGISTRY_AUTH_FILE names it, and per-namespace entries pick the longest.
        let podman = write(
            dir.path(),
            "auth.json",
            r#"{"auths":{"127.0.0.1:5000":{"auth":"YTpi"},"127.0.0.1:5000/team":{"identitytoken":"tok"},"127.0.0.1:5000/teamx":{"auth":"YzpkCg=="}}}"#,
        );
        let env = Env {
            registry_auth_file: Some(podman),
            ..env
        };
        let (c, _) = find(&r.registry, &r.repository, &env);
        assert_eq!(
            c.map(|c| c.secret),
            Some(Secret::IdentityToken("tok".into()))
        );
        let (c, _) = find(&r.registry, "other/app", &env);
        assert_eq!(
            c.map(|c| c.secret),
            Some(Secret::Basic {
                username: "a".into(),
                password: "b".into()
            })
        );

        // Nothing for another registry; a broken file is a note that names the file, not its content.
        let broken = write(
            dir.path(),
            "broken.json",
            r#"{"auths": {"x": "secret-value"#,
        );
        let env = Env {
            registry_auth_file: Some(broken),
            ..Env::default()
        };
        let (c, notes) = find(&reg("localhost:1/a").registry, "a", &env);
        assert!(c.is_none());
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("not valid JSON") && !notes[0].contains("secret-value"));
    }

    #[test]
    fn docker_hub_entries_and_helpers() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let home = dir.path().to_path_buf();
        write(
            &home,
            ".docker/config.json",
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"aHViOmh1Yg=="}}}"#,
        );
        let env = Env {
            home: Some(home.clone()),
            ..Env::default()
        };
        let r = reg("alpine");
        let (c, _) = find(&r.registry, &r.repository, &env);
        assert_eq!(
            c.map(|c| c.secret),
            Some(Secret::Basic {
                username: "hub".into(),
                password: "hub".into()
            })
        );
        // A helper that is not installed: a note naming it, and no credentials.
        write(
            &home,
            ".docker/config.json",
            r#"{"credHelpers":{"127.0.0.1:5000":"ocicheck-test-missing"}}"#,
        );
        let r = reg("127.0.0.1:5000/a");
        let (c, notes) = find(&r.registry, &r.repository, &env);
        assert!(c.is_none());
        assert!(
            notes
                .iter()
                .any(|n| n.contains("docker-credential-ocicheck-test-missing")),
            "{notes:?}"
        );
    }
}
