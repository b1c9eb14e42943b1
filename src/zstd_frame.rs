//! What the first bytes of a zstd stream say, read as zstd(1) reads them (RFC 8878): skippable frames (magic
//! 0x184D2A50 to 0x184D2A5F, then a 4-byte length) are stepped over, and a frame header gives the window the
//! decoder must hold. zstd refuses a window over 128 MiB unless told otherwise (`--long=31` makes 2 GiB ones);
//! so does ocicheck, but it says so instead of mistaking the stream for something else.

/// The magic number of a zstd frame, as it is stored.
pub const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The largest window the decoders accept: zstd's own default (window log 27), plus the one byte zstd allows.
pub const MAX_WINDOW: u64 = (1 << 27) + 1;

/// How libzstd's decoder says a frame's window is over its limit (`ZSTD_error_frameParameter_windowTooLarge`).
pub const WINDOW_TOO_LARGE: &str = "Frame requires too much memory for decoding";

/// Skippable frames stepped over at most before giving up on finding a frame header (each costs one small read).
const MAX_SKIPPABLE: usize = 4096;

/// Whether four bytes start a skippable frame.
pub fn is_skippable(b: &[u8]) -> bool {
    b.len() >= 4 && b[0] & 0xf0 == 0x50 && b[1..4] == [0x2a, 0x4d, 0x18]
}

/// Whether the bytes start a zstd stream: a frame or a skippable frame.
pub fn starts_zstd(b: &[u8]) -> bool {
    b.starts_with(&MAGIC) || is_skippable(b)
}

/// What the start of a zstd stream holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A frame at this offset that needs a window of this many bytes.
    Frame { offset: u64, window: u64 },
    /// The stream ends (or stops being zstd) before a frame header: for the decoder to report.
    Unknown,
}

/// The window a frame header asks for (`header` starts at the magic number), if the header is complete.
pub fn window_of(header: &[u8]) -> Option<u64> {
    if !header.starts_with(&MAGIC) {
        return None;
    }
    let fhd = *header.get(4)?;
    let single_segment = fhd & 0x20 != 0;
    if !single_segment {
        let wd = *header.get(5)?;
        let log = 10 + u32::from(wd >> 3);
        let base = 1u64 << log;
        return Some(base + (base / 8) * u64::from(wd & 7));
    }
    // Single segment: the window is the content size, which follows the dictionary id.
    let dict_len = [0usize, 1, 2, 4][usize::from(fhd & 3)];
    let fcs_len = [1usize, 2, 4, 8][usize::from(fhd >> 6)];
    let at = 5 + dict_len;
    let f = header.get(at..at + fcs_len)?;
    let mut b = [0u8; 8];
    b[..fcs_len].copy_from_slice(f);
    let size = u64::from_le_bytes(b);
    Some(if fcs_len == 2 { size + 256 } else { size })
}

/// The first frame of a zstd stream, stepping over skippable frames; `read_at(offset, buf)` reads the stream.
pub fn first_frame(mut read_at: impl FnMut(u64, &mut [u8]) -> std::io::Result<usize>) -> Start {
    let mut off = 0u64;
    for _ in 0..MAX_SKIPPABLE {
        let mut head = [0u8; 18];
        let mut got = 0;
        while got < head.len() {
            match read_at(off + got as u64, &mut head[got..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
        let head = &head[..got];
        if is_skippable(head) {
            let Some(len) = head.get(4..8) else {
                return Start::Unknown;
            };
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]);
            off = off.saturating_add(8).saturating_add(u64::from(len));
            continue;
        }
        return match window_of(head) {
            Some(window) => Start::Frame {
                offset: off,
                window,
            },
            None => Start::Unknown,
        };
    }
    Start::Unknown
}

/// A window size for messages: `2 GiB`, `128 MiB`, `512 KiB`.
pub fn describe(window: u64) -> String {
    let (unit, shift) = if window >= 1 << 30 {
        ("GiB", 30)
    } else if window >= 1 << 20 {
        ("MiB", 20)
    } else {
        ("KiB", 10)
    };
    let whole = window >> shift;
    if whole << shift == window {
        format!("{whole} {unit}")
    } else {
        format!("{:.1} {unit}", window as f64 / (1u64 << shift) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(bytes: &[u8]) -> impl FnMut(u64, &mut [u8]) -> std::io::Result<usize> + '_ {
        move |off, buf| {
            let start = usize::try_from(off).unwrap_or(usize::MAX).min(bytes.len());
            let n = buf.len().min(bytes.len() - start);
            buf[..n].copy_from_slice(&bytes[start..start + n]);
            Ok(n)
        }
    }

    #[test]
    fn windows_of_real_frames() {
        let data = vec![7u8; 1 << 20];
        // A one-shot frame of a known size: single segment, the window is the content size.
        let one = zstd::bulk::compress(&data, 3).expect("zstd");
        assert_eq!(window_of(&one), Some(1 << 20));
        // A streamed frame with window log 31, as `zstd --long=31` writes from a pipe.
        let mut e = zstd::stream::Encoder::new(Vec::new(), 3).expect("zstd");
        e.long_distance_matching(true).expect("ldm");
        e.window_log(31).expect("window");
        std::io::Write::write_all(&mut e, &data).expect("zstd");
        let long = e.finish().expect("zstd");
        assert_eq!(window_of(&long), Some(1 << 31));
        assert_eq!(describe(1 << 31), "2 GiB");
        // After skippable frames.
        let mut s = vec![0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        s.extend([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
        s.extend(&long);
        assert!(starts_zstd(&s));
        assert_eq!(
            first_frame(at(&s)),
            Start::Frame {
                offset: 19,
                window: 1 << 31
            }
        );
        // A skippable frame whose length runs past the end, or nothing but skippable frames.
        assert_eq!(
            first_frame(at(&[0x50, 0x2a, 0x4d, 0x18, 0xff, 0xff, 0xff, 0xff])),
            Start::Unknown
        );
        assert_eq!(first_frame(at(&s[..11])), Start::Unknown);
        assert_eq!(first_frame(at(&[0x28, 0xb5])), Start::Unknown);
    }
}
