//! What a zstd decoder holds: the window its frame asks for (RFC 8878 § 3.1.1.1), which the decoder fills as it
//! goes, up to 128 MiB with zstd's default limit. Read from the frame header before a decoder is made, so that the
//! window is reserved from the run's memory budget first ([`crate::memory`]), and the decoder is told to refuse a
//! later frame that would ask for more than was reserved (`window_log_max`).

/// zstd's own default limit on the window (`ZSTD_WINDOWLOG_LIMIT_DEFAULT`): 2^27 bytes, 128 MiB. A frame that asks
/// for more is refused by every decoder that keeps its defaults.
pub const MAX_WINDOW_LOG: u32 = 27;

/// The smallest window a decoder can be limited to (`ZSTD_WINDOWLOG_MIN`).
pub const MIN_WINDOW_LOG: u32 = 10;

/// The largest window of zstd's levels 1 to 19 without long-distance matching (level 19's: 2^23 bytes, 8 MiB):
/// a decoder is given at least this much, whatever its first frame asks for, so that the later frames of a
/// stream made of many (zstd:chunked layers, a frame per file) fit in it too.
pub const COMMON_WINDOW: u64 = 8 << 20;

/// What a decoder holds besides its window: its context, an input block and the output blocks it decodes into.
pub const DECODER_OVERHEAD: u64 = 640 << 10;

/// The window the first frame in `b` asks for (skippable frames are stepped over), if its header is in `b`.
/// A single-segment frame's window is its content size.
pub fn first_window(mut b: &[u8]) -> Option<u64> {
    loop {
        let magic = u32::from_le_bytes(b.get(..4)?.try_into().ok()?);
        if magic & 0xffff_fff0 == 0x184d_2a50 {
            let len = u32::from_le_bytes(b.get(4..8)?.try_into().ok()?);
            b = b.get(8 + len as usize..)?;
            continue;
        }
        if magic != 0xfd2f_b528 {
            return None;
        }
        let fhd = *b.get(4)?;
        let single = fhd & 0x20 != 0;
        if !single {
            let wd = *b.get(5)?;
            let log = 10 + u32::from(wd >> 3);
            let base = 1u64.checked_shl(log)?;
            return Some(base + (base / 8) * u64::from(wd & 7));
        }
        let dict = [0usize, 1, 2, 4][usize::from(fhd & 3)];
        let at = 5 + dict;
        return Some(match fhd >> 6 {
            0 => u64::from(*b.get(at)?),
            1 => u64::from(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?)) + 256,
            2 => u64::from(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?)),
            _ => u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?),
        });
    }
}

/// The `window_log_max` that admits a window of `window` bytes (at least [`MIN_WINDOW_LOG`]; past
/// [`MAX_WINDOW_LOG`] it is that, and the decoder refuses the frame as any decoder with zstd's defaults would).
pub fn log_for(window: u64) -> u32 {
    let log = 64 - window.saturating_sub(1).leading_zeros();
    log.clamp(MIN_WINDOW_LOG, MAX_WINDOW_LOG)
}

/// What a decoder limited to `window_log_max = log` may hold: the window and the rest of the decoder.
pub fn cost(log: u32) -> u64 {
    (1u64 << log) + DECODER_OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_with(level: i32, window_log: u32, data: &[u8]) -> Vec<u8> {
        let mut e = zstd::stream::Encoder::new(Vec::new(), level).expect("encoder");
        e.window_log(window_log).expect("window log");
        e.include_contentsize(false).expect("no content size");
        std::io::Write::write_all(&mut e, data).expect("write");
        e.finish().expect("finish")
    }

    #[test]
    fn windows_are_read_from_frame_headers() {
        let data = vec![7u8; 1 << 20];
        assert_eq!(first_window(&frame_with(3, 20, &data)), Some(1 << 20));
        assert_eq!(first_window(&frame_with(3, 27, &data)), Some(1 << 27));
        // A single-segment frame (the content size known and small): the window is the content size.
        let small = zstd::encode_all(&b"hello"[..], 3).expect("zstd");
        assert_eq!(first_window(&small), Some(5));
        // Behind a skippable frame; and not zstd at all.
        let mut skip = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        skip.extend(frame_with(3, 22, &data));
        assert_eq!(first_window(&skip), Some(1 << 22));
        assert_eq!(first_window(b"\x1f\x8b\x08\x00"), None);
        assert_eq!(first_window(&skip[..6]), None);
        assert_eq!(
            (log_for(5), log_for(1 << 20), log_for((1 << 20) + 1)),
            (10, 20, 21)
        );
        assert_eq!(log_for(u64::MAX), MAX_WINDOW_LOG);
    }
}
