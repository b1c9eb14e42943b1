//! Tar names as the layer rules compare them: normalised (no leading `/` or `./`, no `.` or empty components,
//! `..` resolved), escaped when they are not UTF-8, split into parent and basename.

use super::flag;

/// A name that is not UTF-8, with each byte of an invalid sequence written `\xNN` (distinct names stay distinct).
pub fn escape_non_utf8(mut b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 8);
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = b.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                for x in &rest[..bad.min(rest.len())] {
                    out.push_str(&format!("\\x{x:02x}"));
                }
                b = &rest[bad.min(rest.len())..];
            }
        }
    }
}

pub(super) enum Norm {
    /// A sub-slice of the raw name.
    Within(usize, usize),
    Owned(String),
}

/// Normalise a tar name. Flags: ABSOLUTE, DOTDOT, ESCAPES.
pub(super) fn normalize(s: &str) -> (Norm, u32) {
    let mut flags = 0;
    if s.starts_with('/') {
        flags |= flag::ABSOLUTE;
    }
    // Fast path: strip leading "/" and "./", trailing "/"; clean if no "", "." or ".." components remain.
    let mut a = 0;
    let b0 = s.len();
    loop {
        let rest = &s[a..];
        if rest.starts_with('/') {
            a += 1;
        } else if rest.starts_with("./") {
            a += 2;
        } else if rest == "." {
            a += 1;
        } else {
            break;
        }
    }
    let mut b = b0;
    while b > a && s.as_bytes()[b - 1] == b'/' {
        b -= 1;
    }
    let inner = &s[a..b];
    let clean = inner.is_empty()
        || inner
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    if clean {
        return (Norm::Within(a, b), flags);
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in inner.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                flags |= flag::DOTDOT;
                if parts.pop().is_none() {
                    flags |= flag::ESCAPES;
                }
            }
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    // Often still a slice of the original (e.g. "a/./" → "a").
    if let Some(i) = s.find(joined.as_str())
        && !joined.is_empty()
    {
        return (Norm::Within(i, i + joined.len()), flags);
    }
    (Norm::Owned(joined), flags)
}

/// The basename of a normalised path.
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The parent of a normalised path (`""` for the root's children).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::tar::facts::TarFacts;

    #[test]
    fn normalisation() {
        for (raw, norm, flags) in [
            ("./a/b/", "a/b", 0),
            ("/a", "a", flag::ABSOLUTE),
            ("a//b/./c", "a/b/c", 0),
            ("a/../b", "b", flag::DOTDOT),
            ("../x", "x", flag::DOTDOT | flag::ESCAPES),
            (".", "", 0),
            ("./", "", 0),
            ("a/.wh.", "a/.wh.", 0),
        ] {
            let mut f = TarFacts::default();
            let s = f.push_str(raw);
            let (n, fl) = f.push_norm(s);
            assert_eq!((f.span(n), fl), (norm, flags), "{raw}");
        }
    }
}
