//! Rule metadata, severities, level overrides and the `declare_rule!` macro.
//!
//! A rule is one file under `src/rules/<group>/`: its doc comment is the text `ocicheck explain CODE` prints, the
//! macro carries its metadata (code, name, severity, clause ids), and either the JSON Schema keyword locations it
//! owns or a `check` function on one kind of node.

use std::collections::HashMap;

use serde::Serialize;

use crate::Spec;
use crate::check::{DescCx, DocCx, ImageCx, LayoutCx, Origin, Out};
use crate::clauses;
pub use crate::finding::Severity;

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
    /// Once per image manifest reached, with its config and the index entry that reached it.
    Image(fn(&ImageCx, &mut Out)),
}

/// A rule of the catalogue.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Clause ids of `clauses.tsv`; the first is the primary clause (its keyword gives the severity, its section
    /// gives the spec link).
    pub clauses: &'static [&'static str],
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
        self.spec_url_of(self.clauses.first().copied().unwrap_or(""), spec)
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

/// A level a user can give a rule (`--allow`, `--warn`, `--deny`, the `[rules]` table of `ocicheck.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Info,
    Warn,
    Deny,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "allow" => Level::Allow,
            "info" => Level::Info,
            "warn" | "warning" => Level::Warn,
            "deny" | "error" => Level::Deny,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Info => Some(Severity::Info),
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }
}

/// What an override applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// One rule, by code (`MAN001`).
    Code(&'static str),
    /// A group prefix (`LYR`).
    Group(String),
    /// Every rule whose default severity is this (`must` = error, `should` = warning, `may` = info).
    Class(Severity),
    /// Every rule.
    All,
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
            Selector::All => true,
        }
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::Code(c) => f.write_str(c),
            Selector::Group(g) => f.write_str(g),
            Selector::Class(Severity::Error) => f.write_str("must"),
            Selector::Class(Severity::Warning) => f.write_str("should"),
            Selector::Class(Severity::Info) => f.write_str("may"),
            Selector::All => f.write_str("all"),
        }
    }
}

impl Selector {
    /// How specific a selector is: levels, then groups, then codes. Overrides from one source (the flags, or the
    /// `[rules]` table) are applied from the least to the most specific, so `should = "deny"` with
    /// `MAN015 = "allow"` allows MAN015 whatever the order they were written in.
    pub fn specificity(&self) -> u8 {
        match self {
            Selector::All => 0,
            Selector::Class(_) => 1,
            Selector::Group(_) => 2,
            Selector::Code(_) => 3,
        }
    }
}

