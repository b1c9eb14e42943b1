//! Annotation rules (annotations.md), applied to every annotation map: documents' and descriptors'
//! `annotations`, and an image config's `config.Labels`, which follows the same rules.

use crate::check::{MapAt, annotation_maps};
use crate::json::Value;
use crate::rule::Rule;
use crate::walk::Doc;

pub mod base_digest_invalid;
pub mod base_digest_missing;
pub mod base_name_invalid;
pub mod base_name_not_qualified;
pub mod created_invalid;
pub mod key_duplicate;
pub mod key_not_namespaced;
pub mod key_reserved_namespace;
pub mod not_map;
pub mod null;
pub mod ref_name_invalid;
pub mod ref_name_outside_index_json;
pub mod value_not_string;

pub const RULES: &[&Rule] = &[
    &not_map::RULE,
    &value_not_string::RULE,
    &null::RULE,
    &key_duplicate::RULE,
    &key_not_namespaced::RULE,
    &key_reserved_namespace::RULE,
    &ref_name_invalid::RULE,
    &ref_name_outside_index_json::RULE,
    &created_invalid::RULE,
    &base_digest_invalid::RULE,
    &base_name_invalid::RULE,
    &base_name_not_qualified::RULE,
    &base_digest_missing::RULE,
];

pub const CREATED: &str = "org.opencontainers.image.created";
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
pub const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";
pub const BASE_NAME: &str = "org.opencontainers.image.base.name";

/// Keys of the `org.opencontainers.image` namespace defined by the spec: the pre-defined keys of annotations.md
/// and the keys conversion.md maps config fields to.
pub const KNOWN_OCI_KEYS: &[&str] = &[
    "org.opencontainers.image.created",
    "org.opencontainers.image.authors",
    "org.opencontainers.image.url",
    "org.opencontainers.image.documentation",
    "org.opencontainers.image.source",
    "org.opencontainers.image.version",
    "org.opencontainers.image.revision",
    "org.opencontainers.image.vendor",
    "org.opencontainers.image.licenses",
    "org.opencontainers.image.ref.name",
    "org.opencontainers.image.title",
    "org.opencontainers.image.description",
    "org.opencontainers.image.base.digest",
    "org.opencontainers.image.base.name",
    "org.opencontainers.image.os",
    "org.opencontainers.image.architecture",
    "org.opencontainers.image.variant",
    "org.opencontainers.image.os.version",
    "org.opencontainers.image.os.features",
    "org.opencontainers.image.author",
    "org.opencontainers.image.stopSignal",
    "org.opencontainers.image.exposedPorts",
];

/// Every string-valued annotation of a document: (map pointer, key, value).
pub(crate) fn string_annotations(doc: &Doc) -> impl Iterator<Item = (MapAt, &str, &str)> {
    annotation_maps(doc).into_iter().flat_map(|(at, map)| {
        map.effective_members()
            .into_iter()
            .filter_map(move |m| Some((at, &*m.key, m.value.as_str()?)))
    })
}

/// The annotation maps of a document that are objects.
pub(crate) fn object_maps(doc: &Doc) -> Vec<(MapAt, &Value)> {
    annotation_maps(doc)
        .into_iter()
        .filter(|(_, v)| v.as_object().is_some())
        .collect()
}
