//! Digest strings (descriptor.md § Digests) and the hash functions that verify them.

use sha2::Digest as _;

use crate::Spec;

/// The grammar of descriptor.md § Digests:
/// `algorithm ":" encoded`, `algorithm ::= component (separator component)*`, `component ::= [a-z0-9]+`,
/// `separator ::= [+._-]`, `encoded ::= [a-zA-Z0-9=_-]+`.
pub fn is_valid_grammar(s: &str) -> bool {
    match s.split_once(':') {
        Some((alg, enc)) => is_algorithm(alg) && is_encoded(enc),
        None => false,
    }
}

/// `algorithm` of the digest grammar.
pub fn is_algorithm(alg: &str) -> bool {
    !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `encoded` of the digest grammar.
pub fn is_encoded(enc: &str) -> bool {
    !enc.is_empty()
        && enc
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'=' || b == b'_' || b == b'-')
}

/// Algorithms this tool can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
    Blake3,
}

impl Algorithm {
    /// The algorithm registered under `name` for the given spec version (blake3 is registered on main only).
    pub fn registered(name: &str, spec: Spec) -> Option<Algorithm> {
        match name {
            "sha256" => Some(Algorithm::Sha256),
            "sha512" => Some(Algorithm::Sha512),
            "blake3" if spec == Spec::Main => Some(Algorithm::Blake3),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
            Algorithm::Blake3 => "blake3",
        }
    }

    /// Length of the lower-case hex encoding.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 | Algorithm::Blake3 => 64,
            Algorithm::Sha512 => 128,
        }
    }

    pub fn hasher(self) -> Hasher {
        match self {
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
            Algorithm::Blake3 => Hasher::Blake3(Box::new(blake3::Hasher::new())),
        }
    }

    /// Hash a byte slice and return the full digest string.
    pub fn digest_of(self, bytes: &[u8]) -> String {
        let mut h = self.hasher();
        h.update(bytes);
        h.finish()
    }
}

/// Whether `enc` is the exact encoding a registered algorithm requires (`/[a-f0-9]{N}/`, whole string).
pub fn encoding_ok(alg: Algorithm, enc: &str) -> bool {
    enc.len() == alg.hex_len() && enc.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A parsed digest that passed the grammar, kept as text: one allocation, shared by its clones (a layout of 50,000
/// blobs holds a digest per blob and one per descriptor, and the walk gives a descriptor its blob's). The text is
/// either `algorithm:encoded` or, for a blob of a layout, the blob's own path `blobs/algorithm/encoded`
/// ([`Digest::of_blob_path`]): equality, order, hashing and display go by the two components, never the text.
#[derive(Debug, Clone)]
pub struct Digest {
    /// `algorithm:encoded`, or a path that ends in `algorithm/encoded`.
    text: std::sync::Arc<str>,
    /// Where the algorithm starts.
    start: u32,
    /// Where the separator between the two components is.
    colon: u32,
}

impl Digest {
    pub fn parse(s: &str) -> Option<Digest> {
        if !is_valid_grammar(s) || s.len() > u32::MAX as usize {
            return None;
        }
        let colon = s.find(':')?;
        Some(Digest {
            text: s.into(),
            start: 0,
            colon: colon as u32,
        })
    }

    /// The digest a layout's blob path `blobs/<algorithm>/<encoded>` spells, sharing the path's text (no second
    /// copy of the encoded hash per blob); `None` when the path is not of that shape or `algorithm:encoded` is not
    /// a valid digest.
    pub fn of_blob_path(path: &std::sync::Arc<str>) -> Option<Digest> {
        let rest = path.strip_prefix("blobs/")?;
        let (alg, enc) = rest.split_once('/')?;
        if path.len() > u32::MAX as usize || !is_valid_grammar(&format!("{alg}:{enc}")) {
            return None;
        }
        let start = "blobs/".len();
        Some(Digest {
            text: path.clone(),
            start: start as u32,
            colon: (start + alg.len()) as u32,
        })
    }

    /// The algorithm component (before the `:`).
    pub fn algorithm(&self) -> &str {
        &self.text[self.start as usize..self.colon as usize]
    }

    /// The encoded component (after the `:`).
    pub fn encoded(&self) -> &str {
        &self.text[self.colon as usize + 1..]
    }

    /// Path of the blob inside an image layout.
    pub fn blob_path(&self) -> String {
        format!("blobs/{}/{}", self.algorithm(), self.encoded())
    }

    /// The registered algorithm, if it is one and its encoding is valid; only such digests are verified.
    pub fn verifiable(&self, spec: Spec) -> Option<Algorithm> {
        Algorithm::registered(self.algorithm(), spec).filter(|a| encoding_ok(*a, self.encoded()))
    }
}

/// Ordered by algorithm, then encoding (not by the text: `sha256+b64u` sorts after `sha256`).
impl Ord for Digest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.algorithm(), self.encoded()).cmp(&(other.algorithm(), other.encoded()))
    }
}

