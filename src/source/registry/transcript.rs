//! What a registry answered: one record per response that carried (or should have carried) content, kept for the
//! `REG` rules, which compare the headers with what the walk computed from the bodies.

/// The request's method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
        }
    }
}

/// Which endpoint of the distribution API was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/v2/<name>/manifests/<reference>`.
    Manifest,
    /// `/v2/<name>/blobs/<digest>`.
    Blob,
    /// `/v2/<name>/referrers/<digest>`.
    Referrers,
    /// `/v2/<name>/manifests/<alg>-<hex>`: the referrers tag schema's index.
    ReferrersTag,
    /// `/v2/<name>/tags/list`: a repository's tags (a catalogue run lists them).
    Tags,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Manifest | Endpoint::ReferrersTag => "manifests",
            Endpoint::Blob => "blobs",
            Endpoint::Referrers => "referrers",
            Endpoint::Tags => "tags",
        }
    }
}

/// One response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub method: Method,
    pub endpoint: Endpoint,
    /// The walk's name of what was asked for: `blobs/<alg>/<encoded>` (a manifest or blob, by its digest, or a
    /// manifest fetched by tag, by the digest of what was served), or `referrers/<alg>/<encoded>` (the list of
    /// referrers of that digest).
    pub file: String,
    /// What the URL named: a digest or a tag.
    pub reference: String,
    /// The status after redirects were followed (0: no response at all, see `failure`).
    pub status: u16,
    pub content_type: Option<String>,
    pub content_length: Option<u64>,
    /// `Docker-Content-Digest`, as sent.
    pub digest_header: Option<String>,
    /// The digest of the body, when the source read it whole (manifests, referrers lists): computed with the
    /// algorithm of `digest_header` when this tool implements it, else with that of the digest asked for.
    pub body_digest: Option<String>,
    /// The bytes of the body, when the source read it whole.
    pub body_len: Option<u64>,
    /// The values of the `Warning` headers.
    pub warnings: Vec<String>,
    /// A 4xx response's body (its first 64 KiB), for the error format.
    pub error_body: Option<Vec<u8>>,
    /// Why the content could not be had from this response, when it could not (a status, a cut body).
    pub failure: Option<String>,
    /// What is wrong with a tag list's answer (its body's shape, its `Link` header), with the clause each breaks
    /// (REG013).
    pub shape: Vec<(&'static str, String)>,
}

impl Exchange {
    pub fn new(method: Method, endpoint: Endpoint, file: String, reference: String) -> Exchange {
        Exchange {
            method,
            endpoint,
            file,
            reference,
            status: 0,
            content_type: None,
            content_length: None,
            digest_header: None,
            body_digest: None,
            body_len: None,
            warnings: Vec::new(),
            error_body: None,
            failure: None,
            shape: Vec::new(),
        }
    }

    /// `GET /v2/<name>/manifests/<reference>`, for messages.
    pub fn request_line(&self, repository: &str) -> String {
        format!(
            "{} /v2/{repository}/{}/{}",
            self.method.as_str(),
            self.endpoint.path(),
            self.reference
        )
    }
}

/// Everything a registry answered in one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Served {
    /// `docker://registry/repository`.
    pub repository_url: String,
    /// The repository name, as in the API's paths.
    pub repository: String,
    pub exchanges: Vec<Exchange>,
}

impl Served {
    /// The responses about one of the walk's files, in the order they came.
    pub fn of<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a Exchange> + 'a {
        self.exchanges.iter().filter(move |e| e.file == file)
    }
}
