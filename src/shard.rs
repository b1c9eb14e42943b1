//! Splitting a layout's work: `--shard I/N` (a disjoint share of the images of `index.json`) and the per-image
//! steps of `--format jsonl`.
//!
//! The walk of the JSON documents stays whole in every shard (manifests and indexes are small, and the walk is what
//! gives every file its place in the report order and the chain of descriptors that first reached it); what is
//! split is the work on them. A [`Scope`] says which files a step owns: their blobs are verified, their documents
//! checked, and only findings located in them are kept. The images of `index.json` are dealt out by position,
//! entry `k` to shard `k mod N` (0-based, as a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` counts), so that
//! the shards are balanced and the same `index.json` always splits the same way. A shard owns every file its images
//! reach; a blob that images of two shards share is verified in both, and `ocicheck merge` keeps one copy of its
//! findings (they are equal: the chain that reaches it comes from the whole walk). The files no image reaches
//! (`oci-layout`, `index.json`, the `blobs/` tree, unreferenced blobs, archive entries) belong to shard 0 alone.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use crate::selection::Shard;
use crate::source::Entry;
use crate::walk::{Graph, Role};

/// One entry of `index.json` and every file it reaches.
#[derive(Debug, Clone)]
pub struct Image {
    /// Its position in `index.json#/manifests`.
    pub position: usize,
    pub digest: Option<String>,
    pub ref_name: Option<String>,
    /// Blob paths it reaches (the manifest, its config and layers, nested indexes and what they reach), in walk
    /// order of the descriptors: the graph's own copies of the paths (a layout of 50,000 blobs would otherwise
    /// hold each path three more times: here, in the plan's set of what every image reaches, and in a run's record
    /// of what was reported).
    pub files: Vec<Arc<str>>,
}

/// The images of a layout and the files they reach.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub images: Vec<Image>,
    /// Every file some image reaches.
    reached: Arc<HashSet<Arc<str>>>,
    /// The documents parsed from each file, by id.
    docs_at: HashMap<Arc<str>, Vec<usize>>,
}

impl Plan {
    /// The images of the graph's `index.json`.
    pub fn of(g: &Graph) -> Plan {
        let Some(root) = g.docs.iter().find(|d| d.is_index_json) else {
            return Plan::default();
        };
        let mut images = Vec::new();
        let mut reached = HashSet::new();
        let entries: Vec<_> = g
            .descs_of(root.id)
            .filter(|d| d.role == Role::IndexEntry)
            .collect();
        for (position, top) in entries.into_iter().enumerate() {
            let mut files = Vec::new();
            let mut seen_files = HashSet::new();
            let mut seen_docs = HashSet::new();
            let mut stack = vec![top];
            while let Some(d) = stack.pop() {
                if let Some(p) = d.blob_path().map(|p| g.shared_path(&p))
                    && seen_files.insert(p.clone())
                {
                    files.push(p);
                }
                if let Some(t) = d.target_doc
                    && seen_docs.insert(t)
                {
                    // Reverse, so that the stack pops them in document order.
                    let held: Vec<_> = g.descs_of(t).collect();
                    stack.extend(held.into_iter().rev());
                }
            }
            reached.extend(files.iter().cloned());
            images.push(Image {
                position,
                digest: top.digest.as_ref().map(ToString::to_string),
                ref_name: top.ref_name().map(str::to_string),
                files,
            });
        }
        let mut docs_at: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
        for d in &g.docs {
            docs_at.entry(d.file.clone()).or_default().push(d.id);
        }
        Plan {
            images,
            reached: Arc::new(reached),
            docs_at,
        }
    }

    /// The scope of one shard: its images, and with shard 0 the layout-level files.
    pub fn shard(&self, g: &Graph, entries: &[Entry], shard: Shard) -> Scope {
        let mine: Vec<&Image> = self
            .images
            .iter()
            .filter(|i| shard.of_entry(i.position) == shard.index)
            .collect();
        let files: HashSet<Arc<str>> = mine.iter().flat_map(|i| i.files.iter().cloned()).collect();
        self.scope(g, entries, files.clone(), files, shard.has_layout())
    }

    /// The scope of one image of a step-by-step run: it verifies every file the image reaches that is not verified
    /// yet, and reports on those no earlier image (`done`) reported on.
    pub fn step(
        &self,
        g: &Graph,
        entries: &[Entry],
        image: &Image,
        done: &HashSet<Arc<str>>,
    ) -> Scope {
        let verify: HashSet<Arc<str>> = image.files.iter().cloned().collect();
        let owned: HashSet<Arc<str>> = image
            .files
            .iter()
            .filter(|f| !done.contains(*f))
            .cloned()
            .collect();
        self.scope(g, entries, owned, verify, false)
    }

