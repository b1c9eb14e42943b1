//! Lenient JSON parsing for validation.
//!
//! `serde_json` silently keeps the last of duplicate object keys and refuses invalid UTF-8; a validator has to see
//! both. This parser keeps every member of every object (duplicates included, in document order), remembers the byte
//! offset of every value, keeps numbers as their literal text, and records what it noticed on the way (duplicate
//! names, invalid UTF-8, lone surrogates, numbers outside IEEE 754 double precision) instead of stopping. Only a real
//! syntax error stops it, and that is reported with its offset.

use std::fmt::Write as _;

/// Deepest nesting accepted before the parser gives up (hostile input guard; no real OCI document comes close).
pub const MAX_DEPTH: usize = 256;

/// Notices kept per document (a hostile document could hold millions of duplicate names or noncharacters); the
/// parse goes on, the rest are counted in [`Parsed::notices_dropped`].
pub const MAX_NOTICES: usize = 1000;

/// Objects with more members than this look duplicates up in a hash set instead of scanning the members.
const DUP_SCAN_MAX: usize = 16;

/// A parsed JSON value with the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub offset: usize,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// The number exactly as written in the document.
    Number(Box<str>),
    String(Box<str>),
    Array(Box<[Value]>),
    /// Members in document order, duplicates kept.
    Object(Box<[Member]>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// One copy of each name per document (an index of 10,000 entries names `digest` 10,000 times).
    pub key: std::sync::Arc<str>,
    pub key_offset: usize,
    pub value: Value,
}

/// Something the parser noticed that does not stop parsing.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// An object holds the same name twice. `pointer` is the object's pointer.
    DuplicateName {
        pointer: String,
        key: String,
        offset: usize,
    },
    /// Bytes that are not UTF-8 (replaced by U+FFFD in the parsed value).
    InvalidUtf8 { offset: usize },
    /// A `\u` escape that yields an unpaired surrogate (RFC 7493 §2.1).
    LoneSurrogate { pointer: String, offset: usize },
    /// A Unicode noncharacter in a string (RFC 7493 §2.1).
    Noncharacter {
        pointer: String,
        offset: usize,
        codepoint: u32,
    },
    /// A number that IEEE 754 double precision cannot hold exactly (RFC 7493 §2.2).
    ImpreciseNumber {
        pointer: String,
        offset: usize,
        text: String,
    },
}

/// A syntax error: where parsing stopped and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// `None` when a syntax error stopped the parser, or when the document holds more values than allowed.
    pub value: Option<Value>,
    pub error: Option<SyntaxError>,
    pub notices: Vec<Notice>,
    /// Notices not kept (over [`MAX_NOTICES`]).
    pub notices_dropped: usize,
    /// JSON values parsed (every scalar, array and object counts one). Over the limit of [`parse_limited`], parsing
    /// stopped there and [`Parsed::too_many_values`] is set.
    pub values: usize,
    /// The document holds more values than the limit given to [`parse_limited`]; `value` is `None`.
    pub too_many_values: bool,
}

/// Parse `bytes` leniently. Never panics, whatever the input.
pub fn parse(bytes: &[u8]) -> Parsed {
    parse_limited(bytes, usize::MAX)
}

/// Parse `bytes` leniently, giving up (without a syntax error) after `max_values` values: the parsed tree costs
/// tens of bytes per value, so this is what bounds the memory a document takes.
pub fn parse_limited(bytes: &[u8], max_values: usize) -> Parsed {
    let mut p = Parser::new(bytes, 0, max_values);
    let result = (|| {
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            return Err(p.err_at(0, "a byte order mark precedes the JSON text"));
        }
        p.ws();
        let v = p.value(0)?;
        p.ws();
        if p.i < p.b.len() {
            return Err(p.err("unexpected data after the JSON value"));
        }
        Ok(v)
    })();
    let too_many_values = p.values > p.max_values;
    let (value, error) = match result {
        Ok(v) => (Some(v), None),
        Err(_) if too_many_values => (None, None),
        Err(e) => (None, Some(e)),
    };
    Parsed {
        value,
        error,
        notices: p.notices,
        notices_dropped: p.notices_dropped,
        values: p.values,
        too_many_values,
    }
}

