//! The reader: one pass over a tar stream through its `BufRead` buffer, header by header, bodies skipped without
//! being copied, every entry kept in the facts and every defect of the stream recorded.

use std::io::{self, BufRead};
use std::ops::ControlFlow::{self, Break, Continue};

use super::facts::{End, Kind, TarFacts, Trailing, keep};
use super::flag;
use super::header::{
    BLOCK, Format, Global, MAX_META, Num, Pending, apply_pax, checksum_ok, cstr, meta_name,
    padding, parse_num, pending_name,
};

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

/// Read a whole tar stream, recording entries and defects in `facts`. An `Err` is an error of the reader below
/// (a decompression error, a limit, an I/O error); everything read until then is in `facts`.
pub fn scan<R: BufRead>(r: R, facts: &mut TarFacts) -> io::Result<()> {
    let mut input = Input { r, pos: 0 };
    let res = scan_inner(&mut input, facts);
    facts.len = input.pos;
    facts.fit();
    res
}

fn scan_inner<R: BufRead>(input: &mut Input<R>, facts: &mut TarFacts) -> io::Result<()> {
    let mut s = Scanner {
        input,
        facts,
        h: [0u8; BLOCK],
        pending: Pending::default(),
        global: Global::default(),
        meta: Vec::new(),
        name_buf: Vec::new(),
    };
    // A header read ahead while checking for the second zero block.
    let mut have_next = false;
    loop {
        let off = s.input.pos - if have_next { BLOCK as u64 } else { 0 };
        if !have_next && s.read_header(off)?.is_break() {
            return Ok(());
        }
        have_next = false;
        if s.h.iter().all(|&b| b == 0) {
            if s.zero_block(off)?.is_break() {
                return Ok(());
            }
            have_next = true;
            continue;
        }
        if s.header(off)?.is_break() {
            return Ok(());
        }
    }
}

/// The reader between two headers: `Break` ends the stream (its end is recorded in the facts), an `Err` is an
/// error of the reader below.
struct Scanner<'a, R> {
    input: &'a mut Input<R>,
    facts: &'a mut TarFacts,
    /// The current header block.
    h: [u8; BLOCK],
    pending: Pending,
    global: Global,
    /// The body of the last PAX or GNU meta header.
    meta: Vec<u8>,
    /// The current entry's name, as stored.
    name_buf: Vec<u8>,
}

type Flow = io::Result<ControlFlow<()>>;

