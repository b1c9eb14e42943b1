//! What a pass over a tar stream keeps: the entries (names and link targets in one arena shared by all of them),
//! the defects of the stream, how it ended, and the budget all the layers of a run keep their entries within.

use super::flag;
use super::names::{Norm, escape_non_utf8, normalize};

/// Entries kept per layer; beyond this the layer's entry list is marked incomplete (memory stays bounded).
pub const MAX_KEPT_ENTRIES: usize = 4_000_000;

/// Bytes of names kept per layer (same purpose).
pub const MAX_KEPT_NAMES: usize = 512 << 20;

/// The type of an entry, from its type flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `0`, NUL (without a trailing `/`), `7` (contiguous, read as a regular file by every reader), and GNU `S`.
    File,
    Hardlink,
    Symlink,
    Char,
    Block,
    Dir,
    Fifo,
    /// A type flag the spec's list of file types does not cover (`V`, `M`, `D`, `N`, vendor letters …).
    Other(u8),
}

impl Kind {
    pub fn describe(self) -> String {
        match self {
            Kind::File => "regular file".into(),
            Kind::Hardlink => "hard link".into(),
            Kind::Symlink => "symbolic link".into(),
            Kind::Char => "character device".into(),
            Kind::Block => "block device".into(),
            Kind::Dir => "directory".into(),
            Kind::Fifo => "FIFO".into(),
            Kind::Other(f) => format!("type flag {}", flag_text(f)),
        }
    }
}

/// A type flag as text: the character when printable, else its value.
pub fn flag_text(f: u8) -> String {
    if f.is_ascii_graphic() {
        format!("'{}'", f as char)
    } else {
        format!("0x{f:02x}")
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Span {
    start: u32,
    len: u32,
}

/// One entry of the archive (PAX and GNU meta headers are folded into the entry they describe).
#[derive(Debug, Clone)]
pub struct Entry {
    /// Offset of the entry's first header (its PAX or GNU long-name header, if it has one) in the tar stream.
    pub offset: u64,
    pub kind: Kind,
    /// Content size (for a sparse file: the bytes stored in the archive).
    pub size: u64,
    pub flags: u32,
    name: Span,
    norm: Span,
    link: Span,
    link_norm: Span,
}

impl Entry {
    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }
}

/// How the stream ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum End {
    /// Not reached: reading stopped early (a decompression error, a limit, a read error).
    #[default]
    NotReached,
    /// The two zero blocks, at this offset.
    Marker { offset: u64 },
    /// The stream ended at a block boundary without the marker (`zero_blocks` of the two were there).
    MissingMarker { offset: u64, zero_blocks: u8 },
    /// The stream could not be parsed further (see the issue recorded with it).
    Broken { offset: u64 },
}

/// A defect of the tar stream itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub offset: u64,
    /// The entry concerned, when the defect is inside one.
    pub path: Option<String>,
    pub message: String,
}

/// Non-zero bytes after the end-of-archive marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailing {
    /// First non-zero byte.
    pub offset: u64,
    /// Bytes from the end of the marker to the end of the stream.
    pub len: u64,
}

/// What one pass over a tar stream found.
#[derive(Debug, Default)]
pub struct TarFacts {
    names: String,
    pub entries: Vec<Entry>,
    pub issues: Vec<Issue>,
    pub end: End,
    pub trailing: Option<Trailing>,
    /// Entries seen but not kept (over [`MAX_KEPT_ENTRIES`] or [`MAX_KEPT_NAMES`]).
    pub dropped: u64,
    /// Bytes of the tar stream read.
    pub len: u64,
    /// Entries to keep at most (default [`MAX_KEPT_ENTRIES`]; lowered in tests).
    pub keep_at_most: Option<usize>,
    /// What all the layers of a run may keep together (`--max-layer-entries`); `None`: no run-wide limit.
    pub budget: Option<std::sync::Arc<KeepBudget>>,
    /// Entries not kept because the run-wide budget was spent (counted in `dropped` too).
    pub dropped_by_budget: u64,
}

/// The entries and name bytes all the layers of one run may keep together, shared by the threads that read them
/// (the entry lists are what the layer pass holds on to; this bounds their memory whatever the number of layers).
#[derive(Debug)]
pub struct KeepBudget {
    entries: std::sync::atomic::AtomicUsize,
    names: std::sync::atomic::AtomicUsize,
    /// The limits it started with, for messages.
    pub max_entries: usize,
    pub max_names: usize,
}

impl KeepBudget {
    pub fn new(max_entries: usize, max_names: usize) -> KeepBudget {
        KeepBudget {
            entries: max_entries.into(),
            names: max_names.into(),
            max_entries,
            max_names,
        }
    }

    /// Take one entry and `names` bytes of names, if both are left.
    fn take(&self, names: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        if self
            .entries
            .fetch_update(Relaxed, Relaxed, |v| v.checked_sub(1))
            .is_err()
        {
            return false;
        }
        if self
            .names
            .fetch_update(Relaxed, Relaxed, |v| v.checked_sub(names))
            .is_err()
        {
            self.entries.fetch_add(1, Relaxed);
            return false;
        }
        true
    }
}

