//! Findings, the report, and one renderer per output format. Renderers know nothing about rules.

use serde::Serialize;

use crate::finding::Severity;
pub use crate::finding::{EntryLoc, Finding, LimitHit, Location, NotListed};

pub mod catalogue;
pub mod concise;
pub mod contents;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod settings;
pub mod statistics;
mod text;

pub use contents::ContentGraph;
pub use settings::Settings;

/// What a renderer may know about a rule: plain data the caller takes from the catalogue (see
/// [`catalogue::rule_infos`]), so that renderers stay ignorant of rules themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    /// The first sentence of the docs.
    pub summary: String,
    /// The full documentation (Markdown).
    pub help: String,
    /// The spec section of the primary clause.
    pub help_uri: String,
    pub clauses: Vec<&'static str>,
    /// The severity the rule has by default.
    pub default_severity: Severity,
    /// Why that is its default severity: `keyword`, `type`, `hardening` or `exception`.
    pub basis: &'static str,
    /// Whether the rule runs, for this spec version, without being selected.
    pub default_enabled: bool,
    /// The severity in this run, after profile, configuration and flags; `None` when it is off.
    pub severity: Option<Severity>,
    /// Whether the rule applies to this kind of input (layout rules do not run on a single document).
    pub applicable: bool,
}

#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// This tool, as reports name it (also `crate::TOOL`).
pub const TOOL: Tool = Tool {
    name: "ocicheck",
    version: env!("CARGO_PKG_VERSION"),
};

#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Input {
    pub path: String,
    /// `layout` or `document` (later `archive`).
    pub kind: &'static str,
    /// For a document: the media type it was validated as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// For a document: where the media type came from: `flag`, `field` or `shape`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type_source: Option<&'static str>,
}

/// How many findings there are, by severity: every finding, the listed ones and those the limits left out of the
/// list ([`Report::not_listed`]) alike, less those a baseline or an ignore suppressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Of these, how many are counted but not listed (`--max-findings` and the other caps).
    #[serde(skip_serializing_if = "is_zero")]
    pub not_listed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    fn add(&mut self, severity: Severity, n: usize) {
        match severity {
            Severity::Error => self.errors += n,
            Severity::Warning => self.warnings += n,
            Severity::Info => self.infos += n,
        }
    }

    /// The sum of several.
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a Summary>) -> Summary {
        let mut s = Summary::default();
        for x in all {
            s.errors += x.errors;
            s.warnings += x.warnings;
            s.infos += x.infos;
            s.not_listed += x.not_listed;
        }
        s
    }

    /// The worst severity counted, if any.
    pub fn worst(&self) -> Option<Severity> {
        if self.errors > 0 {
            Some(Severity::Error)
        } else if self.warnings > 0 {
            Some(Severity::Warning)
        } else if self.infos > 0 {
            Some(Severity::Info)
        } else {
            None
        }
    }
}

/// What a baseline (`--baseline`) or the `[[ignore]]` entries of `ocicheck.toml` took out of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Suppressed {
    /// The baseline file, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// Findings found in the baseline, not reported.
    pub baselined: usize,
    /// Findings matched by an ignore entry, not reported.
    pub ignored: usize,
}

