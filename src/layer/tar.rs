//! A streaming tar reader that keeps byte offsets and nothing else of the content.
//!
//! It reads ustar (with the `prefix` field), PAX extended headers (`path`, `linkpath`, `size`, `mtime`, `uid`,
//! `gid`, the `GNU.sparse.*` records; global headers too), GNU long names and long link names (`L`, `K`) and GNU
//! sparse files (`S`, with extension blocks), and it never holds a file body: bodies are skipped through the
//! reader's buffer. What it keeps per entry is the name (raw and normalised, in one arena shared by all entries),
//! the link target, the type, the size, the offset of the entry's first header and a few flags. Problems of the
//! stream itself (bad checksums, bad numbers, truncation, a missing end-of-archive marker, data after it) are
//! recorded as they are met; nothing here panics on hostile bytes.

use std::io::{self, BufRead};

pub const BLOCK: usize = 512;

/// PAX and GNU long-name bodies larger than this are not read (GNU tar and Go use limits of the same order).
pub const MAX_META: u64 = 1 << 20;

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

/// Entry flags.
pub mod flag {
    /// The name is not valid UTF-8 (the kept name is a lossy rendering).
    pub const NON_UTF8: u32 = 1;
    /// A GNU sparse file (type `S`) or PAX `GNU.sparse.*` records.
    pub const SPARSE: u32 = 1 << 1;
    pub const MISSING_MODE: u32 = 1 << 2;
    pub const MISSING_UID: u32 = 1 << 3;
    pub const MISSING_GID: u32 = 1 << 4;
    pub const MISSING_MTIME: u32 = 1 << 5;
    /// A symbolic or hard link with an empty link name.
    pub const MISSING_LINK: u32 = 1 << 6;
    /// The name starts with `/`.
    pub const ABSOLUTE: u32 = 1 << 7;
    /// The name has a `..` component.
    pub const DOTDOT: u32 = 1 << 8;
    /// The `..` components climb above the root.
    pub const ESCAPES: u32 = 1 << 9;
    /// The (hard) link target starts with `/`.
    pub const LINK_ABSOLUTE: u32 = 1 << 10;
    /// The (hard) link target has a `..` component.
    pub const LINK_DOTDOT: u32 = 1 << 11;
    /// The (hard) link target climbs above the root.
    pub const LINK_ESCAPES: u32 = 1 << 12;
    /// The link target is not valid UTF-8.
    pub const LINK_NON_UTF8: u32 = 1 << 13;
    /// The kept name lost bytes to a cap (longer than the limit).
    pub const ANY_MISSING: u32 =
        MISSING_MODE | MISSING_UID | MISSING_GID | MISSING_MTIME | MISSING_LINK;
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
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
    fn span(&self, s: Span) -> &str {
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

    fn issue(&mut self, offset: u64, path: Option<&[u8]>, message: String) {
        // A hostile stream could hold millions of defects; a few are enough to show.
        if self.issues.len() < 1000 {
            self.issues.push(Issue {
                offset,
                path: path.map(|p| String::from_utf8_lossy(p).into_owned()),
                message,
            });
        }
    }

    fn push_str(&mut self, s: &str) -> Span {
        let start = self.names.len();
        self.names.push_str(s);
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(s.len()).unwrap_or(0),
        }
    }

    /// Keep raw name bytes; returns the span and whether they were valid UTF-8.
    fn push_bytes(&mut self, b: &[u8]) -> (Span, bool) {
        match std::str::from_utf8(b) {
            Ok(s) => (self.push_str(s), true),
            Err(_) => (self.push_str(&escape_non_utf8(b)), false),
        }
    }

    /// Normalise the name at `raw` (already kept): returns its span (inside `raw` when possible) and flags.
    fn push_norm(&mut self, raw: Span) -> (Span, u32) {
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

/// A name that is not UTF-8, with each byte of an invalid sequence written `\xNN` (distinct names stay distinct).
pub fn escape_non_utf8(mut b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 8);
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = b.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                for x in &rest[..bad.min(rest.len())] {
                    out.push_str(&format!("\\x{x:02x}"));
                }
                b = &rest[bad.min(rest.len())..];
            }
        }
    }
}

enum Norm {
    /// A sub-slice of the raw name.
    Within(usize, usize),
    Owned(String),
}

