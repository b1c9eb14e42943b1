//! A registry as a source: the image a `docker://` reference names, read through the distribution API.
//!
//! A registry is a [`BlobStore`] and nothing more: blobs by digest (`/v2/<name>/blobs/<digest>`, manifests at
//! `/v2/<name>/manifests/<digest>`, told apart by the media type of the descriptor that reached them), and a
//! [`RootDoc`], the manifest or index the reference names. The walk, the blob verification and every content rule
//! run as they do on a layout; what the registry said about the content (its headers) is kept in a [`Served`]
//! transcript for the `REG` rules.
//!
//! Nothing is written to disk: blobs stream through the same one-pass checks as files ([`reader`] resumes a cut
//! body with `Range`). Each blob is asked for once (a HEAD when the walk meets it, a GET when it is verified;
//! `--fast` keeps the HEAD only). The network is reached only here, only for a `docker://` input, and only at the
//! registry, the token realm its challenge names and the storage its blob redirects point at.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::Mutex;

use crate::digest::{Algorithm, Digest};
use crate::kind::DocKind;
use crate::mediatype as mt;
use crate::options::Options;

use super::{BlobStat, BlobStore, EntryKind, FileTree, RootDoc, Source};

pub mod auth;
pub mod client;
pub mod credentials;
pub mod reader;
pub mod reference;
pub mod shared;
pub mod transcript;

pub use reference::Reference;
pub use transcript::{Endpoint, Exchange, Method, Served};

use client::{Client, Failure, NetError, Request, Response, Verb};

/// The manifest media types asked for: OCI's and Docker's (a registry that is not offered Docker's types may
/// convert or refuse them).
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// The walk's name of a repository's tag list (its exchanges are a catalogue run's, see `crate::catalog`).
pub const TAGS_FILE: &str = "tags/list";

/// A 4xx body kept for the error-format rule: its first bytes only.
const MAX_ERROR_BODY: u64 = 64 << 10;

/// Why a registry could not be read at all (exit status 2): one sentence, free of credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenError(pub String);

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The image a reference names, in its registry.
pub struct RegistrySource {
    pub client: std::sync::Arc<Client>,
    /// In a catalogue run: what the run's images share (blobs verified once).
    pub shared: Option<std::sync::Arc<shared::Shared>>,
    pub reference: Reference,
    scope: String,
    root: RootDoc,
    fast: bool,
    spec: crate::Spec,
    max_json_size: u64,
    /// What each HEAD said a blob's size is (the cap of a GET body that comes without `Content-Length`).
    sizes: Mutex<HashMap<Digest, u64>>,
    transcript: Mutex<Vec<Exchange>>,
}

/// Whether a descriptor's media type names a manifest (served at `/manifests/`) rather than a blob.
pub fn is_manifest_type(media_type: Option<&str>) -> bool {
    matches!(
        media_type,
        Some(mt::MANIFEST | mt::INDEX | mt::DOCKER_MANIFEST | mt::DOCKER_MANIFEST_LIST)
    )
}

/// The media type of a `Content-Type`, without its parameters.
pub fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

impl RegistrySource {
    /// Connect, authenticate as the registry asks, and fetch the manifest the reference names. Every way this
    /// can fail (unreachable, TLS, denied, not found) is an [`OpenError`] that says which.
    pub fn open(reference: Reference, opts: &Options) -> Result<RegistrySource, OpenError> {
        let client = connect(&reference.registry, &reference.repository, opts)?;
        Self::open_with(reference, std::sync::Arc::new(client), None, opts)
    }

    /// [`RegistrySource::open`] with a client already connected to the reference's registry, and what a
    /// catalogue run's images share.
    pub fn open_with(
        reference: Reference,
        client: std::sync::Arc<Client>,
        shared: Option<std::sync::Arc<shared::Shared>>,
        opts: &Options,
    ) -> Result<RegistrySource, OpenError> {
        let scope = format!("repository:{}:pull", reference.repository);
        let mut src = RegistrySource {
            client,
            shared,
            scope,
            root: RootDoc {
                name: String::new(),
                kind: DocKind::Manifest,
                media_type: None,
                bytes: Vec::new(),
                digest: None,
            },
            fast: opts.fast,
            spec: opts.spec,
            max_json_size: opts.max_json_size,
            sizes: Mutex::new(HashMap::new()),
            transcript: Mutex::new(Vec::new()),
            reference,
        };
        src.root = src.fetch_root(opts)?;
        Ok(src)
    }

