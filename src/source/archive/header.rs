//! The fields of a tar header as the archive listing reads them: numbers, names, the checksum, PAX records.

pub(super) const BLOCK: u64 = 512;

pub(super) fn padding(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

pub(super) fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// The name of a header: `prefix/name` for POSIX ustar headers with a prefix, else `name`.
pub(super) fn header_name(b: &[u8; BLOCK as usize]) -> Vec<u8> {
    let name = cstr(&b[0..100]);
    let prefix = cstr(&b[345..500]);
    if &b[257..263] == b"ustar\0" && !prefix.is_empty() {
        let mut v = prefix.to_vec();
        v.push(b'/');
        v.extend_from_slice(name);
        v
    } else {
        name.to_vec()
    }
}

pub(super) fn lossy(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
    }
}

/// A numeric header field: octal text (NUL or space padded) or GNU base-256. `None` when malformed, negative or
/// larger than 64 bits.
pub(super) fn parse_number(field: &[u8]) -> Option<u64> {
    let first = *field.first()?;
    if first & 0x80 != 0 {
        if first == 0xff {
            return None; // negative
        }
        let mut v = u64::from(first & 0x7f);
        for &b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let t: &[u8] = {
        let start = field
            .iter()
            .position(|&b| b != b' ' && b != 0)
            .unwrap_or(field.len());
        let rest = &field[start..];
        let end = rest
            .iter()
            .position(|&b| b == b' ' || b == 0)
            .unwrap_or(rest.len());
        &rest[..end]
    };
    let mut v = 0u64;
    for &c in t {
        if !(b'0'..=b'7').contains(&c) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// The header checksum, as unsigned or (old writers) signed byte sums with the field itself taken as spaces.
pub(super) fn checksum_ok(b: &[u8; BLOCK as usize]) -> bool {
    let Some(stored) = parse_number(&b[148..156]) else {
        return false;
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &x) in b.iter().enumerate() {
        let x = if (148..156).contains(&i) { b' ' } else { x };
        unsigned += u64::from(x);
        signed += i64::from(x as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// PAX records: `<len> <key>=<value>\n`, where `len` counts the whole record.
pub(super) fn parse_pax(data: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let sp = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or("a record has no length")?;
        let len: usize = std::str::from_utf8(&rest[..sp])
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or("a record length is not a number")?;
        if len <= sp + 1 || len > rest.len() {
            return Err(format!("a record length ({len}) does not fit the data"));
        }
        let rec = &rest[sp + 1..len];
        let Some(rec) = rec.strip_suffix(b"\n") else {
            return Err("a record does not end with a newline".into());
        };
        let eq = rec
            .iter()
            .position(|&b| b == b'=')
            .ok_or("a record has no `=`")?;
        out.push((
            String::from_utf8_lossy(&rec[..eq]).into_owned(),
            rec[eq + 1..].to_vec(),
        ));
        rest = &rest[len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"0000644\0"), Some(0o644));
        assert_eq!(parse_number(b"  17 \0"), Some(0o17));
        assert_eq!(parse_number(b"\0\0\0"), Some(0));
        assert_eq!(parse_number(b"0009\0"), None);
        assert_eq!(parse_number(&[0xff, 0xff]), None);
        assert_eq!(parse_number(&[0x80, 0, 0, 1, 0]), Some(256));
        assert_eq!(
            parse_number(&[0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            None
        );
    }
}