/// Parse again the one value that starts at byte `offset` of `bytes`, a document [`parse_limited`] parsed whole,
/// where that value sat `depth` levels down: the same value, with the document's own offsets, and how many values it
/// holds. `None` when no value parses there (or it holds more than `max_values`). How a large document is checked a
/// part at a time without holding its whole tree (the entries of an `index.json` of 10,000 images).
pub fn parse_value_at(
    bytes: &[u8],
    offset: usize,
    depth: usize,
    max_values: usize,
) -> Option<(Value, usize)> {
    let mut p = Parser::new(bytes, offset, max_values);
    let v = p.value(depth).ok()?;
    Some((v, p.values))
}

/// One step of a JSON pointer while parsing.
enum Seg {
    Key(std::sync::Arc<str>),
    Index(usize),
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    notices: Vec<Notice>,
    notices_dropped: usize,
    path: Vec<Seg>,
    utf8_reported: usize,
    values: usize,
    max_values: usize,
    /// The member names met so far, one shared copy each (up to [`MAX_INTERNED_KEYS`]).
    keys: std::collections::HashSet<std::sync::Arc<str>>,
}

/// Distinct member names shared per document; a document with more (no real one comes close) gets its own copy
/// of each further name.
const MAX_INTERNED_KEYS: usize = 4096;

