//! Which version of the image specification a run validates against. A leaf: it depends on nothing of ours.

/// The version of the specification validated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Spec {
    /// Tag v1.1.1 (the default).
    #[default]
    V1_1_1,
    /// The unreleased main branch (blake3, non-negative sizes, I-JSON).
    Main,
}

impl Spec {
    pub fn as_str(self) -> &'static str {
        match self {
            Spec::V1_1_1 => "v1.1.1",
            Spec::Main => "main",
        }
    }

    pub fn parse(s: &str) -> Option<Spec> {
        match s {
            "v1.1.1" | "1.1.1" => Some(Spec::V1_1_1),
            "main" => Some(Spec::Main),
            _ => None,
        }
    }
}
