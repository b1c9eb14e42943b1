//! The clause inventory (ids, sections and keywords of every normative sentence of the spec), embedded from
//! `src/clauses.tsv`, which `scripts/sync-shared.sh` derives from the shared spec folder's `clauses.tsv`.

use std::sync::OnceLock;

use crate::spec::Spec;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub id: &'static str,
    pub doc: &'static str,
    pub section: &'static str,
    pub keyword: &'static str,
    pub subject: &'static str,
    /// `static`, `partial`, `no` or `informative`.
    pub checkable: &'static str,
    /// `v1.1.1+main`, `v1.1.1` or `main`.
    pub versions: &'static str,
}

const TABLE: &str = include_str!("clauses.tsv");

pub fn all() -> &'static [Clause] {
    static CLAUSES: OnceLock<Vec<Clause>> = OnceLock::new();
    CLAUSES.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("id\t") && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some(Clause {
                    id: f.next()?,
                    doc: f.next()?,
                    section: f.next()?,
                    keyword: f.next()?,
                    subject: f.next()?,
                    checkable: f.next()?,
                    versions: f.next()?,
                })
            })
            .collect()
    })
}

pub fn lookup(id: &str) -> Option<&'static Clause> {
    all().iter().find(|c| c.id == id)
}

/// The spec section of a clause, in the given spec version (the spec's front page for an unknown id).
pub fn spec_url(clause: &str, spec: Spec) -> String {
    let (doc, section) = lookup(clause).map_or(("spec.md", ""), |c| (c.doc, c.section));
    section_url(doc, section, spec)
}

/// The link to a section (`anchor`, or the whole document when empty) of a spec document.
pub fn section_url(doc: &str, section: &str, spec: Spec) -> String {
    let tag = spec.as_str();
    if section.is_empty() {
        format!("https://github.com/opencontainers/image-spec/blob/{tag}/{doc}")
    } else {
        format!("https://github.com/opencontainers/image-spec/blob/{tag}/{doc}#{section}")
    }
}