impl<R: BufRead> Scanner<'_, R> {
    /// The stream ends here, this way.
    fn end(&mut self, end: End) -> Flow {
        self.facts.end = end;
        Ok(Break(()))
    }

    /// The stream ends `n` bytes into the header block at `at`.
    fn cut_header(&mut self, at: u64, n: usize) -> Flow {
        self.facts.issue(
            at,
            None,
            format!("the stream ends {n} bytes into a header block"),
        );
        self.end(End::Broken { offset: at })
    }

    /// Read the header block at `off`.
    fn read_header(&mut self, off: u64) -> Flow {
        let n = self.input.read_full(&mut self.h)?;
        if n == 0 {
            return self.end(End::MissingMarker {
                offset: off,
                zero_blocks: 0,
            });
        }
        if n < BLOCK {
            return self.cut_header(off, n);
        }
        Ok(Continue(()))
    }

    /// A zero block at `off`: with a second one, the end-of-archive marker (and what trails it); `Continue` when
    /// a header follows instead, read ahead into `h`.
    fn zero_block(&mut self, off: u64) -> Flow {
        let n = self.input.read_full(&mut self.h)?;
        let missing = End::MissingMarker {
            offset: off,
            zero_blocks: 1,
        };
        if n == 0 {
            return self.end(missing);
        }
        if self.h[..n].iter().all(|&b| b == 0) {
            if n < BLOCK {
                return self.end(missing);
            }
            self.facts.end = End::Marker { offset: off };
            let after = self.input.pos;
            if let Some(first) = self.input.first_nonzero_to_end()? {
                self.facts.set_trailing(Trailing {
                    offset: first,
                    len: self.input.pos - after,
                });
            }
            return Ok(Break(()));
        }
        if n < BLOCK {
            return self.cut_header(off + BLOCK as u64, n);
        }
        // One zero block, then more data: readers stop at the zero block (or at the next, bad, header).
        self.facts.issue(
            off,
            None,
            "a single zero block inside the archive: most readers stop reading here, and the entries after it are lost"
                .into(),
        );
        Ok(Continue(()))
    }

    /// A header block (not a zero one) at `off`, and what it describes.
    fn header(&mut self, off: u64) -> Flow {
        let h = &self.h;
        if !checksum_ok(h) {
            let what = match parse_num(&h[148..156]) {
                Num::Ok(_) => "the header checksum does not match",
                _ => "the header checksum field is not a number",
            };
            self.facts.issue(
                off,
                pending_name(&self.pending).as_deref(),
                format!("{what}: not a tar header (corrupt, or not a tar stream)"),
            );
            self.facts.end = End::Broken { offset: off };
            return Ok(Break(()));
        }
        let format = Format::of(h);
        let typeflag = h[156];
        let size = match parse_num(&h[124..136]) {
            Num::Ok(n) => n,
            Num::Empty => 0,
            Num::Bad => {
                self.facts.issue(
                    off,
                    Some(cstr(&h[..100])),
                    "the size field is not a number; the archive cannot be read past this header"
                        .into(),
                );
                self.facts.end = End::Broken { offset: off };
                return Ok(Break(()));
            }
        };
        let start = *self.pending.start.get_or_insert(off);
        match typeflag {
            b'x' | b'g' | b'L' | b'K' => self.meta_header(typeflag, size, off),
            _ => self.entry(format, typeflag, size, start),
        }
    }

    /// A PAX extended or global header, or a GNU long name or long link name, at `off`.
    fn meta_header(&mut self, typeflag: u8, size: u64, off: u64) -> Flow {
        let body_at = self.input.pos;
        if size > MAX_META {
            self.facts.issue(
                off,
                None,
                format!(
                    "{} header of {size} bytes is larger than the {MAX_META}-byte limit; its records were ignored",
                    meta_name(typeflag)
                ),
            );
            let got = self.input.skip(size + padding(size))?;
            if got < size + padding(size) {
                return truncated(self.facts, body_at, None, size, got).map(Break);
            }
            return Ok(Continue(()));
        }
        let got = self.input.read_vec(size, &mut self.meta)?;
        if got < size {
            return truncated(self.facts, body_at, None, size, got).map(Break);
        }
        let pad = padding(size);
        if self.input.skip(pad)? < pad {
            return truncated(self.facts, body_at, None, size, got).map(Break);
        }
        match typeflag {
            b'x' => apply_pax(&self.meta, &mut self.pending, None, self.facts, off),
            b'g' => {
                let mut tmp = Pending::default();
                apply_pax(
                    &self.meta,
                    &mut tmp,
                    Some(&mut self.global),
                    self.facts,
                    off,
                );
                // A global header is not part of the next entry.
                if self.pending.start == Some(off) {
                    self.pending.start = None;
                }
            }
            b'L' => self.pending.path = Some(cstr(&self.meta).to_vec()),
            _ => self.pending.link = Some(cstr(&self.meta).to_vec()),
        }
        Ok(Continue(()))
    }

    /// A real entry, whose first header (its PAX or GNU one, if it has one) is at `start`: kept, and its body
    /// skipped.
    fn entry(&mut self, format: Format, typeflag: u8, size: u64, start: u64) -> Flow {
        let (kind, mut flags) = kind_of(typeflag);
        self.entry_name(format);
        let kind = if typeflag == 0 && self.name_buf.last() == Some(&b'/') {
            Kind::Dir
        } else {
            kind
        };
        flags |= self.attributes(start);
        let link_bytes: Option<Vec<u8>> = self.pending.link.take();
        let link_field = cstr(&self.h[157..257]);
        let link: &[u8] = link_bytes.as_deref().unwrap_or(link_field);
        if matches!(kind, Kind::Hardlink | Kind::Symlink) && link.is_empty() {
            flags |= flag::MISSING_LINK;
        }
        if self.pending.sparse {
            flags |= flag::SPARSE;
        }
        // GNU sparse: extension blocks follow the header.
        if typeflag == b'S' && format != Format::Ustar {
            let mut extended = self.h[482] != 0;
            while extended {
                let mut ext = [0u8; BLOCK];
                let at = self.input.pos;
                let n = self.input.read_full(&mut ext)?;
                if n < BLOCK {
                    keep(self.facts, &self.name_buf, link, kind, 0, flags, start);
                    let (want, got) = (BLOCK as u64, n as u64);
                    return truncated(self.facts, at, Some(&self.name_buf), want, got).map(Break);
                }
                extended = ext[504] != 0;
            }
        }
        let body = self.pending.size.unwrap_or(size);
        // Header-only types carry no data whatever their size field says (as Go's archive/tar reads them).
        let body = match kind {
            Kind::Hardlink | Kind::Symlink | Kind::Char | Kind::Block | Kind::Dir | Kind::Fifo => 0,
            _ => body,
        };
        keep(self.facts, &self.name_buf, link, kind, body, flags, start);
        self.pending = Pending::default();
        let at = self.input.pos;
        let want = body.saturating_add(padding(body));
        let got = self.input.skip(want)?;
        if got < want {
            // Data cut short: or only the padding missing at the very end.
            let data_got = got.min(body);
            return truncated(self.facts, at, Some(&self.name_buf), body, data_got).map(Break);
        }
        Ok(Continue(()))
    }

    /// The entry's name into `name_buf`: the PAX path, GNU long name or sparse name, or prefix + name.
    fn entry_name(&mut self, format: Format) {
        self.name_buf.clear();
        if let Some(p) = self
            .pending
            .sparse_name
            .take()
            .or_else(|| self.pending.path.take())
        {
            self.name_buf.extend_from_slice(&p);
        } else {
            let prefix = cstr(&self.h[345..500]);
            if format == Format::Ustar && !prefix.is_empty() {
                self.name_buf.extend_from_slice(prefix);
                self.name_buf.push(b'/');
            }
            self.name_buf.extend_from_slice(cstr(&self.h[..100]));
        }
    }

    /// The flags of the attributes the header leaves out (mode, uid, gid, mtime, unless a PAX record gives
    /// them), with an issue for a field that is not a number.
    fn attributes(&mut self, start: u64) -> u32 {
        let (p, g) = (&self.pending, &self.global);
        let mut flags = 0;
        for (range, present, missing, what) in [
            (100..108, false, flag::MISSING_MODE, "mode"),
            (108..116, p.uid || g.uid, flag::MISSING_UID, "uid"),
            (116..124, p.gid || g.gid, flag::MISSING_GID, "gid"),
            (136..148, p.mtime || g.mtime, flag::MISSING_MTIME, "mtime"),
        ] {
            match parse_num(&self.h[range]) {
                Num::Ok(_) => {}
                Num::Empty if present => {}
                Num::Empty => flags |= missing,
                Num::Bad if present => {}
                Num::Bad => self.facts.issue(
                    start,
                    Some(&self.name_buf),
                    format!("the {what} field is not an octal number"),
                ),
            }
        }
        flags
    }
}