    /// The scope of the layout-level files alone (the last step of a step-by-step run).
    pub fn layout(&self, g: &Graph, entries: &[Entry]) -> Scope {
        self.scope(g, entries, HashSet::new(), HashSet::new(), true)
    }

    fn scope(
        &self,
        g: &Graph,
        entries: &[Entry],
        files: HashSet<Arc<str>>,
        verify: HashSet<Arc<str>>,
        layout: bool,
    ) -> Scope {
        let mut s = Scope {
            layout,
            files,
            verify,
            reached: self.reached.clone(),
            docs: Vec::new(),
            entries: Vec::new(),
            blobs: None,
            verify_blobs: None,
        };
        if layout {
            s.docs = g
                .docs
                .iter()
                .filter(|d| s.owns(&d.file))
                .map(|d| d.id)
                .collect();
        } else {
            // An image's few files, looked up: not every document, blob and entry of the layout for each image.
            s.docs = s
                .files
                .iter()
                .flat_map(|f| self.docs_at.get(f).into_iter().flatten().copied())
                .collect();
            s.docs.sort_unstable();
            let mut blobs: Vec<Arc<str>> = s
                .files
                .iter()
                .filter(|f| g.blobs.contains_key(&***f))
                .cloned()
                .collect();
            blobs.sort();
            s.blobs = Some(blobs);
            let mut verify: Vec<Arc<str>> = s
                .verify
                .iter()
                .chain(&s.files)
                .filter(|f| g.blobs.contains_key(&***f))
                .cloned()
                .collect();
            verify.sort();
            verify.dedup();
            s.verify_blobs = Some(verify);
        }
        s.entries = if layout {
            entries
                .iter()
                .filter(|e| s.owns(&e.path))
                .cloned()
                .collect()
        } else {
            // Looked up one by one: an image's few files, not every entry of the layout.
            let mut v: Vec<Entry> = s
                .files
                .iter()
                .filter_map(|f| {
                    entries
                        .binary_search_by(|e| (*e.path).cmp(&**f))
                        .ok()
                        .map(|i| entries[i].clone())
                })
                .collect();
            v.sort_by(|a, b| a.path.cmp(&b.path));
            v
        };
        s
    }
}

/// What one step (a shard, or one image of a step-by-step run) owns.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// It runs the layout-level checks, and owns the files no image reaches.
    pub layout: bool,
    /// Files it owns: findings located in them are its own.
    files: HashSet<Arc<str>>,
    /// Files whose blobs it verifies (those it owns, and the other files its images reach: an image's checks need
    /// all of its layers).
    verify: HashSet<Arc<str>>,
    reached: Arc<HashSet<Arc<str>>>,
    /// The documents it checks, by id (in walk order).
    pub docs: Vec<usize>,
    /// The layout's entries it owns, sorted by path (what layout-level rules see; `run_checks` takes them).
    pub entries: Vec<Entry>,
    /// The blobs it owns, sorted by path, when it is not the layout's step (`None`: look through all).
    pub blobs: Option<Vec<Arc<str>>>,
    /// The blobs it verifies, sorted, when it is not the layout's step (`None`: look through all).
    pub verify_blobs: Option<Vec<Arc<str>>>,
}

impl Scope {
    /// Whether findings located in `file` are this step's.
    pub fn owns(&self, file: &str) -> bool {
        self.files.contains(file) || (self.layout && !self.reached.contains(file))
    }

    /// Whether this step reads and verifies the blob at `path`.
    pub fn verifies(&self, path: &str) -> bool {
        self.verify.contains(path) || self.owns(path)
    }
}

/// The position in `index.json#/manifests` of the entry at the head of a via chain.
pub fn entry_position(via: &[String]) -> Option<usize> {
    via.first()?
        .strip_prefix("index.json#/manifests/")?
        .parse()
        .ok()
}

/// The rank of each file in the report order (the walk's), for `ocicheck merge`: only the files given.
pub fn ranks<'a>(g: &Graph, files: impl IntoIterator<Item = &'a str>) -> HashMap<String, usize> {
    files
        .into_iter()
        .filter_map(|f| g.rank(f).map(|r| (f.to_string(), r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_zero_based() {
        assert_eq!("0/3".parse::<Shard>(), Ok(Shard { index: 0, count: 3 }));
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn entries_are_dealt_round_robin() {
        let s = Shard { index: 1, count: 3 };
        let mine: Vec<usize> = (0..9).filter(|&k| s.of_entry(k) == s.index).collect();
        assert_eq!(mine, vec![1, 4, 7]);
    }
}