/// Normalise a tar name. Flags: ABSOLUTE, DOTDOT, ESCAPES.
fn normalize(s: &str) -> (Norm, u32) {
    let mut flags = 0;
    if s.starts_with('/') {
        flags |= flag::ABSOLUTE;
    }
    // Fast path: strip leading "/" and "./", trailing "/"; clean if no "", "." or ".." components remain.
    let mut a = 0;
    let b0 = s.len();
    loop {
        let rest = &s[a..];
        if rest.starts_with('/') {
            a += 1;
        } else if rest.starts_with("./") {
            a += 2;
        } else if rest == "." {
            a += 1;
        } else {
            break;
        }
    }
    let mut b = b0;
    while b > a && s.as_bytes()[b - 1] == b'/' {
        b -= 1;
    }
    let inner = &s[a..b];
    let clean = inner.is_empty()
        || inner
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    if clean {
        return (Norm::Within(a, b), flags);
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in inner.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                flags |= flag::DOTDOT;
                if parts.pop().is_none() {
                    flags |= flag::ESCAPES;
                }
            }
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    // Often still a slice of the original (e.g. "a/./" → "a").
    if let Some(i) = s.find(joined.as_str())
        && !joined.is_empty()
    {
        return (Norm::Within(i, i + joined.len()), flags);
    }
    (Norm::Owned(joined), flags)
}

/// The basename of a normalised path.
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The parent of a normalised path (`""` for the root's children).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// A numeric header field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    Empty,
    Ok(u64),
    Bad,
}

fn parse_num(f: &[u8]) -> Num {
    let Some(&first) = f.first() else {
        return Num::Empty;
    };
    if first & 0x80 != 0 {
        // Base-256 (GNU / star): big-endian, the top bit of the first byte marks it; 0xff starts a negative value.
        if first == 0xff {
            return Num::Bad;
        }
        let mut v = u64::from(first & 0x7f);
        for &b in &f[1..] {
            if v > (u64::MAX >> 8) {
                return Num::Bad;
            }
            v = (v << 8) | u64::from(b);
        }
        return Num::Ok(v);
    }
    let is_pad = |b: &u8| *b == b' ' || *b == 0;
    let start = f.iter().position(|b| !is_pad(b)).unwrap_or(f.len());
    let end = f.iter().rposition(|b| !is_pad(b)).map_or(start, |i| i + 1);
    let s = &f[start..end];
    if s.is_empty() {
        return Num::Empty;
    }
    let mut v: u64 = 0;
    for &b in s {
        if !(b'0'..=b'7').contains(&b) {
            return Num::Bad;
        }
        v = match v.checked_mul(8) {
            Some(x) => x + u64::from(b - b'0'),
            None => return Num::Bad,
        };
    }
    Num::Ok(v)
}

/// The bytes of a NUL-terminated field.
fn cstr(f: &[u8]) -> &[u8] {
    match f.iter().position(|&b| b == 0) {
        Some(i) => &f[..i],
        None => f,
    }
}

