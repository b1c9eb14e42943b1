//! A small tar writer for generated layers. It writes what a case describes, including what real tar writers
//! refuse to (absolute paths, `..`, missing end-of-archive marker), so that each defect can be produced on purpose.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One entry of a generated layer, as written in a recipe.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TarEntry {
    pub path: String,
    /// `file` (default), `dir`, `symlink`, `hardlink`, `char`, `block`, `fifo`, `sparse` (a GNU sparse file,
    /// type `S`, see `sparse`), or a single raw type flag byte given as `"flag:X"`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// File content (UTF-8 text).
    #[serde(default)]
    pub content: Option<String>,
    /// File content of this many bytes of a repeating pattern (for large files).
    #[serde(default)]
    pub size: Option<u64>,
    /// Link target for symlinks and hard links.
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub mode: Option<u32>,
    #[serde(default)]
    pub uid: Option<u64>,
    #[serde(default)]
    pub gid: Option<u64>,
    #[serde(default)]
    pub mtime: Option<u64>,
    #[serde(default)]
    pub uname: Option<String>,
    #[serde(default)]
    pub gname: Option<String>,
    /// Extra PAX records written before the entry.
    #[serde(default)]
    pub pax: BTreeMap<String, String>,
    /// How a name longer than 100 bytes is written: `pax` (default), `gnu` (a `././@LongLink` entry; a link
    /// name longer than 100 bytes gets a `K` entry too) or `ustar` (split into the `prefix` and `name` fields).
    #[serde(default)]
    pub longname: Option<String>,
    /// Path bytes given in hex (for names that are not UTF-8); overrides `path`.
    #[serde(default)]
    pub path_hex: Option<String>,
    /// Header fields written empty (all NUL): any of `mode`, `uid`, `gid`, `mtime`.
    #[serde(default)]
    pub omit: Vec<String>,
    /// Device numbers `[major, minor]` of a `char` or `block` entry.
    #[serde(default)]
    pub dev: Option<[u64; 2]>,
    /// The sparse map of a `sparse` entry: `[offset, length]` pairs of the data regions, in order (default: one
    /// region holding all the content). The content is the data of the regions, one after the other; the real
    /// size is the end of the last region. More than four regions use extension blocks.
    #[serde(default)]
    pub sparse: Option<Vec<[u64; 2]>>,
    /// Write the old GNU magic (`ustar  \0`) instead of POSIX `ustar\0` `00` (always for `sparse`).
    #[serde(default)]
    pub gnu: bool,
}

/// Options for the whole stream.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TarOptions {
    /// Leave out the two zero blocks that end the archive.
    #[serde(default)]
    pub no_eof: bool,
    /// Bytes (UTF-8 text) appended after the end-of-archive marker.
    #[serde(default)]
    pub trailing: Option<String>,
    /// Cut the finished stream to this many bytes.
    #[serde(default)]
    pub truncate: Option<u64>,
    /// Pad the stream (after the marker and any trailing bytes) with zeros to a multiple of this many bytes,
    /// as tar(1) pads to its 10240-byte records.
    #[serde(default)]
    pub record: Option<u64>,
}

pub(crate) const BLOCK: usize = 512;
const DEFAULT_MTIME: u64 = 1_700_000_000;

fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let s = format!("{value:0width$o}");
    let bytes = s.as_bytes();
    if bytes.len() > width {
        // Base-256 (GNU) encoding for values that do not fit.
        field.iter_mut().for_each(|b| *b = 0);
        field[0] = 0x80;
        let be = value.to_be_bytes();
        let n = field.len();
        field[n - 8..].copy_from_slice(&be);
        return;
    }
    field[..width].copy_from_slice(bytes);
    field[width] = 0;
}

fn put(field: &mut [u8], s: &[u8]) {
    let n = s.len().min(field.len());
    field[..n].copy_from_slice(&s[..n]);
}

struct Header {
    name: Vec<u8>,
    /// The ustar `prefix` field (POSIX headers only).
    prefix: Vec<u8>,
    mode: u32,
    uid: u64,
    gid: u64,
    size: u64,
    mtime: u64,
    flag: u8,
    link: Vec<u8>,
    uname: String,
    gname: String,
    /// Old GNU magic instead of POSIX.
    gnu: bool,
    dev: Option<[u64; 2]>,
    /// Fields left empty.
    omit: Vec<String>,
    /// GNU sparse: up to four map entries in the header, whether extension blocks follow, the real size.
    sparse: Option<(Vec<[u64; 2]>, bool, u64)>,
}

/// A plain ustar header (no owner names, no device numbers), for writers outside this module.
pub(crate) fn plain_header(
    name: &[u8],
    flag: u8,
    size: u64,
    link: &[u8],
    mode: u32,
    mtime: u64,
) -> [u8; BLOCK] {
    let mut h = Header::plain(name, flag, size);
    h.link = link.to_vec();
    h.mode = mode;
    h.mtime = mtime;
    header_block(&h)
}

