//! Why a rule has its default level: every rule declares one [`Basis`], and the catalogue tests hold the level to
//! it (`tests/catalogue.rs`).

use serde::Serialize;

/// The ground a rule's default level stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The level follows the strongest RFC 2119 keyword of the clauses the rule cites: MUST, MUST NOT, REQUIRED,
    /// SHALL, SHALL NOT → error; SHOULD, SHOULD NOT, RECOMMENDED, NOT RECOMMENDED → warning; MAY, OPTIONAL → info.
    Keyword,
    /// A present value is outside the type or format the spec declares for it (`Env` is not an array of strings,
    /// `created` is not RFC 3339, a layer is not the tar stream its media type names): no decoder accepts it, so an
    /// error is allowed.
    Type,
    /// Protects an unpacker or a consumer, but no clause requires it (absolute names, `..`, symbolic-link escapes,
    /// unknown type flags, hard links to nothing …): never an error by default; `--profile strict` and `--deny
    /// hardening` raise it.
    Hardening,
    /// A judgement call that the rule's documentation defends under `## Basis`. At most five in the catalogue.
    Exception,
}

impl Basis {
    pub const ALL: [Basis; 4] = [
        Basis::Keyword,
        Basis::Type,
        Basis::Hardening,
        Basis::Exception,
    ];

    /// The most exceptions the catalogue may hold.
    pub const MAX_EXCEPTIONS: usize = 5;

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Keyword => "keyword",
            Basis::Type => "type",
            Basis::Hardening => "hardening",
            Basis::Exception => "exception",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// One line on what the basis means, for `explain` and `docs/rules.md`.
    pub fn meaning(self) -> &'static str {
        match self {
            Basis::Keyword => {
                "the level follows the strongest RFC 2119 keyword of the clauses cited"
            }
            Basis::Type => {
                "a present value is outside the type or format the spec declares for it, so no decoder accepts it"
            }
            Basis::Hardening => {
                "protects an unpacker or a consumer, but no clause requires it, so never an error by default; \
                 `--profile strict` and `--deny hardening` raise it"
            }
            Basis::Exception => {
                "a judgement call, defended under \"Basis\" in the rule's documentation"
            }
        }
    }
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
