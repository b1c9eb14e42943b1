//! gzip (RFC 1952) as gzip(1) reads it: one member after another, each a header, raw deflate data and a trailer
//! (CRC-32 and length of what it holds). The header is parsed here, not by flate2, whose parser gives up on a name
//! or comment longer than 64 KiB, where gzip(1) reads names of any length: a tar.gz with such a name must still be
//! read as what it is, not taken for something else. Nothing of the header is kept (a name is stepped over as it
//! streams past), so a header costs no memory whatever its size; the deflate data goes to flate2.
//!
//! Anything after a member that is not another member (garbage, zero padding) is an error, as with flate2's
//! `MultiGzDecoder`, which this replaces; so are a wrong trailer, reserved flag bits and a header checksum
//! (FHCRC) that does not match.

use std::io::{self, BufRead, Read};

use flate2::Crc;
use flate2::bufread::DeflateDecoder;

/// The first two bytes of every member.
pub const MAGIC: [u8; 2] = [0x1f, 0x8b];

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED: u8 = 0xe0;

/// The uncompressed bytes of every member of a gzip stream, in order.
pub struct MultiGz<R: BufRead> {
    state: State<R>,
    /// A member has been read whole (the stream may end at the next member boundary).
    members: u64,
}

enum State<R: BufRead> {
    /// At a member boundary (or at the start).
    Between(R),
    Member {
        dec: Box<DeflateDecoder<R>>,
        crc: Crc,
    },
    /// The end, or an error already returned (which is returned again).
    Done(Option<(io::ErrorKind, String)>),
}

impl<R: BufRead> MultiGz<R> {
    pub fn new(r: R) -> MultiGz<R> {
        MultiGz {
            state: State::Between(r),
            members: 0,
        }
    }
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Reads one byte, or fails with `UnexpectedEof`; every byte goes into the header checksum.
fn byte(r: &mut impl BufRead, crc: &mut Crc) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b).map_err(|e| eof(e, "header"))?;
    crc.update(&b);
    Ok(b[0])
}

fn eof(e: io::Error, what: &str) -> io::Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the gzip stream ends inside a member's {what}"),
        )
    } else {
        e
    }
}

/// Steps over `n` bytes, into the header checksum.
fn skip(r: &mut impl BufRead, mut n: usize, crc: &mut Crc) -> io::Result<()> {
    while n > 0 {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Err(eof(io::ErrorKind::UnexpectedEof.into(), "header"));
        }
        let k = buf.len().min(n);
        crc.update(&buf[..k]);
        r.consume(k);
        n -= k;
    }
    Ok(())
}

/// Steps over a zero-terminated field (name, comment) of any length, into the header checksum.
fn skip_zstring(r: &mut impl BufRead, crc: &mut Crc) -> io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Err(eof(io::ErrorKind::UnexpectedEof.into(), "header"));
        }
        match buf.iter().position(|&b| b == 0) {
            Some(i) => {
                crc.update(&buf[..=i]);
                r.consume(i + 1);
                return Ok(());
            }
            None => {
                let k = buf.len();
                crc.update(buf);
                r.consume(k);
            }
        }
    }
}

/// Parse (and step over) one member header.
pub fn header(r: &mut impl BufRead) -> io::Result<()> {
    let mut crc = Crc::new();
    let (id1, id2) = (byte(r, &mut crc)?, byte(r, &mut crc)?);
    if [id1, id2] != MAGIC {
        return Err(bad("not a gzip member (wrong magic number)"));
    }
    let cm = byte(r, &mut crc)?;
    if cm != 8 {
        return Err(bad(format!(
            "gzip compression method {cm}: only 8 (deflate) exists"
        )));
    }
    let flags = byte(r, &mut crc)?;
    if flags & RESERVED != 0 {
        return Err(bad(format!(
            "gzip header flags {flags:#04x} set reserved bits"
        )));
    }
    // MTIME (4), XFL, OS.
    skip(r, 6, &mut crc)?;
    if flags & FEXTRA != 0 {
        let xlen = u16::from_le_bytes([byte(r, &mut crc)?, byte(r, &mut crc)?]);
        skip(r, usize::from(xlen), &mut crc)?;
    }
    if flags & FNAME != 0 {
        skip_zstring(r, &mut crc)?;
    }
    if flags & FCOMMENT != 0 {
        skip_zstring(r, &mut crc)?;
    }
    if flags & FHCRC != 0 {
        let want = crc.sum() & 0xffff;
        let mut b = [0u8; 2];
        r.read_exact(&mut b).map_err(|e| eof(e, "header"))?;
        let got = u32::from(u16::from_le_bytes(b));
        if got != want {
            return Err(bad(format!(
                "gzip header checksum {got:#06x}, but the header sums to {want:#06x}"
            )));
        }
    }
    Ok(())
}

/// Read and check a member's trailer against what the member held.
fn trailer(r: &mut impl BufRead, crc: &Crc) -> io::Result<()> {
    let mut t = [0u8; 8];
    r.read_exact(&mut t).map_err(|e| eof(e, "trailer"))?;
    let sum = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
    let len = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
    if sum != crc.sum() {
        return Err(bad(format!(
            "gzip member CRC-32 {sum:#010x}, but its data sums to {:#010x}",
            crc.sum()
        )));
    }
    if len != crc.amount() {
        return Err(bad(format!(
            "gzip member length {len} (mod 2^32), but it holds {} bytes",
            crc.amount()
        )));
    }
    Ok(())
}

