//! The tar stream as the listing pass reads it: a plain archive by positioned reads, stepping over data without
//! reading it; a gzip or zstd archive through its decoder, behind the decompression guard, keeping the content of
//! small files (at most [`CACHE_FILE_MAX`] each, [`CACHE_TOTAL_MAX`] in all) so that they are never decompressed
//! again.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::backing::{Backing, RangeReader};
use super::info::Compression;
use super::sniff::decode;

/// Compressed archives: regular files up to this size are kept in memory by the listing pass.
pub const CACHE_FILE_MAX: u64 = 256 << 10;

/// Compressed archives: at most this much is kept in memory in all.
pub const CACHE_TOTAL_MAX: u64 = 64 << 20;

/// The tar stream as the listing pass reads it.
pub(super) trait Stream {
    fn pos(&self) -> u64;
    /// Fill `buf`; fewer bytes only at the end of the stream.
    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Step over `n` bytes (keeping them when `keep` is given); fewer only at the end of the stream.
    fn skip(&mut self, n: u64, keep: Option<&mut Vec<u8>>) -> io::Result<u64>;
    /// Whether small files should be kept in memory (compressed streams).
    fn wants_cache(&mut self, size: u64) -> bool;
    /// Why the decompression guard stopped the stream, if it did.
    fn stopped(&self) -> Option<&str> {
        None
    }
}

struct PlainStream {
    backing: Arc<Backing>,
    pos: u64,
}

impl Stream for PlainStream {
    fn pos(&self) -> u64 {
        self.pos
    }

    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut got = 0;
        while got < buf.len() {
            let n = self.backing.read_at(self.pos, &mut buf[got..])?;
            if n == 0 {
                break;
            }
            got += n;
            self.pos += n as u64;
        }
        Ok(got)
    }

    fn skip(&mut self, n: u64, _keep: Option<&mut Vec<u8>>) -> io::Result<u64> {
        let step = n.min(self.backing.len().saturating_sub(self.pos));
        self.pos += step;
        Ok(step)
    }

    fn wants_cache(&mut self, _size: u64) -> bool {
        false
    }
}

/// The listing pass over a gzip or zstd archive.
struct DecodedStream {
    dec: Box<dyn Read + Send>,
    pos: u64,
    cached: u64,
    guard: Guard,
}

/// The decompression guard of the listing pass. (Readers opened later stop at entry ends the listing found, so
/// they decompress no more than it did.)
struct Guard {
    limits: crate::layer::Limits,
    /// Compressed bytes the decoder has taken.
    compressed: Arc<AtomicU64>,
    /// Why decompression stopped, once it has.
    stopped: Option<String>,
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Stream for DecodedStream {
    fn pos(&self) -> u64 {
        self.pos
    }

    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut got = 0;
        while got < buf.len() {
            let g = &mut self.guard;
            if let Some(why) = &g.stopped {
                return Err(io::Error::other(why.clone()));
            }
            let compressed = g.compressed.load(Ordering::Relaxed);
            if let Some(why) = g.limits.exceeded(self.pos, compressed, "the archive") {
                g.stopped = Some(why.clone());
                return Err(io::Error::other(why));
            }
            match self.dec.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => {
                    got += n;
                    self.pos += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(got)
    }

    fn skip(&mut self, n: u64, mut keep: Option<&mut Vec<u8>>) -> io::Result<u64> {
        let mut buf = vec![
            0u8;
            (64 << 10)
                .min(usize::try_from(n).unwrap_or(usize::MAX))
                .max(1)
        ];
        let mut done = 0u64;
        while done < n {
            let want = usize::try_from(n - done)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            let got = self.read_full(&mut buf[..want])?;
            if let Some(k) = keep.as_deref_mut() {
                k.extend_from_slice(&buf[..got]);
            }
            done += got as u64;
            if got < want {
                break;
            }
        }
        Ok(done)
    }

    fn stopped(&self) -> Option<&str> {
        self.guard.stopped.as_deref()
    }

    fn wants_cache(&mut self, size: u64) -> bool {
        if size > CACHE_FILE_MAX || self.cached + size > CACHE_TOTAL_MAX {
            return false;
        }
        self.cached += size;
        true
    }
}

/// The stream of an archive, from its start, for the listing pass: `limits` is the decompression guard of a
/// compressed one.
pub(super) fn stream_of(
    backing: &Arc<Backing>,
    compression: Compression,
    limits: crate::layer::Limits,
) -> io::Result<Box<dyn Stream>> {
    Ok(match compression {
        Compression::None => Box::new(PlainStream {
            backing: backing.clone(),
            pos: 0,
        }),
        c => {
            let compressed = Arc::new(AtomicU64::new(0));
            let range = Counting {
                inner: RangeReader {
                    backing: backing.clone(),
                    pos: 0,
                    end: backing.len(),
                },
                read: compressed.clone(),
            };
            Box::new(DecodedStream {
                dec: decode(range, c)?,
                pos: 0,
                cached: 0,
                guard: Guard {
                    limits,
                    compressed,
                    stopped: None,
                },
            })
        }
    })
}
