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

/// How a stream is spooled: bytes held in memory, bytes read at most, and when to stop waiting.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spool {
    /// Held in memory; the rest goes to an unnamed temporary file.
    pub(super) memory: u64,
    /// Read at most (`--max-input-size`): a longer stream is an error, not a full disk.
    pub(super) max_input: u64,
    /// The run's deadline and `--max-time` in seconds, for its message.
    pub(super) deadline: Option<(std::time::Instant, u64)>,
}

/// Stdin: in place when it is a regular file, else spooled (with a deadline: a writer that goes idle cannot hold
/// the run past it).
pub(super) fn stdin_backing(limits: &Spool) -> io::Result<Backing> {
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
        spool(Paced::new(file, limits), limits)
    }
    #[cfg(not(unix))]
    spool(io::stdin().lock(), limits)
}

/// A path that is not a regular file (a named pipe, a character device, `<(…)`), opened without waiting for a
/// writer (`O_NONBLOCK`: opening a FIFO that has none blocks otherwise) and read with the deadline.
pub(super) fn stream_path_backing(path: &std::path::Path, limits: &Spool) -> io::Result<Backing> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        // Blocking reads from here on: `Paced` waits (with poll) for data before each one.
        // SAFETY: fcntl on a descriptor this function owns; it only changes its status flags.
        unsafe {
            let fd = file.as_raw_fd();
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
        spool(Paced::new(file, limits), limits)
    }
    #[cfg(not(unix))]
    spool(File::open(path)?, limits)
}

/// A stream read no later than the deadline: before each read it waits (poll) for data at most until then, so
/// that a FIFO without a writer or a writer that stops sending ends the run at `--max-time`.
#[cfg(unix)]
struct Paced {
    file: File,
    deadline: Option<(std::time::Instant, u64)>,
    read: u64,
}

#[cfg(unix)]
impl Paced {
    fn new(file: File, limits: &Spool) -> Paced {
        Paced {
            file,
            deadline: limits.deadline,
            read: 0,
        }
    }

    fn timed_out(&self, secs: u64) -> io::Error {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "the run reached --max-time ({secs} s) while waiting for the stream to end, after {} bytes; nothing was validated",
                self.read
            ),
        )
    }

    /// Wait until there is something to read (data, or the writer's end), or fail at the deadline.
    fn wait(&self) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        loop {
            let timeout = match self.deadline {
                None => -1,
                Some((d, secs)) => {
                    let left = d.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        return Err(self.timed_out(secs));
                    }
                    i32::try_from(left.as_millis()).unwrap_or(i32::MAX).max(1)
                }
            };
            let mut p = libc::pollfd {
                fd: self.file.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd, for a descriptor this reader owns.
            let r = unsafe { libc::poll(&mut p, 1, timeout) };
            match r {
                0 => continue,
                r if r > 0 => return Ok(()),
                _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => continue,
                // Not pollable: let the read say what it is.
                _ => return Ok(()),
            }
        }
    }
}

#[cfg(unix)]
impl Read for Paced {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.wait()?;
        let n = self.file.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Read a stream to its end: into memory, in chunks (no reallocation of what was read), up to `memory` bytes;
/// a longer stream goes whole to an unnamed temporary file instead, so memory stays bounded; past `max_input`
/// bytes it is an error.
pub(super) fn spool(mut r: impl Read, limits: &Spool) -> io::Result<Backing> {
    let mut chunks = Vec::new();
    let mut len = 0u64;
    loop {
        if len >= limits.memory {
            return spool_to_file(chunks, r, limits);
        }
        let mut chunk = Vec::with_capacity(MEM_CHUNK);
        (&mut r).take(MEM_CHUNK as u64).read_to_end(&mut chunk)?;
        if chunk.is_empty() {
            break;
        }
        len += chunk.len() as u64;
        if len > limits.max_input {
            return Err(too_long(limits.max_input));
        }
        let full = chunk.len() == MEM_CHUNK;
        chunks.push(chunk);
        if !full {
            break;
        }
    }
    Ok(Backing::Memory { chunks, len })
}

fn too_long(max: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "the stream is longer than --max-input-size ({max} bytes); it was not read further, and nothing was validated"
        ),
    )
}

/// The chunks read so far and the rest of the stream, copied to an unnamed temporary file (in `$TMPDIR`; it has no
/// name to leave behind, and goes when the file is closed), at most `max_input` bytes in all.
fn spool_to_file(chunks: Vec<Vec<u8>>, mut r: impl Read, limits: &Spool) -> io::Result<Backing> {
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
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        len += n as u64;
        if len > limits.max_input {
            return Err(too_long(limits.max_input));
        }
        file.write_all(&buf[..n])?;
    }
    file.flush()?;
    Ok(Backing::File { file, base: 0, len })
}
