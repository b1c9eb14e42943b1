//! Telling an archive from anything else by its first bytes, and the decoder for its compression.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use super::backing::{Backing, RangeReader};
use super::header::{BLOCK, checksum_ok};
use super::info::Compression;

pub(super) fn decoder(backing: &Arc<Backing>, c: Compression) -> io::Result<Box<dyn Read + Send>> {
    let range = RangeReader {
        backing: backing.clone(),
        pos: 0,
        end: backing.len(),
    };
    decode(range, c)
}

pub(super) fn decode<R: Read + Send + 'static>(
    range: R,
    c: Compression,
) -> io::Result<Box<dyn Read + Send>> {
    Ok(match c {
        Compression::None => Box::new(range),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            range,
        ))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(range)?),
    })
}

/// What the first bytes say: a tar stream, plain or compressed; `None` for anything else.
pub(super) fn sniff(backing: &Arc<Backing>) -> Option<Compression> {
    let mut head = [0u8; 4];
    let n = backing.read_at(0, &mut head).ok()?;
    let c = match &head[..n] {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd] => Compression::Zstd,
        _ => Compression::None,
    };
    let mut block = [0u8; BLOCK as usize];
    let mut r = decoder(backing, c).ok()?;
    let mut got = 0;
    while got < block.len() {
        match r.read(&mut block[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if got < block.len() {
        return None;
    }
    (block.iter().all(|&b| b == 0) || checksum_ok(&block)).then_some(c)
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