    /// What the registry answered, for the `REG` rules.
    pub fn served(&self) -> Served {
        Served {
            repository_url: self.reference.repository_url(),
            repository: self.reference.repository.clone(),
            exchanges: self
                .transcript
                .lock()
                .map(|t| t.clone())
                .unwrap_or_default(),
        }
    }

    fn record(&self, e: Exchange) {
        if let Ok(mut t) = self.transcript.lock() {
            t.push(e);
        }
    }

    fn request(&self, verb: Verb, endpoint: Endpoint, reference: &str) -> Request {
        Request {
            verb,
            path: format!(
                "/v2/{}/{}/{reference}",
                self.reference.repository,
                endpoint.path()
            ),
            accept: match endpoint {
                Endpoint::Manifest => Some(MANIFEST_ACCEPT.to_string()),
                Endpoint::Referrers | Endpoint::ReferrersTag => Some(mt::INDEX.to_string()),
                Endpoint::Blob | Endpoint::Tags => None,
            },
            range_from: None,
            scope: self.scope.clone(),
        }
    }

    /// Send a request and note its response's headers in an exchange (the caller records it).
    fn exchange(
        &self,
        verb: Verb,
        endpoint: Endpoint,
        file: String,
        reference: &str,
    ) -> (Exchange, Result<Response, NetError>) {
        let method = match verb {
            Verb::Get => Method::Get,
            Verb::Head => Method::Head,
        };
        let mut e = Exchange::new(method, endpoint, file, reference.to_string());
        let r = self.client.send(&self.request(verb, endpoint, reference));
        match &r {
            Ok(resp) => {
                e.status = resp.status;
                e.content_type = resp.header("content-type").map(str::to_string);
                e.content_length = resp.content_length();
                e.digest_header = resp.header("docker-content-digest").map(str::to_string);
                e.warnings = resp.headers_all("warning").map(str::to_string).collect();
                if resp.status != 200 {
                    e.failure = Some(status_text(resp.status, resp.retries));
                }
            }
            Err(err) => e.failure = Some(err.message.clone()),
        }
        (e, r)
    }

    /// Read a body whole, but no more than `cap` bytes and within `--timeout`: `(bytes, longer)`.
    fn read_body(&self, resp: Response, cap: u64) -> io::Result<(Vec<u8>, bool)> {
        resp.read_whole(cap, self.client.timeout)
    }

    /// Keep a 4xx body for the error-format rule.
    fn keep_error_body(&self, e: &mut Exchange, resp: Response) {
        if (400..500).contains(&e.status)
            && let Ok((b, _)) = self.read_body(resp, MAX_ERROR_BODY)
            && !b.is_empty()
        {
            e.error_body = Some(b);
        }
    }

    /// The digest of a body read whole: with `Docker-Content-Digest`'s algorithm when this tool has it, else with
    /// that of `asked` (sha256 for a tag).
    fn body_digest(
        &self,
        header: Option<&str>,
        asked: Option<&Digest>,
        body: &[u8],
    ) -> Option<String> {
        let alg = header
            .and_then(Digest::parse)
            .and_then(|d| d.verifiable(self.spec))
            .or_else(|| asked.map_or(Some(Algorithm::Sha256), |d| d.verifiable(self.spec)))?;
        Some(alg.digest_of(body))
    }

