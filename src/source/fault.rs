//! A source wrapper that fails to open chosen paths, to reproduce I/O errors (unreadable blobs) in tests and
//! corpus cases without depending on file permissions (which do not stop root).

use std::borrow::Cow;
use std::io::{self, Read};

use super::{Entry, FileTree, Source, SourceIssue};

pub struct FaultSource<'a> {
    pub inner: &'a dyn Source,
    /// Paths whose `open` fails with "permission denied" (a blob's path is `blobs/<alg>/<encoded>`, whichever way
    /// it is read).
    pub unreadable: Vec<String>,
}

/// Its blobs are read through its file tree (a file tree is a blob store), so the failures reach them too.
impl FileTree for FaultSource<'_> {
    fn entries(&self) -> &[Entry] {
        self.inner.entries()
    }

    fn any_order(&self) -> bool {
        self.inner.tree().is_none_or(|t| t.any_order())
    }

    fn position(&self, path: &str) -> Option<u64> {
        self.inner.tree().and_then(|t| t.position(path))
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        if self.unreadable.iter().any(|p| p == path) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "permission denied",
            ));
        }
        match self.inner.tree() {
            Some(t) => t.open(path),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{path} does not exist"),
            )),
        }
    }
}

impl Source for FaultSource<'_> {
    fn tree(&self) -> Option<&dyn FileTree> {
        self.inner.tree().map(|_| self as &dyn FileTree)
    }

    fn issues(&self) -> &[SourceIssue] {
        self.inner.issues()
    }

    fn archive(&self) -> Option<&super::archive::ArchiveInfo> {
        self.inner.archive()
    }

    fn display_path<'p>(&self, path: &'p str) -> Cow<'p, str> {
        self.inner.display_path(path)
    }
}
