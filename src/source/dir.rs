//! An image layout directory on disk.
//!
//! The tree is listed once without following symbolic links; afterwards only entries listed as regular files are
//! opened, one path component at a time from the root (`openat` with `O_NOFOLLOW`), so that neither the file nor
//! any directory on its way can be swapped for a link after listing and lead outside the input; `O_NONBLOCK` so a
//! file swapped for a FIFO cannot hang the run. Nothing is ever written.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Entry, EntryKind, FileTree, Source, SourceIssue};
use crate::memory::{Budget, Use};

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

/// The layout's own entries at its root, listed first whatever their names sort after, so that no limit of the
/// listing can hide them.
const LAYOUT_FILES: [&str; 3] = ["oci-layout", "index.json", "blobs"];

pub struct DirSource {
    root: PathBuf,
    entries: Vec<Entry>,
    issues: Vec<SourceIssue>,
    /// The run's memory budget, which the entries listed draw from ([`crate::source::listing_cost`]).
    budget: Option<Arc<Budget>>,
    /// Where the listing stopped at a limit (entries, memory), if it did.
    stopped: bool,
}

impl DirSource {
    pub fn open(root: &Path) -> io::Result<DirSource> {
        Self::open_with(root, None)
    }

    /// [`DirSource::open`], the entries listed drawing from the run's memory budget (at most half of it).
    pub fn open_with(root: &Path, budget: Option<Arc<Budget>>) -> io::Result<DirSource> {
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
            budget,
            stopped: false,
        };
        s.list(root, "", 0);
        s.entries.sort_by(|a, b| a.path.cmp(&b.path));
        // Held for the whole run: no spare room from growing (a quarter of the listing at 50,000 blobs).
        s.entries.shrink_to_fit();
        Ok(s)
    }

    /// Stop listing: a limit was reached at `dir` (one issue, whatever the depth it is reached at).
    fn stop(&mut self, prefix: &str, why: String) {
        self.stopped = true;
        self.issues.push(SourceIssue {
            path: prefix.trim_end_matches('/').to_string(),
            message: format!(
                "{why}; the rest of this directory and what follows it were not listed or checked (the layout's own oci-layout, index.json and blobs are listed first)"
            ),
            limit: true,
        });
    }

    /// The names in `dir`, sorted; at the root the layout's own first. At most one more than can still be listed
    /// is read, so that a directory of millions of entries is not held whole.
    fn children(&mut self, dir: &Path, prefix: &str) -> io::Result<Vec<OsString>> {
        let room = MAX_ENTRIES.saturating_sub(self.entries.len()) + 1;
        let mut names: Vec<OsString> = Vec::new();
        for e in fs::read_dir(dir)?.filter_map(Result::ok) {
            if names.len() >= room {
                break;
            }
            let n = e.file_name();
            if prefix.is_empty() && LAYOUT_FILES.iter().any(|f| n == *f) {
                continue;
            }
            names.push(n);
        }
        names.sort();
        if prefix.is_empty() {
            let first = LAYOUT_FILES
                .iter()
                .filter(|f| fs::symlink_metadata(dir.join(f)).is_ok())
                .map(OsString::from);
            names.splice(0..0, first);
        }
        Ok(names)
    }

    fn list(&mut self, dir: &Path, prefix: &str, depth: usize) {
        let children = match self.children(dir, prefix) {
            Ok(c) => c,
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
        for name in children {
            if self.stopped {
                return;
            }
            if self.entries.len() >= MAX_ENTRIES {
                self.stop(
                    prefix,
                    format!("the layout has more than {MAX_ENTRIES} entries"),
                );
                return;
            }
            let child = dir.join(&name);
            let (name_str, non_utf8) = match name.to_str() {
                Some(s) => (s.to_string(), false),
                None => (name.to_string_lossy().into_owned(), true),
            };
            let path = format!("{prefix}{name_str}");
            if let Some(b) = &self.budget
                && let Err(e) = b.try_reserve_within(
                    Use::Listing,
                    crate::source::listing_cost(&path, 0),
                    b.limit() / 2,
                )
            {
                let why = format!(
                    "the layout's entries take what the run's memory budget leaves the listing ({}, half of what --max-memory leaves to reserve); raise --max-memory",
                    e.describe()
                );
                self.stop(prefix, why);
                return;
            }
            let meta = match fs::symlink_metadata(&child) {
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
                path: path.as_str().into(),
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
                    self.list(&child, &format!("{path}/"), depth + 1);
                }
            }
        }
    }
}

impl FileTree for DirSource {
    fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn complete(&self) -> bool {
        !self.stopped
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

    #[test]
    fn a_listing_limit_never_hides_the_layout_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = tmp.path();
        fs::create_dir_all(d.join("blobs/sha256")).expect("mkdir");
        fs::create_dir_all(d.join("aaa")).expect("mkdir");
        for f in ["oci-layout", "index.json", "blobs/sha256/aa"] {
            fs::write(d.join(f), b"{}").expect("write");
        }
        for i in 0..100 {
            fs::write(d.join(format!("aaa/f{i:03}")), b"").expect("write");
        }
        // Room in the listing's half of the budget for about 20 entries: `aaa` sorts first, but the layout's own
        // files are listed before it.
        let budget = Arc::new(Budget::with_limit(1 << 20, 12_000));
        let s = DirSource::open_with(d, Some(budget.clone())).expect("open");
        for f in ["oci-layout", "index.json", "blobs", "blobs/sha256/aa"] {
            assert!(s.entry(f).is_some(), "{f}");
        }
        assert!(!s.complete());
        assert!(s.entries.len() < 30, "{}", s.entries.len());
        assert!(budget.used_by(Use::Listing) <= 6_000);
        assert_eq!(s.issues.len(), 1, "{:?}", s.issues);
        assert_eq!(s.issues[0].path, "aaa");
        assert!(
            s.issues[0].message.contains("raise --max-memory"),
            "{:?}",
            s.issues
        );
        // Without a budget: everything.
        let s = DirSource::open(d).expect("open");
        assert!(s.complete() && s.entries.len() == 106);
    }

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
