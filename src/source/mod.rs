//! Where the bytes come from. Rules never touch the input themselves, and the walk reads it through two narrow
//! interfaces:
//!
//! - [`BlobStore`]: content-addressed reads, a blob by its digest. Every source has one; the walk and the blob
//!   verification read every blob through it, so they cannot tell a directory from an archive (or, next, a
//!   registry).
//! - [`FileTree`]: the files of an image layout by path, for the sources that have them (a directory, an
//!   archive). The walk starts at the tree's `oci-layout` and `index.json`, and the layout checks (the `blobs/`
//!   listing, stray files, blobs that are links or directories) read its entries. A source without files gives
//!   its [`Source::root`] document instead.
//!
//! Any file tree is a blob store: the blob `alg:encoded` is its file `blobs/<alg>/<encoded>` ([`Digest::blob_path`],
//! the one place that path is made). The walk's graph names blobs by that path whatever the source, and a source
//! that shows them otherwise in the report says so in [`Source::display_path`].

use std::borrow::Cow;
use std::io::{self, Read};

use crate::digest::Digest;
use crate::kind::DocKind;

pub mod archive;
pub mod dir;
pub mod fault;
pub mod registry;

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
    /// Shared with the walk's record of the blob, when it is one (one copy of the path for both).
    pub path: std::sync::Arc<str>,
    pub kind: EntryKind,
    pub size: u64,
    /// The name was not valid UTF-8 (the path holds a lossy rendering).
    pub non_utf8: bool,
}

/// What one listed entry costs the run's memory budget ([`crate::memory::Use::Listing`]), on the high side: the
/// entry and the copies of its path the listing and the layout made of it hold (an archive's raw name, its
/// normalised path, the entry, its span: four), and for a file under `blobs/` the walk's record of the blob, its
/// verification job and result, which hold the path and digests again (measured: 1.4 KiB for a 200,000-blob
/// directory). The listing takes at most half of the budget, so that the documents and layers it lists can be
/// checked.
pub fn listing_cost(path: &str, link_len: usize) -> u64 {
    let blob = if path.trim_start_matches("./").contains("blobs/") {
        BLOB_COST + 4 * path.len() as u64
    } else {
        0
    };
    ENTRY_COST + 4 * (path.len() + link_len) as u64 + blob
}

const ENTRY_COST: u64 = 256;
const BLOB_COST: u64 = 1024;

/// A problem the source met while listing or reading, other than what rules check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceIssue {
    pub path: String,
    pub message: String,
    /// A listing limit (depth, entry count) left it out, rather than an error reading it: the report is then
    /// incomplete.
    pub limit: bool,
}

/// What a store knows of a blob without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobStat {
    /// What is there: a regular file is the only kind that can be read; a file tree may hold something else at a
    /// blob's path (a directory, a link, a special file), which the layout rules report.
    pub kind: EntryKind,
    /// The size as stored, in bytes (0 for what is not a regular file).
    pub size: u64,
}

/// Content-addressed reads: the one way the walk and the blob verification get a blob's bytes. The bytes are what
/// the store holds, unverified: the caller hashes them against the digest.
///
/// `media_type` is what the descriptor that reached the blob says it is, when one did: a store that serves
/// manifests and other blobs from different places (a registry's `/manifests/` and `/blobs/` endpoints) tells
/// them apart by it; a file tree ignores it.
pub trait BlobStore: Send + Sync {
    /// What the store holds for this digest; `None` when it holds nothing.
    fn stat_blob(&self, digest: &Digest, media_type: Option<&str>) -> Option<BlobStat>;

    /// Stream a blob. Only a blob whose [`BlobStat::kind`] is a regular file can be opened.
    fn open_blob(
        &self,
        digest: &Digest,
        media_type: Option<&str>,
    ) -> io::Result<Box<dyn Read + Send + '_>>;

    /// Stream a blob that the descriptors reaching it say has `size` bytes. A store that may not know where a
    /// blob ends (a registry that answers without a length) stops past that size; the others ignore it.
    fn open_blob_sized(
        &self,
        digest: &Digest,
        media_type: Option<&str>,
        _size: Option<u64>,
    ) -> io::Result<Box<dyn Read + Send + '_>> {
        self.open_blob(digest, media_type)
    }

    /// Read a whole blob, but no more than `cap` bytes: `Ok(Err(len))` when it is longer.
    fn read_small(
        &self,
        digest: &Digest,
        media_type: Option<&str>,
        cap: u64,
    ) -> io::Result<Result<Vec<u8>, u64>> {
        let r = self.open_blob(digest, media_type)?;
        read_capped(r, cap, || {
            self.stat_blob(digest, media_type).map(|s| s.size)
        })
    }

    /// Where the blob's bytes start in the input's byte stream, for stores that read faster in that order (a
    /// compressed archive decompresses forward only). `None`: any order is as good.
    fn read_order(&self, _digest: &Digest) -> Option<u64> {
        None
    }
}

/// The files of an image layout: what a directory and an archive have, and a registry has not.
pub trait FileTree: Send + Sync {
    /// Every entry, sorted by path.
    fn entries(&self) -> &[Entry];

    /// Open a regular file for streaming. Only paths listed as [`EntryKind::File`] can be opened.
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>>;

    /// Whether every entry is listed: `false` after a limit of the listing (its entry count or the memory budget),
    /// when a path that is not listed may still be there. (The layout's own root files are always looked for.)
    fn complete(&self) -> bool {
        true
    }

    /// Whether any order of reading its files is as fast as another (a directory); an archive is read fastest in
    /// its own order (see [`FileTree::position`]).
    fn any_order(&self) -> bool {
        true
    }

