//! Rule metadata, severities, level overrides and the `declare_rule!` macro.
//!
//! A rule is one file under `src/rules/<group>/`: its doc comment is the text `ocicheck explain CODE` prints, the
//! macro carries its metadata (code, name, severity, clause ids), and either the JSON Schema keyword locations it
//! owns or a `check` function on one kind of node.

use std::collections::HashMap;

use crate::Spec;
pub use crate::basis::Basis;
use crate::check::{DescCx, DocCx, ImageCx, LayoutCx, Origin, Out};
use crate::clauses;
pub use crate::finding::Severity;
pub use crate::policy::{Level, Profile, Selector};

/// Which spec versions a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    All,
    /// Clauses added after v1.1.1 (`versions` = `main` in clauses.tsv).
    MainOnly,
    /// Clauses removed on main (`versions` = `v1.1.1`).
    V111Only,
}

impl Gate {
    pub fn allows(self, spec: Spec) -> bool {
        match self {
            Gate::All => true,
            Gate::MainOnly => spec == Spec::Main,
            Gate::V111Only => spec == Spec::V1_1_1,
        }
    }
}

/// The node kind a code rule runs on.
#[derive(Clone, Copy)]
pub enum Check {
    /// Only JSON Schema keywords (listed in `Rule::schema`).
    Schema,
    /// Once per input, over the layout's files and blob facts.
    Layout(fn(&LayoutCx, &mut Out)),
    /// Once per parsed JSON document.
    Document(fn(&DocCx, &mut Out)),
    /// Once per descriptor, wherever it appears.
    Descriptor(fn(&DescCx, &mut Out)),
    /// Once per image manifest reached, with its config (an index entry's rules are descriptor rules of the index).
    Image(fn(&ImageCx, &mut Out)),
}

/// A rule of the catalogue.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Why `severity` is the default level.
    pub basis: Basis,
    /// Clause ids of `clauses.tsv`; the first is the primary clause (for a `keyword` rule the strongest keyword of
    /// them gives the severity; the primary's section gives the spec link). Empty only for a rule no clause backs,
    /// which then names its `section`.
    pub clauses: &'static [&'static str],
    /// The spec section (`layer.md#whiteouts`) a rule's basis is in, when that is prose without a keyword: it gives
    /// the spec link instead of the primary clause's section.
    pub section: Option<&'static str>,
    /// The doc comment.
    pub docs: &'static str,
    pub gate: Gate,
    /// Rules that are off unless selected by code (`--warn CODE`, a config file or a profile).
    pub default_enabled: bool,
    /// JSON Schema keyword locations owned, as `file#/pointer` (for `required`, one entry per property:
    /// `file#/…/required/name`).
    pub schema: &'static [&'static str],
    pub check: Check,
}

impl Rule {
    /// The first sentence of the docs (of the first paragraph that is not a heading).
    pub fn summary(&self) -> String {
        let mut para = Vec::new();
        for line in self.docs.lines().map(str::trim) {
            if line.starts_with('#') {
                if para.is_empty() {
                    continue;
                }
                break;
            }
            if line.is_empty() {
                if para.is_empty() {
                    continue;
                }
                break;
            }
            para.push(line);
        }
        let text = para.join(" ");
        // Cut after the first full stop that ends a sentence (followed by a space and a capital).
        let b = text.as_bytes();
        for i in 0..b.len().saturating_sub(2) {
            if b[i] == b'.' && b[i + 1] == b' ' && b[i + 2].is_ascii_uppercase() {
                return text[..=i].to_string();
            }
        }
        text
    }

    /// The "How to fix" section of the docs: what to change, and which producers or flags are involved.
    pub fn fix(&self) -> String {
        let text = self.docs_text();
        let Some((_, rest)) = text.split_once("## How to fix") else {
            return String::new();
        };
        let end = rest.find("\n#").unwrap_or(rest.len());
        rest[..end].split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The rule's documentation with the doc-comment indentation removed.
    pub fn docs_text(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }

    /// Group prefix: the letters of the code (`MAN` for `MAN001`).
    pub fn group(&self) -> &'static str {
        let end = self
            .code
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(self.code.len());
        &self.code[..end]
    }

    /// The spec section of the primary clause, for the given spec version.
    pub fn spec_url(&self, spec: Spec) -> String {
        match self.section {
            Some(section) => {
                let (doc, anchor) = section.split_once('#').unwrap_or((section, ""));
                clauses::section_url(doc, anchor, self.link_spec(spec))
            }
            None => self.spec_url_of(self.clauses.first().copied().unwrap_or(""), spec),
        }
    }

    /// The spec section of one of the rule's clauses, for the given spec version.
    pub fn spec_url_of(&self, clause: &str, spec: Spec) -> String {
        clauses::spec_url(clause, self.link_spec(spec))
    }