/// The kind a type flag gives, and the flags it implies.
fn kind_of(typeflag: u8) -> (Kind, u32) {
    let kind = match typeflag {
        b'0' | b'7' => Kind::File,
        0 => Kind::File,
        b'1' => Kind::Hardlink,
        b'2' => Kind::Symlink,
        b'3' => Kind::Char,
        b'4' => Kind::Block,
        b'5' => Kind::Dir,
        b'6' => Kind::Fifo,
        b'S' => return (Kind::File, flag::SPARSE),
        f => Kind::Other(f),
    };
    (kind, 0)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::tar::{self as w, TarEntry, TarOptions};
    use crate::layer::tar::fixtures::{entry, facts, fix_checksum};

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
        assert!(f.issues().is_empty());
        assert!(f.trailing().is_none());
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
        assert_eq!(f.entries.len(), 3, "{:?}", f.issues());
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
        assert_eq!(f.entries.len(), 2, "{:?}", f.issues());
        assert_eq!(f.entries[0].size, 3);
        assert_eq!(f.entries[1].offset, 512 * 4);
        assert!(f.issues().is_empty());
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
        assert!(
            f.issues()[0].message.contains("truncated"),
            "{:?}",
            f.issues()
        );
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
            f.trailing(),
            Some(&Trailing {
                offset: 512 * 3 + 2,
                len: 9
            })
        );
        // Zero padding to a record size is not trailing data.
        let mut t = w::write(&[entry("a")], &TarOptions::default());
        t.resize(10240, 0);
        assert!(facts(&t).trailing().is_none());
    }

    #[test]
    fn lone_zero_block_and_bad_checksum() {
        let mut t = w::write(&[entry("a")], &TarOptions::default());
        let second = w::write(&[entry("b")], &TarOptions::default());
        t.truncate(512 * 2);
        t.extend_from_slice(&second);
        let f = facts(&t);
        assert_eq!(f.entries.len(), 2);
        assert!(f.issues()[0].message.contains("single zero block"));
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
        assert!(f.issues().is_empty(), "{:?}", f.issues());
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
