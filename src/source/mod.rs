//! Where the bytes come from. A source lists the files of an image layout and opens them by path; rules never touch
//! the filesystem themselves.

use std::io::{self, Read};

pub mod archive;
pub mod dir;
pub mod fault;

/// The type of a file-system entry, as found (symlinks are never followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// FIFO, socket, block or character device.
    Special,
}

impl EntryKind {
    pub fn describe(self) -> &'static str {
        match self {
            EntryKind::File => "a regular file",
            EntryKind::Dir => "a directory",
            EntryKind::Symlink => "a symbolic link",
            EntryKind::Special => "a special file (FIFO, socket or device)",
        }
    }
}

/// One entry of the input, by its path relative to the layout root (`/`-separated, no leading `./`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    /// The name was not valid UTF-8 (the path holds a lossy rendering).
    pub non_utf8: bool,
}

/// A problem the source met while listing or reading, other than what rules check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceIssue {
    pub path: String,
    pub message: String,
}

pub trait Source: Send + Sync {
    /// Every entry, sorted by path.
    fn entries(&self) -> &[Entry];

    /// Open a regular file for streaming. Only paths listed as [`EntryKind::File`] can be opened.
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>>;

    /// Problems met while listing (unreadable directories, names that could not be represented, limits hit).
    fn issues(&self) -> &[SourceIssue] {
        &[]
    }

    /// For an archive: its facts (compression, the directory the layout sits under, archive-level defects,
    /// docker save's `manifest.json`). `None` for other sources.
    fn archive(&self) -> Option<&archive::ArchiveInfo> {
        None
    }

    /// Where a file's bytes start in the input's byte stream, for sources that read faster in that order (a
    /// compressed archive decompresses forward only). `None`: any order is as good.
    fn position(&self, _path: &str) -> Option<u64> {
        None
    }

    fn entry(&self, path: &str) -> Option<&Entry> {
        let entries = self.entries();
        entries
            .binary_search_by(|e| e.path.as_str().cmp(path))
            .ok()
            .map(|i| &entries[i])
    }

    /// Read a whole regular file, but no more than `cap` bytes: `Ok(Err(len))` when it is longer.
    fn read_capped(&self, path: &str, cap: u64) -> io::Result<Result<Vec<u8>, u64>> {
        let mut r = self.open(path)?.take(cap + 1);
        let mut buf = Vec::new();
        r.read_to_end(&mut buf)?;
        if buf.len() as u64 > cap {
            let len = self.entry(path).map_or(cap + 1, |e| e.size.max(cap + 1));
            return Ok(Err(len));
        }
        Ok(Ok(buf))
    }
}
