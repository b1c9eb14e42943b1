//! The clause inventories (ids, sections and keywords of every normative sentence), embedded from
//! `src/clauses.tsv` (the image spec: `manifest-012` …) and `src/dist_clauses.tsv` (the distribution spec v1.1.1:
//! `dist-036` …, for what a registry serves), which `scripts/sync-shared.sh` derives from the shared spec folder.

use std::sync::OnceLock;

use crate::spec::Spec;

/// Which spec a clause belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inventory {
    /// The OCI Image Format Specification (`clauses.tsv`).
    Image,
    /// The OCI Distribution Specification v1.1.1 (`dist_clauses.tsv`, ids `dist-NNN`).
    Distribution,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub id: &'static str,
    pub doc: &'static str,
    pub section: &'static str,
    pub keyword: &'static str,
    pub subject: &'static str,
    /// `static`, `partial`, `no` or `informative`.
    pub checkable: &'static str,
    /// `v1.1.1+main`, `v1.1.1` or `main`: versions of the image spec; for the distribution spec always `v1.1.1`
    /// (of that spec, whatever `--spec` says of the image spec).
    pub versions: &'static str,
    pub inventory: Inventory,
}

const TABLE: &str = include_str!("clauses.tsv");
const DIST_TABLE: &str = include_str!("dist_clauses.tsv");

/// The distribution spec version the `dist-` clauses and their links are of.
pub const DISTRIBUTION_VERSION: &str = "v1.1.1";

fn parse(table: &'static str, inventory: Inventory) -> Vec<Clause> {
    table
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
                inventory,
            })
        })
        .collect()
}

/// The image-spec clauses.
pub fn all() -> &'static [Clause] {
    static CLAUSES: OnceLock<Vec<Clause>> = OnceLock::new();
    CLAUSES.get_or_init(|| parse(TABLE, Inventory::Image))
}

/// The distribution-spec clauses (`dist-001` …).
pub fn distribution() -> &'static [Clause] {
    static CLAUSES: OnceLock<Vec<Clause>> = OnceLock::new();
    CLAUSES.get_or_init(|| parse(DIST_TABLE, Inventory::Distribution))
}

/// A clause of either inventory by id.
pub fn lookup(id: &str) -> Option<&'static Clause> {
    let table = if id.starts_with("dist-") {
        distribution()
    } else {
        all()
    };
    table.iter().find(|c| c.id == id)
}

/// The spec section of a clause, in the given image-spec version (the spec's front page for an unknown id). A
/// distribution clause links to the distribution spec's own version, whatever `spec` is.
pub fn spec_url(clause: &str, spec: Spec) -> String {
    let c = lookup(clause);
    let (doc, section) = c.map_or(("spec.md", ""), |c| (c.doc, c.section));
    match c.map(|c| c.inventory) {
        Some(Inventory::Distribution) => {
            link("distribution-spec", DISTRIBUTION_VERSION, doc, section)
        }
        _ => section_url(doc, section, spec),
    }
}

/// The link to a section (`anchor`, or the whole document when empty) of an image-spec document.
pub fn section_url(doc: &str, section: &str, spec: Spec) -> String {
    link("image-spec", spec.as_str(), doc, section)
}

fn link(repo: &str, tag: &str, doc: &str, section: &str) -> String {
    if section.is_empty() {
        format!("https://github.com/opencontainers/{repo}/blob/{tag}/{doc}")
    } else {
        format!("https://github.com/opencontainers/{repo}/blob/{tag}/{doc}#{section}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_inventories_are_embedded_and_linked() {
        assert!(all().len() > 250 && distribution().len() > 150);
        let d = lookup("dist-036").map(|c| (c.keyword, c.checkable, c.inventory));
        assert_eq!(d, Some(("MUST", "static", Inventory::Distribution)));
        assert_eq!(
            spec_url("dist-036", Spec::Main),
            "https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-blobs"
        );
        assert_eq!(
            spec_url("manifest-002", Spec::Main).split("/blob/").nth(1),
            Some("main/manifest.md#image-manifest-property-descriptions")
        );
    }
}