fn checksum_ok(h: &[u8; BLOCK]) -> bool {
    let Num::Ok(stored) = parse_num(&h[148..156]) else {
        return false;
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in h.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// Whether a 512-byte block looks like a tar header (for telling tar from other data).
pub fn looks_like_header(b: &[u8]) -> bool {
    let Ok(h) = <&[u8; BLOCK]>::try_from(b) else {
        return false;
    };
    h.iter().all(|&x| x == 0) || &h[257..262] == b"ustar" || checksum_ok(h)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `ustar\0` `00`: `prefix` holds the start of long names.
    Ustar,
    /// `ustar  \0`: the old GNU format (no prefix; sparse maps and times in that area).
    Gnu,
    /// No magic (v7).
    V7,
}

/// What PAX records and GNU long-name headers said about the next entry.
#[derive(Default)]
struct Pending {
    /// Offset of the first meta header.
    start: Option<u64>,
    path: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    size: Option<u64>,
    mtime: bool,
    uid: bool,
    gid: bool,
    sparse: bool,
    sparse_name: Option<Vec<u8>>,
}

/// Attributes a global PAX header supplies to every following entry.
#[derive(Default)]
struct Global {
    mtime: bool,
    uid: bool,
    gid: bool,
}

/// The reader under the parser: counts bytes and reads through the `BufRead` buffer without copying bodies.
struct Input<R> {
    r: R,
    pos: u64,
}

impl<R: BufRead> Input<R> {
    /// Fill `buf` as far as the stream allows; fewer bytes only at the end of the stream.
    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let avail = match self.r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                break;
            }
            let k = avail.len().min(buf.len() - n);
            buf[n..n + k].copy_from_slice(&avail[..k]);
            self.r.consume(k);
            n += k;
            self.pos += k as u64;
        }
        Ok(n)
    }

    /// Skip `n` bytes; returns how many were there.
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let mut left = n;
        while left > 0 {
            let avail = match self.r.fill_buf() {
                Ok(b) => b.len(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail == 0 {
                break;
            }
            let k = usize::try_from(left).map_or(avail, |l| l.min(avail));
            self.r.consume(k);
            left -= k as u64;
            self.pos += k as u64;
        }
        Ok(n - left)
    }

    /// Read `n` bytes into `out` (cleared first).
    fn read_vec(&mut self, n: u64, out: &mut Vec<u8>) -> io::Result<u64> {
        out.clear();
        let mut left = n;
        while left > 0 {
            let avail = match self.r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                break;
            }
            let k = usize::try_from(left).map_or(avail.len(), |l| l.min(avail.len()));
            out.extend_from_slice(&avail[..k]);
            self.r.consume(k);
            left -= k as u64;
            self.pos += k as u64;
        }
        Ok(n - left)
    }

    /// Read to the end of the stream; returns the offset of the first non-zero byte, if any.
    fn first_nonzero_to_end(&mut self) -> io::Result<Option<u64>> {
        let mut first = None;
        loop {
            let avail = match self.r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok(first);
            }
            if first.is_none()
                && let Some(i) = avail.iter().position(|&b| b != 0)
            {
                first = Some(self.pos + i as u64);
            }
            let k = avail.len();
            self.r.consume(k);
            self.pos += k as u64;
        }
    }
}

fn padding(n: u64) -> u64 {
    (BLOCK as u64 - n % BLOCK as u64) % BLOCK as u64
}

/// Parse PAX records ("<len> <key>=<value>\n" …) and apply them to `p` (per-entry) or `g` (global).
fn apply_pax(data: &[u8], p: &mut Pending, g: Option<&mut Global>, facts: &mut TarFacts, at: u64) {
    let mut global = g;
    let mut rest = data;
    while !rest.is_empty() {
        // Some writers pad the body with NULs.
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let Some(sp) = rest.iter().position(|&b| b == b' ') else {
            facts.issue(at, None, "malformed PAX record (no length)".into());
            return;
        };
        let len = std::str::from_utf8(&rest[..sp])
            .ok()
            .and_then(|s| s.parse::<usize>().ok());
        let Some(len) = len.filter(|&l| l > sp + 1 && l <= rest.len()) else {
            facts.issue(at, None, "malformed PAX record (bad length)".into());
            return;
        };
        let rec = &rest[sp + 1..len];
        rest = &rest[len..];
        let Some(rec) = rec.strip_suffix(b"\n") else {
            facts.issue(at, None, "malformed PAX record (no newline)".into());
            return;
        };
        let Some(eq) = rec.iter().position(|&b| b == b'=') else {
            facts.issue(at, None, "malformed PAX record (no '=')".into());
            return;
        };
        let (key, value) = (&rec[..eq], &rec[eq + 1..]);
        if let Some(g) = global.as_deref_mut() {
            match key {
                b"mtime" => g.mtime = true,
                b"uid" => g.uid = true,
                b"gid" => g.gid = true,
                _ => {}
            }
            continue;
        }
        match key {
            b"path" => p.path = Some(value.to_vec()),
            b"linkpath" => p.link = Some(value.to_vec()),
            b"size" => {
                match std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                {
                    Some(n) => p.size = Some(n),
                    None => facts.issue(
                        at,
                        None,
                        format!(
                            "PAX size record {:?} is not a non-negative integer",
                            String::from_utf8_lossy(value)
                        ),
                    ),
                }
            }
            b"mtime" => p.mtime = true,
            b"uid" => p.uid = true,
            b"gid" => p.gid = true,
            b"GNU.sparse.name" => {
                p.sparse = true;
                p.sparse_name = Some(value.to_vec());
            }
            k if k.starts_with(b"GNU.sparse.") => p.sparse = true,
            _ => {}
        }
    }
}

