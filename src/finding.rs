//! What a run finds, as plain data: a finding's severity, where it is, what it says. A leaf: it depends on nothing
//! of ours, so that the rules, their contexts and the renderers can all use it without depending on each other.

use serde::Serialize;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The severity a clause keyword gives: MUST, MUST NOT, REQUIRED, SHALL, SHALL NOT → error; SHOULD, SHOULD
    /// NOT, RECOMMENDED, NOT RECOMMENDED → warning; MAY, OPTIONAL → info. (A value of another type than an
    /// OPTIONAL property declares is an error by its `type` basis, not by this keyword.)
    pub fn from_keyword(keyword: &str) -> Option<Severity> {
        Some(match keyword {
            "MUST" | "MUST NOT" | "REQUIRED" | "SHALL" | "SHALL NOT" => Severity::Error,
            "SHOULD" | "SHOULD NOT" | "RECOMMENDED" | "NOT RECOMMENDED" => Severity::Warning,
            "MAY" | "OPTIONAL" => Severity::Info,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tar entry inside a layer (or an archive member), for locations. Ordered by offset: stream order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EntryLoc {
    pub path: String,
    /// Byte offset of the entry's header in the (uncompressed) stream.
    pub offset: u64,
}

impl Ord for EntryLoc {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.offset, &self.path).cmp(&(other.offset, &other.path))
    }
}

impl PartialOrd for EntryLoc {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Location {
    /// Path inside the input (`index.json`, `blobs/sha256/…`), or the document's path for a single document.
    pub file: String,
    /// JSON pointer inside `file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Tar entry inside `file` (layers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<EntryLoc>,
    /// The descriptors that lead from the entry point to `file`.
    pub via: Vec<String>,
    /// 1-based line and column of `pointer` in `file`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            pointer: None,
            entry: None,
            via: Vec::new(),
            line: None,
            column: None,
        }
    }

    /// `file#pointer` or `file` (with the tar entry, if any), for text output.
    pub fn display(&self) -> String {
        let mut s = self.file.clone();
        if let Some(p) = &self.pointer {
            s.push('#');
            s.push_str(p);
        }
        if let Some(e) = &self.entry {
            s.push_str(&format!(" [{} @{}]", e.path, e.offset));
        }
        s
    }
}

/// One violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub clauses: Vec<&'static str>,
    pub spec_url: String,
    pub location: Location,
    pub message: String,
}

/// The longest texts a finding keeps, in bytes: what is longer is cut in the middle, where a marker says how much
/// was left out (`…(+N bytes)…`), so that a hostile document (a 15 MiB key in every pointer) cannot make a report
/// of hundreds of MiB. Real pointers, paths and messages are far below these.
pub const MAX_POINTER: usize = 512;
pub const MAX_PATH: usize = 1024;
pub const MAX_MESSAGE: usize = 2048;
/// Steps of a `via` chain kept (each at most [`MAX_PATH`]); a longer chain keeps its first and last ones.
pub const MAX_VIA: usize = 16;

/// Cut `s` to at most `max` bytes (plus the marker): its head and its tail, on character boundaries, with
/// `…(+N bytes)…` between them for the `N` bytes left out. Shorter texts are left as they are.
pub fn clip(s: &mut String, max: usize) {
    if s.len() <= max {
        return;
    }
    let mut head = max - max / 4;
    while !s.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = s.len() - max / 4;
    while !s.is_char_boundary(tail) {
        tail += 1;
    }
    let cut = tail - head;
    let mut out = String::with_capacity(max + 24);
    out.push_str(&s[..head]);
    out.push_str(&format!("…(+{cut} bytes)…"));
    out.push_str(&s[tail..]);
    *s = out;
}

