//! A blocking HTTP client for one registry's distribution API (ureq 3, rustls with the system's roots).
//!
//! One [`Client`] per registry host, shared by the threads that verify blobs (the agent pools its connections;
//! `--jobs` threads make at most `--jobs` requests at once). It knows nothing of manifests: it sends a request for
//! a path and a scope, and gives the response back after
//! - **redirects**, followed by hand (up to [`MAX_REDIRECTS`]): `Authorization` goes only to the registry's own
//!   scheme, host and port, never to a storage host a blob is redirected to, and never over plain HTTP unless the
//!   target is a loopback address or `--insecure` was given;
//! - **authentication**: on a `401` it answers the challenge once per request (HTTP Basic with the credentials
//!   found, or the Bearer token flow at the challenge's realm), and keeps the token for the scope;
//! - **retries**: up to [`MAX_ATTEMPTS`] attempts on `429`, `5xx` and broken connections, with exponential
//!   backoff (or `Retry-After`, up to [`MAX_WAIT`]), never past the run's `--max-time`.
//!
//! The scope is the caller's (`repository:<name>:pull`; the catalogue would be `registry:catalog:*`), so the same
//! client serves any repository of the registry.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::http::{self, HeaderMap};

use super::auth::{self, Challenge};
use super::credentials::{self, Credentials, Secret};
use super::reference::{Registry, is_loopback_host};

/// Attempts of one request, the first included.
pub const MAX_ATTEMPTS: u32 = 4;
/// Redirects followed for one request.
pub const MAX_REDIRECTS: u32 = 5;
/// The longest wait before a retry.
pub const MAX_WAIT: Duration = Duration::from_secs(10);
/// The first wait before a retry; doubled each time.
const FIRST_WAIT: Duration = Duration::from_millis(250);
/// Bytes of a token service's answer that are read.
const MAX_TOKEN_BODY: u64 = 1 << 20;
const USER_AGENT: &str = concat!("ocicheck/", env!("CARGO_PKG_VERSION"));

/// Why a request got no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No connection (refused, reset, no such host, cut mid-response).
    Unreachable,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// No answer within `--timeout`.
    Timeout,
    /// More than [`MAX_REDIRECTS`] redirects, or one that is not allowed.
    Redirects,
    /// The credentials (or their absence) were refused by the token service.
    Denied,
    /// An answer that is not HTTP, or not what the protocol allows.
    Protocol,
}

/// A request without a response: what went wrong, in a sentence free of credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetError {
    pub failure: Failure,
    pub message: String,
    /// Worth another attempt (a reset connection, a refused one).
    pub transient: bool,
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl NetError {
    fn new(failure: Failure, message: impl Into<String>) -> NetError {
        NetError {
            failure,
            message: message.into(),
            transient: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Head,
}

/// A request to the registry: a path below its root, what is accepted, and the scope a token must have.
#[derive(Debug, Clone)]
pub struct Request {
    pub verb: Verb,
    /// `/v2/<name>/blobs/<digest>`.
    pub path: String,
    pub accept: Option<String>,
    /// `Range: bytes=<from>-` (to resume a body).
    pub range_from: Option<u64>,
    /// `repository:<name>:pull`.
    pub scope: String,
}

/// A response (after redirects and authentication): its status, headers and unread body.
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: ureq::Body,
    /// Retries it took.
    pub retries: u32,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn headers_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .get_all(name)
            .into_iter()
            .filter_map(|v| v.to_str().ok())
    }

    /// `Content-Length`, when it is a number.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")
            .and_then(|v| v.trim().parse().ok())
    }

    /// Read the body whole, but no more than `cap` bytes, and all of it within `within` (a body that trickles
    /// in is given up at most one read timeout past it): `(bytes, longer)`.
    pub fn read_whole(self, cap: u64, within: Duration) -> std::io::Result<(Vec<u8>, bool)> {
        read_whole(self.body, cap, within)
    }
}

