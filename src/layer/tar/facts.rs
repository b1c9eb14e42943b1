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

/// What one pass over a tar stream found. Kept for every layer until the checks: what most layers do not have
/// (defects, trailing data) is kept out of line.
#[derive(Debug)]
pub struct TarFacts {
    names: String,
    pub entries: Vec<Entry>,
    /// The defects of the stream and the data after its end, when there are any (see [`TarFacts::issues`]).
    rare: Option<Box<Rare>>,
    pub end: End,
    /// Entries seen but not kept (over [`MAX_KEPT_ENTRIES`] or [`MAX_KEPT_NAMES`], or a budget).
    pub dropped: u64,
    /// Bytes of the tar stream read.
    pub len: u64,
    /// Entries to keep at most (default [`MAX_KEPT_ENTRIES`]; lowered in tests).
    pub keep_at_most: usize,
    /// What all the layers of a run may keep together (`--max-layer-entries`, `--max-memory`); `None`: no run-wide
    /// limit.
    pub budget: Option<std::sync::Arc<KeepBudget>>,
    /// Entries not kept because the run-wide entry budget was spent (counted in `dropped` too).
    pub dropped_by_budget: u64,
    /// Entries not kept because the run's memory budget was spent (counted in `dropped` too).
    pub dropped_by_memory: u64,
    /// Bytes of the run's memory budget this list reserved (its capacity, and what the rules build over it).
    pub reserved: u64,
}

impl Default for TarFacts {
    fn default() -> Self {
        TarFacts {
            names: String::new(),
            entries: Vec::new(),
            rare: None,
            end: End::default(),
            dropped: 0,
            len: 0,
            keep_at_most: MAX_KEPT_ENTRIES,
            budget: None,
            dropped_by_budget: 0,
            dropped_by_memory: 0,
            reserved: 0,
        }
    }
}

/// What few tar streams have.
#[derive(Debug, Default)]
struct Rare {
    issues: Vec<Issue>,
    trailing: Option<Trailing>,
}

/// What the rules build per kept entry over the list, reserved with it: its slot in the sorted index
/// ([`crate::layer::LayerFacts::by_path`]) and its node in an image's replay tree ([`crate::layer::tree`]).
pub const ENTRY_SIDE_COST: usize = 72;

/// The entries all the layers of one run may keep together, shared by the threads that read them, and the run's
/// memory budget their lists draw from (the entry lists are what the layer pass holds on to; this bounds their
/// memory whatever the number of layers).
#[derive(Debug)]
pub struct KeepBudget {
    entries: std::sync::atomic::AtomicUsize,
    /// The limit it started with, for messages.
    pub max_entries: usize,
    /// The run's memory budget: each list reserves its capacity before it grows ([`crate::memory::Use::Entries`]).
    pub memory: Option<std::sync::Arc<crate::memory::Budget>>,
}

impl KeepBudget {
    pub fn new(
        max_entries: usize,
        memory: Option<std::sync::Arc<crate::memory::Budget>>,
    ) -> KeepBudget {
        KeepBudget {
            entries: max_entries.into(),
            max_entries,
            memory,
        }
    }

