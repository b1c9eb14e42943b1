//! Image index rules (image-index.md), including the `platform` object of index entries.

use crate::rule::Rule;

pub mod ambiguous_with_manifest;
pub mod artifact_type_invalid;
pub mod entry_docker_media_type;
pub mod entry_media_type_not_portable;
pub mod manifests_invalid;
pub mod manifests_missing;
pub mod media_type_invalid;
pub mod media_type_missing;
pub mod platform_architecture_missing;
pub mod platform_architecture_unknown;
pub mod platform_invalid;
pub mod platform_mismatch_config;
pub mod platform_os_features_invalid;
pub mod platform_os_features_unknown;
pub mod platform_os_missing;
pub mod platform_os_unknown;
pub mod platform_os_version_invalid;
pub mod platform_variant_invalid;
pub mod platform_variant_mismatch_config;
pub mod platform_variant_unknown;
pub mod schema_version_missing;
pub mod schema_version_not_2;
pub mod subject_invalid;

pub const RULES: &[&Rule] = &[
    &schema_version_not_2::RULE,
    &schema_version_missing::RULE,
    &media_type_invalid::RULE,
    &media_type_missing::RULE,
    &manifests_missing::RULE,
    &manifests_invalid::RULE,
    &artifact_type_invalid::RULE,
    &entry_media_type_not_portable::RULE,
    &platform_invalid::RULE,
    &platform_architecture_missing::RULE,
    &platform_os_missing::RULE,
    &platform_os_version_invalid::RULE,
    &platform_os_features_invalid::RULE,
    &platform_variant_invalid::RULE,
    &platform_architecture_unknown::RULE,
    &platform_os_unknown::RULE,
    &platform_variant_unknown::RULE,
    &platform_os_features_unknown::RULE,
    &subject_invalid::RULE,
    &ambiguous_with_manifest::RULE,
    &platform_mismatch_config::RULE,
    &entry_docker_media_type::RULE,
    &platform_variant_mismatch_config::RULE,
];

use crate::check::DescCx;
use crate::json::Value;
use crate::walk::Role;

/// The `platform` object of an index entry (or of a descriptor document), if the descriptor has one, with its
/// pointer. Docker attestation entries (`vnd.docker.reference.type`) carry `unknown/unknown` on purpose and are
/// skipped.
pub(crate) fn platform<'a>(cx: &'a DescCx) -> Option<(&'a Value, String)> {
    if !matches!(cx.role(), Role::IndexEntry | Role::Root) {
        return None;
    }
    if cx
        .value()
        .get("annotations")
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some()
    {
        return None;
    }
    let p = cx.value().get("platform")?;
    p.as_object()?;
    Some((p, cx.field("platform")))
}