    fn fetch_root(&self, opts: &Options) -> Result<RootDoc, OpenError> {
        let r = &self.reference;
        let reference = r.reference();
        let (mut e, resp) = self.exchange(Verb::Get, Endpoint::Manifest, String::new(), &reference);
        let resp = match resp {
            Ok(resp) => resp,
            Err(err) => {
                return Err(connect_error(&err, &r.registry.authority(), opts));
            }
        };
        if resp.status != 200 {
            let status = resp.status;
            let retries = resp.retries;
            self.keep_error_body(&mut e, resp);
            let code = e.error_body.as_deref().and_then(error_code);
            let why = match (status, code.as_deref()) {
                (401, _) => self.denied(status),
                (403, _) => format!(
                    "access denied: the registry refused to serve {} (403 Forbidden){}",
                    r.repository,
                    self.client
                        .credentials_from()
                        .map(|f| format!(" with the credentials from {f}"))
                        .unwrap_or_default()
                ),
                (404, Some("NAME_UNKNOWN")) => format!(
                    "repository not found: {} has no repository {} (404 NAME_UNKNOWN)",
                    r.registry.name, r.repository
                ),
                (404, _) if self.repository_unknown() => format!(
                    "repository not found: {} has no repository {} (its tag list answered 404 NAME_UNKNOWN)",
                    r.registry.name, r.repository
                ),
                (404, c) => format!(
                    "manifest not found: {} has no {} {reference} ({})",
                    r.repository,
                    if r.digest.is_some() {
                        "manifest"
                    } else {
                        "tag"
                    },
                    c.map_or("404".to_string(), |c| format!("404 {c}"))
                ),
                (s, _) => format!(
                    "the registry answered GET /v2/{}/manifests/{reference} with {}",
                    r.repository,
                    status_text(s, retries)
                ),
            };
            return Err(OpenError(why));
        }
        let content_type = resp.header("content-type").map(str::to_string);
        let (bytes, longer) = self.read_body(resp, self.max_json_size).map_err(|err| {
            OpenError(format!(
                "the manifest {reference} could not be read: {}",
                client::redact(&err.to_string())
            ))
        })?;
        let kind = root_kind(content_type.as_deref(), &bytes, opts)?;
        let header = e.digest_header.clone().and_then(|h| Digest::parse(&h));
        // The name the walk knows it by: the digest asked for, else the digest of what was served.
        let digest = match (&r.digest, longer) {
            (Some(d), _) => Some(d.clone()),
            (None, false) => Digest::parse(&Algorithm::Sha256.digest_of(&bytes)),
            (None, true) => header.clone(),
        };
        if !longer {
            e.body_digest = self.body_digest(e.digest_header.as_deref(), r.digest.as_ref(), &bytes);
            e.body_len = Some(bytes.len() as u64);
        }
        let name = digest
            .as_ref()
            .map_or_else(|| format!("manifests/{reference}"), Digest::blob_path);
        e.file = name.clone();
        self.record(e);
        Ok(RootDoc {
            name,
            kind,
            media_type: content_type,
            bytes,
            digest,
        })
    }

    /// Whether the repository itself is unknown (some registries answer a manifest in an unknown repository with
    /// MANIFEST_UNKNOWN): its tag list says NAME_UNKNOWN.
    fn repository_unknown(&self) -> bool {
        let req = Request {
            verb: Verb::Get,
            path: format!("/v2/{}/tags/list?n=1", self.reference.repository),
            accept: None,
            range_from: None,
            scope: self.scope.clone(),
        };
        match self.client.send(&req) {
            Ok(r) if r.status == 404 => self
                .read_body(r, MAX_ERROR_BODY)
                .ok()
                .and_then(|(b, _)| error_code(&b))
                .is_some_and(|c| c == "NAME_UNKNOWN"),
            _ => false,
        }
    }

    /// The message when access is denied (401 after answering the challenge).
    fn denied(&self, status: u16) -> String {
        let notes = if self.client.credential_notes().is_empty() {
            String::new()
        } else {
            format!(" ({})", self.client.credential_notes().join("; "))
        };
        match self.client.credentials_from() {
            Some(from) => format!(
                "access denied: the registry refused the credentials from {from} ({status}){notes}"
            ),
            None => format!(
                "access denied: the registry wants credentials ({status}) and none were found for {} in $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, $XDG_RUNTIME_DIR/containers/auth.json or ~/.docker/config.json{notes}",
                self.reference.registry.name
            ),
        }
    }

    /// Where a digest is served: a manifest (by the media type the descriptor gives, or because it is the root)
    /// at `/manifests/`, anything else at `/blobs/`.
    fn endpoint_of(&self, digest: &Digest, media_type: Option<&str>) -> Endpoint {
        if is_manifest_type(media_type) || self.root.digest.as_ref() == Some(digest) {
            Endpoint::Manifest
        } else {
            Endpoint::Blob
        }
    }

    fn failed(e: &Exchange) -> io::Error {
        io::Error::other(e.failure.clone().unwrap_or_else(|| "no response".into()))
    }
}