impl<'a> Parser<'a> {
    /// A parser of `bytes` from byte `i`, giving up after `max_values` values.
    fn new(b: &'a [u8], i: usize, max_values: usize) -> Parser<'a> {
        Parser {
            b,
            i,
            notices: Vec::new(),
            notices_dropped: 0,
            path: Vec::new(),
            utf8_reported: 0,
            values: 0,
            max_values,
            keys: std::collections::HashSet::new(),
        }
    }

    /// The shared copy of a member name.
    fn key(&mut self, name: String) -> std::sync::Arc<str> {
        if let Some(k) = self.keys.get(name.as_str()) {
            return k.clone();
        }
        let k: std::sync::Arc<str> = std::sync::Arc::from(name);
        if self.keys.len() < MAX_INTERNED_KEYS {
            self.keys.insert(k.clone());
        }
        k
    }

    /// Keep a notice, up to [`MAX_NOTICES`]; the closure builds it (and its pointer) only when it is kept.
    fn notice(&mut self, n: impl FnOnce(&Self) -> Notice) {
        if self.notices.len() < MAX_NOTICES {
            let n = n(self);
            self.notices.push(n);
        } else {
            self.notices_dropped += 1;
        }
    }

    fn err(&self, msg: &str) -> SyntaxError {
        self.err_at(self.i, msg)
    }

    fn err_at(&self, offset: usize, msg: &str) -> SyntaxError {
        let found = match self.b.get(offset) {
            None => "end of input".to_string(),
            Some(c) if c.is_ascii_graphic() => format!("'{}'", *c as char),
            Some(c) => format!("byte 0x{c:02x}"),
        };
        SyntaxError {
            offset,
            message: format!("{msg} (found {found})"),
        }
    }

    fn pointer(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            s.push('/');
            match seg {
                Seg::Key(k) => s.push_str(&escape_token(k)),
                Seg::Index(i) => {
                    let _ = write!(s, "{i}");
                }
            }
        }
        s
    }

    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => self.i += 1,
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.err(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.values += 1;
        if self.values > self.max_values {
            return Err(self.err(&format!("more than {} values", self.max_values)));
        }
        let offset = self.i;
        let kind = match self.b.get(self.i) {
            None => return Err(self.err("expected a JSON value")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?.into_boxed_str()),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.err("expected a JSON value")),
        };
        Ok(Value { offset, kind })
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, SyntaxError> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(kind)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.i += 1; // '{'
        let mut members: Vec<Member> = Vec::new();
        // Names seen, once the object is too large to scan for duplicates.
        let mut seen: Option<std::collections::HashSet<std::sync::Arc<str>>> = None;
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Kind::Object(Box::default()));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a string as object member name"));
            }
            let key_offset = self.i;
            let key = self.string()?;
            let key = self.key(key);
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.err("expected ':' after object member name"));
            }
            self.i += 1;
            self.ws();
            let duplicate = match &mut seen {
                Some(set) => !set.insert(key.clone()),
                None => {
                    let d = members.iter().any(|m| m.key == key);
                    if members.len() >= DUP_SCAN_MAX {
                        seen = Some(
                            members
                                .iter()
                                .map(|m| m.key.clone())
                                .chain([key.clone()])
                                .collect(),
                        );
                    }
                    d
                }
            };
            if duplicate {
                self.notice(|p| Notice::DuplicateName {
                    pointer: p.pointer(),
                    key: key.to_string(),
                    offset: key_offset,
                });
            }
            self.path.push(Seg::Key(key.clone()));
            let value = self.value(depth + 1)?;
            self.path.pop();
            members.push(Member {
                key,
                key_offset,
                value,
            });
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    // Trees are held while their checks run: no spare capacity from growing.
                    return Ok(Kind::Object(members.into_boxed_slice()));
                }
                _ => return Err(self.err("expected ',' or '}' in object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.i += 1; // '['
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Kind::Array(Box::default()));
        }
        loop {
            self.ws();
            self.path.push(Seg::Index(items.len()));
            let v = self.value(depth + 1)?;
            self.path.pop();
            items.push(v);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Kind::Array(items.into_boxed_slice()));
                }
                _ => return Err(self.err("expected ',' or ']' in array")),
            }
        }
    }

    fn number(&mut self) -> Result<Kind, SyntaxError> {
        let start = self.i;
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while matches!(self.b.get(self.i), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
            }
            _ => return Err(self.err("invalid number")),
        }
        let mut integral = true;
        if self.b.get(self.i) == Some(&b'.') {
            integral = false;
            self.i += 1;
            if !matches!(self.b.get(self.i), Some(b'0'..=b'9')) {
                return Err(self.err("expected a digit after the decimal point"));
            }
            while matches!(self.b.get(self.i), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            integral = false;
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !matches!(self.b.get(self.i), Some(b'0'..=b'9')) {
                return Err(self.err("expected a digit in the exponent"));
            }
            while matches!(self.b.get(self.i), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        // Only ASCII was consumed, so this cannot fail; fall back to an empty string rather than panic.
        let text = std::str::from_utf8(&self.b[start..self.i])
            .unwrap_or_default()
            .to_string();
        if !fits_double(&text, integral) {
            self.notice(|p| Notice::ImpreciseNumber {
                pointer: p.pointer(),
                offset: start,
                text: text.clone(),
            });
        }
        Ok(Kind::Number(text.into_boxed_str()))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.b.get(self.i).copied();
            let d = match c {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("expected 4 hex digits in \\u escape")),
            };
            v = v * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let start = self.i;
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy a run of plain bytes at once.
            let run_start = self.i;
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            if self.i > run_start {
                self.push_utf8(&mut out, run_start, self.i);
            }
            match self.b.get(self.i) {
                None => return Err(self.err_at(start, "unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let esc_offset = self.i;
                    self.i += 1;
                    let c = self.b.get(self.i).copied();
                    self.i += 1;
                    match c {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    Some(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.i = save;
                                    None
                                }
                            } else if (0xD800..0xE000).contains(&hi) {
                                None
                            } else {
                                Some(hi)
                            };
                            match cp.and_then(char::from_u32) {
                                Some(ch) => {
                                    if is_noncharacter(ch as u32) {
                                        self.notice(|p| Notice::Noncharacter {
                                            pointer: p.pointer(),
                                            offset: esc_offset,
                                            codepoint: ch as u32,
                                        });
                                    }
                                    out.push(ch);
                                }
                                None => {
                                    self.notice(|p| Notice::LoneSurrogate {
                                        pointer: p.pointer(),
                                        offset: esc_offset,
                                    });
                                    out.push('\u{FFFD}');
                                }
                            }
                        }
                        _ => return Err(self.err_at(esc_offset, "invalid escape in string")),
                    }
                }
                Some(_) => {
                    return Err(self.err("unescaped control character in string"));
                }
            }
        }
    }

    /// Append bytes `b[from..to]` to `out`, replacing invalid UTF-8 and noting where it was.
    fn push_utf8(&mut self, out: &mut String, from: usize, to: usize) {
        let mut chunk = &self.b[from..to];
        let mut base = from;
        loop {
            match std::str::from_utf8(chunk) {
                Ok(s) => {
                    self.note_nonchars(s, base);
                    out.push_str(s);
                    return;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    let valid = std::str::from_utf8(&chunk[..good]).unwrap_or_default();
                    self.note_nonchars(valid, base);
                    out.push_str(valid);
                    out.push('\u{FFFD}');
                    if self.utf8_reported < 16 {
                        self.notice(|_| Notice::InvalidUtf8 {
                            offset: base + good,
                        });
                        self.utf8_reported += 1;
                    }
                    let skip = good + e.error_len().unwrap_or(chunk.len() - good).max(1);
                    base += skip;
                    chunk = chunk.get(skip..).unwrap_or_default();
                    if chunk.is_empty() {
                        return;
                    }
                }
            }
        }
    }

    fn note_nonchars(&mut self, s: &str, base: usize) {
        // Fast path: noncharacters are all ≥ U+FDD0 and encoded with a lead byte ≥ 0xEF.
        if !s.bytes().any(|b| b >= 0xEF) {
            return;
        }
        for (i, ch) in s.char_indices() {
            if is_noncharacter(ch as u32) {
                self.notice(|p| Notice::Noncharacter {
                    pointer: p.pointer(),
                    offset: base + i,
                    codepoint: ch as u32,
                });
            }
        }
    }
}