impl Header {
    /// A header of the given type with every optional part off (as the original writer wrote them).
    fn plain(name: &[u8], flag: u8, size: u64) -> Header {
        Header {
            name: name.to_vec(),
            prefix: Vec::new(),
            mode: 0o644,
            uid: 0,
            gid: 0,
            size,
            mtime: 0,
            flag,
            link: Vec::new(),
            uname: String::new(),
            gname: String::new(),
            gnu: false,
            dev: None,
            omit: Vec::new(),
            sparse: None,
        }
    }
}

fn header_block(h: &Header) -> [u8; BLOCK] {
    let mut b = [0u8; BLOCK];
    put(&mut b[0..100], &h.name);
    octal(&mut b[100..108], u64::from(h.mode));
    octal(&mut b[108..116], h.uid);
    octal(&mut b[116..124], h.gid);
    octal(&mut b[124..136], h.size);
    octal(&mut b[136..148], h.mtime);
    b[156] = h.flag;
    put(&mut b[157..257], &h.link);
    if h.gnu {
        put(&mut b[257..265], b"ustar  \0");
    } else {
        put(&mut b[257..263], b"ustar\0");
        put(&mut b[263..265], b"00");
    }
    put(&mut b[265..297], h.uname.as_bytes());
    put(&mut b[297..329], h.gname.as_bytes());
    if let Some([major, minor]) = h.dev {
        octal(&mut b[329..337], major);
        octal(&mut b[337..345], minor);
    }
    if !h.gnu {
        put(&mut b[345..500], &h.prefix);
    }
    if let Some((map, extended, realsize)) = &h.sparse {
        for (i, [off, len]) in map.iter().take(4).enumerate() {
            let at = 386 + i * 24;
            octal(&mut b[at..at + 12], *off);
            octal(&mut b[at + 12..at + 24], *len);
        }
        b[482] = u8::from(*extended);
        octal(&mut b[483..495], *realsize);
    }
    for f in &h.omit {
        let range = match f.as_str() {
            "mode" => 100..108,
            "uid" => 108..116,
            "gid" => 116..124,
            "mtime" => 136..148,
            _ => continue,
        };
        b[range].iter_mut().for_each(|x| *x = 0);
    }
    // Checksum: sum of all bytes with the checksum field taken as spaces.
    b[148..156].copy_from_slice(b"        ");
    let sum: u32 = b.iter().map(|&x| u32::from(x)).sum();
    let s = format!("{sum:06o}\0 ");
    b[148..156].copy_from_slice(s.as_bytes());
    b
}

pub(crate) fn pad(out: &mut Vec<u8>) {
    let rem = out.len() % BLOCK;
    if rem != 0 {
        out.resize(out.len() + BLOCK - rem, 0);
    }
}