/// [`Response::read_whole`] for any body.
fn read_whole(body: ureq::Body, cap: u64, within: Duration) -> std::io::Result<(Vec<u8>, bool)> {
    use std::io::Read;
    let until = Instant::now().checked_add(within);
    let mut reader = body.into_reader().take(cap.saturating_add(1));
    let mut bytes = Vec::new();
    let mut buf = [0u8; 16 << 10];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        bytes.extend_from_slice(&buf[..n]);
        if until.is_some_and(|u| Instant::now() > u) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "the body did not arrive whole within {} s (--timeout; {} bytes came)",
                    within.as_secs_f32(),
                    bytes.len()
                ),
            ));
        }
    }
    let longer = bytes.len() as u64 > cap;
    Ok((bytes, longer))
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

#[derive(Default)]
struct AuthState {
    challenge: Option<Challenge>,
    /// Bearer tokens by scope.
    tokens: HashMap<String, String>,
}

/// The client of one registry.
pub struct Client {
    pub registry: Registry,
    /// `https://host:port` or, for loopback and `--insecure`, possibly `http://host:port`.
    base: String,
    direct: ureq::Agent,
    proxied: Option<ureq::Agent>,
    insecure: bool,
    /// `--timeout`: also the time a whole document (a manifest, a token, an error body) may take to arrive.
    pub timeout: Duration,
    deadline: Option<Instant>,
    /// Where credentials are looked for, and what was found: looked up on the first `401` only (a registry that
    /// serves anonymously never has a credential file read or a helper run for it).
    env: credentials::Env,
    repository: String,
    found: std::sync::OnceLock<(Option<Credentials>, Vec<String>)>,
    auth: Mutex<AuthState>,
}

/// How a client connects.
#[derive(Debug, Clone)]
pub struct Settings {
    pub insecure: bool,
    pub timeout: Duration,
    /// The run's `--max-time`: no retry waits past it.
    pub deadline: Option<Instant>,
    /// Connections kept per host (the number of verification threads).
    pub connections: usize,
    pub env: credentials::Env,
}

impl Client {
    /// Find the registry's API (`GET /v2/`): over HTTPS, or over plain HTTP for a loopback registry (or any with
    /// `--insecure`) that does not speak TLS. Credentials are looked up here; they are used only when asked for.
    pub fn connect(
        registry: &Registry,
        repository: &str,
        settings: &Settings,
    ) -> Result<Client, NetError> {
        let agent = |proxy: Option<ureq::Proxy>| {
            let tls = ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .disable_verification(settings.insecure)
                .build();
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .proxy(proxy)
                .tls_config(tls)
                .user_agent(USER_AGENT)
                .timeout_connect(Some(settings.timeout))
                .timeout_recv_response(Some(settings.timeout))
                .timeout_per_read(Some(settings.timeout))
                .timeout_send_request(Some(settings.timeout))
                .max_idle_connections_per_host(settings.connections.max(1))
                .build()
                .new_agent()
        };
        let mut client = Client {
            registry: registry.clone(),
            base: format!("https://{}", registry.authority()),
            direct: agent(None),
            proxied: ureq::Proxy::try_from_env().map(|p| agent(Some(p))),
            insecure: settings.insecure,
            timeout: settings.timeout,
            deadline: settings.deadline,
            env: settings.env.clone(),
            repository: repository.to_string(),
            found: std::sync::OnceLock::new(),
            auth: Mutex::new(AuthState::default()),
        };
        let ping = |c: &Client| {
            c.send(&Request {
                verb: Verb::Get,
                path: "/v2/".into(),
                accept: None,
                range_from: None,
                scope: format!("repository:{repository}:pull"),
            })
        };
        // A loopback registry is tried over plain HTTP first (a local test registry seldom has a certificate, and
        // nothing leaves the machine); any other over HTTPS, then, with --insecure only, over plain HTTP.
        let (first, second) = if registry.is_loopback() {
            ("http", Some("https"))
        } else if settings.insecure {
            ("https", Some("http"))
        } else {
            ("https", None)
        };
        client.base = format!("{first}://{}", registry.authority());
        let resp = match (ping(&client), second) {
            (Ok(r), _) => r,
            (Err(e), Some(other)) if e.failure != Failure::Denied => {
                client.base = format!("{other}://{}", registry.authority());
                ping(&client).map_err(|o| {
                    let (https, http) = if first == "https" { (&e, &o) } else { (&o, &e) };
                    // The more telling of the two: a TLS failure says something is there, speaking TLS; else a
                    // plain HTTP connection that was refused says nothing is there at all.
                    let which =
                        if https.failure == Failure::Tls || http.failure != Failure::Unreachable {
                            https
                        } else {
                            http
                        };
                    NetError::new(
                        which.failure,
                        format!("over HTTPS: {}; over HTTP: {}", https.message, http.message),
                    )
                })?
            }
            (Err(e), _) => return Err(e),
        };
        match resp.status {
            200..=299 | 401 | 403 => Ok(client),
            404 => Err(NetError::new(
                Failure::Protocol,
                format!(
                    "{} does not serve the registry API (GET /v2/ answered 404)",
                    registry.authority()
                ),
            )),
            s => Err(NetError::new(
                Failure::Protocol,
                format!("GET /v2/ answered {s}"),
            )),
        }
    }

