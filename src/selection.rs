//! Picking images out of a layout (`--ref`, `--platform`, `--digest`): what was asked for and how the walk applies it
//! (the images a run validated are listed by [`crate::select`], over the walk's graph).
//!
//! A selection decides, at each index entry the walk meets, whether to follow it:
//! - `--ref NAME`: an `index.json` entry whose `org.opencontainers.image.ref.name` (or containerd's
//!   `io.containerd.image.name`, which `docker save` writes) is `NAME`; everything below it is in.
//! - `--digest D`: the entry, at any depth, whose digest is `D`; everything below it is in. Nested indexes are
//!   entered to look for it.
//! - `--platform os/arch[/variant]`: an entry whose `platform` matches; an image entry without a `platform` is
//!   decided by its config's `os`, `architecture` and `variant`. Nested indexes without a platform are entered.
//!
//! Each flag may be given more than once (any value matches); different flags must all match. Blobs reached only
//! from entries left out are not verified and not reported as unreferenced; `index.json` and the layout itself
//! are always checked whole.

use crate::json::Value;
use crate::kind::DocKind;

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
pub const CONTAINERD_NAME: &str = "io.containerd.image.name";

/// An `os/arch[/variant]` triple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(s: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts[..] {
            [os, arch] | [os, arch, _] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: parts
                    .get(2)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.to_string()),
            }),
            _ => Err(format!(
                "--platform {s}: expected os/arch or os/arch/variant (linux/amd64, linux/arm/v7)"
            )),
        }
    }

    /// Whether a `platform` object (or an image config, which has the same members) matches.
    pub fn matches(&self, v: &Value) -> bool {
        let s = |k: &str| v.get(k).and_then(Value::as_str);
        s("os") == Some(self.os.as_str())
            && s("architecture") == Some(self.architecture.as_str())
            && self
                .variant
                .as_deref()
                .is_none_or(|want| s("variant") == Some(want))
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// What to validate; empty = everything reachable from `index.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub refs: Vec<String>,
    pub platforms: Vec<Platform>,
    pub digests: Vec<String>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.refs.is_empty() && self.platforms.is_empty() && self.digests.is_empty()
    }

    /// `--ref a --platform linux/amd64`, for messages.
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        v.extend(self.refs.iter().map(|r| format!("--ref {r}")));
        v.extend(self.platforms.iter().map(|p| format!("--platform {p}")));
        v.extend(self.digests.iter().map(|d| format!("--digest {d}")));
        v.join(" ")
    }

    fn ref_matches(&self, entry: &Value) -> bool {
        let ann = entry.get("annotations");
        let name = |k: &str| ann.and_then(|a| a.get(k)).and_then(Value::as_str);
        [name(REF_NAME), name(CONTAINERD_NAME)]
            .into_iter()
            .flatten()
            .any(|n| self.refs.iter().any(|r| r == n))
    }

    fn platform_matches(&self, p: &Value) -> bool {
        self.platforms.iter().any(|want| want.matches(p))
    }
}

/// How much of the selection is already satisfied on the way to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub by_ref: bool,
    pub by_digest: bool,
    pub by_platform: bool,
}

impl State {
    /// At `index.json`: a criterion not asked for is satisfied.
    pub fn root(sel: &Selection) -> State {
        State {
            by_ref: sel.refs.is_empty(),
            by_digest: sel.digests.is_empty(),
            by_platform: sel.platforms.is_empty(),
        }
    }

    /// Everything satisfied (below a selected entry).
    pub const ALL: State = State {
        by_ref: true,
        by_digest: true,
        by_platform: true,
    };
}

/// The verdict on one index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Follow it; its target document gets this state.
    Follow(State),
    /// Follow it if its image's config matches the platform (an image entry without `platform`).
    FollowIfConfigMatches(State),
    Skip,
}

