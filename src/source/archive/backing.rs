//! Where an archive's bytes are: a file read with positioned reads, or a stream (stdin from a pipe, a named pipe)
//! spooled into memory in chunks, or, past the memory limit, to an unnamed temporary file.

use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

/// Chunk size of an archive held in memory (stdin from a pipe).
const MEM_CHUNK: usize = 4 << 20;

/// Where the archive's bytes are.
pub(super) enum Backing {
    /// A file read with positioned reads; `base` is where the archive starts (stdin may be positioned).
    File { file: File, base: u64, len: u64 },
    /// Bytes held in memory (stdin from a pipe), in chunks of [`MEM_CHUNK`].
    Memory { chunks: Vec<Vec<u8>>, len: u64 },
}

impl Backing {
    pub(super) fn len(&self) -> u64 {
        match self {
            Backing::File { len, .. } | Backing::Memory { len, .. } => *len,
        }
    }

    pub(super) fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        let len = self.len();
        if off >= len || buf.is_empty() {
            return Ok(0);
        }
        let n = usize::try_from((len - off).min(buf.len() as u64)).unwrap_or(buf.len());
        let buf = &mut buf[..n];
        match self {
            Backing::File { file, base, .. } => read_at(file, base.saturating_add(off), buf),
            Backing::Memory { chunks, .. } => {
                let Ok(off) = usize::try_from(off) else {
                    return Ok(0);
                };
                let (i, within) = (off / MEM_CHUNK, off % MEM_CHUNK);
                let Some(chunk) = chunks.get(i) else {
                    return Ok(0);
                };
                let avail = chunk.get(within..).unwrap_or_default();
                let n = avail.len().min(buf.len());
                buf[..n].copy_from_slice(&avail[..n]);
                Ok(n)
            }
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, off: u64, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    loop {
        match file.read_at(buf, off) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

#[cfg(windows)]
fn read_at(file: &File, off: u64, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::windows::fs::FileExt;
    file.seek_read(buf, off)
}

/// A reader over a byte range of the backing.
pub(super) struct RangeReader {
    pub(super) backing: Arc<Backing>,
    pub(super) pos: u64,
    pub(super) end: u64,
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.end {
            return Ok(0);
        }
        let want = usize::try_from(self.end - self.pos)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.backing.read_at(self.pos, &mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive is shorter than when it was listed",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

pub(super) fn memory_backing(bytes: Vec<u8>) -> Backing {
    let len = bytes.len() as u64;
    let chunks = if bytes.len() <= MEM_CHUNK {
        vec![bytes]
    } else {
        bytes.chunks(MEM_CHUNK).map(<[u8]>::to_vec).collect()
    };
    Backing::Memory { chunks, len }
}

/// Stdin: in place when it is a regular file, else spooled (`memory`: bytes held in memory at most).
pub(super) fn stdin_backing(memory: u64) -> io::Result<Backing> {
    #[cfg(unix)]
    {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let fd = io::stdin().as_fd().try_clone_to_owned()?;
        let mut file = File::from(fd);
        let meta = file.metadata()?;
        if meta.is_file() {
            let base = file.stream_position()?;
            let len = meta.len().saturating_sub(base);
            return Ok(Backing::File { file, base, len });
        }
    }
    spool(io::stdin().lock(), memory)
}

/// Read a stream to its end: into memory, in chunks (no reallocation of what was read), up to `memory` bytes;
/// a longer stream goes whole to an unnamed temporary file instead, so memory stays bounded.
pub(super) fn spool(mut r: impl Read, memory: u64) -> io::Result<Backing> {
    let mut chunks = Vec::new();
    let mut len = 0u64;
    loop {
        if len >= memory {
            return spool_to_file(chunks, r);
        }
        let mut chunk = Vec::with_capacity(MEM_CHUNK);
        (&mut r).take(MEM_CHUNK as u64).read_to_end(&mut chunk)?;
        if chunk.is_empty() {
            break;
        }
        len += chunk.len() as u64;
        let full = chunk.len() == MEM_CHUNK;
        chunks.push(chunk);
        if !full {
            break;
        }
    }
    Ok(Backing::Memory { chunks, len })
}

/// The chunks read so far and the rest of the stream, copied to an unnamed temporary file (in `$TMPDIR`; it has no
/// name to leave behind, and goes when the file is closed).
fn spool_to_file(chunks: Vec<Vec<u8>>, mut r: impl Read) -> io::Result<Backing> {
    use std::io::Write as _;
    let mut file = tempfile::tempfile().map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "the stream is larger than what is held in memory, and no temporary file could be made in {} to hold it: {e}",
                std::env::temp_dir().display()
            ),
        )
    })?;
    let mut len = 0u64;
    for c in chunks {
        file.write_all(&c)?;
        len += c.len() as u64;
    }
    len += io::copy(&mut r, &mut file)?;
    file.flush()?;
    Ok(Backing::File { file, base: 0, len })
}