    /// `https://host:port`, or `http://…`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The credentials for the registry, looked up once.
    fn credentials(&self) -> Option<&Credentials> {
        self.found
            .get_or_init(|| credentials::find(&self.registry, &self.repository, &self.env))
            .0
            .as_ref()
    }

    /// Whether credentials were found, and where (for messages; never the secret). `None` also when none were
    /// needed, so none were looked for.
    pub fn credentials_from(&self) -> Option<&str> {
        self.found
            .get()
            .and_then(|f| f.0.as_ref())
            .map(|c| c.from.as_str())
    }

    /// Why credential files could not be used (for the message when access is denied).
    pub fn credential_notes(&self) -> &[String] {
        self.found.get().map_or(&[], |f| &f.1)
    }

    /// Send a request: redirects, one round of authentication, and retries on 429, 5xx and broken connections.
    pub fn send(&self, req: &Request) -> Result<Response, NetError> {
        let mut attempt = 0;
        loop {
            let r = self.send_once(req);
            let wait = match &r {
                Ok(resp) if resp.status == 429 || (500..600).contains(&resp.status) => {
                    Some(retry_after(resp.header("retry-after")).unwrap_or(backoff(attempt)))
                }
                Err(e) if e.transient => Some(backoff(attempt)),
                _ => None,
            };
            match wait {
                Some(w) if attempt + 1 < MAX_ATTEMPTS && self.can_wait(w) => {
                    std::thread::sleep(w);
                    attempt += 1;
                }
                _ => {
                    return r.map(|mut resp| {
                        resp.retries = attempt;
                        resp
                    });
                }
            }
        }
    }

    /// Whether waiting `w` ends before the run's deadline.
    pub fn can_wait(&self, w: Duration) -> bool {
        self.deadline
            .is_none_or(|d| Instant::now().checked_add(w).is_some_and(|t| t < d))
    }

