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
    /// Which limit: `max-findings`, `per-layer` or `total`.
    pub limit: &'static str,
    /// The note as the text formats print it.
    pub message: String,
}