/// Connect to a registry (`GET /v2/`, authenticating as it asks); `repository` is the one credentials are looked
/// up for (podman's files may hold some per repository), empty for the registry's own.
pub fn connect(
    registry: &reference::Registry,
    repository: &str,
    opts: &Options,
) -> Result<Client, OpenError> {
    let settings = client::Settings {
        insecure: opts.remote.insecure,
        timeout: opts.remote.timeout,
        deadline: opts.run_deadline(),
        connections: opts.jobs,
        env: credentials::Env::from_process(),
    };
    Client::connect(registry, repository, &settings)
        .map_err(|e| connect_error(&e, &registry.authority(), opts))
}

/// The kind the root is walked as: from its `mediaType`, else its `Content-Type`, else its shape.
fn root_kind(
    content_type: Option<&str>,
    bytes: &[u8],
    opts: &Options,
) -> Result<DocKind, OpenError> {
    let parsed = crate::json::parse_limited(bytes, opts.max_json_values);
    let field = parsed
        .value
        .as_ref()
        .and_then(|v| v.get("mediaType"))
        .and_then(crate::json::Value::as_str)
        .map(str::to_string);
    // The document's own `mediaType` first (a Content-Type that disagrees with it is REG003's, and must not make
    // a manifest read as an index), then the Content-Type it was served with.
    let declared = field.filter(|f| is_manifest_type(Some(f))).or_else(|| {
        content_type
            .map(essence)
            .filter(|c| is_manifest_type(Some(c)))
            .map(str::to_string)
    });
    match declared.as_deref() {
        Some(mt::MANIFEST) => Ok(DocKind::Manifest),
        Some(mt::INDEX) => Ok(DocKind::Index),
        Some(m @ (mt::DOCKER_MANIFEST | mt::DOCKER_MANIFEST_LIST)) => {
            if opts.docker_compat() {
                Ok(if m == mt::DOCKER_MANIFEST {
                    DocKind::Manifest
                } else {
                    DocKind::Index
                })
            } else {
                Err(OpenError(format!(
                    "the reference names a Docker {} ({m}), which the OCI image spec does not define; --profile docker-compat validates it as its OCI equivalent",
                    if m == mt::DOCKER_MANIFEST {
                        "image manifest"
                    } else {
                        "manifest list"
                    }
                )))
            }
        }
        // Not a type this tool reads: an image index if it has `manifests`, else a manifest (whose rules then say
        // what is wrong with it).
        _ => Ok(
            if parsed
                .value
                .as_ref()
                .and_then(|v| v.get("manifests"))
                .is_some()
            {
                DocKind::Index
            } else {
                DocKind::Manifest
            },
        ),
    }
}

/// `503 Service Unavailable (after 3 retries)`.
fn status_text(status: u16, retries: u32) -> String {
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    if retries > 0 {
        format!("{status}{reason} (after {retries} retries)")
    } else {
        format!("{status}{reason}")
    }
}

/// The first `errors[].code` of a distribution error body.
pub fn error_code(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("errors")?
        .as_array()?
        .first()?
        .get("code")?
        .as_str()
        .map(str::to_string)
}

/// The sentence for a registry that could not be reached.
fn connect_error(e: &NetError, authority: &str, opts: &Options) -> OpenError {
    OpenError(match e.failure {
        Failure::Unreachable => format!("cannot reach the registry at {authority}: {}", e.message),
        Failure::Tls => format!(
            "TLS with {authority} failed: {}{}",
            e.message,
            if opts.remote.insecure {
                ""
            } else {
                " (--insecure skips certificate verification)"
            }
        ),
        Failure::Timeout => format!(
            "the registry at {authority} did not answer within {} s (--timeout): {}",
            opts.remote.timeout.as_secs(),
            e.message
        ),
        Failure::Denied => format!("access denied: {}", e.message),
        Failure::Redirects | Failure::Protocol => {
            format!("the registry at {authority}: {}", e.message)
        }
    })
}

impl BlobStore for RegistrySource {
    fn stat_blob(&self, digest: &Digest, media_type: Option<&str>) -> Option<BlobStat> {
        let endpoint = self.endpoint_of(digest, media_type);
        let (mut e, resp) = self.exchange(
            Verb::Head,
            endpoint,
            digest.blob_path(),
            &digest.to_string(),
        );
        let stat = match &resp {
            Ok(r) if r.status == 200 => {
                let size = r.content_length();
                if let (Some(s), Ok(mut m)) = (size, self.sizes.lock()) {
                    m.insert(digest.clone(), s);
                }
                Some(BlobStat {
                    kind: EntryKind::File,
                    size: size.unwrap_or(0),
                })
            }
            Ok(r) if r.status == 404 => None,
            // Something is wrong other than absence: the blob is taken to be there, so that its GET is tried and
            // the failure reported.
            _ => Some(BlobStat {
                kind: EntryKind::File,
                size: 0,
            }),
        };
        if e.status == 404 {
            // Absence is an answer, not a failure.
            e.failure = None;
        }
        if let Ok(r) = resp {
            self.keep_error_body(&mut e, r);
        }
        self.record(e);
        stat
    }