/// Named policies: documented sets of level overrides (and, for `docker-compat`, a change in what is walked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Every SHOULD is an error; sparse layouts and unreferenced blobs are reported; canonical JSON is checked.
    Strict,
    /// What registries and runtimes actually accept.
    Portable,
    /// Docker media types (manifest v2, manifest list, container config, rootfs layers) are validated with the
    /// equivalent OCI rules instead of being reported as non-OCI content.
    DockerCompat,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Strict, Profile::Portable, Profile::DockerCompat];

    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "strict" => Some(Profile::Strict),
            "portable" => Some(Profile::Portable),
            "docker-compat" => Some(Profile::DockerCompat),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::Portable => "portable",
            Profile::DockerCompat => "docker-compat",
        }
    }

    /// What the profile is for (one paragraph, for `docs/rules.md`).
    pub fn description(self) -> &'static str {
        match self {
            Profile::Strict => {
                "For producers that want to follow every recommendation: every SHOULD is an error, and what the spec \
                 allows but a complete image does not have (missing and unreferenced blobs) or what only some \
                 producers do (canonical JSON) is reported as an error too."
            }
            Profile::Portable => {
                "For images that must work everywhere: what the spec only recommends but real registries and \
                 runtimes reject or mishandle becomes an error; conventions that no registry or runtime reads become \
                 infos. What real tools (buildah, podman, skopeo, umoci) write by default, such as an `index.json` \
                 without `mediaType` or entries without `platform`, stays a warning, since every registry and \
                 runtime accepts their images."
            }
            Profile::DockerCompat => {
                "For images made by Docker (`docker save`, `docker buildx` without `oci-mediatypes`): Docker's media \
                 types (manifest v2 schema 2, manifest list, container config, rootfs layers) are validated with \
                 the rules of their OCI equivalents instead of being walked as opaque blobs (so IDX022, which says \
                 that they were not, is silent), and the warnings that only say that Docker's config and layer \
                 types are not OCI's are turned off. IDX008 stays: other content in an index is still not \
                 portable."
            }
        }
    }

    /// The level overrides the profile applies before the user's own, each with the reason it is there.
    pub fn explained(self) -> Vec<(Selector, Level, &'static str)> {
        use Level::{Allow, Deny, Info};
        use Selector::Code;
        match self {
            Profile::Strict => vec![
                (
                    Selector::Class(Severity::Warning),
                    Deny,
                    "Every SHOULD and SHOULD NOT is treated as a MUST.",
                ),
                (
                    Code("LAY008"),
                    Deny,
                    "Unreferenced blobs are allowed by the spec but are dead weight in a finished layout.",
                ),
                (
                    Code("LAY009"),
                    Deny,
                    "A sparse layout (a referenced blob missing) is allowed but cannot be pushed or run as it is.",
                ),
                (
                    Code("JSN006"),
                    Deny,
                    "Canonical JSON makes digests reproducible; v1.1.1 recommends it.",
                ),
                (
                    Code("LYR017"),
                    Deny,
                    "A whiteout of a path no lower layer holds deletes nothing; in a finished image it shows a layer \
                     made against another base.",
                ),
            ],
            Profile::Portable => vec![
                (
                    Code("DSC018"),
                    Deny,
                    "Only sha256 is verified by every registry and runtime; sha512 support is optional and other \
                     algorithms are not checked at all.",
                ),
                (
                    Code("DSC019"),
                    Deny,
                    "Registries commonly refuse manifests over 4 MiB, so an image that embeds that much `data` cannot \
                     be pushed to them.",
                ),
                (
                    Code("DSC013"),
                    Deny,
                    "Clients only fetch `urls` over HTTP(S); other schemes leave the blob unreachable.",
                ),
                (
                    Code("LYR024"),
                    Deny,
                    "Non-distributable layers are deprecated; registries refuse them, skip them or fetch them from \
                     third parties, each differently.",
                ),
                (
                    Code("LYR020"),
                    Deny,
                    "Tar readers that do not know the sparse formats unpack a different file.",
                ),
                (
                    Code("IDX008"),
                    Deny,
                    "Runtimes only have to understand OCI manifests and indexes in an index; other entries are \
                     skipped or refused.",
                ),
                (
                    Code("MAN012"),
                    Deny,
                    "A container image whose config is not the OCI config may not be runnable.",
                ),
                (
                    Code("MAN013"),
                    Deny,
                    "A container image whose layers are not OCI layers may not be unpackable.",
                ),
                (
                    Code("MAN009"),
                    Deny,
                    "Some registries and clients refuse manifests without layers.",
                ),
                (
                    Code("MAN015"),
                    Deny,
                    "Since CVE-2021-41190, containerd and the distribution registry reject documents that can be \
                     read both as a manifest and as an index.",
                ),
                (
                    Code("IDX020"),
                    Deny,
                    "As MAN015, for an index that also has manifest members.",
                ),
                (
                    Code("CFG003"),
                    Deny,
                    "Runtimes match `architecture` against Go's GOARCH names; any other value never matches a host.",
                ),
                (
                    Code("CFG004"),
                    Deny,
                    "Runtimes match `os` against Go's GOOS names; any other value never matches a host.",
                ),
                (
                    Code("CFG005"),
                    Deny,
                    "An unknown `variant` never matches a host's variant.",
                ),
                (
                    Code("CFG006"),
                    Deny,
                    "Windows hosts only understand the `win32k` feature.",
                ),
                (
                    Code("IDX015"),
                    Deny,
                    "As CFG003, in an index's `platform`: no runtime selects the entry.",
                ),
                (
                    Code("IDX016"),
                    Deny,
                    "As CFG004, in an index's `platform`: no runtime selects the entry.",
                ),
                (
                    Code("IDX017"),
                    Deny,
                    "As CFG005, in an index's `platform`: no runtime selects the entry.",
                ),
                (Code("IDX018"), Deny, "As CFG006, in an index's `platform`."),
                (
                    Code("ANN005"),
                    Info,
                    "Annotation keys are free text to registries and runtimes; namespacing is a convention.",
                ),
                (
                    Code("ANN008"),
                    Info,
                    "A `ref.name` outside `index.json` is ignored by every tool, not refused.",
                ),
                (
                    Code("ANN011"),
                    Info,
                    "Base-image annotations are read by people and scanners, never by registries or runtimes.",
                ),
                (Code("ANN012"), Info, "As ANN011."),
                (Code("ANN013"), Info, "As ANN011."),
            ],
            Profile::DockerCompat => vec![
                (
                    Code("MAN012"),
                    Allow,
                    "Docker's container config type is validated like the OCI config.",
                ),
                (
                    Code("MAN013"),
                    Allow,
                    "Docker's rootfs layer types are validated like OCI layers.",
                ),
            ],
        }
    }

    /// The level overrides the profile applies before the user's own.
    pub fn overrides(self) -> Vec<(Selector, Level)> {
        self.explained()
            .into_iter()
            .map(|(s, l, _)| (s, l))
            .collect()
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
///     clauses: ["manifest-002"],
///     check: Check::Document(check),
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $code:ident, $name:literal, $severity:ident,
        clauses: [$($clause:literal),+ $(,)?],
        $(gate: $gate:ident,)?
        $(default_enabled: $enabled:literal,)?
        $(schema: [$($loc:literal),* $(,)?],)?
        check: $check:expr $(,)?
    ) => {
        pub static RULE: $crate::rule::Rule = $crate::rule::Rule {
            code: stringify!($code),
            name: $name,
            severity: $crate::rule::Severity::$severity,
            clauses: &[$($clause),+],
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
macro_rules! __rule_enabled {
    () => {
        true
    };
    ($e:literal) => {
        $e
    };
}