#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Report {
    pub tool: Tool,
    pub spec: &'static str,
    pub input: Input,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// For a layout or an archive: the image manifests validated, in walk order (with `--shard`, those of the
    /// shard).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<crate::select::ImageRef>>,
    /// Whether `images` is a choice (`--ref`/`--platform`/`--digest`, `--shard`): the text formats then list them.
    #[serde(skip)]
    pub images_selected: bool,
    /// With `--shard`: which shard this is, and what `ocicheck merge` needs to sort the shards' findings as one run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// With `--fast`: what was not checked, so that a clean report is not read as more than it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Skipped>,
    /// What limits kept from being checked: such a report is incomplete, and the run's exit status is 2 unless
    /// `--allow-incomplete` accepts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<Incomplete>,
    /// Findings counted in the summary but left out of `findings` by a limit.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub not_listed: Vec<NotListed>,
    /// The settings in force (set by the command line; `None` for a report made through the library alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[doc(hidden)]
    pub settings: Option<Settings>,
    /// What a baseline or ignore entries suppressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppressed>,
    /// The content graph (index → manifests → configs, layers, referrers), for the HTML report; made only when
    /// [`Options::content_graph`](crate::Options::content_graph) asks for it.
    #[serde(skip)]
    #[doc(hidden)]
    pub contents: Option<ContentGraph>,
    /// The SARIF fingerprints of `findings`, when findings were taken out after the run (a baseline): each keeps
    /// the one it had in the full report.
    #[serde(skip)]
    #[doc(hidden)]
    pub fingerprints: Option<Vec<String>>,
    /// Images and blobs the run could not validate (see `crate::coverage`); absent when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_validated: Option<NotValidated>,
}

/// The shard a report covers (`--shard I/N`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShardInfo {
    /// 0-based.
    pub index: usize,
    pub count: usize,
    /// The place in the whole run's report order (the walk's) of each file this shard's findings and images are
    /// located in: findings of several shards sort by it as one run sorts them.
    pub order: std::collections::BTreeMap<String, usize>,
}

/// What a run of a layout or archive did not validate, with the number of images it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NotValidated {
    /// Image manifests read and validated.
    pub images_validated: usize,
    pub images_not_validated: usize,
    pub blobs_not_validated: usize,
    pub items: Vec<NotValidatedItem>,
}

/// One image (what an index entry points at) or blob that was not validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NotValidatedItem {
    /// `image` or `blob`.
    pub kind: &'static str,
    /// The blob's path in the layout, or the digest as written when it names no path.
    pub file: String,
    /// The chain of descriptors that reached it.
    pub via: Vec<String>,
    pub reason: String,
}

impl NotValidated {
    /// The clause the human summary line ends with: `2 images validated, 1 not validated: <file> (<reason>)`.
    pub fn sentence(&self) -> String {
        let n = |k: usize, what: &str| format!("{k} {what}{}", if k == 1 { "" } else { "s" });
        let mut s = format!("{} validated", n(self.images_validated, "image"));
        if self.images_not_validated > 0 {
            s.push_str(&format!(", {} not validated", self.images_not_validated));
        }
        if self.blobs_not_validated > 0 {
            s.push_str(&format!(
                ", {} not validated",
                n(self.blobs_not_validated, "blob")
            ));
        }
        let shown: Vec<String> = self
            .items
            .iter()
            .take(3)
            .map(|i| format!("{} ({})", short_blob(&i.file), i.reason))
            .collect();
        s.push_str(": ");
        s.push_str(&shown.join("; "));
        if self.items.len() > 3 {
            s.push_str(&format!("; and {} more", self.items.len() - 3));
        }
        s
    }
}

/// `blobs/sha256/<first 12 hex digits>…` for a blob path, the text itself otherwise.
fn short_blob(file: &str) -> String {
    match file.rsplit_once('/') {
        Some((dir, name)) if dir.starts_with("blobs/") && name.len() > 16 => {
            format!("{dir}/{}…", &name[..12.min(name.len())])
        }
        _ => file.to_string(),
    }
}

/// Checks a run left out on purpose (`--fast`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Skipped {
    /// The option that left them out.
    pub option: &'static str,
    /// Layer blobs verified by digest and size only: not decompressed, their tar streams not read.
    pub layers: usize,
    /// Their stored size, in bytes.
    pub layer_bytes: u64,
    /// The enabled rules that read layer contents, which did not run.
    pub rules: Vec<&'static str>,
    /// All of the above in a sentence, as the text formats print it.
    pub message: String,
}

/// The limits a run reached, each of which kept something from being checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incomplete {
    /// The limits hit (the first thousand).
    pub limits: Vec<LimitHit>,
    /// How many in all.
    pub count: usize,
    /// The options that raise them, in the order first met.
    pub raise: Vec<&'static str>,
    /// Whether `--allow-incomplete` accepted the report (its limit findings then count at their level).
    pub allowed: bool,
    /// All of it in a sentence: `incomplete: …, raise --max-…`, as stderr and the text formats print it.
    pub message: String,
}

