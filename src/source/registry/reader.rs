//! A blob's body as one stream, whatever happened to the connection: a body cut short (before its
//! `Content-Length`) or a connection that broke is resumed with `Range: bytes=<n>-` (or, from a registry that
//! answers a range request with the whole blob, by skipping what was already read), at most [`MAX_RESUMES`] times.
//! A body without `Content-Length` is stopped past the size the registry's HEAD answer gave, or, without one,
//! past the descriptors' `size`.

use std::io::{self, Read};

use super::client::{Client, Request, Response};

/// Resumes of one body.
pub const MAX_RESUMES: u32 = 3;

/// Where a body that came without `Content-Length` is cut.
#[derive(Debug, Clone, Copy)]
pub enum Cap {
    /// The size the registry's HEAD answer gave.
    Head(u64),
    /// The largest `size` of the descriptors of the blob (the HEAD answer gave none).
    Descriptor(u64),
}

pub struct BlobReader<'c> {
    client: &'c Client,
    request: Request,
    body: Option<ureq::BodyReader<'static>>,
    /// Bytes given to the caller so far.
    got: u64,
    /// What the first response's `Content-Length` announced.
    total: Option<u64>,
    /// Without a `Content-Length`: the size past which the body is refused.
    cap: Option<Cap>,
    resumes: u32,
}

impl<'c> BlobReader<'c> {
    /// Read `resp` (a 200 to `request`); `cap`: what the blob's size is known to be, if anything.
    pub fn new(
        client: &'c Client,
        request: Request,
        resp: Response,
        cap: Option<Cap>,
    ) -> BlobReader<'c> {
        let total = resp.content_length();
        BlobReader {
            client,
            request,
            body: Some(resp.body.into_reader()),
            got: 0,
            total,
            cap: if total.is_none() { cap } else { None },
            resumes: 0,
        }
    }

    fn resume(&mut self, why: String) -> io::Result<()> {
        self.body = None;
        let wait = std::time::Duration::from_millis(250 << self.resumes.min(4));
        if self.resumes >= MAX_RESUMES || !self.client.can_wait(wait) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{why} (resumed {} time{})",
                    self.resumes,
                    if self.resumes == 1 { "" } else { "s" }
                ),
            ));
        }
        std::thread::sleep(wait);
        self.resumes += 1;
        let req = Request {
            range_from: Some(self.got),
            ..self.request.clone()
        };
        let resp = self
            .client
            .send(&req)
            .map_err(|e| io::Error::other(format!("{why}; resuming it failed: {e}")))?;
        match resp.status {
            206 => {
                let from = resp
                    .header("content-range")
                    .and_then(|r| r.trim().strip_prefix("bytes "))
                    .and_then(|r| r.split('-').next())
                    .and_then(|n| n.trim().parse::<u64>().ok());
                if from != Some(self.got) {
                    return Err(io::Error::other(format!(
                        "{why}; resuming it at byte {} got a range that starts elsewhere",
                        self.got
                    )));
                }
                self.body = Some(resp.body.into_reader());
            }
            200 => {
                // The whole blob again: skip what was read.
                let mut body = resp.body.into_reader();
                let skipped = io::copy(&mut (&mut body).take(self.got), &mut io::sink())?;
                if skipped < self.got {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("{why}; resuming it got a shorter body ({skipped} bytes)"),
                    ));
                }
                self.body = Some(body);
            }
            s => {
                return Err(io::Error::other(format!(
                    "{why}; resuming it was answered {s}"
                )));
            }
        }
        Ok(())
    }
}

impl Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(body) = self.body.as_mut() else {
                return Err(io::Error::other("the body could not be read"));
            };
            match body.read(buf) {
                Ok(0) => match self.total {
                    Some(t) if self.got < t => {
                        self.resume(format!("the body ended after {} of {t} bytes", self.got))?;
                    }
                    _ => return Ok(0),
                },
                Ok(n) => {
                    self.got += n as u64;
                    match self.cap {
                        Some(Cap::Head(c)) if self.got > c => {
                            return Err(io::Error::other(format!(
                                "the body is longer than the {c} bytes the registry's HEAD answer gave (a response without Content-Length)"
                            )));
                        }
                        Some(Cap::Descriptor(c)) if self.got > c => {
                            return Err(io::Error::other(format!(
                                "the body is longer than the {c} bytes its descriptor gives, and neither the GET nor the HEAD answer said how long it is (no Content-Length)"
                            )));
                        }
                        _ => {}
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let total = self.total.map(|t| format!(" of {t}")).unwrap_or_default();
                    self.resume(format!(
                        "the connection failed after {}{total} bytes ({e})",
                        self.got
                    ))?;
                }
            }
        }
    }
}
