//! An image layout inside a tar archive (plain, gzip or zstd), read where it lies: never extracted, never written.
//!
//! ```text
//! archive ─► [sniff: tar? gzip? zstd?] ─► listing pass (headers only) ─► entries (layout paths) + defects
//!                                                                   └─► open(path): a reader over the entry's bytes
//! ```
//!
//! - **Plain tar**: the listing pass reads the 512-byte headers only and steps over each entry's data by its size;
//!   afterwards an entry is opened as a reader over its byte range of the file, with positioned reads (`pread`),
//!   so parallel readers never share a cursor and each blob is still read exactly once.
//! - **gzip / zstd**: a compressed stream cannot be entered in the middle. The listing pass decompresses the whole
//!   stream once and keeps the content of small regular files (at most [`CACHE_FILE_MAX`] each,
//!   [`CACHE_TOTAL_MAX`] in all) in memory, so the walk (index.json, manifests, configs) never decompresses again.
//!   Every other entry is read by decompressing again from the nearest *parked* decoder: a decoder left where the
//!   previous reader stopped (at most [`MAX_PARKED`] are kept). Readers that arrive in archive order cost one more
//!   pass in all; in the worst case (each blob opened before the ones that precede it) each large blob costs a
//!   decompression of the archive up to its end. Nothing is written to disk.
//! - **Stdin**: a regular file redirected to stdin is read in place like any file; a pipe is held in memory
//!   (its size as piped, i.e. the compressed size of a compressed archive), because the walk needs `index.json`,
//!   which archives often store after the blobs it names.
//!
//! Entry names are normalised the way a layout directory would present them: a leading `./` and empty or `.`
//! components are dropped, a trailing `/` marks a directory, parent directories that have no entry of their own
//! are implied, and when the layout sits under a single top-level directory (`img/oci-layout`) that prefix is
//! removed. Archive defects (names outside the layout, duplicate names, hard links, truncation, corrupt headers,
//! no end-of-archive marker) are recorded in [`ArchiveInfo::defects`] for the `ARC` rules; entries outside the
//! layout, hard links and truncated entries are not listed, so nothing reads them.
//!
//! The modules, in the order the bytes go through them: `backing` (where the bytes are), `sniff` (archive or
//! not, and its decoder), `stream` (the stream the listing reads, behind the decompression guard), `header` and
//! `listing` (the listing pass over the tar headers), `arrange` (the layout it holds), `docker` (docker save's
//! `manifest.json`), `reader` (the [`ArchiveSource`] and its readers) and `info` (what the rules see).

mod arrange;
mod backing;
mod docker;
#[cfg(test)]
mod fixtures;
mod header;
mod info;
mod listing;
mod reader;
mod sniff;
mod stream;

pub use info::{ArchiveInfo, Compression, Defect, DefectKind};
pub use reader::{ArchiveSource, MAX_PARKED, Opened, StreamDocument, StreamLimits};
pub use sniff::looks_like_archive;
pub use stream::{CACHE_FILE_MAX, CACHE_TOTAL_MAX};

pub use crate::options::DEFAULT_STREAM_MEMORY;
