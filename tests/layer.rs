//! The layer rules against the clause inventory: every clause of layer.md a validator can check (`static` or
//! `partial` in `clauses.tsv`) is cited by a rule, and that rule has a case in the corpus that expects it.

use std::collections::{BTreeMap, BTreeSet};

use ocicheck::{clauses, corpus, rules};

#[test]
fn every_checkable_layer_clause_is_cited_by_a_rule_with_a_failing_case() {
    let cases = corpus::load_all(&corpus::root()).unwrap_or_else(|e| panic!("corpus: {e}"));
    let expected: BTreeSet<&str> = cases
        .iter()
        .filter(|c| !c.id.starts_with("valid/"))
        .flat_map(|c| c.file.expect.iter().map(String::as_str))
        .collect();
    let mut citing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in rules::all() {
        for c in r.clauses {
            citing.entry(c).or_default().push(r.code);
        }
    }
    let mut missing = Vec::new();
    for c in clauses::all()
        .iter()
        .filter(|c| c.doc == "layer.md" && matches!(c.checkable, "static" | "partial"))
    {
        let rules = citing.get(c.id).cloned().unwrap_or_default();
        if !rules.iter().any(|code| expected.contains(code)) {
            missing.push(format!("{} (cited by {rules:?})", c.id));
        }
    }
    assert!(
        missing.is_empty(),
        "layer.md clauses without a rule that has a failing case: {missing:?}"
    );
}

/// A wrong DiffID is reported for gzip, zstd and uncompressed layers alike.
#[test]
fn diff_id_mismatch_has_a_case_per_compression() {
    let cases = corpus::load_all(&corpus::root()).unwrap_or_else(|e| panic!("corpus: {e}"));
    for suffix in ["gzip", "zstd", "uncompressed"] {
        let id = format!("layer/LYR007-diff-id-mismatch-{suffix}");
        let case = cases
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no case {id}"));
        assert_eq!(case.file.expect, vec!["LYR007".to_string()], "{id}");
    }
}
