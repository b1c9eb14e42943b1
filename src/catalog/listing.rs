//! The paginated lists of a registry: the catalogue (`GET /v2/_catalog`) and a repository's tags (`GET
//! /v2/<name>/tags/list`), page by page as the `Link: <…>; rel="next"` header leads (with `n` when
//! `--page-size` asks for it).
//!
//! The catalogue is not part of the distribution spec (distribution, Harbor, GitLab, Zot serve it as the
//! Docker registry API v2 defined it), so nothing about its answer is a finding: a catalogue that cannot be read
//! whole stops the run (exit 2). A tag list is specified (listing-tags): what is wrong with its answer is recorded
//! in its [`Exchange`] for REG007 (not served) and REG013 (its shape), and the run goes on.

use std::collections::HashSet;

use serde_json::Value;

use crate::source::registry::client::{self, Client, Request, Verb};
use crate::source::registry::{Endpoint, Exchange, Method, TAGS_FILE};

/// Bytes of one page's body read at most.
pub const MAX_PAGE: u64 = 16 << 20;
/// Pages followed at most (a registry whose `Link` never ends stops here).
pub const MAX_PAGES: usize = 1 << 20;

/// The `rel="next"` target of a `Link` header: `Ok(None)` when there is none, `Err` when the header is not
/// `<URI-reference>; param…` (RFC 8288, which obsoletes the RFC 5988 the spec names).
pub fn next_link(header: &str) -> Result<Option<String>, String> {
    let mut rest = header.trim();
    while !rest.is_empty() {
        let Some(after) = rest.strip_prefix('<') else {
            return Err(format!("`{header}` is not <URL>; rel=\"next\""));
        };
        let Some((url, params)) = after.split_once('>') else {
            return Err(format!("`{header}`: an unclosed <"));
        };
        // The parameters run to the next link (`, <`) or the end.
        let (params, next) = match params.find(",") {
            Some(i) => (&params[..i], params[i + 1..].trim_start()),
            None => (params, ""),
        };
        let is_next = params.split(';').any(|p| {
            let Some((k, v)) = p.split_once('=') else {
                return false;
            };
            k.trim().eq_ignore_ascii_case("rel")
                && v.trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Ok(Some(url.trim().to_string()));
        }
        rest = next;
    }
    Ok(None)
}

/// `path?query` of a `Link` target on the registry's own origin, for the next request.
fn own_path(client: &Client, current: &str, target: &str) -> Result<String, String> {
    let here = format!("{}{current}", client.base());
    let url = client::resolve(&here, target)
        .ok_or_else(|| format!("the Link target `{}` is not a URL", client::redact(target)))?;
    if client::origin(&url) != client::origin(client.base()) {
        return Err(format!(
            "the Link target {} is not on the registry ({})",
            client::redact(&url),
            client.base()
        ));
    }
    let Some(path) = url
        .find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| url[i + 3 + j..].to_string()))
    else {
        return Err(format!(
            "the Link target {} has no path",
            client::redact(&url)
        ));
    };
    Ok(path)
}

fn first_path(base: &str, page_size: Option<u32>) -> String {
    match page_size {
        Some(n) => format!("{base}?n={n}"),
        None => base.to_string(),
    }
}

/// A page's response read: status, body (within [`MAX_PAGE`]), `Link`.
struct Answer {
    status: u16,
    retries: u32,
    body: Result<Vec<u8>, String>,
    link: Option<String>,
}

fn ask(client: &Client, path: &str, scope: &str) -> Result<Answer, client::NetError> {
    let resp = client.send(&Request {
        verb: Verb::Get,
        path: path.to_string(),
        accept: Some("application/json".into()),
        range_from: None,
        scope: scope.to_string(),
    })?;
    let status = resp.status;
    let retries = resp.retries;
    let link = resp.header("link").map(str::to_string);
    let body = match resp.read_whole(MAX_PAGE, client.timeout) {
        Ok((b, false)) => Ok(b),
        Ok((_, true)) => Err(format!("its body is over {} MiB", MAX_PAGE >> 20)),
        Err(e) => Err(format!(
            "its body could not be read: {}",
            client::redact(&e.to_string())
        )),
    };
    Ok(Answer {
        status,
        retries,
        body,
        link,
    })
}