/// Read a whole tar stream, recording entries and defects in `facts`. An `Err` is an error of the reader below
/// (a decompression error, a limit, an I/O error); everything read until then is in `facts`.
pub fn scan<R: BufRead>(r: R, facts: &mut TarFacts) -> io::Result<()> {
    let mut input = Input { r, pos: 0 };
    let res = scan_inner(&mut input, facts);
    facts.len = input.pos;
    res
}

fn scan_inner<R: BufRead>(input: &mut Input<R>, facts: &mut TarFacts) -> io::Result<()> {
    let mut h = [0u8; BLOCK];
    let mut pending = Pending::default();
    let mut global = Global::default();
    let mut meta: Vec<u8> = Vec::new();
    let mut name_buf: Vec<u8> = Vec::new();
    // A header read ahead while checking for the second zero block.
    let mut have_next = false;
    loop {
        let off = input.pos - if have_next { BLOCK as u64 } else { 0 };
        if !have_next {
            let n = input.read_full(&mut h)?;
            if n == 0 {
                facts.end = End::MissingMarker {
                    offset: off,
                    zero_blocks: 0,
                };
                return Ok(());
            }
            if n < BLOCK {
                facts.issue(
                    off,
                    None,
                    format!("the stream ends {n} bytes into a header block"),
                );
                facts.end = End::Broken { offset: off };
                return Ok(());
            }
        }
        have_next = false;
        if h.iter().all(|&b| b == 0) {
            let n = input.read_full(&mut h)?;
            if n == 0 {
                facts.end = End::MissingMarker {
                    offset: off,
                    zero_blocks: 1,
                };
                return Ok(());
            }
            if h[..n].iter().all(|&b| b == 0) {
                if n < BLOCK {
                    facts.end = End::MissingMarker {
                        offset: off,
                        zero_blocks: 1,
                    };
                    return Ok(());
                }
                facts.end = End::Marker { offset: off };
                let after = input.pos;
                if let Some(first) = input.first_nonzero_to_end()? {
                    facts.trailing = Some(Trailing {
                        offset: first,
                        len: input.pos - after,
                    });
                }
                return Ok(());
            }
            if n < BLOCK {
                facts.issue(
                    off + BLOCK as u64,
                    None,
                    format!("the stream ends {n} bytes into a header block"),
                );
                facts.end = End::Broken {
                    offset: off + BLOCK as u64,
                };
                return Ok(());
            }
            // One zero block, then more data: readers stop at the zero block (or at the next, bad, header).
            facts.issue(
                off,
                None,
                "a single zero block inside the archive: most readers stop reading here, and the entries after it are lost"
                    .into(),
            );
            have_next = true;
            continue;
        }
        if !checksum_ok(&h) {
            let what = match parse_num(&h[148..156]) {
                Num::Ok(_) => "the header checksum does not match",
                _ => "the header checksum field is not a number",
            };
            facts.issue(
                off,
                pending_name(&pending).as_deref(),
                format!("{what}: not a tar header (corrupt, or not a tar stream)"),
            );
            facts.end = End::Broken { offset: off };
            return Ok(());
        }
        let format = if &h[257..263] == b"ustar\0" {
            Format::Ustar
        } else if &h[257..265] == b"ustar  \0" {
            Format::Gnu
        } else {
            Format::V7
        };
        let typeflag = h[156];
        let size = match parse_num(&h[124..136]) {
            Num::Ok(n) => n,
            Num::Empty => 0,
            Num::Bad => {
                facts.issue(
                    off,
                    Some(cstr(&h[..100])),
                    "the size field is not a number; the archive cannot be read past this header"
                        .into(),
                );
                facts.end = End::Broken { offset: off };
                return Ok(());
            }
        };
        let start = *pending.start.get_or_insert(off);
        match typeflag {
            b'x' | b'g' | b'L' | b'K' => {
                let body_at = input.pos;
                if size > MAX_META {
                    facts.issue(
                        off,
                        None,
                        format!(
                            "{} header of {size} bytes is larger than the {MAX_META}-byte limit; its records were ignored",
                            meta_name(typeflag)
                        ),
                    );
                    let got = input.skip(size + padding(size))?;
                    if got < size + padding(size) {
                        return truncated(facts, body_at, None, size, got);
                    }
                    continue;
                }
                let got = input.read_vec(size, &mut meta)?;
                if got < size {
                    return truncated(facts, body_at, None, size, got);
                }
                let pad = padding(size);
                if input.skip(pad)? < pad {
                    return truncated(facts, body_at, None, size, got);
                }
                match typeflag {
                    b'x' => apply_pax(&meta, &mut pending, None, facts, off),
                    b'g' => {
                        let mut tmp = Pending::default();
                        apply_pax(&meta, &mut tmp, Some(&mut global), facts, off);
                        // A global header is not part of the next entry.
                        if pending.start == Some(off) {
                            pending.start = None;
                        }
                    }
                    b'L' => pending.path = Some(cstr(&meta).to_vec()),
                    _ => pending.link = Some(cstr(&meta).to_vec()),
                }
                continue;
            }
            _ => {}
        }
        // A real entry.
        let mut flags = 0u32;
        let mut kind = match typeflag {
            b'0' | b'7' => Kind::File,
            0 => Kind::File,
            b'1' => Kind::Hardlink,
            b'2' => Kind::Symlink,
            b'3' => Kind::Char,
            b'4' => Kind::Block,
            b'5' => Kind::Dir,
            b'6' => Kind::Fifo,
            b'S' => {
                flags |= flag::SPARSE;
                Kind::File
            }
            f => Kind::Other(f),
        };
        // Name: PAX path, GNU long name, sparse name, or prefix + name.
        name_buf.clear();
        if let Some(p) = pending.sparse_name.take().or_else(|| pending.path.take()) {
            name_buf.extend_from_slice(&p);
        } else {
            let prefix = cstr(&h[345..500]);
            if format == Format::Ustar && !prefix.is_empty() {
                name_buf.extend_from_slice(prefix);
                name_buf.push(b'/');
            }
            name_buf.extend_from_slice(cstr(&h[..100]));
        }
        if typeflag == 0 && name_buf.last() == Some(&b'/') {
            kind = Kind::Dir;
        }
        let link_bytes: Option<Vec<u8>> = pending.link.take();
        let link_field = cstr(&h[157..257]);
        let link: &[u8] = link_bytes.as_deref().unwrap_or(link_field);
        // Attributes.
        let mut check_num = |range: std::ops::Range<usize>,
                             present: bool,
                             missing: u32,
                             what: &str| {
            match parse_num(&h[range]) {
                Num::Ok(_) => {}
                Num::Empty if present => {}
                Num::Empty => flags |= missing,
                Num::Bad if present => {}
                Num::Bad => facts.issue(
                    start,
                    Some(&name_buf),
                    format!("the {what} field is not an octal number"),
                ),
            }
        };
        check_num(100..108, false, flag::MISSING_MODE, "mode");
        check_num(
            108..116,
            pending.uid || global.uid,
            flag::MISSING_UID,
            "uid",
        );
        check_num(
            116..124,
            pending.gid || global.gid,
            flag::MISSING_GID,
            "gid",
        );
        check_num(
            136..148,
            pending.mtime || global.mtime,
            flag::MISSING_MTIME,
            "mtime",
        );
        if matches!(kind, Kind::Hardlink | Kind::Symlink) && link.is_empty() {
            flags |= flag::MISSING_LINK;
        }
        if pending.sparse {
            flags |= flag::SPARSE;
        }
        // GNU sparse: extension blocks follow the header.
        if typeflag == b'S' && format != Format::Ustar {
            let mut extended = h[482] != 0;
            while extended {
                let mut ext = [0u8; BLOCK];
                let at = input.pos;
                let n = input.read_full(&mut ext)?;
                if n < BLOCK {
                    keep(facts, &name_buf, link, kind, 0, flags, start);
                    return truncated(facts, at, Some(&name_buf), BLOCK as u64, n as u64);
                }
                extended = ext[504] != 0;
            }
        }
        let body = pending.size.unwrap_or(size);
        // Header-only types carry no data whatever their size field says (as Go's archive/tar reads them).
        let body = match kind {
            Kind::Hardlink | Kind::Symlink | Kind::Char | Kind::Block | Kind::Dir | Kind::Fifo => 0,
            _ => body,
        };
        keep(facts, &name_buf, link, kind, body, flags, start);
        pending = Pending::default();
        let at = input.pos;
        let want = body.saturating_add(padding(body));
        let got = input.skip(want)?;
        if got < want {
            // Data cut short: or only the padding missing at the very end.
            let data_got = got.min(body);
            return truncated(facts, at, Some(&name_buf), body, data_got);
        }
    }
}