impl<R: BufRead> MultiGz<R> {
    fn fail(&mut self, e: io::Error) -> io::Error {
        self.state = State::Done(Some((e.kind(), e.to_string())));
        e
    }
}

impl<R: BufRead> Read for MultiGz<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, State::Done(None)) {
                State::Done(err) => {
                    let again = err.as_ref().map(|(k, m)| io::Error::new(*k, m.clone()));
                    self.state = State::Done(err);
                    return match again {
                        Some(e) => Err(e),
                        None => Ok(0),
                    };
                }
                State::Between(mut r) => {
                    if self.members > 0 {
                        match r.fill_buf() {
                            Ok([]) => return Ok(0),
                            Ok(_) => {}
                            Err(e) => return Err(self.fail(e)),
                        }
                    }
                    if let Err(e) = header(&mut r) {
                        let e = if self.members > 0 && e.kind() == io::ErrorKind::InvalidData {
                            bad(format!("data after the last gzip member: {e}"))
                        } else {
                            e
                        };
                        return Err(self.fail(e));
                    }
                    self.state = State::Member {
                        dec: Box::new(DeflateDecoder::new(r)),
                        crc: Crc::new(),
                    };
                }
                State::Member { mut dec, mut crc } => match dec.read(buf) {
                    Ok(0) => {
                        let mut r = dec.into_inner();
                        if let Err(e) = trailer(&mut r, &crc) {
                            return Err(self.fail(e));
                        }
                        self.members += 1;
                        self.state = State::Between(r);
                    }
                    Ok(n) => {
                        crc.update(&buf[..n]);
                        self.state = State::Member { dec, crc };
                        return Ok(n);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                        self.state = State::Member { dec, crc };
                    }
                    Err(e) => return Err(self.fail(e)),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn gz(
        data: &[u8],
        name: Option<&[u8]>,
        comment: Option<&[u8]>,
        extra: Option<Vec<u8>>,
    ) -> Vec<u8> {
        let mut b = flate2::GzBuilder::new();
        if let Some(n) = name {
            b = b.filename(n);
        }
        if let Some(c) = comment {
            b = b.comment(c);
        }
        if let Some(x) = extra {
            b = b.extra(x);
        }
        let mut e = b.write(Vec::new(), flate2::Compression::fast());
        e.write_all(data).expect("gzip");
        e.finish().expect("gzip")
    }

    fn all(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        MultiGz::new(io::BufReader::with_capacity(37, bytes)).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn members_with_every_header_field_of_any_length() {
        let long = vec![b'n'; 200_000];
        let mut s = gz(
            b"hello ",
            Some(&long),
            Some(b"a comment"),
            Some(vec![1, 2, 3]),
        );
        s.extend(gz(b"world", None, Some(&long), None));
        assert_eq!(all(&s).expect("reads"), b"hello world");
        // flate2's own parser gives up on such a name; this is why the module exists.
        let mut out = Vec::new();
        assert!(
            flate2::read::MultiGzDecoder::new(&s[..])
                .read_to_end(&mut out)
                .is_err()
        );
    }

    #[test]
    fn header_checksum() {
        // A member with FHCRC: flags |= 2 and the low 16 bits of the header's CRC-32 after it.
        let plain = gz(b"x", Some(b"name"), None, None);
        let head_len = 10 + 5;
        let mut head = plain[..head_len].to_vec();
        head[3] |= FHCRC;
        let mut c = Crc::new();
        c.update(&head);
        let sum = (c.sum() & 0xffff) as u16;
        let mut good = head.clone();
        good.extend(sum.to_le_bytes());
        good.extend(&plain[head_len..]);
        assert_eq!(all(&good).expect("reads"), b"x");
        let mut wrong = head;
        wrong.extend((sum ^ 1).to_le_bytes());
        wrong.extend(&plain[head_len..]);
        assert!(all(&wrong).is_err());
    }

    #[test]
    fn errors() {
        let g = gz(b"some data to compress", None, None, None);
        // Truncated in the data, in the trailer, in a header.
        for cut in [g.len() - 12, g.len() - 3, 5] {
            assert!(all(&g[..cut]).is_err(), "cut at {cut}");
        }
        // Garbage or zeros after the member; a wrong CRC; reserved flags; another method; empty input.
        let mut garbage = g.clone();
        garbage.extend(b"garbage!");
        assert!(all(&garbage).is_err());
        let mut zeros = g.clone();
        zeros.extend([0u8; 16]);
        assert!(all(&zeros).is_err());
        let mut crc = g.clone();
        let n = crc.len();
        crc[n - 8] ^= 1;
        assert!(all(&crc).is_err());
        let mut flags = g.clone();
        flags[3] |= 0x80;
        assert!(all(&flags).is_err());
        let mut method = g.clone();
        method[2] = 7;
        assert!(all(&method).is_err());
        assert!(all(b"").is_err());
        // An error is returned again, never an end of stream after it.
        let mut r = MultiGz::new(&garbage[..]);
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
        assert!(r.read(&mut [0u8; 16]).is_err());
    }
}
