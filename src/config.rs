//! `ocicheck.toml` and how it combines with the command line.
//!
//! ```toml
//! spec = "v1.1.1"          # or "main"
//! profile = "strict"       # strict, portable or docker-compat (optional)
//! fail-on = "error"        # error, warning, info or never
//! [rules]                  # code, group prefix or level  =  "allow" | "info" | "warn" | "deny"
//! MAN001 = "allow"
//! LYR = "deny"
//! should = "deny"
//! ```
//!
//! ```toml
//! [[ignore]]               # findings not reported; `reason` is required
//! code = "LAY008"
//! file = "blobs/sha256/*"  # optional: a file inside the input, `*` at the end for a prefix
//! pointer = "/annotations" # optional: the JSON pointer
//! input = "image"          # optional: the input path as given on the command line
//! reason = "the build cache keeps old blobs; cleaned at push"
//! ```
//!
//! The file is `--config FILE`, else the first `ocicheck.toml` found walking up from the working directory (as
//! ruff finds its configuration), else none; `--no-config` reads none. A configuration file that lies inside an
//! input being validated is never read: an image must not choose the rules it is checked by (`cd image &&
//! ocicheck validate .` skips `image/ocicheck.toml`, says so, and keeps walking up; `--config` naming one is a
//! usage error). Precedence, lowest first:
//! the rules' defaults, the profile (the flag's, else the file's), the file's `[rules]`, the `--allow/--warn/--deny`
//! flags. Within the file, and within the flags, overrides go from the least to the most specific selector
//! (level, then group, then code; for the flags, `--allow` before `--warn` before `--deny` at the same
//! specificity), so a code always beats its group or level from the same source. `spec`, `profile` and `fail-on`
//! given as flags replace the file's. Unknown keys, rules, levels and values are usage errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::rule::{Level, Profile, Rule, Selector, Severity};
use crate::{Spec, rules};

/// The name looked for in the working directory.
pub const FILE_NAME: &str = "ocicheck.toml";

/// The file's contents, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub spec: Option<String>,
    pub profile: Option<String>,
    #[serde(rename = "fail-on")]
    pub fail_on: Option<String>,
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
    #[serde(default)]
    pub ignore: Vec<IgnoreEntry>,
}

/// One `[[ignore]]` entry as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub code: String,
    pub file: Option<String>,
    pub pointer: Option<String>,
    pub input: Option<String>,
    pub reason: String,
}

/// What the command line gave (`None` / empty: not given).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    pub config: Option<PathBuf>,
    /// `--no-config`: read no configuration file.
    pub no_config: bool,
    /// The inputs to validate: a configuration file inside one of them is never read.
    pub inputs: Vec<PathBuf>,
    pub spec: Option<String>,
    pub profile: Option<String>,
    pub fail_on: Option<String>,
    pub allow: Vec<String>,
    pub warn: Vec<String>,
    pub deny: Vec<String>,
}

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub spec: Spec,
    pub profile: Option<Profile>,
    /// `None`: never fail.
    pub fail_on: Option<Severity>,
    /// The file's overrides, then the flags' (later wins); the profile's come from `profile`.
    pub overrides: Vec<(Selector, Level)>,
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
    /// Where each override came from (`--deny`, the file), in the order of `overrides`.
    pub override_sources: Vec<String>,
    /// The file's ignore entries.
    pub ignores: Vec<crate::report::settings::Ignore>,
    /// Where `spec`, `profile`, `fail_on` and `config` came from.
    pub sources: BTreeMap<String, String>,
    /// Configuration files found walking up but not read, because they lie inside an input.
    pub skipped: Vec<PathBuf>,
}