fn is_noncharacter(cp: u32) -> bool {
    (0xFDD0..=0xFDEF).contains(&cp) || (cp & 0xFFFE) == 0xFFFE
}

/// Whether a JSON number literal is exactly representable as an IEEE 754 double.
fn fits_double(text: &str, integral: bool) -> bool {
    if integral {
        let digits = text.trim_start_matches('-');
        if digits.len() <= 15 {
            return true;
        }
        match digits.parse::<u128>() {
            Ok(n) => n <= (1u128 << 53),
            Err(_) => false,
        }
    } else {
        match text.parse::<f64>() {
            Ok(f) => f.is_finite(),
            Err(_) => false,
        }
    }
}

/// Escape one JSON pointer reference token (RFC 6901).
pub fn escape_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Join a pointer and a token.
pub fn join(pointer: &str, token: impl std::fmt::Display) -> String {
    let t = token.to_string();
    format!("{pointer}/{}", escape_token(&t))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Line and column lookups in one document that do not rescan it from the start each time (a hostile document
/// can draw thousands of findings): checkpoints every 4 KiB, each at a byte that starts a character, with the line
/// number, and the column there. [`LineIndex::line_col`] gives what [`line_col`] gives.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// (offset, line, column in characters from the line start to the offset).
    marks: Vec<(usize, usize, usize)>,
}

/// Characters in bytes as lossy UTF-8 decoding counts them.
fn lossy_chars(b: &[u8]) -> usize {
    match std::str::from_utf8(b) {
        Ok(s) => s.chars().count(),
        Err(_) => String::from_utf8_lossy(b).chars().count(),
    }
}

impl LineIndex {
    const STEP: usize = 4096;

    pub fn new(bytes: &[u8]) -> LineIndex {
        let mut marks = vec![(0, 1, 0)];
        let (mut at, mut line, mut col) = (0usize, 1usize, 0usize);
        let mut next = Self::STEP;
        while next < bytes.len() {
            // A byte that is not a UTF-8 continuation byte starts a character whatever precedes it, so lossy
            // decoding counts the same characters on either side of it.
            let Some(k) = bytes[next..].iter().position(|&b| b & 0xC0 != 0x80) else {
                break;
            };
            let to = next + k;
            let seg = &bytes[at..to];
            match seg.iter().rposition(|&b| b == b'\n') {
                Some(n) => {
                    line += seg.iter().filter(|&&b| b == b'\n').count();
                    col = lossy_chars(&seg[n + 1..]);
                }
                None => col += lossy_chars(seg),
            }
            marks.push((to, line, col));
            at = to;
            next = to + Self::STEP;
        }
        LineIndex { marks }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, bytes: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(bytes.len());
        let i = self
            .marks
            .partition_point(|m| m.0 <= offset)
            .saturating_sub(1);
        let (at, line, col) = self.marks.get(i).copied().unwrap_or((0, 1, 0));
        let seg = &bytes[at.min(offset)..offset];
        match seg.iter().rposition(|&b| b == b'\n') {
            Some(n) => (
                line + seg.iter().filter(|&&b| b == b'\n').count(),
                lossy_chars(&seg[n + 1..]) + 1,
            ),
            None => (line, col + lossy_chars(seg) + 1),
        }
    }
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.kind {
            // The last member wins, as in Go's encoding/json; duplicates are reported separately.
            Kind::Object(m) => m.iter().rev().find(|m| &*m.key == key).map(|m| &m.value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// The number literal, if this is a number.
    pub fn number_text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Number(t) => Some(t),
            _ => None,
        }
    }

    /// The value as an `i64` when it is written as a plain integer literal that fits (Go's `int64` rules:
    /// no fraction, no exponent).
    pub fn as_i64(&self) -> Option<i64> {
        self.number_text().and_then(|t| t.parse::<i64>().ok())
    }

    /// Members that are unique by name, keeping the last of duplicates (what a Go decoder would see).
    pub fn effective_members(&self) -> Vec<&Member> {
        match &self.kind {
            Kind::Object(m) if m.len() <= DUP_SCAN_MAX => m
                .iter()
                .enumerate()
                .filter(|(i, mem)| !m[i + 1..].iter().any(|later| later.key == mem.key))
                .map(|(_, mem)| mem)
                .collect(),
            Kind::Object(m) => {
                // Linear for large objects: the index of the last member of each name.
                let mut last: std::collections::HashMap<&str, usize> =
                    std::collections::HashMap::new();
                for (i, mem) in m.iter().enumerate() {
                    last.insert(&*mem.key, i);
                }
                m.iter()
                    .enumerate()
                    .filter(|(i, mem)| last.get(&*mem.key) == Some(i))
                    .map(|(_, mem)| mem)
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// A short name of the JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    /// Resolve a JSON pointer.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut cur = self;
        for raw in pointer.strip_prefix('/')?.split('/') {
            // Descriptors are looked up by pointer on every use: no allocation for the tokens that need no unescaping.
            let tok = if raw.contains('~') {
                std::borrow::Cow::Owned(raw.replace("~1", "/").replace("~0", "~"))
            } else {
                std::borrow::Cow::Borrowed(raw)
            };
            cur = match &cur.kind {
                Kind::Object(_) => cur.get(&tok)?,
                Kind::Array(a) => a.get(tok.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// A compact preview of the value for messages (long strings and containers are shortened).
    pub fn preview(&self) -> String {
        match &self.kind {
            Kind::Null => "null".into(),
            Kind::Bool(b) => b.to_string(),
            Kind::Number(t) => shorten(t, 40),
            Kind::String(s) => format!("{:?}", shorten(s, 80)),
            Kind::Array(a) => format!("an array of {} item(s)", a.len()),
            Kind::Object(m) => format!("an object with {} member(s)", m.len()),
        }
    }

    /// Convert to a `serde_json::Value` for schema validation (last duplicate wins).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            Kind::Null => J::Null,
            Kind::Bool(b) => J::Bool(*b),
            Kind::Number(t) => J::Number(number_to_serde(t)),
            Kind::String(s) => J::String(s.to_string()),
            Kind::Array(a) => J::Array(a.iter().map(Value::to_serde).collect()),
            Kind::Object(_) => {
                let mut map = serde_json::Map::new();
                for m in self.effective_members() {
                    map.insert(m.key.to_string(), m.value.to_serde());
                }
                J::Object(map)
            }
        }
    }
}

fn number_to_serde(t: &str) -> serde_json::Number {
    if let Ok(i) = t.parse::<i64>() {
        return i.into();
    }
    if let Ok(u) = t.parse::<u64>() {
        return u.into();
    }
    let f = t.parse::<f64>().unwrap_or(0.0);
    let f = if f.is_finite() {
        f
    } else if f.is_sign_negative() {
        f64::MIN
    } else {
        f64::MAX
    };
    serde_json::Number::from_f64(f).unwrap_or_else(|| 0.into())
}

/// Shorten a string for display, marking the cut with an ellipsis.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_keeps_duplicates() {
        let p = parse(br#"{"a":1,"b":{"c":"x","c":"y"},"a":2}"#);
        let v = p.value.expect("parses");
        assert_eq!(v.get("a").and_then(Value::number_text), Some("2"));
        assert_eq!(
            v.pointer("/b/c").and_then(Value::as_str),
            Some("y"),
            "last member wins"
        );
        let dups: Vec<_> = p
            .notices
            .iter()
            .filter_map(|n| match n {
                Notice::DuplicateName { pointer, key, .. } => Some((pointer.clone(), key.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            dups,
            vec![
                ("/b".to_string(), "c".to_string()),
                (String::new(), "a".to_string())
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_noticed_not_fatal() {
        let p = parse(b"{\"k\":\"a\xffb\"}");
        let v = p.value.expect("parses");
        assert_eq!(v.get("k").and_then(Value::as_str), Some("a\u{FFFD}b"));
        assert_eq!(p.notices, vec![Notice::InvalidUtf8 { offset: 7 }]);
    }

    #[test]
    fn surrogates_and_noncharacters() {
        let p = parse(br#"["\ud83d\ude00","\ud800","\uffff"]"#);
        let v = p.value.expect("parses");
        assert_eq!(v.pointer("/0").and_then(Value::as_str), Some("😀"));
        assert!(
            matches!(p.notices[0], Notice::LoneSurrogate { ref pointer, .. } if pointer == "/1")
        );
        assert!(matches!(
            p.notices[1],
            Notice::Noncharacter {
                codepoint: 0xFFFF,
                ..
            }
        ));
    }

    #[test]
    fn numbers_keep_their_text() {
        let p = parse(b"[2, 2.0, 1e3, 9007199254740993, -0]");
        let v = p.value.expect("parses");
        let texts: Vec<_> = v
            .as_array()
            .unwrap_or_default()
            .iter()
            .filter_map(Value::number_text)
            .collect();
        assert_eq!(texts, ["2", "2.0", "1e3", "9007199254740993", "-0"]);
        assert_eq!(v.pointer("/1").and_then(Value::as_i64), None);
        assert_eq!(p.notices.len(), 1, "2^53+1 is not a double");
    }

    #[test]
    fn syntax_errors_have_offsets() {
        for (doc, off) in [
            (&b"{\"a\" 1}"[..], 5),
            (b"[1,]", 3),
            (b"{} x", 3),
            (b"\"abc", 0),
            (b"{\"imageLayoutVersion\": 1.0.0}", 26),
            (b"\xEF\xBB\xBF{}", 0),
        ] {
            let p = parse(doc);
            assert!(p.value.is_none());
            assert_eq!(p.error.map(|e| e.offset), Some(off), "{doc:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let doc = "[".repeat(100_000);
        let p = parse(doc.as_bytes());
        assert!(p.error.expect("error").message.contains("nesting"));
    }

    #[test]
    fn pointers_escape() {
        let p = parse(br#"{"a/b":{"m~n":{"k":1,"k":2}}}"#);
        assert!(
            matches!(&p.notices[0], Notice::DuplicateName { pointer, .. } if pointer == "/a~1b/m~0n")
        );
        let v = p.value.expect("parses");
        assert!(v.pointer("/a~1b/m~0n/k").is_some());
    }

    #[test]
    fn line_and_column() {
        let b = b"{\n  \"a\": 1,\n  \"b\": x\n}";
        assert_eq!(line_col(b, 19), (3, 8));
    }

    #[test]
    fn a_value_parsed_again_where_it_sits_is_the_same_value() {
        let doc = br#"{"manifests": [ {"a": [1, {"b": "x\"}"}]},
  {"digest": "sha256:00", "size": 3, "annotations": {"k": "v"}} ], "z": null}"#;
        let whole = parse(doc).value.expect("parses");
        let items = whole
            .get("manifests")
            .and_then(Value::as_array)
            .expect("array");
        for item in items {
            let (again, values) = parse_value_at(doc, item.offset, 2, usize::MAX).expect("parses");
            assert_eq!(&again, item);
            assert!(values > 1);
        }
        // Not where a value starts; and a limit on the values it may hold.
        assert_eq!(doc[12], b':');
        assert!(parse_value_at(doc, 12, 2, usize::MAX).is_none());
        assert!(parse_value_at(doc, items[1].offset, 2, 3).is_none());
    }

    #[test]
    fn line_index_agrees_with_line_col() {
        let mut doc = Vec::new();
        for i in 0..3000u32 {
            doc.extend_from_slice(format!("{{\"k{i}\": \"é😀").as_bytes());
            doc.extend_from_slice(&[0xff, 0xfe, 0xe2, 0x82]);
            doc.extend_from_slice(format!("{i}\"}}").as_bytes());
            if i % 7 == 0 {
                doc.push(b'\n');
            }
            if i % 500 == 0 {
                doc.extend(std::iter::repeat_n(b'x', 9000));
            }
        }
        let idx = LineIndex::new(&doc);
        for off in (0..doc.len() + 3).step_by(97).chain([0, 1, doc.len()]) {
            assert_eq!(idx.line_col(&doc, off), line_col(&doc, off), "offset {off}");
        }
    }

    #[test]
    fn huge_objects_and_hostile_notices_stay_linear_and_bounded() {
        // 200,000 members: duplicate detection must not be quadratic.
        let mut doc = String::from("{");
        for i in 0..200_000 {
            doc.push_str(&format!("\"k{}\":0,", i % 100_000));
        }
        doc.push_str("\"z\":0}");
        let t = std::time::Instant::now();
        let p = parse(doc.as_bytes());
        assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
        assert_eq!(p.notices.len(), MAX_NOTICES);
        assert_eq!(p.notices.len() + p.notices_dropped, 100_000);
        let v = p.value.expect("parses");
        assert_eq!(v.effective_members().len(), 100_001);
        // A value budget stops the parse without a syntax error.
        let p = parse_limited(b"[1,2,3,4]", 3);
        assert!(p.too_many_values && p.value.is_none() && p.error.is_none());
        assert!(parse_limited(b"[1,2,3,4]", 5).value.is_some());
    }
}
