//! Descriptor rules (descriptor.md), applied to every descriptor wherever it appears: index entries, `config`,
//! `layers`, `subject`, and single descriptor documents.

use crate::rule::Rule;

pub mod artifact_type_invalid;
pub mod data_mismatch;
pub mod data_not_base64;
pub mod digest_algorithm_not_sha256;
pub mod digest_blake3_encoding_invalid;
pub mod digest_encoding_invalid;
pub mod digest_invalid;
pub mod digest_missing;
pub mod embedded_data_not_portable;
pub mod media_type_invalid;
pub mod media_type_mismatch;
pub mod media_type_missing;
pub mod platform_missing;
pub mod size_mismatch;
pub mod size_missing;
pub mod size_negative;
pub mod size_not_int64;
pub mod url_not_uri;
pub mod url_scheme_not_http;
pub mod urls_invalid;

pub const RULES: &[&Rule] = &[
    &media_type_missing::RULE,
    &media_type_invalid::RULE,
    &digest_missing::RULE,
    &digest_invalid::RULE,
    &digest_encoding_invalid::RULE,
    &digest_blake3_encoding_invalid::RULE,
    &size_missing::RULE,
    &size_not_int64::RULE,
    &size_negative::RULE,
    &size_mismatch::RULE,
    &urls_invalid::RULE,
    &url_not_uri::RULE,
    &url_scheme_not_http::RULE,
    &data_not_base64::RULE,
    &data_mismatch::RULE,
    &artifact_type_invalid::RULE,
    &media_type_mismatch::RULE,
    &digest_algorithm_not_sha256::RULE,
    &embedded_data_not_portable::RULE,
    &platform_missing::RULE,
];
