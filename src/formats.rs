//! Value formats the spec refers to: RFC 3339 date-times, RFC 3986 URIs, RFC 4648 base64, the `ref.name` grammar
//! of annotations.md and distribution's image reference grammar. Written from the RFCs' ABNF.

/// RFC 3339 § 5.6 `date-time` (upper- or lower-case `T` and `Z`), with calendar checks.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|x| x.iter().all(u8::is_ascii_digit))
    };
    let num = |r: std::ops::Range<usize>| -> u32 {
        b.get(r).map_or(0, |x| {
            x.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    if !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let (hour, minute, second) = (num(11..13), num(14..16), num(17..19));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i + 6 == b.len()
                && digits(i + 1..i + 3)
                && b[i + 3] == b':'
                && digits(i + 4..i + 6)
                && num(i + 1..i + 3) <= 23
                && num(i + 4..i + 6) <= 59
        }
        _ => false,
    }
}

/// RFC 3986 `URI` (absolute, with a scheme; fragment allowed). Percent-encodings must be well formed.
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let sb = scheme.as_bytes();
    if sb.is_empty()
        || !sb[0].is_ascii_alphabetic()
        || !sb
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c))
    {
        return false;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (hier, query) = match rest.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (rest, None),
    };
    let ok_chars = |t: &str, extra: &[u8]| -> bool {
        let b = t.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'%' {
                if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
                {
                    return false;
                }
                i += 3;
                continue;
            }
            let unreserved = c.is_ascii_alphanumeric() || b"-._~".contains(&c);
            let sub_delim = b"!$&'()*+,;=".contains(&c);
            if !(unreserved || sub_delim || extra.contains(&c)) {
                return false;
            }
            i += 1;
        }
        true
    };
    if let Some(q) = query
        && !ok_chars(q, b":@/?")
    {
        return false;
    }
    if let Some(f) = fragment
        && !ok_chars(f, b":@/?")
    {
        return false;
    }
    if let Some(after) = hier.strip_prefix("//") {
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if let Some(u) = userinfo
            && !ok_chars(u, b":")
        {
            return false;
        }
        let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
            match stripped.split_once(']') {
                Some((ip, rest)) => {
                    if ip.is_empty()
                        || !ip
                            .bytes()
                            .all(|c| c.is_ascii_hexdigit() || b":.vV".contains(&c))
                    {
                        return false;
                    }
                    (None, rest.strip_prefix(':'))
                }
                None => return false,
            }
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (Some(h), Some(p)),
                None => (Some(hostport), None),
            }
        };
        if let Some(h) = host
            && !ok_chars(h, b"")
        {
            return false;
        }
        if let Some(p) = port
            && !p.bytes().all(|c| c.is_ascii_digit())
        {
            return false;
        }
        ok_chars(path, b":@/")
    } else {
        ok_chars(hier, b":@/")
    }
}

/// Decode RFC 4648 § 4 base64 (standard alphabet, padding required, no whitespace). `None` if not valid.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    let chunks = b.chunks(4);
    let n = chunks.len();
    for (i, q) in b.chunks(4).enumerate() {
        let last = i + 1 == n;
        let pad = q.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut acc = 0u32;
        for (j, &c) in q.iter().enumerate() {
            let v = if j >= 4 - pad { 0 } else { val(c)? };
            acc = (acc << 6) | v;
        }
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        // Non-canonical encodings (bits set in the padding) are rejected, as RFC 4648 § 3.5 allows.
        if pad == 1 && bytes[2] != 0 || pad == 2 && (bytes[1] != 0 || bytes[2] != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// The `ref.name` grammar of annotations.md: `component ("/" component)*`, `component ::= alphanum (separator
/// alphanum)*`, `alphanum ::= [A-Za-z0-9]+`, `separator ::= [-._:@+] | "--"`.
pub fn is_ref_name(s: &str) -> bool {
    !s.is_empty() && s.split('/').all(is_ref_component)
}

fn is_ref_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        // A separator: one of `-._:@+`, or exactly `--`, followed by an alphanumeric.
        if b[i] == b'-' && b.get(i + 1) == Some(&b'-') {
            i += 2;
        } else if b"-._:@+".contains(&b[i]) {
            i += 1;
        } else {
            return false;
        }
        if !b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            return false;
        }
    }
    true
}

