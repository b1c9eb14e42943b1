//! `docker://` references: which registry, which repository, which tag or digest.
//!
//! `HOST[:PORT]/REPO[:TAG|@DIGEST]`, as skopeo and the distribution project's reference grammar spell them. A first
//! component without a `.` or a `:` that is not `localhost` is a Docker Hub repository (`docker://alpine` is
//! `docker.io/library/alpine:latest`), as every Docker-compatible tool reads it.

use crate::digest::Digest;

/// A registry: the host (and port) its API is served at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// As the user wrote it, or `docker.io` for Docker Hub: how reports and credential files name it.
    pub name: String,
    /// The host the API is at, without brackets for an IPv6 address (`registry-1.docker.io` for Docker Hub).
    pub host: String,
    pub port: Option<u16>,
}

impl Registry {
    /// `host[:port]` as it goes into a URL's authority (IPv6 addresses in brackets).
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }

    /// Whether the registry is on this machine (`localhost`, 127.0.0.0/8, `::1`): plain HTTP is allowed there.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.host)
    }

    /// Docker Hub, whose credentials Docker keeps under its v1 index URL.
    pub fn is_docker_hub(&self) -> bool {
        self.name == DOCKER_HUB
    }
}

/// Whether a host name or address is a loopback one.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// An image in a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub registry: Registry,
    /// The repository name (`library/alpine`).
    pub repository: String,
    /// The tag, when one was given (or implied: `latest` when neither a tag nor a digest was).
    pub tag: Option<String>,
    /// The digest, when one was given; it wins over a tag given with it.
    pub digest: Option<Digest>,
}

impl Reference {
    /// Parse what follows `docker://`.
    pub fn parse(s: &str) -> Result<Reference, String> {
        let bad = |why: &str| Err(format!("docker://{s}: {why}"));
        if s.is_empty() {
            return bad("no registry and repository");
        }
        let (first, rest) = match s.split_once('/') {
            Some((f, r)) => (f, Some(r)),
            None => (s, None),
        };
        // A domain is only ever the part before the first `/` (`alpine:3` is a Docker Hub repository and tag).
        let looks_like_host = first.contains('.') || first.contains(':') || first == "localhost";
        let (registry, path) = match rest {
            Some(rest) if looks_like_host => (
                parse_host(first).map_err(|e| format!("docker://{s}: {e}"))?,
                rest,
            ),
            None if names_a_host(first) => {
                return bad(
                    "no repository: walking a registry's whole catalogue is not supported yet; name an image (docker://HOST/REPO[:TAG])",
                );
            }
            _ => (
                Registry {
                    name: DOCKER_HUB.into(),
                    host: DOCKER_HUB_API.into(),
                    port: None,
                },
                s,
            ),
        };
        let (path, digest) = match path.split_once('@') {
            Some((p, d)) => match Digest::parse(d) {
                Some(d)
                    if crate::digest::Algorithm::registered(d.algorithm(), crate::Spec::Main)
                        .is_some_and(|a| crate::digest::encoding_ok(a, d.encoded())) =>
                {
                    (p, Some(d))
                }
                _ => return bad(&format!("`{d}` is not a sha256, sha512 or blake3 digest")),
            },
            None => (path, None),
        };
        // A tag follows the last `:` that comes after the last `/`.
        let (name, tag) = match path.rfind(':') {
            Some(i) if !path[i..].contains('/') => (&path[..i], Some(&path[i + 1..])),
            _ => (path, None),
        };
        if let Some(t) = tag
            && !is_tag(t)
        {
            return bad(&format!(
                "`{t}` is not a tag (at most 128 of [A-Za-z0-9_.-], not starting with . or -)"
            ));
        }
        let mut repository = name.to_string();
        if registry.is_docker_hub() && !repository.contains('/') {
            repository = format!("library/{repository}");
        }
        if !is_repository(&repository) {
            return bad(&format!(
                "`{name}` is not a repository name (lower-case components of [a-z0-9] joined by . _ __ or -, separated by /)"
            ));
        }
        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_string()),
            (None, None) => Some("latest".into()),
            (None, Some(_)) => None,
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// What goes into `/v2/<name>/manifests/<reference>`: the digest if there is one, else the tag.
    pub fn reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }

    /// `docker://registry/repository`, the prefix of every location in a report.
    pub fn repository_url(&self) -> String {
        format!("docker://{}/{}", self.registry.name, self.repository)
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.repository_url())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// What follows `docker://` when it names a registry alone (`HOST[:PORT]`, a `/` after it allowed): the registry
/// whose catalogue is to be walked; `None` when it names an image (or a Docker Hub repository: `alpine`).
pub fn catalogue(s: &str) -> Option<Result<Registry, String>> {
    let host = s.strip_suffix('/').unwrap_or(s);
    if host.is_empty() || host.contains('/') {
        return None;
    }
    let bracketed = host.starts_with('[');
    if !bracketed && !names_a_host(host) {
        return None;
    }
    Some(parse_host(host).map_err(|e| format!("docker://{s}: {e}")))
}