    /// Who reports, for the findings of a run against `spec`.
    pub fn origin(&self, spec: Spec) -> Origin {
        Origin {
            code: self.code,
            name: self.name,
            clauses: self.clauses,
            spec_url: self.spec_url(spec),
            link_spec: self.link_spec(spec),
        }
    }

    /// The spec version the rule's links point at in a run against `spec`: main for a rule only main has.
    pub fn link_spec(&self, spec: Spec) -> Spec {
        if self.gate == Gate::MainOnly {
            Spec::Main
        } else {
            spec
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code, self.name)
    }
}

impl Selector {
    /// Parse a selector; unknown codes are an error that names the closest code.
    pub fn parse(s: &str, rules: &[&'static Rule]) -> Result<Selector, String> {
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "must" | "error" | "errors" => return Ok(Selector::Class(Severity::Error)),
            "should" | "warning" | "warnings" => return Ok(Selector::Class(Severity::Warning)),
            "may" | "info" | "infos" => return Ok(Selector::Class(Severity::Info)),
            "all" => return Ok(Selector::All),
            _ => {}
        }
        if let Some(b) = Basis::parse(&lower) {
            return Ok(Selector::Basis(b));
        }
        let upper = s.to_ascii_uppercase();
        if let Some(r) = rules.iter().find(|r| r.code == upper || r.name == lower) {
            return Ok(Selector::Code(r.code));
        }
        if !upper.is_empty()
            && upper.chars().all(|c| c.is_ascii_alphabetic())
            && rules.iter().any(|r| r.group() == upper)
        {
            return Ok(Selector::Group(upper));
        }
        let best = rules
            .iter()
            .flat_map(|r| [r.code, r.name])
            .min_by_key(|cand| edit_distance(&lower, &cand.to_ascii_lowercase()));
        Err(match best {
            Some(b) => format!("unknown rule, group or level `{s}` (did you mean `{b}`?)"),
            None => format!("unknown rule, group or level `{s}`"),
        })
    }

    fn matches(&self, rule: &Rule) -> bool {
        match self {
            Selector::Code(c) => rule.code == *c,
            Selector::Group(g) => rule.group() == g,
            Selector::Class(s) => rule.severity == *s,
            Selector::Basis(b) => rule.basis == *b,
            Selector::All => true,
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The effective level of every rule after overrides: `None` = not run / not reported.
#[derive(Debug, Clone)]
pub struct Policy {
    effective: HashMap<&'static str, Option<Severity>>,
}

impl Policy {
    /// Apply `overrides` in order (later ones win) over the rules' defaults for `spec`. A default-off rule is
    /// switched on only by an override that names it by code.
    pub fn new(rules: &[&'static Rule], spec: Spec, overrides: &[(Selector, Level)]) -> Policy {
        let mut effective = HashMap::new();
        for r in rules {
            let mut level = if r.default_enabled {
                Some(r.severity)
            } else {
                None
            };
            for (sel, lvl) in overrides {
                if !sel.matches(r) {
                    continue;
                }
                if !r.default_enabled && !matches!(sel, Selector::Code(_)) && level.is_none() {
                    continue;
                }
                level = lvl.severity();
            }
            if !r.gate.allows(spec) {
                level = None;
            }
            effective.insert(r.code, level);
        }
        Policy { effective }
    }

    /// The severity findings of this rule get, or `None` when the rule is off.
    pub fn severity(&self, code: &str) -> Option<Severity> {
        self.effective.get(code).copied().flatten()
    }
}

/// Declare a rule. The doc comment becomes its documentation.
///
/// ```ignore
/// declare_rule! {
///     /// One sentence saying what is wrong.
///     MAN001, "manifest-schema-version-not-2", Error,
///     basis: Keyword,
///     clauses: ["manifest-002"],
///     check: Check::Document(check),
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $code:ident, $name:literal, $severity:ident,
        basis: $basis:ident,
        clauses: [$($clause:literal),* $(,)?],
        $(section: $section:literal,)?
        $(gate: $gate:ident,)?
        $(default_enabled: $enabled:literal,)?
        $(schema: [$($loc:literal),* $(,)?],)?
        check: $check:expr $(,)?
    ) => {
        pub static RULE: $crate::rule::Rule = $crate::rule::Rule {
            code: stringify!($code),
            name: $name,
            severity: $crate::rule::Severity::$severity,
            basis: $crate::rule::Basis::$basis,
            clauses: &[$($clause),*],
            section: $crate::__rule_section!($($section)?),
            docs: concat!($($doc, "\n"),*),
            gate: $crate::__rule_gate!($($gate)?),
            default_enabled: $crate::__rule_enabled!($($enabled)?),
            schema: &[$($($loc),*)?],
            check: $check,
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rule_gate {
    () => {
        $crate::rule::Gate::All
    };
    ($g:ident) => {
        $crate::rule::Gate::$g
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rule_section {
    () => {
        None
    };
    ($s:literal) => {
        Some($s)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __rule_enabled {
    () => {
        true
    };
    ($e:literal) => {
        $e
    };
}