impl TarFacts {
    pub(super) fn span(&self, s: Span) -> &str {
        let start = s.start as usize;
        self.names.get(start..start + s.len as usize).unwrap_or("")
    }

    /// The name as written in the archive (lossy UTF-8).
    pub fn name(&self, e: &Entry) -> &str {
        self.span(e.name)
    }

    /// The normalised path: no leading `/` or `./`, no `.` or empty components, `..` resolved, no trailing `/`;
    /// the root is `""`.
    pub fn path(&self, e: &Entry) -> &str {
        self.span(e.norm)
    }

    /// The link name as written (symbolic and hard links).
    pub fn link(&self, e: &Entry) -> &str {
        self.span(e.link)
    }

    /// The normalised target of a hard link.
    pub fn link_path(&self, e: &Entry) -> &str {
        self.span(e.link_norm)
    }

    /// Whether every entry of a complete stream is kept (the list can be used for cross-layer analysis).
    pub fn complete(&self) -> bool {
        self.dropped == 0 && matches!(self.end, End::Marker { .. } | End::MissingMarker { .. })
    }

    pub(super) fn issue(&mut self, offset: u64, path: Option<&[u8]>, message: String) {
        // A hostile stream could hold millions of defects; a few are enough to show.
        if self.issues.len() < 1000 {
            self.issues.push(Issue {
                offset,
                path: path.map(|p| String::from_utf8_lossy(p).into_owned()),
                message,
            });
        }
    }

    pub(super) fn push_str(&mut self, s: &str) -> Span {
        let start = self.names.len();
        self.names.push_str(s);
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(s.len()).unwrap_or(0),
        }
    }

    /// Keep raw name bytes; returns the span and whether they were valid UTF-8.
    pub(super) fn push_bytes(&mut self, b: &[u8]) -> (Span, bool) {
        match std::str::from_utf8(b) {
            Ok(s) => (self.push_str(s), true),
            Err(_) => (self.push_str(&escape_non_utf8(b)), false),
        }
    }

    /// Normalise the name at `raw` (already kept): returns its span (inside `raw` when possible) and flags.
    pub(super) fn push_norm(&mut self, raw: Span) -> (Span, u32) {
        let (norm, flags) = {
            let s = self.span(raw);
            normalize(s)
        };
        let span = match norm {
            Norm::Within(a, b) => Span {
                start: raw.start + a as u32,
                len: (b - a) as u32,
            },
            Norm::Owned(s) => self.push_str(&s),
        };
        (span, flags)
    }
}

/// Keep an entry (name, normalised path, link, flags) unless the caps are reached.
pub(super) fn keep(
    facts: &mut TarFacts,
    name: &[u8],
    link: &[u8],
    kind: Kind,
    size: u64,
    mut flags: u32,
    offset: u64,
) {
    if facts.entries.len() >= facts.keep_at_most.unwrap_or(MAX_KEPT_ENTRIES)
        || facts.names.len() + 2 * (name.len() + link.len()) > MAX_KEPT_NAMES
    {
        facts.dropped += 1;
        return;
    }
    if let Some(b) = &facts.budget
        && !b.take(2 * (name.len() + link.len()))
    {
        facts.dropped += 1;
        facts.dropped_by_budget += 1;
        return;
    }
    let (name_span, utf8) = facts.push_bytes(name);
    if !utf8 {
        flags |= flag::NON_UTF8;
    }
    let (norm, nflags) = facts.push_norm(name_span);
    flags |= nflags;
    let mut link_span = Span::default();
    let mut link_norm = Span::default();
    if !link.is_empty() && matches!(kind, Kind::Hardlink | Kind::Symlink) {
        let (s, utf8) = facts.push_bytes(link);
        if !utf8 {
            flags |= flag::LINK_NON_UTF8;
        }
        link_span = s;
        if kind == Kind::Hardlink {
            let (n, lf) = facts.push_norm(s);
            link_norm = n;
            if lf & flag::ABSOLUTE != 0 {
                flags |= flag::LINK_ABSOLUTE;
            }
            if lf & flag::DOTDOT != 0 {
                flags |= flag::LINK_DOTDOT;
            }
            if lf & flag::ESCAPES != 0 {
                flags |= flag::LINK_ESCAPES;
            }
        }
    }
    facts.entries.push(Entry {
        offset,
        kind,
        size,
        flags,
        name: name_span,
        norm,
        link: link_span,
        link_norm,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::tar::{self as w, TarOptions};
    use crate::layer::tar::fixtures::entry;
    use crate::layer::tar::scan;

    #[test]
    fn entries_past_the_cap_are_counted_not_kept() {
        let t = w::write(
            &[entry("a"), entry("b"), entry("c")],
            &TarOptions::default(),
        );
        let mut f = TarFacts {
            keep_at_most: Some(2),
            ..TarFacts::default()
        };
        scan(&t[..], &mut f).expect("in-memory reads do not fail");
        assert_eq!((f.entries.len(), f.dropped), (2, 1));
        assert_eq!(f.end, End::Marker { offset: 512 * 3 });
        assert!(
            !f.complete(),
            "an incomplete list cannot be used across layers"
        );
    }
}