    fn send_once(&self, req: &Request) -> Result<Response, NetError> {
        let mut url = format!("{}{}", self.base, req.path);
        let mut authenticated = false;
        let mut hops = 0;
        loop {
            let own = self.is_own(&url);
            let mut headers: Vec<(&str, String)> = Vec::new();
            if let Some(a) = &req.accept {
                headers.push(("Accept", a.clone()));
            }
            if let Some(from) = req.range_from {
                headers.push(("Range", format!("bytes={from}-")));
            }
            if own && let Some(a) = self.authorization(&req.scope) {
                headers.push(("Authorization", a));
            }
            let resp = self.call(req.verb, &url, &headers, None)?;
            let status = resp.status().as_u16();
            if status == 401 && own && !authenticated {
                authenticated = true;
                if self.authenticate(resp.headers(), &req.scope)? {
                    continue;
                }
            }
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                hops += 1;
                let Some(location) = header(resp.headers(), "location") else {
                    return Err(NetError::new(
                        Failure::Protocol,
                        format!("a {status} redirect without a Location"),
                    ));
                };
                if hops > MAX_REDIRECTS {
                    return Err(NetError::new(
                        Failure::Redirects,
                        format!("more than {MAX_REDIRECTS} redirects (a redirect loop?)"),
                    ));
                }
                let next = resolve(&url, location).ok_or_else(|| {
                    NetError::new(
                        Failure::Protocol,
                        format!("a redirect to `{}`, which is not a URL", redact(location)),
                    )
                })?;
                self.allowed(&next)?;
                url = next;
                continue;
            }
            let (parts, body) = resp.into_parts();
            return Ok(Response {
                status,
                headers: parts.headers,
                body,
                retries: 0,
            });
        }
    }

    /// Plain HTTP only to loopback addresses, or with `--insecure`.
    fn allowed(&self, url: &str) -> Result<(), NetError> {
        let Some((scheme, host, _)) = origin(url) else {
            return Err(NetError::new(Failure::Protocol, "not an http(s) URL"));
        };
        if scheme == "http" && !self.insecure && !is_loopback_host(&host) {
            return Err(NetError::new(
                Failure::Redirects,
                format!(
                    "sent to plain HTTP at {host}, which is not a loopback address (--insecure allows it)"
                ),
            ));
        }
        Ok(())
    }

    /// Whether a URL is the registry's own origin (scheme, host and port): the only one credentials go to.
    fn is_own(&self, url: &str) -> bool {
        origin(url).is_some() && origin(url) == origin(&self.base)
    }

    fn call(
        &self,
        verb: Verb,
        url: &str,
        headers: &[(&str, String)],
        form: Option<String>,
    ) -> Result<http::Response<ureq::Body>, NetError> {
        let agent = match (&self.proxied, origin(url)) {
            (Some(p), Some((_, host, _))) if !is_loopback_host(&host) => p,
            _ => &self.direct,
        };
        // No request outlives the run's deadline (`--max-time`): ureq's global timeout bounds the whole call,
        // the body's reads included, besides `--timeout`'s per phase and per read.
        let left = self.deadline.map(|d| {
            d.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        });
        let result = if let Some(body) = form {
            let mut rb = agent.post(url).config().timeout_global(left).build();
            for (k, v) in headers {
                rb = rb.header(*k, v.as_str());
            }
            rb.header("Content-Type", "application/x-www-form-urlencoded")
                .send(body)
        } else {
            match verb {
                Verb::Get => {
                    let mut rb = agent.get(url).config().timeout_global(left).build();
                    for (k, v) in headers {
                        rb = rb.header(*k, v.as_str());
                    }
                    rb.call()
                }
                Verb::Head => {
                    let mut rb = agent.head(url).config().timeout_global(left).build();
                    for (k, v) in headers {
                        rb = rb.header(*k, v.as_str());
                    }
                    rb.call()
                }
            }
        };
        result.map_err(|e| classify(&e, url.starts_with("https:")))
    }

    /// The `Authorization` for the registry's own host, if one is known for the scope.
    fn authorization(&self, scope: &str) -> Option<String> {
        let st = self.auth.lock().ok()?;
        match &st.challenge {
            Some(Challenge::Basic) => match self.credentials().map(|c| &c.secret) {
                Some(Secret::Basic { username, password }) => Some(basic(username, password)),
                _ => None,
            },
            Some(Challenge::Bearer { .. }) => st.tokens.get(scope).map(|t| format!("Bearer {t}")),
            None => None,
        }
    }

    /// Answer a 401: `Ok(true)` when there is something new to try (Basic credentials, a fresh token).
    fn authenticate(&self, headers: &HeaderMap, scope: &str) -> Result<bool, NetError> {
        let values = headers
            .get_all("www-authenticate")
            .into_iter()
            .filter_map(|v| v.to_str().ok());
        let Some(challenge) = auth::parse_challenges(values) else {
            return Ok(false);
        };
        let token = match &challenge {
            Challenge::Basic => {
                let has = matches!(
                    self.credentials().map(|c| &c.secret),
                    Some(Secret::Basic { .. })
                );
                if let Ok(mut st) = self.auth.lock() {
                    let repeat = st.challenge == Some(Challenge::Basic);
                    st.challenge = Some(Challenge::Basic);
                    return Ok(has && !repeat);
                }
                return Ok(false);
            }
            Challenge::Bearer {
                realm,
                service,
                scope: asked,
            } => self.fetch_token(realm, service.as_deref(), asked.as_deref().unwrap_or(scope))?,
        };
        if let Ok(mut st) = self.auth.lock() {
            st.challenge = Some(challenge);
            st.tokens.insert(scope.to_string(), token);
        }
        Ok(true)
    }

    /// The token flow: `GET realm?service=…&scope=…` (with Basic credentials when there are), or, with an identity
    /// token, OAuth2's refresh-token grant (`POST realm`).
    fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<String, NetError> {
        if origin(realm).is_none() {
            return Err(NetError::new(
                Failure::Protocol,
                format!("the token realm `{}` is not an http(s) URL", redact(realm)),
            ));
        }
        self.allowed(realm)?;
        let secret = self.credentials().map(|c| &c.secret);
        let resp = match secret {
            Some(Secret::IdentityToken(t)) => {
                let mut form = format!(
                    "grant_type=refresh_token&client_id=ocicheck&refresh_token={}&scope={}",
                    auth::urlencode(t),
                    auth::urlencode(scope)
                );
                if let Some(s) = service {
                    form.push_str(&format!("&service={}", auth::urlencode(s)));
                }
                self.call(Verb::Get, realm, &[], Some(form))?
            }
            _ => {
                let mut url = realm.to_string();
                url.push(if url.contains('?') { '&' } else { '?' });
                if let Some(s) = service {
                    url.push_str(&format!("service={}&", auth::urlencode(s)));
                }
                url.push_str(&format!("scope={}", auth::urlencode(scope)));
                let mut headers = Vec::new();
                if let Some(Secret::Basic { username, password }) = secret {
                    headers.push(("Authorization", basic(username, password)));
                }
                self.call(Verb::Get, &url, &headers, None)?
            }
        };
        let status = resp.status().as_u16();
        if matches!(status, 401 | 403) {
            return Err(NetError::new(
                Failure::Denied,
                match self.credentials() {
                    Some(c) => format!(
                        "the token service refused the credentials from {} ({status})",
                        c.from
                    ),
                    None => format!(
                        "the token service refused anonymous access ({status}); no credentials were found for {}",
                        self.registry.name
                    ),
                },
            ));
        }
        if status != 200 {
            return Err(NetError::new(
                Failure::Protocol,
                format!("the token service answered {status}"),
            ));
        }
        let (body, _) = read_whole(resp.into_body(), MAX_TOKEN_BODY, self.timeout)
            .map_err(|e| NetError::new(Failure::Unreachable, format!("the token service: {e}")))?;
        auth::token_of(&body).ok_or_else(|| {
            NetError::new(
                Failure::Protocol,
                "the token service's answer holds no token",
            )
        })
    }
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        credentials::base64_encode(format!("{user}:{password}").as_bytes())
    )
}