    fn open_blob(
        &self,
        digest: &Digest,
        media_type: Option<&str>,
    ) -> io::Result<Box<dyn Read + Send + '_>> {
        self.open_blob_sized(digest, media_type, None)
    }

    /// A GET body without `Content-Length` is cut past the size the HEAD answer gave, or else past the
    /// descriptors' `size`: a registry that sends bytes without end is not read without end.
    fn open_blob_sized(
        &self,
        digest: &Digest,
        media_type: Option<&str>,
        size: Option<u64>,
    ) -> io::Result<Box<dyn Read + Send + '_>> {
        let endpoint = self.endpoint_of(digest, media_type);
        let reference = digest.to_string();
        let (mut e, resp) = self.exchange(Verb::Get, endpoint, digest.blob_path(), &reference);
        match resp {
            Ok(r) if r.status == 200 => {
                self.record(e);
                let head = self.sizes.lock().ok().and_then(|m| m.get(digest).copied());
                let cap = match (head, size) {
                    (Some(h), _) => Some(reader::Cap::Head(h)),
                    (None, Some(s)) => Some(reader::Cap::Descriptor(s)),
                    (None, None) => None,
                };
                let req = self.request(Verb::Get, endpoint, &reference);
                Ok(Box::new(reader::BlobReader::new(&self.client, req, r, cap)))
            }
            Ok(r) => {
                self.keep_error_body(&mut e, r);
                let err = Self::failed(&e);
                self.record(e);
                Err(err)
            }
            Err(_) => {
                let err = Self::failed(&e);
                self.record(e);
                Err(err)
            }
        }
    }

    fn read_small(
        &self,
        digest: &Digest,
        media_type: Option<&str>,
        cap: u64,
    ) -> io::Result<Result<Vec<u8>, u64>> {
        if let Some(bytes) = self.shared.as_ref().and_then(|s| s.json(digest))
            && bytes.len() as u64 <= cap
        {
            return Ok(Ok(bytes.to_vec()));
        }
        let endpoint = self.endpoint_of(digest, media_type);
        let reference = digest.to_string();
        let (mut e, resp) = self.exchange(Verb::Get, endpoint, digest.blob_path(), &reference);
        let resp = match resp {
            Ok(r) if r.status == 200 => r,
            Ok(r) => {
                self.keep_error_body(&mut e, r);
                let err = Self::failed(&e);
                self.record(e);
                return Err(err);
            }
            Err(_) => {
                let err = Self::failed(&e);
                self.record(e);
                return Err(err);
            }
        };
        let announced = resp.content_length();
        let read = self.read_body(resp, cap);
        let result = match read {
            Ok((bytes, false)) => {
                e.body_digest = self.body_digest(e.digest_header.as_deref(), Some(digest), &bytes);
                e.body_len = Some(bytes.len() as u64);
                if let Some(s) = &self.shared
                    && digest
                        .verifiable(self.spec)
                        .is_some_and(|a| a.digest_of(&bytes) == digest.to_string())
                {
                    s.keep_json(digest, &bytes);
                }
                Ok(Ok(bytes))
            }
            Ok((_, true)) => Ok(Err(announced.unwrap_or(cap + 1).max(cap + 1))),
            Err(err) => {
                let msg = format!(
                    "the body could not be read: {}",
                    client::redact(&err.to_string())
                );
                e.failure = Some(msg.clone());
                Err(io::Error::other(msg))
            }
        };
        self.record(e);
        result
    }
}

impl Source for RegistrySource {
    fn tree(&self) -> Option<&dyn FileTree> {
        None
    }

    fn root(&self) -> Option<RootDoc> {
        Some(self.root.clone())
    }

    fn fast_by_stat(&self) -> bool {
        self.fast
    }

