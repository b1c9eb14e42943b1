//! The settings a run was made with, as every report records them: spec, profile, configuration file, fail-on
//! threshold, level overrides, ignores, baseline, and where each came from.

use serde::Serialize;

/// The settings in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub spec: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The configuration file read, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// `error`, `warning`, `info` or `never`.
    pub fail_on: String,
    /// The level overrides of the configuration file and the flags, in the order they apply (a profile's own are
    /// implied by `profile`).
    pub overrides: Vec<Override>,
    /// The `[[ignore]]` entries of the configuration file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignores: Vec<Ignore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// `--fast`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fast: bool,
    /// `--max-findings`.
    pub max_findings: usize,
    /// Where each of `spec`, `profile`, `config`, `fail_on` came from: `default`, a flag (`--spec`), the
    /// configuration file (its path) or how the file was found.
    pub sources: std::collections::BTreeMap<String, String>,
}

/// One level override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    /// A rule code, group, level or `all`.
    pub selector: String,
    /// `allow`, `info`, `warn` or `deny`.
    pub level: String,
    /// `--allow`, `--warn`, `--deny`, or the configuration file.
    pub source: String,
}

/// One ignore entry: findings of `code` (in `file`, at `pointer`, when given) are not reported, for `reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignore {
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    pub reason: String,
}

impl Ignore {
    /// Whether a finding of `input` is one this entry ignores. `file` may end in `*` (a prefix).
    pub fn matches(&self, input: &str, f: &super::Finding) -> bool {
        let glob = |pat: &str, s: &str| match pat.strip_suffix('*') {
            Some(prefix) => s.starts_with(prefix),
            None => pat == s,
        };
        self.code.eq_ignore_ascii_case(f.code)
            && self
                .file
                .as_deref()
                .is_none_or(|p| glob(p, &f.location.file))
            && self
                .pointer
                .as_deref()
                .is_none_or(|p| f.location.pointer.as_deref() == Some(p))
            && self.input.as_deref().is_none_or(|i| glob(i, input))
    }
}

impl Settings {
    /// The settings as the text formats print them, in a few phrases.
    pub fn phrases(&self) -> Vec<String> {
        // The configuration file is named once; what came from it says `config`.
        let short = |s: &str| -> String {
            if Some(s) == self.config.as_deref() {
                "config".into()
            } else {
                s.into()
            }
        };
        let src = |k: &str| {
            self.sources
                .get(k)
                .filter(|s| s.as_str() != "default")
                .map(|s| format!(" ({})", short(s)))
                .unwrap_or_default()
        };
        let mut v = vec![format!("fail-on {}{}", self.fail_on, src("fail_on"))];
        v.push(match &self.profile {
            Some(p) => format!("profile {p}{}", src("profile")),
            None => "no profile".into(),
        });
        v.push(match &self.config {
            Some(c) => format!("config {c}"),
            None => "no config file".into(),
        });
        if self.overrides.is_empty() {
            v.push("no level overrides".into());
        } else {
            let o: Vec<String> = self
                .overrides
                .iter()
                .map(|o| format!("{}={} ({})", o.selector, o.level, short(&o.source)))
                .collect();
            v.push(format!("overrides {}", o.join(", ")));
        }
        if !self.ignores.is_empty() {
            v.push(format!(
                "{} ignore entr{}",
                self.ignores.len(),
                if self.ignores.len() == 1 { "y" } else { "ies" }
            ));
        }
        if let Some(b) = &self.baseline {
            v.push(format!("baseline {b}"));
        }
        if self.max_findings != crate::DEFAULT_MAX_FINDINGS {
            v.push(format!("max-findings {}", self.max_findings));
        }
        v
    }
}
