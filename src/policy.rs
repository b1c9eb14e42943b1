//! What a user (or a profile) can say about rules: levels, what a level applies to, and the named profiles. Plain
//! data below the catalogue, so that the run's options can hold it; how a selector is parsed against the
//! catalogue and how overrides combine into each rule's severity is `crate::rule`.

use serde::Serialize;

use crate::basis::Basis;
use crate::finding::Severity;

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

    /// The severity findings get at this level; `None` for `allow`.
    pub(crate) fn severity(self) -> Option<Severity> {
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
    /// Every rule of one basis (`hardening`, `exception`, `type`, `keyword`).
    Basis(Basis),
    /// Every rule.
    All,
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::Code(c) => f.write_str(c),
            Selector::Group(g) => f.write_str(g),
            Selector::Class(Severity::Error) => f.write_str("must"),
            Selector::Class(Severity::Warning) => f.write_str("should"),
            Selector::Class(Severity::Info) => f.write_str("may"),
            Selector::Basis(b) => f.write_str(b.as_str()),
            Selector::All => f.write_str("all"),
        }
    }
}

impl Selector {
    /// How specific a selector is: levels, then groups and bases, then codes. Overrides from one source (the flags, or the
    /// `[rules]` table) are applied from the least to the most specific, so `should = "deny"` with
    /// `MAN015 = "allow"` allows MAN015 whatever the order they were written in.
    pub fn specificity(&self) -> u8 {
        match self {
            Selector::All => 0,
            Selector::Class(_) => 1,
            Selector::Group(_) | Selector::Basis(_) => 2,
            Selector::Code(_) => 3,
        }
    }
}

/// Named policies: documented sets of level overrides (and, for `docker-compat`, a change in what is walked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
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
                    Selector::Basis(Basis::Hardening),
                    Deny,
                    "What protects an unpacker beyond the spec (absolute names, `..`, symbolic-link escapes, hard \
                     links to nothing, unknown entry types …) fails the image.",
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
                    Code("LAY015"),
                    Deny,
                    "As LAY009, for the config or a layer of an image that is in the layout.",
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
