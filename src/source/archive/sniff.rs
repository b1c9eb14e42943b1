//! Telling an archive from anything else by its first bytes, and the decoder for its compression.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use super::backing::Backing;
use super::header::{BLOCK, checksum_ok};
use super::info::Compression;

pub(super) fn decode<R: Read + Send + 'static>(
    range: R,
    c: Compression,
) -> io::Result<Box<dyn Read + Send>> {
    Ok(match c {
        Compression::None => Box::new(range),
        Compression::Gzip => Box::new(crate::gzip::MultiGz::new(BufReader::with_capacity(
            1 << 16,
            range,
        ))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(range)?),
    })
}

/// What the first bytes say, decided as gzip(1) and zstd(1) decide: gzip and zstd streams by their magic numbers
/// (a zstd stream may start with skippable frames), a plain tar stream by a valid first header (or a zero block);
/// `None` for anything else. No JSON document starts with either magic number, so a compressed stream is never
/// taken for one, whatever its header holds (a gzip name of any length, a zstd window of any size): what cannot
/// be decompressed is the archive's defect, or a limit, never a document.
pub(super) fn sniff(backing: &Arc<Backing>) -> Option<Compression> {
    let mut head = [0u8; 4];
    let n = read_full_at(backing, 0, &mut head);
    let head = &head[..n];
    if head.starts_with(&crate::gzip::MAGIC) {
        return Some(Compression::Gzip);
    }
    if crate::zstd_frame::starts_zstd(head) {
        return Some(Compression::Zstd);
    }
    let mut block = [0u8; BLOCK as usize];
    if read_full_at(backing, 0, &mut block) < block.len() {
        return None;
    }
    (block.iter().all(|&b| b == 0) || checksum_ok(&block)).then_some(Compression::None)
}

/// A zstd archive whose first frame needs a larger window than the decoders accept: the error that says so (the
/// archive cannot be read at all within the memory limit, so the run cannot judge it).
pub(super) fn window_too_large(backing: &Arc<Backing>) -> Option<io::Error> {
    use crate::zstd_frame::{MAX_WINDOW, Start, describe, first_frame};
    match first_frame(|off, buf| backing.read_at(off, buf)) {
        Start::Frame { offset, window } if window > MAX_WINDOW => Some(io::Error::new(
            io::ErrorKind::OutOfMemory,
            format!(
                "the zstd frame at byte {offset} needs a {} window (zstd --long writes such frames), more than the {} a decoder may hold; the archive was not read",
                describe(window),
                describe(MAX_WINDOW - 1)
            ),
        )),
        _ => None,
    }
}

/// Fill `buf` from `off`; fewer bytes only at the end.
fn read_full_at(backing: &Backing, off: u64, buf: &mut [u8]) -> usize {
    let mut got = 0;
    while got < buf.len() {
        match backing.read_at(off + got as u64, &mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => got += k,
        }
    }
    got
}

/// Whether the bytes look like a tar archive (plain or compressed).
pub fn looks_like_archive(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let Ok(meta) = file.metadata() else {
        return false;
    };
    sniff(&Arc::new(Backing::File {
        file,
        base: 0,
        len: meta.len(),
    }))
    .is_some()
}