/// `registry.example.com`, `localhost:5000`: a registry with no repository after it (not `alpine:3`).
fn names_a_host(s: &str) -> bool {
    let (host, port) = match s.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    (host.contains('.') || host == "localhost") && port.is_none_or(|p| p.parse::<u16>().is_ok())
}

/// `host[:port]`, `[v6]:port`.
fn parse_host(s: &str) -> Result<Registry, String> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("`{s}`: unclosed [ in the host"))?;
        if h.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("`{h}` is not an IPv6 address"));
        }
        match after.strip_prefix(':') {
            Some(p) => (h, Some(p)),
            None if after.is_empty() => (h, None),
            None => return Err(format!("`{s}` is not a host")),
        }
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let port = match port {
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|&p| p > 0)
                .ok_or_else(|| format!("`{p}` is not a port"))?,
        ),
        None => None,
    };
    let valid_name = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !valid_name && host.parse::<std::net::Ipv6Addr>().is_err() {
        return Err(format!("`{host}` is not a host name or address"));
    }
    let name = if host == DOCKER_HUB || host == "index.docker.io" {
        DOCKER_HUB.to_string()
    } else {
        s.to_string()
    };
    let api = if name == DOCKER_HUB && port.is_none() {
        DOCKER_HUB_API.to_string()
    } else {
        host.to_ascii_lowercase()
    };
    Ok(Registry {
        name,
        host: api,
        port,
    })
}

/// The tag grammar of the distribution spec: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
pub fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// The repository name grammar: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
pub fn is_repository(name: &str) -> bool {
    name.len() <= 255
        && name.split('/').all(|c| {
            let b = c.as_bytes();
            if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
                return false;
            }
            let mut i = 0;
            while i < b.len() {
                if is_alnum(b[i]) {
                    i += 1;
                    continue;
                }
                // A separator run: `.`, `_`, `__` or any number of `-`, then an alphanumeric.
                let run = &b[i..];
                let len = if run.starts_with(b"__") {
                    2
                } else if matches!(run[0], b'.' | b'_') {
                    1
                } else if run[0] == b'-' {
                    run.iter().take_while(|&&c| c == b'-').count()
                } else {
                    return false;
                };
                i += len;
                if !b.get(i).copied().is_some_and(is_alnum) {
                    return false;
                }
            }
            true
        })
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Reference {
        Reference::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn registries_repositories_tags_and_digests() {
        let r = p("127.0.0.1:5000/ocicheck/gzip:v1");
        assert_eq!(r.registry.authority(), "127.0.0.1:5000");
        assert!(r.registry.is_loopback());
        assert_eq!(
            (r.repository.as_str(), r.tag.as_deref()),
            ("ocicheck/gzip", Some("v1"))
        );
        assert_eq!(r.to_string(), "docker://127.0.0.1:5000/ocicheck/gzip:v1");

        let hex = "a".repeat(64);
        let r = p(&format!("localhost:5000/img@sha256:{hex}"));
        assert_eq!(r.reference(), format!("sha256:{hex}"));
        assert_eq!(r.tag, None);
        let r = p(&format!("localhost/img:v2@sha256:{hex}"));
        assert_eq!((r.tag.as_deref(), r.registry.port), (Some("v2"), None));
        assert_eq!(r.reference(), format!("sha256:{hex}"));

        let r = p("alpine");
        assert_eq!(r.to_string(), "docker://docker.io/library/alpine:latest");
        assert_eq!(r.registry.authority(), "registry-1.docker.io");
        let r = p("docker.io/someone/app:1.0");
        assert_eq!(r.repository, "someone/app");
        let r = p("[::1]:5000/a/b");
        assert_eq!(
            (r.registry.authority().as_str(), r.registry.is_loopback()),
            ("[::1]:5000", true)
        );
        let r = p("registry.example.com/team/app");
        assert!(!r.registry.is_loopback());
        assert_eq!(r.tag.as_deref(), Some("latest"));
    }

    #[test]
    fn what_is_refused() {
        for bad in [
            "",
            "registry.example.com",
            "localhost:5000",
            "localhost:5000/UPPER",
            "localhost:5000/a//b",
            "localhost:5000/a-/b",
            "localhost:5000/a:.tag",
            "localhost:99999/a",
            "localhost:5000/a@sha256:short",
            "localhost:5000/a@md5:0123",
            "bad_host.example:5000/a",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let e = Reference::parse("registry.example.com")
            .err()
            .unwrap_or_default();
        assert!(e.contains("catalogue"), "{e}");
        assert_eq!(
            p("alpine:3").to_string(),
            "docker://docker.io/library/alpine:3"
        );
        assert_eq!(p("ubuntu:22.04").repository, "library/ubuntu");
        assert!(is_repository("a/b.c/d__e/f---g"));
        assert!(!is_repository("a/b___c"));
        assert!(is_tag(&"x".repeat(128)) && !is_tag(&"x".repeat(129)));
    }
}
