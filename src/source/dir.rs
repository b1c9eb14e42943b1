//! An image layout directory on disk.
//!
//! The tree is listed once without following symbolic links; afterwards only entries listed as regular files are
//! opened, with `O_NOFOLLOW` so a file swapped for a link after listing is refused, and `O_NONBLOCK` so a file swapped
//! for a FIFO cannot hang the run. Nothing is ever written.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{Entry, EntryKind, Source, SourceIssue};

/// Directory depth below the root that is listed; deeper trees are reported, not walked.
const MAX_DEPTH: usize = 32;
/// Entries listed at most (a hostile tree must not exhaust memory).
const MAX_ENTRIES: usize = 2_000_000;

pub struct DirSource {
    root: PathBuf,
    entries: Vec<Entry>,
    issues: Vec<SourceIssue>,
}

impl DirSource {
    pub fn open(root: &Path) -> io::Result<DirSource> {
        let meta = fs::metadata(root)?;
        if !meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a directory",
            ));
        }
        // Reading the root must work, or the tool cannot do its job at all.
        fs::read_dir(root)?;
        let mut s = DirSource {
            root: root.to_path_buf(),
            entries: Vec::new(),
            issues: Vec::new(),
        };
        s.list(root, "", 0);
        s.entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(s)
    }

    fn list(&mut self, dir: &Path, prefix: &str, depth: usize) {
        let rd = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.issues.push(SourceIssue {
                    path: prefix.trim_end_matches('/').to_string(),
                    message: format!("cannot list directory: {e}"),
                });
                return;
            }
        };
        let mut children: Vec<_> = rd.filter_map(Result::ok).collect();
        children.sort_by_key(|d| d.file_name());
        for child in children {
            if self.entries.len() >= MAX_ENTRIES {
                self.issues.push(SourceIssue {
                    path: prefix.trim_end_matches('/').to_string(),
                    message: format!("more than {MAX_ENTRIES} entries; the rest were not listed"),
                });
                return;
            }
            let name = child.file_name();
            let (name_str, non_utf8) = match name.to_str() {
                Some(s) => (s.to_string(), false),
                None => (name.to_string_lossy().into_owned(), true),
            };
            let path = format!("{prefix}{name_str}");
            let meta = match fs::symlink_metadata(child.path()) {
                Ok(m) => m,
                Err(e) => {
                    self.issues.push(SourceIssue {
                        path,
                        message: format!("cannot stat: {e}"),
                    });
                    continue;
                }
            };
            let ft = meta.file_type();
            let kind = if ft.is_symlink() {
                EntryKind::Symlink
            } else if ft.is_dir() {
                EntryKind::Dir
            } else if ft.is_file() {
                EntryKind::File
            } else {
                EntryKind::Special
            };
            self.entries.push(Entry {
                path: path.clone(),
                kind,
                size: if kind == EntryKind::File {
                    meta.len()
                } else {
                    0
                },
                non_utf8,
            });
            if kind == EntryKind::Dir {
                if depth + 1 >= MAX_DEPTH {
                    self.issues.push(SourceIssue {
                        path,
                        message: format!(
                            "directory nesting deeper than {MAX_DEPTH} levels was not listed"
                        ),
                    });
                } else if !non_utf8 {
                    self.list(&child.path(), &format!("{path}/"), depth + 1);
                }
            }
        }
    }
}

impl Source for DirSource {
    fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn issues(&self) -> &[SourceIssue] {
        &self.issues
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        match self.entry(path) {
            Some(e) if e.kind == EntryKind::File && !e.non_utf8 => {}
            Some(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{path} is {}", e.kind.describe()),
                ));
            }
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{path} does not exist"),
                ));
            }
        }
        let mut opts = fs::OpenOptions::new();
        opts.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        let f = opts.open(self.root.join(path))?;
        if !f.metadata()?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{path} is not a regular file"),
            ));
        }
        Ok(Box::new(f))
    }
}