    /// Where a file's bytes start in the input's byte stream, for trees that read faster in that order (a
    /// compressed archive decompresses forward only). `None`: any order is as good.
    fn position(&self, _path: &str) -> Option<u64> {
        None
    }

    fn entry(&self, path: &str) -> Option<&Entry> {
        let entries = self.entries();
        entries
            .binary_search_by(|e| (*e.path).cmp(path))
            .ok()
            .map(|i| &entries[i])
    }

    /// The entry of a regular file that can be opened, or why it cannot.
    fn file_entry(&self, path: &str) -> io::Result<&Entry> {
        match self.entry(path) {
            Some(e) if e.kind == EntryKind::File && !e.non_utf8 => Ok(e),
            Some(e) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{path} is {}", e.kind.describe()),
            )),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{path} does not exist"),
            )),
        }
    }

    /// Read a whole regular file, but no more than `cap` bytes: `Ok(Err(len))` when it is longer.
    fn read_capped(&self, path: &str, cap: u64) -> io::Result<Result<Vec<u8>, u64>> {
        read_capped(self.open(path)?, cap, || self.entry(path).map(|e| e.size))
    }
}

/// A file tree keeps the blob `alg:encoded` at `blobs/<alg>/<encoded>` ([`Digest::blob_path`]).
impl<T: FileTree + ?Sized> BlobStore for T {
    fn stat_blob(&self, digest: &Digest, _media_type: Option<&str>) -> Option<BlobStat> {
        self.entry(&digest.blob_path()).map(|e| BlobStat {
            kind: e.kind,
            size: e.size,
        })
    }

    fn open_blob(
        &self,
        digest: &Digest,
        _media_type: Option<&str>,
    ) -> io::Result<Box<dyn Read + Send + '_>> {
        self.open(&digest.blob_path())
    }

    fn read_small(
        &self,
        digest: &Digest,
        _media_type: Option<&str>,
        cap: u64,
    ) -> io::Result<Result<Vec<u8>, u64>> {
        self.read_capped(&digest.blob_path(), cap)
    }

    fn read_order(&self, digest: &Digest) -> Option<u64> {
        self.position(&digest.blob_path())
    }
}

/// Read `r` to its end, but no more than `cap` bytes: `Ok(Err(len))` when it is longer, `len` being the size the
/// source listed (at least `cap + 1`).
fn read_capped(
    r: impl Read,
    cap: u64,
    listed: impl FnOnce() -> Option<u64>,
) -> io::Result<Result<Vec<u8>, u64>> {
    let mut r = r.take(cap + 1);
    let mut buf = Vec::new();
    r.read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        let len = listed().map_or(cap + 1, |size| size.max(cap + 1));
        return Ok(Err(len));
    }
    Ok(Ok(buf))
}

/// The document a walk starts at when the source has no file tree: for a registry, the manifest or index a
/// reference names, as it was served.
#[derive(Debug, Clone)]
pub struct RootDoc {
    /// How the report names it (for a registry, the reference: `docker://host/repo:tag`).
    pub name: String,
    /// What it is parsed as.
    pub kind: DocKind,
    /// The media type it came with (a registry's `Content-Type`), if the source was told one.
    pub media_type: Option<String>,
    /// Its bytes, at most `--max-json-size` of them.
    pub bytes: Vec<u8>,
    /// The blob it is, when it is content-addressed (a manifest a registry served): the walk then knows it by that
    /// blob's path, so a descriptor that reaches it again (a referrer's `subject`) finds the same document.
    pub digest: Option<Digest>,
}

/// An input: its blobs by digest, where the walk starts, and what else the source can say about itself.
pub trait Source: BlobStore {
    /// The layout's files, for sources that have them (a directory, an archive); the walk then starts at the
    /// tree's `oci-layout` and `index.json`. `None` for a source without files.
    fn tree(&self) -> Option<&dyn FileTree>;

    /// The document the walk starts at when there is no [`Source::tree`].
    fn root(&self) -> Option<RootDoc> {
        None
    }

    /// Problems met while listing (unreadable directories, names that could not be represented, limits hit).
    fn issues(&self) -> &[SourceIssue] {
        &[]
    }

    /// For an archive: its facts (compression, the directory the layout sits under, archive-level defects,
    /// docker save's `manifest.json`). `None` for other sources.
    fn archive(&self) -> Option<&archive::ArchiveInfo> {
        None
    }

    /// How the report shows a location's file (a layout path: `index.json`, `blobs/sha256/…`), or a `file#pointer`
    /// of a via chain: as it is, unless the source names its files otherwise (an archive whose layout sits under
    /// a directory shows that directory too).
    fn display_path<'p>(&self, path: &'p str) -> Cow<'p, str> {
        Cow::Borrowed(path)
    }

    /// The entries of the file tree; none without one.
    fn entries(&self) -> &[Entry] {
        self.tree().map_or(&[], |t| t.entries())
    }

    /// With `--referrers`: the index that lists what refers to the manifest or index `subject` (for a registry,
    /// the Referrers API's answer, or the index tagged by the referrers tag schema), as a document to walk from.
    /// `None` when there is nothing to list (a layout lists its artifacts in `index.json`).
    fn referrers(&self, _subject: &Digest) -> Option<RootDoc> {
        None
    }

    /// Whether `--fast` checks blobs by what [`BlobStore::stat_blob`] says (existence and size) instead of reading
    /// them: a registry answers a HEAD per blob instead of sending every layer. A file tree reads them (hashing is
    /// what `--fast` keeps there).
    fn fast_by_stat(&self) -> bool {
        false
    }
}
