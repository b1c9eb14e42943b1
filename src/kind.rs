//! What a JSON document of the image spec is: its kind, the media type that names it and the schema that
//! validates it. Below the walk, so that the selection and the schemas can name kinds without depending on it.

use crate::mediatype as mt;

/// What a JSON document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKind {
    OciLayout,
    Index,
    Manifest,
    Config,
    Descriptor,
}

impl DocKind {
    pub fn media_type(self) -> &'static str {
        match self {
            DocKind::OciLayout => mt::LAYOUT_HEADER,
            DocKind::Index => mt::INDEX,
            DocKind::Manifest => mt::MANIFEST,
            DocKind::Config => mt::CONFIG,
            DocKind::Descriptor => mt::DESCRIPTOR,
        }
    }

    pub fn from_media_type(m: &str) -> Option<DocKind> {
        Some(match m {
            mt::LAYOUT_HEADER => DocKind::OciLayout,
            mt::INDEX => DocKind::Index,
            mt::MANIFEST => DocKind::Manifest,
            mt::CONFIG => DocKind::Config,
            mt::DESCRIPTOR => DocKind::Descriptor,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            DocKind::OciLayout => "oci-layout file",
            DocKind::Index => "image index",
            DocKind::Manifest => "image manifest",
            DocKind::Config => "image config",
            DocKind::Descriptor => "content descriptor",
        }
    }

    /// The embedded schema that validates this kind.
    pub fn schema_file(self) -> &'static str {
        match self {
            DocKind::OciLayout => "oci-layout.schema.json",
            DocKind::Index => "image-index.schema.json",
            DocKind::Manifest => "image-manifest.schema.json",
            DocKind::Config => "image-config.schema.json",
            DocKind::Descriptor => "content-descriptor.schema.json",
        }
    }
}