/// The catalogue, page by page.
pub struct Catalogue<'c> {
    client: &'c Client,
    next: Option<String>,
    seen: HashSet<String>,
    pub pages: usize,
}

impl<'c> Catalogue<'c> {
    pub fn new(client: &'c Client, page_size: Option<u32>) -> Catalogue<'c> {
        Catalogue {
            client,
            next: Some(first_path("/v2/_catalog", page_size)),
            seen: HashSet::new(),
            pages: 0,
        }
    }

    /// The next page's repository names (`Ok(None)` after the last); `Err`: why the catalogue cannot be read
    /// (a sentence for exit status 2).
    pub fn page(&mut self) -> Result<Option<Vec<String>>, String> {
        let Some(path) = self.next.take() else {
            return Ok(None);
        };
        if !self.seen.insert(path.clone()) || self.seen.len() > MAX_PAGES {
            return Err(format!(
                "the catalogue's pages do not end: its Link header led back to GET {}",
                client::redact(&path)
            ));
        }
        self.pages += 1;
        let authority = self.client.registry.authority();
        let line = format!("GET {}", client::redact(&path));
        let a = ask(self.client, &path, "registry:catalog:*").map_err(|e| {
            if self.pages == 1 {
                format!(
                    "cannot list the catalogue of {authority}: {line}: {}",
                    e.message
                )
            } else {
                format!(
                    "the catalogue of {authority} could not be read whole: {line}: {}",
                    e.message
                )
            }
        })?;
        match a.status {
            200 => {}
            401 | 403 if self.pages == 1 => {
                return Err(format!(
                    "the registry at {authority} does not let {} list its catalogue ({line} answered {}): name a repository (docker://{authority}/REPO[:TAG]) instead",
                    if self.client.credentials_from().is_some() {
                        "these credentials"
                    } else {
                        "anonymous clients"
                    },
                    a.status
                ));
            }
            404 | 405 if self.pages == 1 => {
                return Err(format!(
                    "the registry at {authority} has no catalogue ({line} answered {}): name a repository (docker://{authority}/REPO[:TAG]) instead",
                    a.status
                ));
            }
            s => {
                return Err(format!(
                    "the catalogue of {authority} could not be read{}: {line} answered {s}{}",
                    if self.pages == 1 { "" } else { " whole" },
                    if a.retries > 0 {
                        format!(" (after {} retries)", a.retries)
                    } else {
                        String::new()
                    }
                ));
            }
        }
        let body = a
            .body
            .map_err(|e| format!("the catalogue of {authority}: {line}: {e}"))?;
        let names = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("repositories")?
                    .as_array()?
                    .iter()
                    .map(|n| n.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
            })
            .ok_or_else(|| {
                format!(
                    "the catalogue of {authority}: {line} answered no JSON object with a `repositories` array of names"
                )
            })?;
        if let Some(h) = &a.link {
            match next_link(h) {
                Ok(Some(t)) => {
                    self.next = Some(
                        own_path(self.client, &path, &t)
                            .map_err(|e| format!("the catalogue of {authority}: {line}: {e}"))?,
                    );
                }
                Ok(None) => {}
                Err(e) => {
                    return Err(format!(
                        "the catalogue of {authority}: {line}: its Link header {e}"
                    ));
                }
            }
        }
        Ok(Some(names))
    }
}