impl PartialOrd for Digest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Digest {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm() == other.algorithm() && self.encoded() == other.encoded()
    }
}

impl Eq for Digest {}

impl std::hash::Hash for Digest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.algorithm(), self.encoded()).hash(state);
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm(), self.encoded())
    }
}

/// Written as `algorithm:encoded` (in a report's list of images).
impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A running hash.
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
    Blake3(Box<blake3::Hasher>),
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
            Hasher::Blake3(h) => {
                h.update(bytes);
            }
        }
    }

    /// The algorithm this hasher computes.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Hasher::Sha256(_) => Algorithm::Sha256,
            Hasher::Sha512(_) => Algorithm::Sha512,
            Hasher::Blake3(_) => Algorithm::Blake3,
        }
    }

    /// Finish and return `alg:hex`.
    pub fn finish(self) -> String {
        let alg = self.algorithm();
        let mut raw = [0u8; 64];
        let n = self.finish_into(&mut raw);
        format!("{}:{}", alg.name(), hex(&raw[..n]))
    }

    /// Finish and write the hash value (not its hex encoding) to the start of `out`: how many bytes it is (32 or
    /// 64).
    pub fn finish_into(self, out: &mut [u8; 64]) -> usize {
        match self {
            Hasher::Sha256(h) => {
                out[..32].copy_from_slice(&h.finalize());
                32
            }
            Hasher::Sha512(h) => {
                out.copy_from_slice(&h.finalize());
                64
            }
            Hasher::Blake3(h) => {
                out[..32].copy_from_slice(h.finalize().as_bytes());
                32
            }
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_paths_digest_is_the_digest_it_spells() {
        use std::hash::{BuildHasher, RandomState};
        let text = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";
        let path: std::sync::Arc<str> = format!("blobs/{}", text.replace(':', "/")).into();
        let (Some(a), Some(b)) = (Digest::of_blob_path(&path), Digest::parse(text)) else {
            panic!("both spell a valid digest");
        };
        assert_eq!((a.algorithm(), a.encoded()), ("sha256", &text[7..]));
        assert_eq!(a.to_string(), text);
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
        let h = RandomState::new();
        assert_eq!(h.hash_one(&a), h.hash_one(&b));
        assert_eq!(a.blob_path(), &*path);
        for bad in [
            "blobs/sha256",
            "blobs/sha256/",
            "blobs//abc",
            "blobs/SHA256/abc",
            "index.json",
            "x/sha256/ab",
        ] {
            assert!(Digest::of_blob_path(&bad.into()).is_none(), "{bad}");
        }
    }

    #[test]
    fn grammar() {
        for ok in [
            "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270",
            "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
            "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8",
            "sha256.foo-bar:c86f",
            "sha256+b64u.unknownlength:LCa0=",
            "sha256:ab",
        ] {
            assert!(is_valid_grammar(ok), "{ok}");
        }
        for bad in [
            "",
            "sha256",
            ":abc",
            "SHA256:abc",
            "sha256+foo+-b:abc",
            "sha256:",
            "sha256:a/b",
            "sha256:../../etc/passwd",
            "sha256::abc",
            "-sha:abc",
        ] {
            assert!(!is_valid_grammar(bad), "{bad}");
        }
    }

    #[test]
    fn encodings() {
        let d = Digest::parse(
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        );
        assert_eq!(
            d.and_then(|d| d.verifiable(Spec::V1_1_1)),
            Some(Algorithm::Sha256)
        );
        assert!(!encoding_ok(Algorithm::Sha256, "ab"));
        assert!(!encoding_ok(
            Algorithm::Sha256,
            "44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A"
        ));
        assert_eq!(Algorithm::registered("blake3", Spec::V1_1_1), None);
        assert_eq!(
            Algorithm::registered("blake3", Spec::Main),
            Some(Algorithm::Blake3)
        );
    }

    #[test]
    fn hashes() {
        assert_eq!(
            Algorithm::Sha256.digest_of(b"{}"),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert!(
            Algorithm::Sha512
                .digest_of(b"")
                .starts_with("sha512:cf83e1357eefb8bdf1542850d66d8007")
        );
        assert_eq!(
            Algorithm::Blake3.digest_of(b""),
            "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }
}