    /// `blobs/sha256/<hex>` → `docker://registry/repo@sha256:<hex>` (with a `#pointer` kept), and a referrers list
    /// by its API URL.
    fn display_path<'p>(&self, path: &'p str) -> Cow<'p, str> {
        let (file, pointer) = match path.split_once('#') {
            Some((f, p)) => (f, Some(p)),
            None => (path, None),
        };
        let shown = if let Some(rest) = file.strip_prefix("blobs/") {
            match rest.split_once('/') {
                Some((alg, enc)) => format!("{}@{alg}:{enc}", self.reference.repository_url()),
                None => return Cow::Borrowed(path),
            }
        } else if let Some(rest) = file.strip_prefix("referrers/") {
            match rest.split_once('/') {
                Some((alg, enc)) => format!(
                    "{}/v2/{}/referrers/{alg}:{enc}",
                    self.client.base(),
                    self.reference.repository
                ),
                None => return Cow::Borrowed(path),
            }
        } else if file == TAGS_FILE {
            format!(
                "{}/v2/{}/tags/list",
                self.client.base(),
                self.reference.repository
            )
        } else if let Some(tag) = file.strip_prefix("manifests/") {
            format!("{}:{tag}", self.reference.repository_url())
        } else {
            return Cow::Borrowed(path);
        };
        Cow::Owned(match pointer {
            Some(p) => format!("{shown}#{p}"),
            None => shown,
        })
    }

    /// The Referrers API's list for `subject`; where the registry has no such API (404), the index tagged
    /// `<alg>-<hex>` (the referrers tag schema), if there is one.
    fn referrers(&self, subject: &Digest) -> Option<RootDoc> {
        let reference = subject.to_string();
        let file = format!("referrers/{}/{}", subject.algorithm(), subject.encoded());
        let (mut e, resp) = self.exchange(Verb::Get, Endpoint::Referrers, file.clone(), &reference);
        match resp {
            Ok(r) if r.status == 200 => {
                let media_type = r.header("content-type").map(str::to_string);
                let read = self.read_body(r, self.max_json_size);
                let doc = match read {
                    Ok((bytes, _)) => {
                        e.body_len = Some(bytes.len() as u64);
                        Some(RootDoc {
                            name: file,
                            kind: DocKind::Index,
                            media_type,
                            bytes,
                            digest: None,
                        })
                    }
                    Err(err) => {
                        e.failure = Some(format!("the body could not be read: {err}"));
                        None
                    }
                };
                self.record(e);
                doc
            }
            Ok(r) if r.status == 404 => {
                e.failure = None;
                self.keep_error_body(&mut e, r);
                self.record(e);
                self.referrers_tag(subject)
            }
            Ok(r) => {
                self.keep_error_body(&mut e, r);
                self.record(e);
                None
            }
            Err(_) => {
                self.record(e);
                None
            }
        }
    }
}

impl RegistrySource {
    /// The referrers tag schema: the index tagged `<alg>-<encoded>` (truncated to a tag's 128 characters).
    fn referrers_tag(&self, subject: &Digest) -> Option<RootDoc> {
        let mut tag = format!("{}-{}", subject.algorithm(), subject.encoded());
        tag.truncate(128);
        let (mut e, resp) = self.exchange(Verb::Get, Endpoint::ReferrersTag, String::new(), &tag);
        let resp = match resp {
            Ok(r) if r.status == 200 => r,
            Ok(r) => {
                if r.status == 404 {
                    // No referrers: nothing was tagged.
                    e.failure = None;
                }
                self.keep_error_body(&mut e, r);
                self.record(e);
                return None;
            }
            Err(_) => {
                self.record(e);
                return None;
            }
        };
        let media_type = resp.header("content-type").map(str::to_string);
        let (bytes, longer) = match self.read_body(resp, self.max_json_size) {
            Ok(b) => b,
            Err(err) => {
                e.failure = Some(format!("the body could not be read: {err}"));
                self.record(e);
                return None;
            }
        };
        let digest = if longer {
            e.digest_header.as_deref().and_then(Digest::parse)
        } else {
            e.body_digest = self.body_digest(e.digest_header.as_deref(), None, &bytes);
            e.body_len = Some(bytes.len() as u64);
            Digest::parse(&Algorithm::Sha256.digest_of(&bytes))
        };
        let name = digest
            .as_ref()
            .map_or_else(|| format!("manifests/{tag}"), Digest::blob_path);
        e.file = name.clone();
        self.record(e);
        Some(RootDoc {
            name,
            kind: DocKind::Index,
            media_type,
            bytes,
            digest,
        })
    }
}
