//! Image manifest rules (manifest.md).

use crate::rule::Rule;

pub mod ambiguous_with_index;
pub mod artifact_type_invalid;
pub mod artifact_type_missing;
pub mod artifact_uses_image_config;
pub mod config_media_type_not_portable;
pub mod config_missing;
pub mod config_not_descriptor;
pub mod layer_media_type_not_portable;
pub mod layers_empty;
pub mod layers_invalid;
pub mod media_type_invalid;
pub mod media_type_missing;
pub mod schema_version_missing;
pub mod schema_version_not_2;
pub mod subject_invalid;

pub const RULES: &[&Rule] = &[
    &schema_version_not_2::RULE,
    &schema_version_missing::RULE,
    &media_type_invalid::RULE,
    &media_type_missing::RULE,
    &artifact_type_invalid::RULE,
    &config_missing::RULE,
    &config_not_descriptor::RULE,
    &layers_invalid::RULE,
    &layers_empty::RULE,
    &artifact_type_missing::RULE,
    &artifact_uses_image_config::RULE,
    &config_media_type_not_portable::RULE,
    &layer_media_type_not_portable::RULE,
    &subject_invalid::RULE,
    &ambiguous_with_index::RULE,
];

use crate::json::Value;

/// `schemaVersion` must be the integer literal `2`; returns the problem, if any (shared with the index rule).
pub(crate) fn schema_version_problem(v: &Value) -> Option<String> {
    let sv = v.get("schemaVersion")?;
    match sv.number_text() {
        Some("2") => None,
        Some(t) if t.parse::<f64>().is_ok_and(|f| f == 2.0) => Some(format!(
            "schemaVersion is written {t}; it must be the integer 2"
        )),
        Some(_) => Some(format!("schemaVersion is {}; it must be 2", sv.preview())),
        None => Some(format!(
            "schemaVersion is {} ({}); it must be the integer 2",
            sv.type_name(),
            sv.preview()
        )),
    }
}