/// The wait before retry `attempt` (0-based): 250 ms, 500 ms, 1 s …
fn backoff(attempt: u32) -> Duration {
    FIRST_WAIT.saturating_mul(1 << attempt.min(8)).min(MAX_WAIT)
}

/// `Retry-After` in seconds (the HTTP-date form is not used by registries), at most [`MAX_WAIT`].
fn retry_after(v: Option<&str>) -> Option<Duration> {
    v.and_then(|s| s.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s).min(MAX_WAIT))
}

/// Scheme, host (lower case, without brackets) and port (the scheme's default if none) of an http(s) URL.
pub fn origin(url: &str) -> Option<(String, String, u16)> {
    let uri: http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let host = uri
        .host()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    Some((scheme, host, uri.port_u16().unwrap_or(default)))
}

/// A `Location` against the URL it came from: absolute, scheme-relative, absolute-path or relative.
pub fn resolve(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.is_empty() || location.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return None;
    }
    if origin(location).is_some() {
        return Some(location.to_string());
    }
    let uri: http::Uri = base.parse().ok()?;
    let scheme = uri.scheme_str()?;
    let authority = uri.authority()?.as_str();
    let joined = if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let path = uri.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("{scheme}://{authority}{dir}{location}")
    };
    origin(&joined).map(|_| joined)
}

