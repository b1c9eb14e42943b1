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
use crate::layer::window;
use crate::memory::{Budget, Held, Use};

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
    /// The run's memory budget, which the files kept draw from.
    budget: Option<Arc<Budget>>,
    /// The decoder's window, reserved while it decodes.
    _window: Option<Held>,
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
        if let Some(b) = &self.budget
            && b.try_reserve_within(Use::Listing, size, b.limit() / 2)
                .is_err()
        {
            return false;
        }
        self.cached += size;
        true
    }
}

/// The `window_log_max` of the archive's zstd decoders (from its first frame's header: at least the common 8 MiB,
/// at most zstd's default limit), and the window it asked for.
pub(super) fn zstd_window(backing: &Backing) -> (u32, u64) {
    let mut head = [0u8; 4096];
    let n = backing.read_at(0, &mut head).unwrap_or(0);
    let asked = window::first_window(&head[..n]).unwrap_or(1 << window::MAX_WINDOW_LOG);
    (window::log_for(asked.max(window::COMMON_WINDOW)), asked)
}

/// A decoder of the archive from its start, within the run's memory budget: a zstd decoder's window (`log`, from
/// [`zstd_window`]) is reserved first, held as long as the decoder (the guard returned), and the decoder is told
/// to refuse a frame that asks for more. `Err` when the window does not fit.
pub(super) fn decoder_within<R: Read + Send + 'static>(
    range: R,
    compression: Compression,
    log: u32,
    budget: Option<&Arc<Budget>>,
) -> io::Result<(Box<dyn Read + Send>, Option<Held>)> {
    if compression != Compression::Zstd {
        return Ok((decode(range, compression)?, None));
    }
    let held = match budget {
        Some(b) => Some(b.hold(Use::Window, window::cost(log)).map_err(|e| {
            io::Error::other(format!(
                "the archive's zstd frames need a decoding window of {}; {}",
                crate::memory::size(1 << log),
                e.describe()
            ))
        })?),
        None => None,
    };
    let mut d = zstd::stream::read::Decoder::new(range)?;
    d.window_log_max(log)?;
    Ok((Box::new(WindowErrors { inner: d, log }), held))
}

/// A zstd decoder's errors, with the one for a frame larger than the window it was given told as the limit it is.
struct WindowErrors<R> {
    inner: R,
    log: u32,
}

impl<R: Read> Read for WindowErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            if self.log < window::MAX_WINDOW_LOG && e.to_string().contains("too much memory") {
                // OutOfMemory: the listing tells a limit from a corrupt stream by it.
                io::Error::new(io::ErrorKind::OutOfMemory, format!(
                    "a zstd frame asks for a larger window than the archive's first frame ({}), which is what the run's memory budget (--max-memory) gave its decoder",
                    crate::memory::size(1 << self.log)
                ))
            } else {
                e
            }
        })
    }
}

/// The stream of an archive, from its start, for the listing pass: `limits` is the decompression guard of a
/// compressed one, `budget` the run's memory budget (the decoder's window, the small files kept). A zstd window
/// that does not fit stops the listing at its start, as the guard would.
pub(super) fn stream_of(
    backing: &Arc<Backing>,
    compression: Compression,
    limits: crate::layer::Limits,
    budget: Option<&Arc<Budget>>,
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
            let log = if c == Compression::Zstd {
                zstd_window(backing).0
            } else {
                window::MAX_WINDOW_LOG
            };
            let (dec, window, stopped) = match decoder_within(range, c, log, budget) {
                Ok((dec, window)) => (dec, window, None),
                Err(e) if e.kind() == io::ErrorKind::Other => (
                    Box::new(io::empty()) as Box<dyn Read + Send>,
                    None,
                    Some(e.to_string()),
                ),
                Err(e) => return Err(e),
            };
            Box::new(DecodedStream {
                dec,
                pos: 0,
                cached: 0,
                guard: Guard {
                    limits,
                    compressed,
                    stopped,
                },
                budget: budget.cloned(),
                _window: window,
            })
        }
    })
}
