//! An image layout directory on disk.
//!
//! The tree is listed once without following symbolic links; afterwards only entries listed as regular files are
//! opened, one path component at a time from the root (`openat` with `O_NOFOLLOW`), so that neither the file nor
//! any directory on its way can be swapped for a link after listing and lead outside the input; `O_NONBLOCK` so a
//! file swapped for a FIFO cannot hang the run. Nothing is ever written.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{Entry, EntryKind, FileTree, Source, SourceIssue};

/// Directory depth below the root that is listed; deeper trees are reported, not walked.
pub const MAX_DEPTH: usize = 32;

/// The issue of a directory at [`MAX_DEPTH`], whose content is not listed (archives list the same way).
pub fn too_deep(path: String) -> SourceIssue {
    SourceIssue {
        path,
        message: format!(
            "directories nested deeper than {MAX_DEPTH} levels are not listed; nothing below this one was checked"
        ),
        limit: true,
    }
}
/// Entries listed at most (a hostile tree must not exhaust memory: each costs about 200 bytes here and in the walk).
pub const MAX_ENTRIES: usize = 200_000;

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
                    message: format!(
                        "the directory cannot be listed: {e}; nothing below it was checked"
                    ),
                    limit: false,
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
                    message: format!(
                        "the layout has more than {MAX_ENTRIES} entries; the rest of this directory and what follows it were not listed or checked"
                    ),
                    limit: true,
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
                        message: format!("the entry cannot be examined: {e}; it was not checked"),
                        limit: false,
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
                    self.issues.push(too_deep(path));
                } else if !non_utf8 {
                    self.list(&child.path(), &format!("{path}/"), depth + 1);
                }
            }
        }
    }
}

impl FileTree for DirSource {
    fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        self.file_entry(path)?;
        let f = open_beneath(&self.root, path)?;
        if !f.metadata()?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{path} is not a regular file"),
            ));
        }
        Ok(Box::new(f))
    }
}

impl Source for DirSource {
    fn tree(&self) -> Option<&dyn FileTree> {
        Some(self)
    }

    fn issues(&self) -> &[SourceIssue] {
        &self.issues
    }
}

/// Open `root/path` for reading without following a symbolic link anywhere below `root`: each directory on the way
/// is opened relative to the previous one with `O_NOFOLLOW | O_DIRECTORY`, the file with `O_NOFOLLOW | O_NONBLOCK`.
/// A component that is `..`, `.` or empty is refused, so the path cannot climb out either.
#[cfg(unix)]
fn open_beneath(root: &Path, path: &str) -> io::Result<fs::File> {
    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;

    let refuse = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{path}: {why}"));
    let open_at = |dir: Option<&OwnedFd>, name: &[u8], flags: libc::c_int| -> io::Result<OwnedFd> {
        let c = CString::new(name).map_err(|_| refuse("a name holds a NUL byte"))?;
        let base = dir.map_or(libc::AT_FDCWD, AsRawFd::as_raw_fd);
        // SAFETY: `c` is a valid NUL-terminated string and `base` a directory descriptor we own (or AT_FDCWD).
        let fd = unsafe { libc::openat(base, c.as_ptr(), flags | libc::O_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by openat and is owned by nobody else.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    };
    // The root itself is the user's choice (it may be a link); everything below it is not followed.
    let mut dir = open_at(
        None,
        root.as_os_str().as_bytes(),
        libc::O_RDONLY | libc::O_DIRECTORY,
    )?;
    let parts: Vec<&str> = path.split('/').collect();
    let Some((file, dirs)) = parts.split_last() else {
        return Err(refuse("an empty path"));
    };
    for part in dirs.iter().chain([file]) {
        if part.is_empty() || *part == "." || *part == ".." {
            return Err(refuse("not a plain path inside the layout"));
        }
    }
    for part in dirs {
        dir = open_at(
            Some(&dir),
            part.as_bytes(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        )?;
    }
    let fd = open_at(
        Some(&dir),
        file.as_bytes(),
        libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK,
    )?;
    Ok(fs::File::from(fd))
}

#[cfg(not(unix))]
fn open_beneath(root: &Path, path: &str) -> io::Result<fs::File> {
    if path
        .split('/')
        .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{path}: not a plain path inside the layout"),
        ));
    }
    fs::File::open(root.join(path))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A directory on a blob's way swapped for a link after listing: the open fails instead of leaving the input.
    #[test]
    fn a_directory_swapped_for_a_link_after_listing_is_not_followed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let layout = tmp.path().join("layout");
        let outside = tmp.path().join("outside");
        fs::create_dir_all(layout.join("blobs/sha256")).expect("mkdir");
        fs::create_dir_all(&outside).expect("mkdir");
        fs::write(layout.join("blobs/sha256/aa"), b"inside").expect("write");
        fs::write(outside.join("aa"), b"SECRET").expect("write");
        let src = DirSource::open(&layout).expect("open");
        let mut s = String::new();
        src.open("blobs/sha256/aa")
            .expect("listed file opens")
            .read_to_string(&mut s)
            .expect("read");
        assert_eq!(s, "inside");
        // Swap blobs/sha256 for a link to the outside directory.
        fs::rename(layout.join("blobs/sha256"), tmp.path().join("moved")).expect("rename");
        std::os::unix::fs::symlink(&outside, layout.join("blobs/sha256")).expect("symlink");
        let err = src
            .open("blobs/sha256/aa")
            .err()
            .expect("must not open through the link");
        assert!(
            err.raw_os_error() == Some(libc::ELOOP) || err.raw_os_error() == Some(libc::ENOTDIR),
            "{err}"
        );
        // And the file itself swapped for a link.
        fs::remove_file(layout.join("blobs/sha256")).expect("rm link");
        fs::rename(tmp.path().join("moved"), layout.join("blobs/sha256")).expect("rename back");
        fs::remove_file(layout.join("blobs/sha256/aa")).expect("rm");
        std::os::unix::fs::symlink(outside.join("aa"), layout.join("blobs/sha256/aa"))
            .expect("symlink");
        assert!(src.open("blobs/sha256/aa").is_err());
        // Paths that climb are refused before any open.
        assert!(open_beneath(&layout, "../outside/aa").is_err());
        assert!(open_beneath(&layout, "blobs/../../outside/aa").is_err());
    }
}