/// Whether `file` lies inside `input` (a directory that holds it, or the input itself), symbolic links and `..`
/// resolved. Directories are compared by identity (device and inode), not only by path, so that the same
/// directory reached another way (a bind mount) is still the input.
pub fn inside_input(file: &Path, input: &Path) -> bool {
    if input.as_os_str() == "-" {
        return false;
    }
    let (Ok(f), Ok(i)) = (std::fs::canonicalize(file), std::fs::canonicalize(input)) else {
        return false;
    };
    if f == i || (i.is_dir() && f.starts_with(&i)) {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(im) = std::fs::metadata(&i) else {
            return false;
        };
        let same = |p: &Path| {
            std::fs::metadata(p).is_ok_and(|m| m.dev() == im.dev() && m.ino() == im.ino())
        };
        if im.is_dir() {
            f.ancestors().skip(1).any(same)
        } else {
            same(&f)
        }
    }
    #[cfg(not(unix))]
    false
}

/// The configuration file found walking up from `cwd`, and those skipped on the way because they lie inside an
/// input.
pub fn discover(cwd: &Path, inputs: &[PathBuf]) -> (Option<PathBuf>, Vec<PathBuf>) {
    let mut skipped = Vec::new();
    for dir in cwd.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if !candidate.is_file() {
            continue;
        }
        let abs_inputs = inputs.iter().map(|i| {
            if i.is_absolute() {
                i.clone()
            } else {
                cwd.join(i)
            }
        });
        if abs_inputs.clone().any(|i| inside_input(&candidate, &i)) {
            skipped.push(candidate);
            continue;
        }
        return (Some(candidate), skipped);
    }
    (None, skipped)
}

impl Resolved {
    /// The settings as reports record them.
    pub fn settings(
        &self,
        fast: bool,
        max_findings: usize,
        baseline: Option<&Path>,
    ) -> crate::report::Settings {
        crate::report::Settings {
            spec: self.spec.as_str().into(),
            profile: self.profile.map(|p| p.name().to_string()),
            config: self.file.as_ref().map(|p| p.display().to_string()),
            fail_on: self.fail_on.map_or("never", Severity::as_str).into(),
            overrides: self
                .overrides
                .iter()
                .zip(&self.override_sources)
                .map(|((sel, level), src)| crate::report::settings::Override {
                    selector: sel.to_string(),
                    level: level.as_str().into(),
                    source: src.clone(),
                })
                .collect(),
            ignores: self.ignores.clone(),
            baseline: baseline.map(|b| b.display().to_string()),
            fast,
            max_findings,
            sources: self.sources.clone(),
        }
    }
}

/// Read and check a configuration file's syntax (not its values).
pub fn load(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let at = e.span().map(|s| {
            let before = &text[..s.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(":{line}:{col}")
        });
        format!(
            "{}{}: {}",
            path.display(),
            at.unwrap_or_default(),
            e.message().trim().replace('\n', " ")
        )
    })
}

