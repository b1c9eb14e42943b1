//! `conformance/tools/KNOWN-FALSE-POSITIVES.md`: real producers' images on which ocicheck is wrong today.
//!
//! The file has two sections whose list items name a case and a code, each in backticks
//! (``- `tools/NAME` `CODE`: why``):
//! - `## Skipped`: cases whose expectation states the truth and that fail today because of the code; the corpus
//!   runner skips them, saying so, until the rule is fixed and the entry removed.
//! - `## Wrong level`: cases that pass, but where the code is reported at a level the spec does not support (an
//!   error no MUST backs); the runner's rule that a real tool's image expects no unexplained error exempts it.

use std::path::Path;

/// The name of the list, in `conformance/tools/`.
pub const FILE: &str = "tools/KNOWN-FALSE-POSITIVES.md";

/// Which section an entry is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Skipped,
    WrongLevel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    /// The case id, `tools/NAME`.
    pub case: String,
    pub code: String,
}

/// The entries of the list under the corpus root (none when the file is absent).
pub fn load(root: &Path) -> Result<Vec<Entry>, String> {
    let path = root.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Parse the list; an item in a known section without a case and a code is an error.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut kind = None;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(heading) = line.strip_prefix("## ") {
            kind = match heading.split(|c: char| !c.is_alphanumeric()).next() {
                Some("Skipped") => Some(Kind::Skipped),
                Some("Wrong") => Some(Kind::WrongLevel),
                _ => None,
            };
            continue;
        }
        let (Some(kind), Some(item)) = (kind, line.strip_prefix("- ")) else {
            continue;
        };
        let mut ticks = item.split('`').skip(1).step_by(2);
        match (ticks.next(), ticks.next()) {
            (Some(case), Some(code)) if case.starts_with("tools/") && !code.is_empty() => {
                out.push(Entry {
                    kind,
                    case: case.to_string(),
                    code: code.to_string(),
                });
            }
            _ => {
                return Err(format!(
                    "line {}: expected - `tools/NAME` `CODE`: why",
                    n + 1
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_items() {
        let text = "# Title\n\nIntro - `x`.\n\n## Skipped: fail today\n- `tools/a` `ARC008`: why\n  more\n\n\
                    ## Wrong level\n- `tools/b` `LYR008`: why\n## Other\n- `tools/c` `X`: ignored\n";
        let got = parse(text).unwrap_or_default();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].kind, Kind::Skipped);
        assert_eq!(
            (got[0].case.as_str(), got[0].code.as_str()),
            ("tools/a", "ARC008")
        );
        assert_eq!(got[1].kind, Kind::WrongLevel);
        assert!(parse("## Skipped\n- tools/a ARC008\n").is_err());
    }
}
