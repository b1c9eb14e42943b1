//! A small tar writer for generated layers. It writes what a case describes, including what real tar writers
//! refuse to (absolute paths, `..`, missing end-of-archive marker), so that each defect can be produced on purpose.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One entry of a generated layer, as written in a recipe.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TarEntry {
    pub path: String,
    /// `file` (default), `dir`, `symlink`, `hardlink`, `char`, `block`, `fifo`, or a single raw type flag byte
    /// given as `"flag:X"`.
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
    /// How a name longer than 100 bytes is written: `pax` (default) or `gnu` (a `././@LongLink` entry).
    #[serde(default)]
    pub longname: Option<String>,
    /// Path bytes given in hex (for names that are not UTF-8); overrides `path`.
    #[serde(default)]
    pub path_hex: Option<String>,
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
}

const BLOCK: usize = 512;
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
    mode: u32,
    uid: u64,
    gid: u64,
    size: u64,
    mtime: u64,
    flag: u8,
    link: Vec<u8>,
    uname: String,
    gname: String,
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
    put(&mut b[257..263], b"ustar\0");
    put(&mut b[263..265], b"00");
    put(&mut b[265..297], h.uname.as_bytes());
    put(&mut b[297..329], h.gname.as_bytes());
    // Checksum: sum of all bytes with the checksum field taken as spaces.
    b[148..156].copy_from_slice(b"        ");
    let sum: u32 = b.iter().map(|&x| u32::from(x)).sum();
    let s = format!("{sum:06o}\0 ");
    b[148..156].copy_from_slice(s.as_bytes());
    b
}

fn pad(out: &mut Vec<u8>) {
    let rem = out.len() % BLOCK;
    if rem != 0 {
        out.resize(out.len() + BLOCK - rem, 0);
    }
}

fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
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
            other => (
                other
                    .strip_prefix("flag:")
                    .and_then(|f| f.bytes().next())
                    .unwrap_or(b'0'),
                true,
            ),
        };
        let content: Vec<u8> = if !is_file {
            Vec::new()
        } else if let Some(n) = e.size {
            (0..n).map(|i| (i % 251) as u8).collect()
        } else {
            e.content.clone().unwrap_or_default().into_bytes()
        };
        let link = e.link.clone().unwrap_or_default().into_bytes();
        let mut pax = e.pax.clone();
        let mut stored_name = name.clone();
        if name.len() > 100 {
            if e.longname.as_deref() == Some("gnu") {
                let mut data = name.clone();
                data.push(0);
                let h = Header {
                    name: b"././@LongLink".to_vec(),
                    mode: 0o644,
                    uid: 0,
                    gid: 0,
                    size: data.len() as u64,
                    mtime: 0,
                    flag: b'L',
                    link: Vec::new(),
                    uname: String::new(),
                    gname: String::new(),
                };
                out.extend_from_slice(&header_block(&h));
                out.extend_from_slice(&data);
                pad(&mut out);
            } else {
                pax.insert("path".into(), String::from_utf8_lossy(&name).into_owned());
            }
            stored_name = name[..100].to_vec();
        }
        if link.len() > 100 {
            pax.insert(
                "linkpath".into(),
                String::from_utf8_lossy(&link).into_owned(),
            );
        }
        if !pax.is_empty() {
            let mut data = Vec::new();
            for (k, v) in &pax {
                data.extend_from_slice(&pax_record(k, v.as_bytes()));
            }
            let h = Header {
                name: b"PaxHeader".to_vec(),
                mode: 0o644,
                uid: 0,
                gid: 0,
                size: data.len() as u64,
                mtime: 0,
                flag: b'x',
                link: Vec::new(),
                uname: String::new(),
                gname: String::new(),
            };
            out.extend_from_slice(&header_block(&h));
            out.extend_from_slice(&data);
            pad(&mut out);
        }
        let h = Header {
            name: stored_name,
            mode: e.mode.unwrap_or(if kind == "dir" { 0o755 } else { 0o644 }),
            uid: e.uid.unwrap_or(0),
            gid: e.gid.unwrap_or(0),
            size: content.len() as u64,
            mtime: e.mtime.unwrap_or(DEFAULT_MTIME),
            flag,
            link: link.iter().take(100).copied().collect(),
            uname: e.uname.clone().unwrap_or_else(|| "root".into()),
            gname: e.gname.clone().unwrap_or_else(|| "root".into()),
        };
        out.extend_from_slice(&header_block(&h));
        out.extend_from_slice(&content);
        pad(&mut out);
    }
    if !opts.no_eof {
        out.extend_from_slice(&[0u8; 2 * BLOCK]);
    }
    if let Some(t) = &opts.trailing {
        out.extend_from_slice(t.as_bytes());
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