/// A repository's tags, every page, with an [`Exchange`] per page for the REG rules. A page that fails ends the
/// list (its exchange says why); the tags listed before it are kept.
pub fn tags(
    client: &Client,
    repository: &str,
    page_size: Option<u32>,
    exchanges: &mut Vec<Exchange>,
) -> Vec<String> {
    let scope = format!("repository:{repository}:pull");
    let base = format!("/v2/{repository}/tags/list");
    let mut next = Some(first_path(&base, page_size));
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    while let Some(path) = next.take() {
        // The exchange's reference: `list` and the query, so that its request line is the path asked.
        let reference = path
            .strip_prefix(&format!("/v2/{repository}/tags/"))
            .unwrap_or("list")
            .to_string();
        let mut e = Exchange::new(Method::Get, Endpoint::Tags, TAGS_FILE.into(), reference);
        if !seen.insert(path.clone()) || seen.len() > MAX_PAGES {
            e.failure = Some(
                "its Link header led back to a page already read: the list does not end".into(),
            );
            exchanges.push(e);
            break;
        }
        let a = match ask(client, &path, &scope) {
            Ok(a) => a,
            Err(err) => {
                e.failure = Some(err.message);
                exchanges.push(e);
                break;
            }
        };
        e.status = a.status;
        if a.status != 200 {
            e.failure = Some(format!(
                "answered {}{}",
                a.status,
                if a.retries > 0 {
                    format!(" (after {} retries)", a.retries)
                } else {
                    String::new()
                }
            ));
            if (400..500).contains(&a.status) {
                e.error_body = a.body.ok().filter(|b| !b.is_empty());
            }
            exchanges.push(e);
            break;
        }
        let body = match a.body {
            Ok(b) => b,
            Err(why) => {
                e.failure = Some(why);
                exchanges.push(e);
                break;
            }
        };
        e.body_len = Some(body.len() as u64);
        let page = read_tags(&body, repository, &mut e.shape);
        if let Some(n) = page_size.filter(|_| path == first_path(&base, page_size))
            && page.len() > n as usize
        {
            e.shape.push((
                "dist-126",
                format!("{} tags in a page asked for with n={n}", page.len()),
            ));
        }
        all.extend(page);
        if let Some(h) = &a.link {
            match next_link(h).and_then(|t| t.map(|t| own_path(client, &path, &t)).transpose()) {
                Ok(t) => next = t,
                Err(why) => e
                    .shape
                    .push(("dist-128", format!("its Link header: {why}"))),
            }
        }
        exchanges.push(e);
    }
    all
}

/// The tags of one page, and what is wrong with its shape (`{"name": "<name>", "tags": ["<tag>", …]}`, dist-124).
fn read_tags(
    body: &[u8],
    repository: &str,
    shape: &mut Vec<(&'static str, String)>,
) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        shape.push(("dist-124", "its body is not JSON".into()));
        return Vec::new();
    };
    match v.get("name").and_then(Value::as_str) {
        Some(n) if n == repository => {}
        Some(n) => shape.push((
            "dist-124",
            format!("its `name` is {n:?}, not {repository:?}"),
        )),
        None => shape.push(("dist-124", "it has no `name` string".into())),
    }
    match v.get("tags") {
        // A repository without tags: some registries answer `null` rather than `[]`; nothing to validate either way.
        Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => {
            let tags: Vec<String> = a
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            if tags.len() != a.len() {
                shape.push((
                    "dist-124",
                    format!("{} of its `tags` are not strings", a.len() - tags.len()),
                ));
            }
            tags
        }
        _ => {
            shape.push(("dist-124", "it has no `tags` array".into()));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        assert_eq!(
            next_link(r#"</v2/_catalog?last=b&n=2>; rel="next""#),
            Ok(Some("/v2/_catalog?last=b&n=2".into()))
        );
        assert_eq!(
            next_link(r#"<https://x/a>; rel="prev", <https://x/b>; rel="next""#),
            Ok(Some("https://x/b".into()))
        );
        assert_eq!(next_link(r#"</a>; rel="prev""#), Ok(None));
        assert!(next_link("/v2/_catalog?last=b").is_err());
        assert!(next_link("</v2/_catalog").is_err());
    }

    #[test]
    fn tag_pages() {
        let mut shape = Vec::new();
        assert_eq!(
            read_tags(br#"{"name":"a/b","tags":["1","2"]}"#, "a/b", &mut shape),
            vec!["1", "2"]
        );
        assert!(shape.is_empty());
        assert!(read_tags(br#"{"name":"a/b","tags":null}"#, "a/b", &mut shape).is_empty());
        assert!(shape.is_empty());
        read_tags(br#"{"name":"x","tags":[1,"2"]}"#, "a/b", &mut shape);
        assert_eq!(shape.len(), 2);
        read_tags(b"<html>", "a/b", &mut shape);
        assert_eq!(shape.len(), 3);
    }
}
