//! Image config rules (config.md).

use crate::rule::Rule;

pub mod architecture_missing;
pub mod architecture_unknown;
pub mod args_escaped_invalid;
pub mod author_invalid;
pub mod cmd_invalid;
pub mod config_invalid;
pub mod created_invalid;
pub mod diff_id_not_digest;
pub mod diff_ids_count_mismatch;
pub mod diff_ids_invalid;
pub mod entrypoint_invalid;
pub mod env_invalid;
pub mod exposed_port_key_invalid;
pub mod exposed_ports_invalid;
pub mod healthcheck_invalid;
pub mod history_count_mismatch;
pub mod history_created_invalid;
pub mod history_empty_layer_invalid;
pub mod history_invalid;
pub mod history_text_invalid;
pub mod os_features_invalid;
pub mod os_features_unknown;
pub mod os_missing;
pub mod os_unknown;
pub mod os_version_invalid;
pub mod resource_field_invalid;
pub mod rootfs_invalid;
pub mod rootfs_type_missing;
pub mod rootfs_type_not_layers;
pub mod stop_signal_invalid;
pub mod user_invalid;
pub mod variant_invalid;
pub mod variant_unknown;
pub mod volumes_invalid;
pub mod working_dir_invalid;

pub const RULES: &[&Rule] = &[
    &architecture_missing::RULE,
    &os_missing::RULE,
    &architecture_unknown::RULE,
    &os_unknown::RULE,
    &variant_unknown::RULE,
    &os_features_unknown::RULE,
    &created_invalid::RULE,
    &author_invalid::RULE,
    &os_version_invalid::RULE,
    &os_features_invalid::RULE,
    &variant_invalid::RULE,
    &config_invalid::RULE,
    &user_invalid::RULE,
    &exposed_ports_invalid::RULE,
    &env_invalid::RULE,
    &entrypoint_invalid::RULE,
    &cmd_invalid::RULE,
    &volumes_invalid::RULE,
    &working_dir_invalid::RULE,
    &stop_signal_invalid::RULE,
    &args_escaped_invalid::RULE,
    &resource_field_invalid::RULE,
    &healthcheck_invalid::RULE,
    &rootfs_invalid::RULE,
    &rootfs_type_missing::RULE,
    &rootfs_type_not_layers::RULE,
    &diff_ids_invalid::RULE,
    &diff_id_not_digest::RULE,
    &diff_ids_count_mismatch::RULE,
    &history_invalid::RULE,
    &history_created_invalid::RULE,
    &history_text_invalid::RULE,
    &history_empty_layer_invalid::RULE,
    &history_count_mismatch::RULE,
    &exposed_port_key_invalid::RULE,
];
