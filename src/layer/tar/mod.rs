//! A streaming tar reader that keeps byte offsets and nothing else of the content.
//!
//! It reads ustar (with the `prefix` field), PAX extended headers (`path`, `linkpath`, `size`, `mtime`, `uid`,
//! `gid`, the `GNU.sparse.*` records; global headers too), GNU long names and long link names (`L`, `K`) and GNU
//! sparse files (`S`, with extension blocks), and it never holds a file body: bodies are skipped through the
//! reader's buffer. What it keeps per entry is the name (raw and normalised, in one arena shared by all entries),
//! the link target, the type, the size, the offset of the entry's first header and a few flags. Problems of the
//! stream itself (bad checksums, bad numbers, truncation, a missing end-of-archive marker, data after it) are
//! recorded as they are met; nothing here panics on hostile bytes.
//!
//! The modules: `header` (the fields of a header, PAX records and GNU long names), `scan` (the reader), `facts`
//! (what it keeps: the entry arena, the defects, the run-wide budget), `names` (normalisation) and [`flag`]
//! (the entry flags).

mod facts;
#[cfg(test)]
mod fixtures;
pub mod flag;
mod header;
mod names;
mod scan;

pub use facts::{
    End, Entry, Issue, KeepBudget, Kind, MAX_KEPT_ENTRIES, MAX_KEPT_NAMES, TarFacts, Trailing,
    flag_text,
};
pub use header::{BLOCK, MAX_META, looks_like_header};
pub use names::{basename, escape_non_utf8, parent};
pub use scan::scan;