/// A reference in distribution/reference's grammar: `[domain/]path[:tag][@digest]`.
/// Returns `(has_domain, valid)`.
pub fn parse_image_reference(s: &str) -> (bool, bool) {
    let (name_tag, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest
        && !crate::digest::is_valid_grammar(d)
    {
        return (false, false);
    }
    // A tag follows the last ':' after the last '/'.
    let slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[slash..].rfind(':') {
        Some(i) => (&name_tag[..slash + i], Some(&name_tag[slash + i + 1..])),
        None => (name_tag, None),
    };
    if let Some(t) = tag {
        let tb = t.as_bytes();
        let ok = !tb.is_empty()
            && tb.len() <= 128
            && (tb[0].is_ascii_alphanumeric() || tb[0] == b'_')
            && tb
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(c));
        if !ok {
            return (false, false);
        }
    }
    if name.is_empty() || name.len() > 255 {
        return (false, false);
    }
    let parts: Vec<&str> = name.split('/').collect();
    let first = parts[0];
    let has_domain = parts.len() > 1
        && (first.contains('.')
            || first.contains(':')
            || first == "localhost"
            || first.bytes().any(|c| c.is_ascii_uppercase()));
    let path = if has_domain { &parts[1..] } else { &parts[..] };
    if has_domain {
        let (host, port) = match first.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (first, None),
        };
        if host.is_empty()
            || !host.split('.').all(|l| {
                let lb = l.as_bytes();
                !lb.is_empty()
                    && lb[0].is_ascii_alphanumeric()
                    && lb[lb.len() - 1].is_ascii_alphanumeric()
                    && lb.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            })
            || port.is_some_and(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()))
        {
            return (true, false);
        }
    }
    let path_ok = !path.is_empty() && path.iter().all(|c| is_path_component(c));
    (has_domain, path_ok)
}

/// A path component of distribution's reference grammar: `[a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*`.
fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let mut i = 0;
    let alnum_run = |i: &mut usize| {
        let start = *i;
        while b
            .get(*i)
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            *i += 1;
        }
        *i > start
    };
    if !alnum_run(&mut i) {
        return false;
    }
    while i < b.len() {
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if !alnum_run(&mut i) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        for ok in [
            "2015-10-31T22:22:56.015925234Z",
            "1985-04-12T23:20:50.52Z",
            "1996-12-19T16:39:57-08:00",
            "1990-12-31T23:59:60Z",
            "2024-02-29t00:00:00z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2015-10-31 22:22:56Z",
            "2015-10-31T22:22:56",
            "2023-02-29T00:00:00Z",
            "2015-13-01T00:00:00Z",
            "2015-10-31T24:00:00Z",
            "2015-10-31T22:22:56.Z",
            "2015-10-31T22:22:56+0100",
            "yesterday",
            "",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn uris() {
        for ok in [
            "https://example.com/foo",
            "http://user@host:8080/a/b?c=d#e",
            "urn:isbn:0451450523",
            "https://[::1]/x",
            "https://example.com/a%20b",
        ] {
            assert!(is_uri(ok), "{ok}");
        }
        for bad in [
            "value",
            "/relative/path",
            "https://exa mple.com",
            "1http://x",
            "http://x/%zz",
            "http://x/<a>",
            "",
        ] {
            assert!(!is_uri(bad), "{bad}");
        }
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("e30="), Some(b"{}".to_vec()));
        assert_eq!(base64_decode(""), Some(Vec::new()));
        assert_eq!(
            base64_decode("aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg==").map(|v| v.len()),
            Some(34)
        );
        for bad in ["e30", "e3=0", "e30=e30=", "e-0=", "e3 0=", "e31="] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn ref_names() {
        for ok in [
            "v1.0",
            "stable-release",
            "1.0.0-vendor.0",
            "example.com/app:v1",
            "a--b",
            "a@b+c:d",
        ] {
            assert!(is_ref_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a//b", "a---b", "a b", "a/", "ä"] {
            assert!(!is_ref_name(bad), "{bad}");
        }
    }

    #[test]
    fn image_references() {
        assert_eq!(
            parse_image_reference("registry.example.com/my-org/my-image:tag"),
            (true, true)
        );
        assert_eq!(parse_image_reference("my-org/my-image:tag"), (false, true));
        assert_eq!(
            parse_image_reference("localhost:5000/a@sha256:abc"),
            (true, true)
        );
        assert_eq!(
            parse_image_reference("docker.io/library/alpine:3.19"),
            (true, true)
        );
        assert!(!parse_image_reference("UPPER/case").1 || parse_image_reference("UPPER/case").0);
        assert!(!parse_image_reference("Bad_Name").1);
        assert!(!parse_image_reference("a:b:c").1);
    }
}
