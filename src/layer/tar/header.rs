//! The fields of a tar header (numbers, the checksum, the format its magic names) and what PAX records and GNU
//! long-name headers say about the entry that follows.

use super::facts::TarFacts;

pub const BLOCK: usize = 512;

/// PAX and GNU long-name bodies larger than this are not read (GNU tar and Go use limits of the same order).
pub const MAX_META: u64 = 1 << 20;

/// A numeric header field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Num {
    Empty,
    Ok(u64),
    Bad,
}

pub(super) fn parse_num(f: &[u8]) -> Num {
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
pub(super) fn cstr(f: &[u8]) -> &[u8] {
    match f.iter().position(|&b| b == 0) {
        Some(i) => &f[..i],
        None => f,
    }
}

pub(super) fn checksum_ok(h: &[u8; BLOCK]) -> bool {
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
pub(super) enum Format {
    /// `ustar\0` `00`: `prefix` holds the start of long names.
    Ustar,
    /// `ustar  \0`: the old GNU format (no prefix; sparse maps and times in that area).
    Gnu,
    /// No magic (v7).
    V7,
}

impl Format {
    pub(super) fn of(h: &[u8; BLOCK]) -> Format {
        if &h[257..263] == b"ustar\0" {
            Format::Ustar
        } else if &h[257..265] == b"ustar  \0" {
            Format::Gnu
        } else {
            Format::V7
        }
    }
}

/// What PAX records and GNU long-name headers said about the next entry.
#[derive(Default)]
pub(super) struct Pending {
    /// Offset of the first meta header.
    pub(super) start: Option<u64>,
    pub(super) path: Option<Vec<u8>>,
    pub(super) link: Option<Vec<u8>>,
    pub(super) size: Option<u64>,
    pub(super) mtime: bool,
    pub(super) uid: bool,
    pub(super) gid: bool,
    pub(super) sparse: bool,
    pub(super) sparse_name: Option<Vec<u8>>,
}

/// Attributes a global PAX header supplies to every following entry.
#[derive(Default)]
pub(super) struct Global {
    pub(super) mtime: bool,
    pub(super) uid: bool,
    pub(super) gid: bool,
}

pub(super) fn padding(n: u64) -> u64 {
    (BLOCK as u64 - n % BLOCK as u64) % BLOCK as u64
}

/// Parse PAX records (`"<len> <key>=<value>\n"` …) and apply them to `p` (per-entry) or `g` (global).
pub(super) fn apply_pax(
    data: &[u8],
    p: &mut Pending,
    g: Option<&mut Global>,
    facts: &mut TarFacts,
    at: u64,
) {
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

pub(super) fn meta_name(flag: u8) -> &'static str {
    match flag {
        b'x' => "PAX extended",
        b'g' => "PAX global",
        b'L' => "GNU long name",
        _ => "GNU long link name",
    }
}

pub(super) fn pending_name(p: &Pending) -> Option<Vec<u8>> {
    // The name field of a block that failed its checksum may be anything: only a PAX or GNU name read before it
    // is trustworthy.
    p.path.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_num(b"0000644\0"), Num::Ok(0o644));
        assert_eq!(parse_num(b"   644 \0"), Num::Ok(0o644));
        assert_eq!(parse_num(b"\0\0\0\0\0\0\0\0"), Num::Empty);
        assert_eq!(parse_num(b"00009\0"), Num::Bad);
        assert_eq!(parse_num(&[0x80, 0, 0, 0, 0, 0, 0, 1, 0]), Num::Ok(256));
        assert_eq!(parse_num(&[0xff; 12]), Num::Bad);
    }
}