fn meta_name(flag: u8) -> &'static str {
    match flag {
        b'x' => "PAX extended",
        b'g' => "PAX global",
        b'L' => "GNU long name",
        _ => "GNU long link name",
    }
}

fn pending_name(p: &Pending) -> Option<Vec<u8>> {
    // The name field of a block that failed its checksum may be anything: only a PAX or GNU name read before it
    // is trustworthy.
    p.path.clone()
}

fn truncated(
    facts: &mut TarFacts,
    at: u64,
    path: Option<&[u8]>,
    want: u64,
    got: u64,
) -> io::Result<()> {
    let msg = if got >= want {
        // Only the block padding is missing.
        "the stream ends inside the padding of the last entry's data block".to_string()
    } else {
        format!("the archive is truncated: {want} bytes of data expected, {got} found")
    };
    facts.issue(at, path, msg);
    facts.end = End::Broken { offset: at };
    Ok(())
}

/// Keep an entry (name, normalised path, link, flags) unless the caps are reached.
fn keep(
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
    use crate::corpus::tar::{self as w, TarEntry, TarOptions};

    fn facts(bytes: &[u8]) -> TarFacts {
        let mut f = TarFacts::default();
        scan(bytes, &mut f).expect("in-memory reads do not fail");
        f
    }

    fn entry(path: &str) -> TarEntry {
        TarEntry {
            path: path.into(),
            ..TarEntry::default()
        }
    }

    #[test]
    fn offsets_names_and_end() {
        let t = w::write(
            &[
                TarEntry {
                    kind: Some("dir".into()),
                    ..entry("./etc/")
                },
                TarEntry {
                    content: Some("x".repeat(600)),
                    ..entry("./etc/hello")
                },
                entry("bin"),
            ],
            &TarOptions::default(),
        );
        let f = facts(&t);
        assert_eq!(f.entries.len(), 3);
        let offs: Vec<u64> = f.entries.iter().map(|e| e.offset).collect();
        assert_eq!(offs, vec![0, 512, 512 * 4]);
        assert_eq!(f.name(&f.entries[0]), "./etc/");
        assert_eq!(f.path(&f.entries[0]), "etc");
        assert_eq!(f.entries[0].kind, Kind::Dir);
        assert_eq!(f.path(&f.entries[1]), "etc/hello");
        assert_eq!(f.entries[1].size, 600);
        assert_eq!(f.end, End::Marker { offset: 512 * 5 });
        assert!(f.issues.is_empty());
        assert!(f.trailing.is_none());
        assert!(f.complete());
        assert_eq!(f.len, t.len() as u64);
    }

    #[test]
    fn long_names_pax_gnu_and_ustar_prefix() {
        let long = format!("{}/{}", "d".repeat(80), "f".repeat(80));
        let t = w::write(
            &[
                entry(&long),
                TarEntry {
                    longname: Some("gnu".into()),
                    ..entry(&format!("g/{long}"))
                },
                TarEntry {
                    kind: Some("symlink".into()),
                    link: Some(format!("/{long}")),
                    ..entry("s")
                },
            ],
            &TarOptions::default(),
        );
        let f = facts(&t);
        assert_eq!(f.entries.len(), 3, "{:?}", f.issues);
        assert_eq!(f.name(&f.entries[0]), long);
        assert_eq!(f.entries[0].offset, 0, "the PAX header starts the entry");
        assert_eq!(f.name(&f.entries[1]), format!("g/{long}"));
        assert_eq!(f.link(&f.entries[2]), format!("/{long}"));
        // A ustar prefix, written by hand.
        let mut t = w::write(&[entry("name")], &TarOptions::default());
        t[345..352].copy_from_slice(b"pre/fix");
        fix_checksum(&mut t);
        let f = facts(&t);
        assert_eq!(f.name(&f.entries[0]), "pre/fix/name");
    }

    fn fix_checksum(h: &mut [u8]) {
        let sum: u32 = h[..512]
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(b)
                }
            })
            .sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    }

    #[test]
    fn pax_size_overrides_the_header() {
        let mut pax = std::collections::BTreeMap::new();
        pax.insert("size".to_string(), "3".to_string());
        pax.insert("mtime".to_string(), "1.5".to_string());
        let mut t = w::write(
            &[
                TarEntry {
                    content: Some("abc".into()),
                    pax,
                    ..entry("a")
                },
                entry("b"),
            ],
            &TarOptions::default(),
        );
        // The ustar size field says 0; the PAX record says 3, and wins.
        t[1024 + 124..1024 + 136].copy_from_slice(b"00000000000\0");
        fix_checksum(&mut t[1024..]);
        let f = facts(&t);
        assert_eq!(f.entries.len(), 2, "{:?}", f.issues);
        assert_eq!(f.entries[0].size, 3);
        assert_eq!(f.entries[1].offset, 512 * 4);
        assert!(f.issues.is_empty());
    }

    #[test]
    fn truncation_missing_marker_and_trailing_data() {
        let t = w::write(
            &[TarEntry {
                content: Some("hello".into()),
                ..entry("a")
            }],
            &TarOptions {
                truncate: Some(515),
                ..TarOptions::default()
            },
        );
        let f = facts(&t);
        assert_eq!(f.entries.len(), 1);
        assert!(matches!(f.end, End::Broken { offset: 512 }));
        assert!(f.issues[0].message.contains("truncated"), "{:?}", f.issues);
        assert!(!f.complete());

        let t = w::write(
            &[entry("a")],
            &TarOptions {
                no_eof: true,
                ..TarOptions::default()
            },
        );
        let f = facts(&t);
        assert_eq!(
            f.end,
            End::MissingMarker {
                offset: 512,
                zero_blocks: 0
            }
        );
        assert!(f.complete());

        let t = w::write(
            &[entry("a")],
            &TarOptions {
                trailing: Some("\0\0garbage".into()),
                ..TarOptions::default()
            },
        );
        let f = facts(&t);
        assert_eq!(f.end, End::Marker { offset: 512 });
        assert_eq!(
            f.trailing,
            Some(Trailing {
                offset: 512 * 3 + 2,
                len: 9
            })
        );
        // Zero padding to a record size is not trailing data.
        let mut t = w::write(&[entry("a")], &TarOptions::default());
        t.resize(10240, 0);
        assert!(facts(&t).trailing.is_none());
    }

    #[test]
    fn lone_zero_block_and_bad_checksum() {
        let mut t = w::write(&[entry("a")], &TarOptions::default());
        let second = w::write(&[entry("b")], &TarOptions::default());
        t.truncate(512 * 2);
        t.extend_from_slice(&second);
        let f = facts(&t);
        assert_eq!(f.entries.len(), 2);
        assert!(f.issues[0].message.contains("single zero block"));
        let mut t = w::write(&[entry("a"), entry("b")], &TarOptions::default());
        t[512] ^= 1;
        let f = facts(&t);
        assert_eq!(f.entries.len(), 1);
        assert!(matches!(f.end, End::Broken { offset: 512 }));
    }

    /// Every feature of the corpus writer, read back: GNU long names and long link names, the ustar prefix, the
    /// old GNU magic, GNU sparse files with extension blocks (the entry after one must be found), empty fields,
    /// device numbers, names that are not UTF-8.
    #[test]
    fn writer_features_read_back() {
        let long = format!("{}/{}", "d".repeat(90), "f".repeat(90));
        let t = w::write(
            &[
                TarEntry {
                    longname: Some("gnu".into()),
                    kind: Some("symlink".into()),
                    link: Some(format!("/{long}")),
                    ..entry(&format!("l/{long}"))
                },
                TarEntry {
                    longname: Some("ustar".into()),
                    ..entry(&format!("u/{long}"))
                },
                TarEntry {
                    gnu: true,
                    ..entry("old-gnu")
                },
                TarEntry {
                    kind: Some("sparse".into()),
                    sparse: Some((0..30).map(|i| [i * 4096, 100]).collect()),
                    ..entry("sparse")
                },
                TarEntry {
                    omit: vec!["mtime".into(), "uid".into()],
                    ..entry("bare")
                },
                TarEntry {
                    kind: Some("char".into()),
                    dev: Some([1, 3]),
                    ..entry("null")
                },
                TarEntry {
                    path_hex: Some("636166e9".into()),
                    ..entry("")
                },
                entry("last"),
            ],
            &TarOptions::default(),
        );
        let f = facts(&t);
        assert!(f.issues.is_empty(), "{:?}", f.issues);
        let got: Vec<(&str, Kind, u32)> = f
            .entries
            .iter()
            .map(|e| (f.name(e), e.kind, e.flags))
            .collect();
        let long_l = format!("l/{long}");
        let long_u = format!("u/{long}");
        assert_eq!(
            got,
            vec![
                (long_l.as_str(), Kind::Symlink, 0),
                (long_u.as_str(), Kind::File, 0),
                ("old-gnu", Kind::File, 0),
                ("sparse", Kind::File, flag::SPARSE),
                ("bare", Kind::File, flag::MISSING_MTIME | flag::MISSING_UID),
                ("null", Kind::Char, 0),
                ("caf\\xe9", Kind::File, flag::NON_UTF8),
                ("last", Kind::File, 0),
            ]
        );
        assert_eq!(f.link(&f.entries[0]), format!("/{long}"));
        assert_eq!(f.entries[3].size, 3000);
        assert!(f.complete());
    }

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

    #[test]
    fn normalisation() {
        for (raw, norm, flags) in [
            ("./a/b/", "a/b", 0),
            ("/a", "a", flag::ABSOLUTE),
            ("a//b/./c", "a/b/c", 0),
            ("a/../b", "b", flag::DOTDOT),
            ("../x", "x", flag::DOTDOT | flag::ESCAPES),
            (".", "", 0),
            ("./", "", 0),
            ("a/.wh.", "a/.wh.", 0),
        ] {
            let mut f = TarFacts::default();
            let s = f.push_str(raw);
            let (n, fl) = f.push_norm(s);
            assert_eq!((f.span(n), fl), (norm, flags), "{raw}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_num(b"0000644\0"), Num::Ok(0o644));
        assert_eq!(parse_num(b"   644 \0"), Num::Ok(0o644));
        assert_eq!(parse_num(b"\0\0\0\0\0\0\0\0"), Num::Empty);
        assert_eq!(parse_num(b"00009\0"), Num::Bad);
        assert_eq!(parse_num(&[0x80, 0, 0, 0, 0, 0, 0, 1, 0]), Num::Ok(256));
        assert_eq!(parse_num(&[0xff; 12]), Num::Bad);
    }

    /// Random bytes, and random damage to a valid archive: never a panic, offsets never past the input.
    #[test]
    fn hostile_bytes_do_not_panic() {
        let base = w::write(
            &[
                TarEntry {
                    content: Some("hello".into()),
                    ..entry(&"n".repeat(150))
                },
                TarEntry {
                    longname: Some("gnu".into()),
                    ..entry(&"m".repeat(150))
                },
                TarEntry {
                    kind: Some("hardlink".into()),
                    link: Some("a".into()),
                    ..entry("h")
                },
            ],
            &TarOptions::default(),
        );
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..3000 {
            let mut t = if round % 3 == 0 {
                (0..(rand() % 4096) as usize)
                    .map(|_| rand() as u8)
                    .collect::<Vec<u8>>()
            } else {
                let mut t = base.clone();
                for _ in 0..(1 + rand() % 8) {
                    let i = (rand() as usize) % t.len();
                    t[i] = rand() as u8;
                }
                // Keep most headers acceptable so that the damage reaches the parser behind the checksum.
                if round % 2 == 1 {
                    for b in 0..t.len() / 512 {
                        if &t[b * 512 + 257..b * 512 + 262] == b"ustar" {
                            fix_checksum(&mut t[b * 512..]);
                        }
                    }
                }
                t
            };
            if round % 5 == 0 {
                let n = (rand() as usize) % (t.len() + 1);
                t.truncate(n);
            }
            let f = facts(&t);
            assert!(f.len <= t.len() as u64);
            for e in &f.entries {
                assert!(e.offset < t.len() as u64);
                let _ = (f.name(e), f.path(e), f.link(e), f.link_path(e));
            }
        }
    }
}