pub(crate) fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    // "<len> <key>=<value>\n", where len counts itself.
    let body_len = 1 + key.len() + 1 + value.len() + 1;
    let mut len = body_len + 1;
    while body_len + len.to_string().len() != len {
        len = body_len + len.to_string().len();
    }
    let mut r = format!("{len} {key}=").into_bytes();
    r.extend_from_slice(value);
    r.push(b'\n');
    r
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// Write a tar stream.
pub fn write(entries: &[TarEntry], opts: &TarOptions) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let name = match &e.path_hex {
            Some(h) => hex_bytes(h),
            None => e.path.as_bytes().to_vec(),
        };
        let kind = e.kind.as_deref().unwrap_or("file");
        let (flag, is_file) = match kind {
            "file" => (b'0', true),
            "dir" => (b'5', false),
            "symlink" => (b'2', false),
            "hardlink" => (b'1', false),
            "char" => (b'3', false),
            "block" => (b'4', false),
            "fifo" => (b'6', false),
            "sparse" => (b'S', true),
            other => (
                other
                    .strip_prefix("flag:")
                    .and_then(|f| f.bytes().next())
                    .unwrap_or(b'0'),
                true,
            ),
        };
        let sparse_len: Option<u64> = e
            .sparse
            .as_ref()
            .map(|m| m.iter().map(|[_, len]| *len).sum());
        let content: Vec<u8> = if !is_file {
            Vec::new()
        } else if let Some(n) = e.size.or(if e.content.is_none() {
            sparse_len
        } else {
            None
        }) {
            (0..n).map(|i| (i % 251) as u8).collect()
        } else {
            e.content.clone().unwrap_or_default().into_bytes()
        };
        let link = e.link.clone().unwrap_or_default().into_bytes();
        let mut pax = e.pax.clone();
        let mut stored_name = name.clone();
        let mut prefix = Vec::new();
        let longname = e.longname.as_deref();
        if name.len() > 100 {
            if longname == Some("gnu") {
                let mut data = name.clone();
                data.push(0);
                let h = Header::plain(b"././@LongLink", b'L', data.len() as u64);
                out.extend_from_slice(&header_block(&h));
                out.extend_from_slice(&data);
                pad(&mut out);
                stored_name = name[..100].to_vec();
            } else if let (Some("ustar"), Some(i)) = (
                longname,
                // The last '/' that leaves at most 155 bytes of prefix and 100 of name.
                (0..name.len())
                    .rev()
                    .find(|&i| name[i] == b'/' && i <= 155 && name.len() - i - 1 <= 100),
            ) {
                prefix = name[..i].to_vec();
                stored_name = name[i + 1..].to_vec();
            } else {
                pax.insert("path".into(), String::from_utf8_lossy(&name).into_owned());
                stored_name = name[..100].to_vec();
            }
        }
        if link.len() > 100 {
            if longname == Some("gnu") {
                let mut data = link.clone();
                data.push(0);
                let h = Header::plain(b"././@LongLink", b'K', data.len() as u64);
                out.extend_from_slice(&header_block(&h));
                out.extend_from_slice(&data);
                pad(&mut out);
            } else {
                pax.insert(
                    "linkpath".into(),
                    String::from_utf8_lossy(&link).into_owned(),
                );
            }
        }
        if !pax.is_empty() {
            let mut data = Vec::new();
            for (k, v) in &pax {
                data.extend_from_slice(&pax_record(k, v.as_bytes()));
            }
            let h = Header::plain(b"PaxHeader", b'x', data.len() as u64);
            out.extend_from_slice(&header_block(&h));
            out.extend_from_slice(&data);
            pad(&mut out);
        }
        // GNU sparse: the map (four entries in the header, 21 per extension block) and the real size.
        let map: Vec<[u64; 2]> = e
            .sparse
            .clone()
            .unwrap_or_else(|| vec![[0, content.len() as u64]]);
        let sparse = (kind == "sparse").then(|| {
            let realsize = map.last().map_or(0, |[o, l]| o + l);
            (map.clone(), map.len() > 4, realsize)
        });
        let h = Header {
            name: stored_name,
            prefix,
            mode: e.mode.unwrap_or(if kind == "dir" { 0o755 } else { 0o644 }),
            uid: e.uid.unwrap_or(0),
            gid: e.gid.unwrap_or(0),
            size: content.len() as u64,
            mtime: e.mtime.unwrap_or(DEFAULT_MTIME),
            flag,
            link: link.iter().take(100).copied().collect(),
            uname: e.uname.clone().unwrap_or_else(|| "root".into()),
            gname: e.gname.clone().unwrap_or_else(|| "root".into()),
            gnu: e.gnu || kind == "sparse",
            dev: e.dev,
            omit: e.omit.clone(),
            sparse,
        };
        out.extend_from_slice(&header_block(&h));
        if kind == "sparse" && map.len() > 4 {
            let rest: Vec<&[u64; 2]> = map[4..].iter().collect();
            let chunks: Vec<&[&[u64; 2]]> = rest.chunks(21).collect();
            for (ci, chunk) in chunks.iter().enumerate() {
                let mut b = [0u8; BLOCK];
                for (i, [off, len]) in chunk.iter().enumerate() {
                    octal(&mut b[i * 24..i * 24 + 12], *off);
                    octal(&mut b[i * 24 + 12..i * 24 + 24], *len);
                }
                b[504] = u8::from(ci + 1 < chunks.len());
                out.extend_from_slice(&b);
            }
        }
        out.extend_from_slice(&content);
        pad(&mut out);
    }
    if !opts.no_eof {
        out.extend_from_slice(&[0u8; 2 * BLOCK]);
    }
    if let Some(t) = &opts.trailing {
        out.extend_from_slice(t.as_bytes());
    }
    if let Some(r) = opts.record.filter(|&r| r > 0) {
        let len = out.len() as u64;
        out.resize(len.div_ceil(r).saturating_mul(r) as usize, 0);
    }
    if let Some(n) = opts.truncate {
        out.truncate(n as usize);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_record_lengths_count_themselves() {
        let r = pax_record("path", b"x");
        assert_eq!(r, b"9 path=x\n");
        let r = pax_record("path", &[b'a'; 95]);
        assert_eq!(std::str::from_utf8(&r[..4]).ok(), Some("105 "));
        assert_eq!(r.len(), 105);
    }

    #[test]
    fn layout_of_a_simple_archive() {
        let t = write(
            &[TarEntry {
                path: "hello.txt".into(),
                content: Some("hi".into()),
                ..TarEntry::default()
            }],
            &TarOptions::default(),
        );
        assert_eq!(t.len(), 512 * 4);
        assert_eq!(&t[257..262], b"ustar");
        assert_eq!(&t[512..514], b"hi");
    }
}
