//! Progress of blob verification: a sink in [`Options`](crate::Options) that is told how many blobs and bytes
//! there are to verify, and how far reading them has got; and the terminal bar the command line draws with it.
//!
//! The hook is [`Counted`]: `verify::verify` makes one, which reports the total when it is made and the end when it
//! is dropped, and passes every blob reader it opens through [`Counted::reader`], which reports the bytes as they
//! are streamed and one blob when the reader is dropped. Without a sink it only forwards. It knows nothing of
//! where the readers come from.

use std::io::{self, IsTerminal, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a progress display is told. Called from several threads at once.
pub trait Progress: Send + Sync {
    /// Verification starts: `blobs` blobs of `bytes` bytes in all (sizes as listed).
    fn start(&self, blobs: u64, bytes: u64);
    /// `bytes` more bytes were read.
    fn advance(&self, bytes: u64);
    /// One more blob was read to its end (or given up on).
    fn blob_done(&self);
    /// Verification is over.
    fn finish(&self);
}

/// A shared progress sink (`Options::progress`).
#[derive(Clone)]
pub struct Sink(pub Arc<dyn Progress>);

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("progress::Sink")
    }
}

/// Blob verification as the options' progress sink sees it.
pub struct Counted<'a> {
    sink: Option<&'a Sink>,
    /// Verification ends when this is dropped (not so for a batch of a layout checked in batches but the last).
    ends: bool,
}

impl<'a> Counted<'a> {
    /// Verification of `blobs` blobs of `bytes` bytes in all (sizes as listed) starts: announce the total.
    pub fn new(sink: Option<&'a Sink>, blobs: u64, bytes: u64) -> Counted<'a> {
        Counted::part(sink, blobs, bytes, true)
    }

    /// A part of the verification, `blobs` blobs of `bytes` bytes in all counting the parts before it (a layout
    /// checked a batch of images at a time learns of its blobs batch by batch); with `last`, verification ends
    /// with it.
    pub fn part(sink: Option<&'a Sink>, blobs: u64, bytes: u64, last: bool) -> Counted<'a> {
        if let Some(s) = sink {
            s.0.start(blobs, bytes);
        }
        Counted { sink, ends: last }
    }

    /// A blob reader that reports its bytes, and one blob done when it is dropped (or at once, when the blob could
    /// not be opened).
    pub fn reader<'r>(
        &self,
        opened: io::Result<Box<dyn Read + Send + 'r>>,
    ) -> io::Result<Box<dyn Read + Send + 'r>>
    where
        'a: 'r,
    {
        let Some(sink) = self.sink else {
            return opened;
        };
        match opened {
            Ok(inner) => Ok(Box::new(CountingReader { inner, sink })),
            Err(e) => {
                sink.0.blob_done();
                Err(e)
            }
        }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.sink.filter(|_| self.ends) {
            s.0.finish();
        }
    }
}

struct CountingReader<'a> {
    inner: Box<dyn Read + Send + 'a>,
    sink: &'a Sink,
}

impl Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sink.0.advance(n as u64);
        Ok(n)
    }
}

impl Drop for CountingReader<'_> {
    fn drop(&mut self) {
        self.sink.0.blob_done();
    }
}

/// A one-line bar on stderr: `verifying blobs  3/12  [=====>      ]  48.1 MiB / 120.0 MiB`, redrawn at most ten
/// times a second and erased at the end.
pub struct Bar {
    blobs: AtomicU64,
    bytes: AtomicU64,
    total_blobs: AtomicU64,
    total_bytes: AtomicU64,
    last: Mutex<Option<Instant>>,
}

impl Bar {
    /// A bar when stderr is a terminal and `quiet` is not set, else nothing.
    pub fn for_stderr(quiet: bool) -> Option<Sink> {
        (!quiet && io::stderr().is_terminal()).then(|| Sink(Arc::new(Bar::new())))
    }

    pub fn new() -> Bar {
        Bar {
            blobs: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            total_blobs: AtomicU64::new(0),
            total_bytes: AtomicU64::new(0),
            last: Mutex::new(None),
        }
    }

    fn draw(&self, force: bool) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let now = Instant::now();
        if !force && last.is_some_and(|t| now.duration_since(t) < Duration::from_millis(100)) {
            return;
        }
        *last = Some(now);
        let line = line(
            self.blobs.load(Ordering::Relaxed),
            self.total_blobs.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
            self.total_bytes.load(Ordering::Relaxed),
        );
        let mut e = io::stderr().lock();
        let _ = write!(e, "\r\x1b[2K{line}");
        let _ = e.flush();
    }
}

impl Default for Bar {
    fn default() -> Self {
        Bar::new()
    }
}

impl Progress for Bar {
    fn start(&self, blobs: u64, bytes: u64) {
        self.total_blobs.store(blobs, Ordering::Relaxed);
        self.total_bytes.store(bytes, Ordering::Relaxed);
        self.draw(true);
    }

    fn advance(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.draw(false);
    }

    fn blob_done(&self) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
        self.draw(false);
    }

    fn finish(&self) {
        let mut e = io::stderr().lock();
        let _ = write!(e, "\r\x1b[2K");
        let _ = e.flush();
    }
}

/// The text of the bar.
pub fn line(blobs: u64, total_blobs: u64, bytes: u64, total_bytes: u64) -> String {
    const WIDTH: u64 = 24;
    // By bytes when the sizes are known, else by blobs; nothing to do is done.
    let filled = (WIDTH * bytes.min(total_bytes))
        .checked_div(total_bytes)
        .or_else(|| (WIDTH * blobs.min(total_blobs)).checked_div(total_blobs))
        .unwrap_or(WIDTH);
    let mut bar = "=".repeat(filled as usize);
    if filled < WIDTH {
        bar.push('>');
        bar.push_str(&" ".repeat((WIDTH - filled - 1) as usize));
    }
    format!(
        "verifying blobs {blobs}/{total_blobs} [{bar}] {} / {}",
        human_bytes(bytes),
        human_bytes(total_bytes)
    )
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{v:.1} {}", UNITS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_shows_blobs_and_bytes() {
        assert_eq!(
            line(3, 12, 512 << 20, 1 << 30),
            "verifying blobs 3/12 [============>           ] 512.0 MiB / 1.0 GiB"
        );
        assert_eq!(
            line(0, 0, 0, 0),
            "verifying blobs 0/0 [========================] 0 B / 0 B"
        );
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