impl Incomplete {
    /// The report's incompleteness, if any limit was hit.
    pub fn of(limits: Vec<LimitHit>, count: usize) -> Option<Incomplete> {
        let first = limits.first()?;
        let mut raise: Vec<&'static str> = Vec::new();
        for r in limits.iter().filter_map(|l| l.raise) {
            if !raise.contains(&r) {
                raise.push(r);
            }
        }
        let what = if count == 1 {
            format!("{} ({} at {})", first.message, first.code, first.file)
        } else {
            let mut codes: Vec<&str> = limits.iter().map(|l| l.code).collect();
            codes.sort_unstable();
            codes.dedup();
            format!(
                "{count} limits kept parts of the input from being checked ({}; the first: {} at {})",
                codes.join(", "),
                first.code,
                first.file
            )
        };
        let how = if raise.is_empty() {
            "no option raises this limit".to_string()
        } else {
            format!("raise {}", raise.join(", "))
        };
        Some(Incomplete {
            message: format!(
                "incomplete: {what}, {how} (or accept a partial check with --allow-incomplete)"
            ),
            limits,
            count,
            raise,
            allowed: false,
        })
    }
}

impl Skipped {
    pub fn fast(layers: usize, layer_bytes: u64, rules: Vec<&'static str>) -> Skipped {
        let size = if layer_bytes < 1 << 20 {
            format!("{layer_bytes} bytes")
        } else {
            format!("{:.1} MiB", layer_bytes as f64 / 1048576.0)
        };
        let message = format!(
            "--fast: {layers} layer blob{} ({size}) verified by digest and size only, not decompressed: their DiffIDs, compression and tar entries (paths, links, whiteouts) were not checked{}; run without --fast for that",
            if layers == 1 { "" } else { "s" },
            if rules.is_empty() {
                String::new()
            } else {
                format!(" (rules not run: {})", rules.join(", "))
            }
        );
        Skipped {
            option: "--fast",
            layers,
            layer_bytes,
            rules,
            message,
        }
    }
}

impl Report {
    /// The counts of listed findings and of those not listed.
    pub fn summarize(findings: &[Finding], not_listed: &[NotListed]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            s.add(f.severity, 1);
        }
        for n in not_listed {
            s.add(n.severity, n.count);
            s.not_listed += n.count;
        }
        s
    }

    /// Count again, after findings were taken out (baseline, ignores).
    pub fn recount(&mut self) {
        self.summary = Report::summarize(&self.findings, &self.not_listed);
    }

    /// Whether any finding, listed or not, is at or above `threshold` (`None` = never fail).
    pub fn fails(&self, threshold: Option<Severity>) -> bool {
        threshold.is_some_and(|t| self.summary.worst().is_some_and(|w| w >= t))
    }

    /// How many findings of each code, listed or not, most first (then by code).
    pub fn counts_by_code(&self) -> Vec<(&'static str, &'static str, Severity, usize)> {
        let mut m: std::collections::BTreeMap<&'static str, (&'static str, Severity, usize)> =
            std::collections::BTreeMap::new();
        for f in &self.findings {
            m.entry(f.code).or_insert((f.name, f.severity, 0)).2 += 1;
        }
        for n in &self.not_listed {
            m.entry(n.code).or_insert((n.name, n.severity, 0)).2 += n.count;
        }
        let mut v: Vec<_> = m.into_iter().map(|(c, (n, s, k))| (c, n, s, k)).collect();
        v.sort_by(|a, b| b.3.cmp(&a.3).then(a.0.cmp(b.0)));
        v
    }

    /// The distinct codes found, sorted.
    pub fn codes(&self) -> Vec<&'static str> {
        let mut c: Vec<_> = self
            .findings
            .iter()
            .map(|f| f.code)
            .chain(self.not_listed.iter().map(|n| n.code))
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    }
}
