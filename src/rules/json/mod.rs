//! JSON rules (considerations.md) that apply to every `+json` document.

use crate::rule::Rule;

pub mod document_not_object;
pub mod document_too_large;
pub mod duplicate_name;
pub mod duplicate_name_ambiguous;
pub mod invalid_utf8;
pub mod not_canonical;
pub mod number_not_double;
pub mod string_not_ijson;
pub mod syntax_error;

pub const RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &invalid_utf8::RULE,
    &duplicate_name::RULE,
    &number_not_double::RULE,
    &string_not_ijson::RULE,
    &not_canonical::RULE,
    &document_too_large::RULE,
    &document_not_object::RULE,
    &duplicate_name_ambiguous::RULE,
];
