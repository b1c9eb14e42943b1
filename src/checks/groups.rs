//! How a run's documents are cut into groups checked one at a time (and `index.json`'s descriptors, when it is
//! checked in parts), and in which group each blob is reached for the last time.

use super::Parts;
use crate::walk::{self, Graph};

/// The group in which each blob is reached for the last time.
pub(super) struct Lifetimes {
    /// Each document's group (`u32::MAX`: in none).
    group_of: Vec<u32>,
    /// Of `index.json` checked in parts: its id, the group of its first entries checked (the others follow, one
    /// group per [`GROUP_DOCS`] entries) and the position of the first of those entries.
    parts: Option<(usize, usize, u32)>,
}

impl Lifetimes {
    pub(super) fn of(graph: &Graph, groups: &[Group]) -> Lifetimes {
        let mut group_of = vec![u32::MAX; graph.docs.len()];
        let mut parts = None;
        for (gi, g) in groups.iter().enumerate() {
            for &d in &g.docs {
                if let Some(slot) = group_of.get_mut(d) {
                    *slot = u32::try_from(gi).unwrap_or(u32::MAX);
                }
            }
            if let Some(r) = &g.entries
                && parts.is_none()
            {
                parts = graph.parts_of_index_json().map(|(d, _)| (d, gi, r.start));
            }
        }
        Lifetimes { group_of, parts }
    }

    /// The group that checks a descriptor.
    fn group_of(&self, d: &walk::DescOcc) -> u32 {
        match self.parts {
            Some((doc, first, start)) if d.doc == doc => {
                // `subject` goes with the first group.
                let k =
                    d.entry_position().map_or(0, |p| p.saturating_sub(start)) as usize / GROUP_DOCS;
                u32::try_from(first + k).unwrap_or(u32::MAX)
            }
            _ => self.group_of.get(d.doc).copied().unwrap_or(u32::MAX),
        }
    }

    /// The blobs the descriptors `descs` of group `gi` point at (sorted), and of those the ones no later group
    /// points at.
    pub(super) fn blobs(
        &self,
        graph: &Graph,
        descs: &[usize],
        gi: usize,
    ) -> (Vec<std::sync::Arc<str>>, Vec<std::sync::Arc<str>>) {
        let mut reached: Vec<std::sync::Arc<str>> = descs
            .iter()
            .filter_map(|&i| graph.descs.get(i))
            .filter_map(|d| d.blob_path())
            .filter_map(|p| {
                graph
                    .blobs
                    .get_key_value(p.as_str())
                    .map(|(k, _)| k.clone())
            })
            .collect();
        reached.sort_unstable();
        reached.dedup();
        let last = reached
            .iter()
            .filter(|p| {
                // No later group reaches it. Looked for from the last reference back: references are in walk
                // order, as groups are, so for a blob that 200,000 entries name this stops at once in every group
                // but the last (a scan of every reference in every group was quadratic).
                graph.blobs.get(&***p).is_some_and(|b| {
                    !b.refs
                        .iter()
                        .rev()
                        .filter_map(|&r| graph.descs.get(r))
                        .map(|d| self.group_of(d))
                        .any(|g| g != u32::MAX && g as usize > gi)
                })
            })
            .cloned()
            .collect();
        (reached, last)
    }
}

/// At most this many documents, or this many bytes of them, are checked together (and parsed at once, with what
/// their checks read).
const GROUP_DOCS: usize = 64;
const GROUP_BYTES: usize = 4 << 20;

/// The descriptors of `index.json` checked in parts: the entries of `manifests` by position (in walk order, so
/// sorted), and the others (`subject`).
#[derive(Default)]
pub(super) struct IndexDescs {
    entries: Vec<(u32, usize)>,
    others: Vec<usize>,
}

impl IndexDescs {
    pub(super) fn of(graph: &Graph, doc: Option<usize>) -> IndexDescs {
        let mut d = IndexDescs::default();
        for x in doc.into_iter().flat_map(|doc| graph.descs_of(doc)) {
            match x.entry_position() {
                Some(k) => d.entries.push((k, x.id)),
                None => d.others.push(x.id),
            }
        }
        debug_assert!(d.entries.windows(2).all(|w| w[0].0 < w[1].0));
        d
    }

    /// Those a group of entries checks: found by position, not by a scan of every entry for each group (an
    /// `index.json` of a million entries has 15,625 groups); with `subject`, `subject` too.
    pub(super) fn of_entries(&self, range: &std::ops::Range<u32>, subject: bool) -> Vec<usize> {
        let at = |k: u32| self.entries.partition_point(|(p, _)| *p < k);
        let mut ids: Vec<usize> = self.entries[at(range.start)..at(range.end)]
            .iter()
            .map(|(_, i)| *i)
            .collect();
        if subject {
            ids.extend(self.others.iter().copied());
        }
        ids
    }
}

/// What one step of the checks takes at once.
#[derive(Debug, Default)]
pub(super) struct Group {
    /// Documents, with their descriptors.
    pub(super) docs: Vec<usize>,
    /// Or entries of `index.json`'s `manifests` (by position), when it is checked in parts.
    pub(super) entries: Option<std::ops::Range<u32>>,
    /// With those entries, `index.json`'s `subject` (the first group of entries that has it to check).
    pub(super) subject: bool,
}

/// The documents to check, in order, cut into groups: consecutive in walk order (in a layout an image's manifest
/// and config, then the next image's), so that what is parsed at once stays small however many images there are.
/// Documents of an input that is no layout are all resident: one group. `index.json` checked in parts
/// (`in_parts`) gives a group of descriptors per [`GROUP_DOCS`] of the entries it checks, in its place (first, when
/// it is not among `docs`: a batch of a layout walked in batches).
pub(super) fn doc_groups(graph: &Graph, docs: &[usize], in_parts: Option<&Parts>) -> Vec<Group> {
    if !graph.flat {
        return vec![Group {
            docs: docs.to_vec(),
            ..Group::default()
        }];
    }
    let mut groups = Vec::new();
    let mut group = Vec::new();
    let mut bytes = 0usize;
    let parts_here = in_parts.filter(|p| docs.contains(&p.doc));
    if let Some(p) = in_parts.filter(|_| parts_here.is_none()) {
        part_groups(p, &mut groups);
    }
    for &d in docs {
        if let Some(p) = parts_here.filter(|p| p.doc == d) {
            if !group.is_empty() {
                groups.push(Group {
                    docs: std::mem::take(&mut group),
                    ..Group::default()
                });
                bytes = 0;
            }
            part_groups(p, &mut groups);
            continue;
        }
        bytes = bytes.saturating_add(graph.docs[d].len);
        group.push(d);
        if group.len() >= GROUP_DOCS || bytes >= GROUP_BYTES {
            groups.push(Group {
                docs: std::mem::take(&mut group),
                ..Group::default()
            });
            bytes = 0;
        }
    }
    if !group.is_empty() {
        groups.push(Group {
            docs: group,
            ..Group::default()
        });
    }
    groups
}

/// The groups of `index.json`'s descriptors checked in parts: one per [`GROUP_DOCS`] entries, at least one; the
/// first also checks `subject` when the parts include it.
fn part_groups(p: &Parts, groups: &mut Vec<Group>) {
    let step = GROUP_DOCS as u32;
    let mut start = p.entries.start;
    let mut subject = p.subject;
    loop {
        let end = start.saturating_add(step).min(p.entries.end.max(start));
        groups.push(Group {
            docs: Vec::new(),
            entries: Some(start..end),
            subject: std::mem::take(&mut subject),
        });
        if end >= p.entries.end {
            break;
        }
        start = end;
    }
}
