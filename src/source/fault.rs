//! A source wrapper that fails to open chosen paths, to reproduce I/O errors (unreadable blobs) in tests and
//! corpus cases without depending on file permissions (which do not stop root).

use std::io::{self, Read};

use super::{Entry, Source, SourceIssue};

pub struct FaultSource<'a> {
    pub inner: &'a dyn Source,
    /// Paths whose `open` fails with "permission denied".
    pub unreadable: Vec<String>,
}

impl Source for FaultSource<'_> {
    fn entries(&self) -> &[Entry] {
        self.inner.entries()
    }

    fn issues(&self) -> &[SourceIssue] {
        self.inner.issues()
    }

    fn archive(&self) -> Option<&super::archive::ArchiveInfo> {
        self.inner.archive()
    }

    fn position(&self, path: &str) -> Option<u64> {
        self.inner.position(path)
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        if self.unreadable.iter().any(|p| p == path) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "permission denied",
            ));
        }
        self.inner.open(path)
    }
}
