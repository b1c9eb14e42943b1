//! Read buffers that verifying threads reuse: kept in one pool for the whole process instead of allocated (and
//! zeroed, and faulted in) fresh for every blob, which was most of the cost of a small blob. The pool is shared,
//! not per thread, because a layout's blobs are verified group by group, each group on threads of its own: buffers
//! per thread were allocated again for every group. [`Buffered`] is `std::io::BufReader` over such a buffer.

use std::io::{self, BufRead, Read};
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

/// Size of each buffer: large sequential reads on the compressed side, and decompressed data handed on in
/// pieces that stay in the CPU's caches while they are hashed and parsed.
pub const CHUNK: usize = 256 << 10;

static POOL: Mutex<Vec<Box<[u8]>>> = Mutex::new(Vec::new());

/// Buffers the pool keeps at most: a thread holds at most three at a time (the layer pass: both sides of the
/// decoder and the drain), so this is enough for 5 threads; more threads allocate what they lack (4 MiB kept).
const POOL_MAX: usize = 16;

/// A buffer of [`CHUNK`] bytes from the pool, given back when dropped.
pub struct Scratch(Box<[u8]>);

impl Scratch {
    pub fn take() -> Scratch {
        let reused = POOL.lock().ok().and_then(|mut p| p.pop());
        Scratch(reused.unwrap_or_else(|| vec![0u8; CHUNK].into_boxed_slice()))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let b = std::mem::take(&mut self.0);
        if let Ok(mut p) = POOL.lock()
            && p.len() < POOL_MAX
        {
            p.push(b);
        }
    }
}

impl Deref for Scratch {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for Scratch {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

/// A buffered reader over a pooled buffer.
pub struct Buffered<R> {
    inner: R,
    buf: Scratch,
    pos: usize,
    filled: usize,
}

impl<R> Buffered<R> {
    pub fn new(inner: R) -> Buffered<R> {
        Buffered {
            inner,
            buf: Scratch::take(),
            pos: 0,
            filled: 0,
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }
}

impl<R: Read> Read for Buffered<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // A read at least as large as the buffer goes straight through.
        if self.pos >= self.filled && out.len() >= self.buf.len() {
            return self.inner.read(out);
        }
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Buffered<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.filled {
            let n = self.inner.read(&mut self.buf)?;
            self.filled = n.min(self.buf.len());
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.filled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_bufreader_and_reuses_buffers() {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i % 251) as u8).collect();
        let mut r = Buffered::new(&data[..]);
        let mut out = Vec::new();
        let mut small = [0u8; 1000];
        let n = r.read(&mut small).unwrap_or(0);
        out.extend_from_slice(&small[..n]);
        let before = r.fill_buf().map(<[u8]>::len).unwrap_or(0);
        r.consume(before);
        out.extend_from_slice(&data[n..n + before]);
        r.read_to_end(&mut out).unwrap_or(0);
        assert_eq!(out, data);
        let p = r.buf.0.as_ptr();
        drop(r);
        // The next reader on this thread gets the same buffer back.
        let r2 = Buffered::new(&data[..]);
        assert_eq!(r2.buf.0.as_ptr(), p);
    }
}