/// Combine the configuration file (found from `cwd` unless `flags.config` names one) with the flags.
pub fn resolve(flags: &Flags, cwd: &Path) -> Result<Resolved, String> {
    let mut sources = BTreeMap::new();
    let mut skipped = Vec::new();
    let file = match (&flags.config, flags.no_config) {
        (Some(p), _) => {
            let abs = if p.is_absolute() {
                p.clone()
            } else {
                cwd.join(p)
            };
            if let Some(i) = flags.inputs.iter().find(|i| {
                inside_input(
                    &abs,
                    &if i.is_absolute() {
                        i.to_path_buf()
                    } else {
                        cwd.join(i)
                    },
                )
            }) {
                return Err(format!(
                    "--config {}: lies inside the input {}; a configuration shipped in what is validated is never read",
                    p.display(),
                    i.display()
                ));
            }
            sources.insert("config".into(), "--config".into());
            Some(p.clone())
        }
        (None, true) => {
            sources.insert("config".into(), "--no-config".into());
            None
        }
        (None, false) => {
            let (found, skip) = discover(cwd, &flags.inputs);
            skipped = skip;
            sources.insert(
                "config".into(),
                match &found {
                    Some(f) => format!(
                        "found walking up from {}{}",
                        cwd.display(),
                        if f.parent() == Some(cwd) {
                            " (the working directory)"
                        } else {
                            ""
                        }
                    ),
                    None => format!("none found walking up from {}", cwd.display()),
                },
            );
            found
        }
    };
    let cfg = match &file {
        Some(p) => load(p)?,
        None => FileConfig::default(),
    };
    let name = file
        .as_ref()
        .map_or_else(|| FILE_NAME.to_string(), |p| p.display().to_string());
    let all: Vec<&'static Rule> = rules::all().collect();

    let from = |flag: &Option<String>, file_value: &Option<String>, flag_name: &str| -> String {
        match (flag, file_value) {
            (Some(_), _) => flag_name.to_string(),
            (None, Some(_)) => name.clone(),
            (None, None) => "default".to_string(),
        }
    };
    sources.insert("spec".into(), from(&flags.spec, &cfg.spec, "--spec"));
    sources.insert(
        "profile".into(),
        from(&flags.profile, &cfg.profile, "--profile"),
    );
    sources.insert(
        "fail_on".into(),
        from(&flags.fail_on, &cfg.fail_on, "--fail-on"),
    );
    let spec = match (&flags.spec, &cfg.spec) {
        (Some(s), _) => {
            Spec::parse(s).ok_or_else(|| format!("--spec {s}: expected v1.1.1 or main"))?
        }
        (None, Some(s)) => Spec::parse(s)
            .ok_or_else(|| format!("{name}: spec = {s:?}: expected v1.1.1 or main"))?,
        (None, None) => Spec::default(),
    };
    let profile =
        match (&flags.profile, &cfg.profile) {
            (Some(p), _) => Some(Profile::parse(p).ok_or_else(|| {
                format!("--profile {p}: expected strict, portable or docker-compat")
            })?),
            (None, Some(p)) => Some(Profile::parse(p).ok_or_else(|| {
                format!("{name}: profile = {p:?}: expected strict, portable or docker-compat")
            })?),
            (None, None) => None,
        };
    let fail_on = match (&flags.fail_on, &cfg.fail_on) {
        (Some(f), _) => crate::parse_fail_on(f)
            .ok_or_else(|| format!("--fail-on {f}: expected error, warning, info or never"))?,
        (None, Some(f)) => crate::parse_fail_on(f).ok_or_else(|| {
            format!("{name}: fail-on = {f:?}: expected error, warning, info or never")
        })?,
        (None, None) => Some(Severity::Error),
    };

    let mut from_file = Vec::new();
    for (key, value) in &cfg.rules {
        let sel = Selector::parse(key, &all).map_err(|e| format!("{name}: [rules] {e}"))?;
        let level = Level::parse(value).ok_or_else(|| {
            format!("{name}: [rules] {key} = {value:?}: expected allow, info, warn or deny")
        })?;
        from_file.push((sel, level, name.clone()));
    }
    from_file.sort_by_key(|(s, _, _)| s.specificity());

    let mut from_flags = Vec::new();
    for (list, level, flag) in [
        (&flags.allow, Level::Allow, "--allow"),
        (&flags.warn, Level::Warn, "--warn"),
        (&flags.deny, Level::Deny, "--deny"),
    ] {
        for s in list {
            from_flags.push((Selector::parse(s, &all)?, level, flag.to_string()));
        }
    }
    from_flags.sort_by_key(|(s, _, _)| s.specificity());
    from_file.extend(from_flags);

    let mut ignores = Vec::new();
    for (i, e) in cfg.ignore.iter().enumerate() {
        let Selector::Code(code) = Selector::parse(&e.code, &all)
            .map_err(|err| format!("{name}: [[ignore]] #{}: {err}", i + 1))?
        else {
            return Err(format!(
                "{name}: [[ignore]] #{}: code = {:?}: an ignore names one rule by code (use [rules] for groups and levels)",
                i + 1,
                e.code
            ));
        };
        if e.reason.trim().is_empty() {
            return Err(format!(
                "{name}: [[ignore]] #{} ({code}): reason is empty; say why these findings are accepted",
                i + 1
            ));
        }
        ignores.push(crate::report::settings::Ignore {
            code: code.to_string(),
            file: e.file.clone(),
            pointer: e.pointer.clone(),
            input: e.input.clone(),
            reason: e.reason.trim().to_string(),
        });
    }

    Ok(Resolved {
        spec,
        profile,
        fail_on,
        overrides: from_file.iter().map(|(s, l, _)| (s.clone(), *l)).collect(),
        override_sources: from_file.into_iter().map(|(_, _, src)| src).collect(),
        file,
        ignores,
        sources,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(text: &str, flags: Flags) -> Result<Resolved, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        std::fs::write(dir.path().join(FILE_NAME), text).map_err(|e| e.to_string())?;
        resolve(&flags, dir.path())
    }

    fn policy(r: &Resolved) -> crate::rule::Policy {
        let all: Vec<_> = rules::all().collect();
        let mut o = r.profile.map(Profile::overrides).unwrap_or_default();
        o.extend(r.overrides.iter().cloned());
        crate::rule::Policy::new(&all, r.spec, &o)
    }

    #[test]
    fn the_file_sets_spec_profile_fail_on_and_levels() {
        let r = with_file(
            "spec = \"main\"\nprofile = \"strict\"\nfail-on = \"warning\"\n[rules]\nMAN001 = \"allow\"\nLAY = \"warn\"\nshould = \"info\"\nMAN015 = \"deny\"\n",
            Flags::default(),
        )
        .expect("resolves");
        assert_eq!(r.spec, Spec::Main);
        assert_eq!(r.profile, Some(Profile::Strict));
        assert_eq!(r.fail_on, Some(Severity::Warning));
        let p = policy(&r);
        assert_eq!(p.severity("MAN001"), None);
        assert_eq!(p.severity("LAY001"), Some(Severity::Warning));
        assert_eq!(
            p.severity("MAN004"),
            Some(Severity::Info),
            "level beats the profile"
        );
        assert_eq!(
            p.severity("MAN015"),
            Some(Severity::Error),
            "code beats level"
        );
    }

    #[test]
    fn flags_win_over_the_file() {
        let flags = Flags {
            spec: Some("v1.1.1".into()),
            fail_on: Some("never".into()),
            warn: vec!["MAN001".into()],
            ..Flags::default()
        };
        let r = with_file(
            "spec = \"main\"\nfail-on = \"info\"\n[rules]\nMAN001 = \"allow\"\n",
            flags,
        )
        .expect("resolves");
        assert_eq!(r.spec, Spec::V1_1_1);
        assert_eq!(r.fail_on, None);
        assert_eq!(policy(&r).severity("MAN001"), Some(Severity::Warning));
    }

    #[test]
    fn a_code_flag_beats_a_level_flag_whatever_the_order() {
        let flags = Flags {
            allow: vec!["MAN015".into()],
            deny: vec!["should".into()],
            ..Flags::default()
        };
        let r = resolve(&flags, Path::new("/nonexistent")).expect("resolves");
        let p = policy(&r);
        assert_eq!(p.severity("MAN015"), None);
        assert_eq!(p.severity("MAN004"), Some(Severity::Error));
    }

    #[test]
    fn mistakes_are_usage_errors_that_say_where() {
        let e = with_file("[rules]\nMAN01 = \"allow\"\n", Flags::default()).unwrap_err();
        assert!(e.contains("did you mean `MAN001`"), "{e}");
        let e = with_file("[rules]\nMAN001 = \"ignore\"\n", Flags::default()).unwrap_err();
        assert!(e.contains("expected allow, info, warn or deny"), "{e}");
        let e = with_file("fail_on = \"error\"\n", Flags::default()).unwrap_err();
        assert!(e.contains(":1:1:") && e.contains("fail_on"), "{e}");
        let e = with_file("spec = \"v2\"\n", Flags::default()).unwrap_err();
        assert!(e.contains("spec"), "{e}");
        assert!(!e.contains('\n'));
        let e = resolve(
            &Flags {
                config: Some("/no/such/ocicheck.toml".into()),
                ..Flags::default()
            },
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.contains("/no/such/ocicheck.toml"), "{e}");
    }
}