/// A URL without its query (signed storage URLs carry credentials there), for messages.
pub fn redact(url: &str) -> String {
    match url.split_once('?') {
        Some((u, _)) => format!("{u}?…"),
        None => url.to_string(),
    }
}

/// What a transport error means, in words free of URLs' queries and of credentials. Over HTTPS, an I/O error of
/// kind `InvalidData` is what rustls reports a failed handshake (a certificate, a protocol) as.
fn classify(e: &ureq::Error, tls: bool) -> NetError {
    use std::io::ErrorKind as K;
    let text = redact(&e.to_string());
    match e {
        ureq::Error::Io(io) => {
            let transient = matches!(
                io.kind(),
                K::ConnectionReset
                    | K::ConnectionAborted
                    | K::UnexpectedEof
                    | K::BrokenPipe
                    | K::NotConnected
            );
            let failure = if io.kind() == K::TimedOut {
                Failure::Timeout
            } else if tls && io.kind() == K::InvalidData {
                Failure::Tls
            } else {
                Failure::Unreachable
            };
            NetError {
                failure,
                message: text,
                transient,
            }
        }
        ureq::Error::Timeout(_) => NetError::new(Failure::Timeout, text),
        ureq::Error::HostNotFound => NetError::new(Failure::Unreachable, "no such host"),
        ureq::Error::ConnectionFailed => NetError {
            failure: Failure::Unreachable,
            message: text,
            transient: true,
        },
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => {
            NetError::new(Failure::Tls, text)
        }
        ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => {
            NetError::new(Failure::Redirects, text)
        }
        _ => NetError::new(Failure::Protocol, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_redirect_targets() {
        assert_eq!(
            origin("https://Example.COM/v2/"),
            Some(("https".into(), "example.com".into(), 443))
        );
        assert_eq!(
            origin("http://[::1]:5000/x"),
            Some(("http".into(), "::1".into(), 5000))
        );
        assert_eq!(origin("ftp://x/y"), None);
        let base = "https://reg.example:5000/v2/a/blobs/sha256:x";
        assert_eq!(
            resolve(base, "https://s3.example/bucket/o?sig=1").as_deref(),
            Some("https://s3.example/bucket/o?sig=1")
        );
        assert_eq!(
            resolve(base, "/v2/a/blobs/y").as_deref(),
            Some("https://reg.example:5000/v2/a/blobs/y")
        );
        assert_eq!(
            resolve(base, "other").as_deref(),
            Some("https://reg.example:5000/v2/a/blobs/other")
        );
        assert_eq!(
            resolve(base, "//cdn.example/z").as_deref(),
            Some("https://cdn.example/z")
        );
        assert_eq!(resolve(base, "bad\nurl"), None);
        assert_eq!(
            redact("https://s3/o?X-Amz-Signature=secret"),
            "https://s3/o?…"
        );
    }

    #[test]
    fn waits() {
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(30), MAX_WAIT);
        assert_eq!(retry_after(Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(Some("9999")), Some(MAX_WAIT));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
    }
}