/// Decide on an index entry held by a document with state `parent`. `at_root`: the entry is in `index.json`;
/// `target`: the kind its target is parsed as.
pub fn decide(
    sel: &Selection,
    parent: State,
    at_root: bool,
    entry: &Value,
    target: Option<DocKind>,
) -> Verdict {
    let by_ref = parent.by_ref || (at_root && sel.ref_matches(entry));
    if !by_ref {
        return Verdict::Skip; // names are only on index.json entries
    }
    let digest = entry.get("digest").and_then(Value::as_str);
    let by_digest = parent.by_digest || digest.is_some_and(|d| sel.digests.iter().any(|x| x == d));
    let platform = entry.get("platform").filter(|p| p.as_object().is_some());
    let by_platform = parent.by_platform || platform.is_some_and(|p| sel.platform_matches(p));
    if !parent.by_platform && platform.is_some() && !by_platform {
        return Verdict::Skip;
    }
    let state = State {
        by_ref,
        by_digest,
        by_platform,
    };
    match target {
        // An index is entered to decide on its own entries.
        Some(DocKind::Index) => Verdict::Follow(state),
        Some(DocKind::Manifest) if by_digest && by_platform => Verdict::Follow(state),
        Some(DocKind::Manifest) if by_digest && platform.is_none() => {
            Verdict::FollowIfConfigMatches(State {
                by_platform: true,
                ..state
            })
        }
        _ if by_digest && by_platform => Verdict::Follow(state),
        _ => Verdict::Skip,
    }
}

/// `os/arch[/variant]` of a platform object or an image config, when it names both.
pub fn platform_text(v: &Value) -> Option<String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let mut t = format!("{}/{}", s("os")?, s("architecture")?);
    if let Some(var) = s("variant") {
        t.push('/');
        t.push_str(var);
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        crate::json::parse(s.as_bytes())
            .value
            .unwrap_or_else(|| panic!("bad test JSON {s}"))
    }

    #[test]
    fn platforms_parse() {
        assert_eq!(
            Platform::parse("linux/arm/v7").map(|p| p.to_string()),
            Ok("linux/arm/v7".into())
        );
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux//v7").is_err());
        assert!(Platform::parse("a/b/c/d").is_err());
        let p = Platform::parse("linux/arm64").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.matches(&v(
            r#"{"os":"linux","architecture":"arm64","variant":"v8"}"#
        )));
        let p7 = Platform::parse("linux/arm/v7").unwrap_or_else(|e| panic!("{e}"));
        assert!(!p7.matches(&v(r#"{"os":"linux","architecture":"arm","variant":"v6"}"#)));
    }

    #[test]
    fn decisions() {
        let sel = Selection {
            refs: vec!["v1".into()],
            ..Selection::default()
        };
        let root = State::root(&sel);
        let tagged =
            v(r#"{"digest":"sha256:aa","annotations":{"org.opencontainers.image.ref.name":"v1"}}"#);
        let other = v(r#"{"digest":"sha256:bb"}"#);
        assert_eq!(
            decide(&sel, root, true, &tagged, Some(DocKind::Manifest)),
            Verdict::Follow(State::ALL)
        );
        assert_eq!(
            decide(&sel, root, true, &other, Some(DocKind::Manifest)),
            Verdict::Skip
        );
        let sel = Selection {
            platforms: vec![Platform::parse("linux/arm64").unwrap_or_else(|e| panic!("{e}"))],
            ..Selection::default()
        };
        let root = State::root(&sel);
        let amd = v(r#"{"digest":"sha256:aa","platform":{"os":"linux","architecture":"amd64"}}"#);
        let arm = v(r#"{"digest":"sha256:aa","platform":{"os":"linux","architecture":"arm64"}}"#);
        assert_eq!(
            decide(&sel, root, false, &amd, Some(DocKind::Manifest)),
            Verdict::Skip
        );
        assert_eq!(
            decide(&sel, root, false, &arm, Some(DocKind::Manifest)),
            Verdict::Follow(State::ALL)
        );
        assert!(matches!(
            decide(&sel, root, true, &other, Some(DocKind::Index)),
            Verdict::Follow(_)
        ));
        assert!(matches!(
            decide(&sel, root, true, &other, Some(DocKind::Manifest)),
            Verdict::FollowIfConfigMatches(_)
        ));
    }
}

/// `--shard I/N`: shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad =
            || format!("--shard {s}: expected I/N with 0 <= I < N (0-based, e.g. 0/3, 1/3, 2/3)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The shard of the `k`-th entry of `index.json`.
    pub fn of_entry(&self, k: usize) -> usize {
        k % self.count
    }

    /// Whether this shard runs the layout-level checks.
    pub fn has_layout(&self) -> bool {
        self.index == 0
    }
}
