//! The rule catalogue, one file per rule, grouped by spec document.
//!
//! Adding a rule: write its file in the group's folder (copy a neighbour), add one line to the group's `RULES`, add
//! a conformance case that expects its code. Codes are never reused or renumbered.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::rule::Rule;

pub mod annotation;
pub mod archive;
pub mod config;
pub mod descriptor;
pub mod index;
pub mod json;
pub mod layer;
pub mod layout;
pub mod manifest;
pub mod registry;

/// Every group, in catalogue order.
pub const GROUPS: &[(&str, &[&Rule])] = &[
    ("LAY", layout::RULES),
    ("DSC", descriptor::RULES),
    ("MAN", manifest::RULES),
    ("IDX", index::RULES),
    ("CFG", config::RULES),
    ("LYR", layer::RULES),
    ("ANN", annotation::RULES),
    ("JSN", json::RULES),
    ("ARC", archive::RULES),
    ("REG", registry::RULES),
];

/// The rules that report limits: what a limit kept from being checked (`Out::limit`), which makes a report
/// incomplete. They run even past the run's deadline (they only read what the walk recorded, once), so that an
/// incomplete report names every limit it hit. ARC005 and LAY012 report defects too; the others only limits.
pub const LIMIT_RULES: &[&Rule] = &[
    &json::document_too_large::RULE,
    &layer::decompression_limit::RULE,
    &layout::layout_unreadable::RULE,
    &layout::blob_time_limit::RULE,
    &layout::run_time_limit::RULE,
    &archive::stream_corrupt::RULE,
];

/// Whether a rule may report a limit (see [`LIMIT_RULES`]).
pub fn reports_limits(code: &str) -> bool {
    LIMIT_RULES.iter().any(|r| r.code == code)
}

/// Every rule, sorted by code.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    static SORTED: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    SORTED
        .get_or_init(|| {
            let mut v: Vec<&'static Rule> =
                GROUPS.iter().flat_map(|(_, r)| r.iter().copied()).collect();
            v.sort_by_key(|r| r.code);
            v
        })
        .iter()
        .copied()
}

pub fn by_code(code: &str) -> Option<&'static Rule> {
    let up = code.to_ascii_uppercase();
    all().find(|r| r.code == up || r.name == code)
}

/// Schema keyword location → owning rule.
pub fn schema_owners() -> &'static HashMap<&'static str, &'static Rule> {
    static OWNERS: OnceLock<HashMap<&'static str, &'static Rule>> = OnceLock::new();
    OWNERS.get_or_init(|| {
        let mut m = HashMap::new();
        for r in all() {
            for loc in r.schema {
                m.insert(*loc, r);
            }
        }
        m
    })
}