impl Location {
    /// This location with every text within its limit (`clip`).
    pub fn bound(&mut self) {
        clip(&mut self.file, MAX_PATH);
        if let Some(p) = &mut self.pointer {
            clip(p, MAX_POINTER);
        }
        if let Some(e) = &mut self.entry {
            clip(&mut e.path, MAX_PATH);
        }
        if self.via.len() > MAX_VIA {
            let n = self.via.len() - MAX_VIA;
            self.via.drain(MAX_VIA / 2..MAX_VIA / 2 + n);
            self.via.insert(MAX_VIA / 2, format!("…({n} more steps)…"));
        }
        for v in &mut self.via {
            clip(v, MAX_PATH);
        }
    }
}

impl Finding {
    /// This finding with its location and message within their limits (`clip`): every finding goes through
    /// it on its way into a report, so every renderer gets bounded texts.
    pub fn bound(&mut self) {
        self.location.bound();
        clip(&mut self.message, MAX_MESSAGE);
    }

    /// About what the finding holds in memory, in bytes (its texts and its fixed part).
    pub fn weight(&self) -> u64 {
        let l = &self.location;
        let texts = self.message.len()
            + self.spec_url.len()
            + l.file.len()
            + l.pointer.as_ref().map_or(0, String::len)
            + l.entry.as_ref().map_or(0, |e| e.path.len())
            + l.via.iter().map(String::len).sum::<usize>();
        (texts + std::mem::size_of::<Finding>() + 8 * self.clauses.len() + 24 * l.via.len()) as u64
    }
}

/// Findings of one rule that were counted but not listed: a limit keeps the report's size bounded
/// (`--max-findings` per rule and file, 50 per rule and layer, 20,000 in all). A note, not a finding: the findings it stands for
/// are in the summary's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NotListed {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The file they are in (for the total cap: the file of the first one left out).
    pub file: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    pub count: usize,
    /// Which limit: `max-findings`, `per-layer`, `total` or `max-memory`.
    pub limit: &'static str,
    /// The note as the text formats print it.
    pub message: String,
}

/// A limit that kept part of the input from being checked (a document too large to parse, a decompression
/// guard, a time limit, a listing limit): where, what, and the option that raises it. A report with any is
/// incomplete, whatever its findings say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitHit {
    /// The rule whose finding reports it.
    pub code: &'static str,
    pub file: String,
    /// The option that raises the limit (`--max-json-size`), or none for a limit no option changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raise: Option<&'static str>,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_in_the_middle_with_a_marker() {
        let mut s = "ab".repeat(10);
        clip(&mut s, 100);
        assert_eq!(s, "ab".repeat(10), "short texts are left alone");
        let mut s = format!("{}{}", "x".repeat(1000), "END");
        clip(&mut s, 40);
        assert_eq!(
            s,
            format!("{}…(+963 bytes)…{}END", "x".repeat(30), "x".repeat(7))
        );
        // Character boundaries: never a panic, never a broken character.
        let mut s = "é".repeat(500);
        clip(&mut s, 41);
        assert!(s.contains("…(+") && s.len() < 80, "{s}");
    }

    #[test]
    fn a_finding_is_bounded_everywhere_it_holds_text() {
        let key = "k".repeat(15 << 20);
        let mut f = Finding {
            code: "ANN002",
            name: "x",
            severity: Severity::Error,
            clauses: vec![],
            spec_url: String::new(),
            location: Location {
                pointer: Some(format!("/annotations/{key}")),
                entry: Some(EntryLoc {
                    path: key.clone(),
                    offset: 0,
                }),
                via: vec![key.clone(); 40],
                ..Location::file(key.clone())
            },
            message: format!("`{key}` is not a string"),
        };
        f.bound();
        assert!(f.weight() < 64 << 10, "{}", f.weight());
        assert!(f.message.ends_with("` is not a string"), "the tail is kept");
        assert!(
            f.location
                .pointer
                .as_deref()
                .is_some_and(|p| p.starts_with("/annotations/kkk"))
        );
        assert_eq!(f.location.via.len(), MAX_VIA + 1);
        assert!(f.location.via.contains(&"…(24 more steps)…".to_string()));
    }
}