    /// Take one entry, if one is left.
    fn take(&self) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.entries
            .fetch_update(Relaxed, Relaxed, |v| v.checked_sub(1))
            .is_ok()
    }

    /// Give back an entry taken but not kept.
    fn give_back(&self) {
        self.entries
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl TarFacts {
    /// Whether one more entry with `name_bytes` of names fits in the capacity reserved, growing it (within the
    /// run's memory budget) when it does not. Once a reservation is refused, nothing more is kept.
    fn room(&mut self, name_bytes: usize) -> bool {
        if self.dropped_by_memory > 0 {
            return false;
        }
        if self.entries.len() < self.entries.capacity()
            && self.names.len() + name_bytes <= self.names.capacity()
        {
            return true;
        }
        self.grow(name_bytes)
    }

    /// Grow the entry list or the name arena, reserving the new capacity first, and while it is copied the old
    /// block too (given back once the copy is made): what the list holds never exceeds what it reserved.
    #[cold]
    fn grow(&mut self, name_bytes: usize) -> bool {
        let Some(memory) = self.budget.as_ref().and_then(|b| b.memory.clone()) else {
            return true;
        };
        let per_entry = std::mem::size_of::<Entry>() + ENTRY_SIDE_COST;
        if self.entries.len() == self.entries.capacity() {
            let old = self.entries.capacity();
            let add = old.max(1024);
            let (now, copy) = (
                (add * per_entry) as u64,
                (old * std::mem::size_of::<Entry>()) as u64,
            );
            if memory
                .try_reserve(crate::memory::Use::Entries, now + copy)
                .is_err()
            {
                return false;
            }
            self.entries.reserve_exact(add);
            memory.release(crate::memory::Use::Entries, copy);
            self.reserved += now;
        }
        if self.names.len() + name_bytes > self.names.capacity() {
            let old = self.names.capacity();
            let add = old.max(name_bytes).max(16 << 10);
            if memory
                .try_reserve(crate::memory::Use::Entries, (add + old) as u64)
                .is_err()
            {
                return false;
            }
            self.names.reserve_exact(add);
            memory.release(crate::memory::Use::Entries, old as u64);
            self.reserved += add as u64;
        }
        true
    }

    /// Once the stream is read: the list and the name arena down to what they hold, and the reservation down
    /// with them (the lists are kept until the image checks run: a layout of 30,000 layers of a few entries each
    /// would otherwise hold, and reserve, a first block of 1,024 entries and 16 KiB of names per layer).
    pub(super) fn fit(&mut self) {
        let Some(memory) = self.budget.as_ref().and_then(|b| b.memory.clone()) else {
            return;
        };
        if self.reserved == 0 {
            return;
        }
        self.entries.shrink_to_fit();
        self.names.shrink_to_fit();
        let per_entry = std::mem::size_of::<Entry>() + ENTRY_SIDE_COST;
        let now = (self.entries.capacity() * per_entry + self.names.capacity()) as u64;
        if now < self.reserved {
            memory.release(crate::memory::Use::Entries, self.reserved - now);
            self.reserved = now;
        }
    }

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

    /// The defects of the stream, in the order they were met.
    pub fn issues(&self) -> &[Issue] {
        self.rare.as_ref().map_or(&[], |r| &r.issues)
    }

    /// Non-zero bytes after the end-of-archive marker, if there are any.
    pub fn trailing(&self) -> Option<&Trailing> {
        self.rare.as_ref().and_then(|r| r.trailing.as_ref())
    }

    pub(super) fn set_trailing(&mut self, t: Trailing) {
        self.rare.get_or_insert_default().trailing = Some(t);
    }

    pub(super) fn issue(&mut self, offset: u64, path: Option<&[u8]>, message: String) {
        let issues = &mut self.rare.get_or_insert_default().issues;
        // A hostile stream could hold millions of defects; a few are enough to show.
        if issues.len() < 1000 {
            issues.push(Issue {
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
    if facts.entries.len() >= facts.keep_at_most
        || facts.names.len() + 2 * (name.len() + link.len()) > MAX_KEPT_NAMES
    {
        facts.dropped += 1;
        return;
    }
    if let Some(b) = &facts.budget {
        if !b.take() {
            facts.dropped += 1;
            facts.dropped_by_budget += 1;
            return;
        }
        // The name, its normalised form and the link's, within the capacity reserved (a name that is not UTF-8
        // is kept escaped, up to four bytes for one).
        if !facts.room(8 * (name.len() + link.len())) {
            if let Some(b) = &facts.budget {
                b.give_back();
            }
            facts.dropped += 1;
            facts.dropped_by_memory += 1;
            return;
        }
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
            keep_at_most: 2,
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

    #[test]
    fn entry_lists_grow_only_within_the_memory_budget() {
        let names: Vec<String> = (0..5000).map(|i| format!("dir/file-{i:05}")).collect();
        let t = w::write(
            &names.iter().map(|n| entry(n)).collect::<Vec<_>>(),
            &TarOptions::default(),
        );
        let memory = std::sync::Arc::new(crate::memory::Budget::with_limit(1 << 20, 400 << 10));
        let keep = std::sync::Arc::new(KeepBudget::new(1_000_000, Some(memory.clone())));
        let mut f = TarFacts {
            budget: Some(keep.clone()),
            ..TarFacts::default()
        };
        scan(&t[..], &mut f).expect("in-memory reads do not fail");
        assert!(
            f.dropped_by_memory > 0 && f.dropped == f.dropped_by_memory,
            "{f:?}"
        );
        assert_eq!(f.entries.len() as u64 + f.dropped, 5000);
        // What the list holds is within what it reserved, and that within the budget.
        let held = f.entries.capacity() * std::mem::size_of::<Entry>() + f.names.capacity();
        assert!(held as u64 <= f.reserved, "{held} > {}", f.reserved);
        assert_eq!(memory.used_by(crate::memory::Use::Entries), f.reserved);
        assert!(memory.peak() <= 400 << 10);
        // The entries not kept were given back to the entry count.
        assert_eq!(
            keep.entries.load(std::sync::atomic::Ordering::Relaxed),
            1_000_000 - f.entries.len()
        );
        // With room enough, every entry is kept.
        let memory = std::sync::Arc::new(crate::memory::Budget::with_limit(64 << 20, 64 << 20));
        let mut f = TarFacts {
            budget: Some(std::sync::Arc::new(KeepBudget::new(
                1_000_000,
                Some(memory),
            ))),
            ..TarFacts::default()
        };
        scan(&t[..], &mut f).expect("in-memory reads do not fail");
        assert_eq!((f.entries.len(), f.dropped), (5000, 0));
    }

    #[test]
    fn a_small_layer_keeps_and_reserves_what_it_holds_not_a_first_block() {
        let t = w::write(&[entry("a"), entry("b/c")], &TarOptions::default());
        let memory = std::sync::Arc::new(crate::memory::Budget::with_limit(64 << 20, 64 << 20));
        let mut f = TarFacts {
            budget: Some(std::sync::Arc::new(KeepBudget::new(
                1_000_000,
                Some(memory.clone()),
            ))),
            ..TarFacts::default()
        };
        scan(&t[..], &mut f).expect("in-memory reads do not fail");
        assert_eq!(f.entries.len(), 2);
        let per_entry = std::mem::size_of::<Entry>() + ENTRY_SIDE_COST;
        assert!(f.reserved <= (2 * per_entry + 64) as u64, "{}", f.reserved);
        assert!(f.reserved >= (f.entries.capacity() * per_entry + f.names.capacity()) as u64);
        assert_eq!(memory.used_by(crate::memory::Use::Entries), f.reserved);
    }
}
