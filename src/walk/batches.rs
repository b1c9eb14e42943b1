//! A layout's walk a batch of `index.json`'s entries at a time ([`Batches`]), and what it keeps of the batches
//! done ([`Earlier`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::{Blob, DescOcc, DocKind, Graph, Role, Walker, listed_blobs, walker};
use crate::Options;
use crate::digest::Digest;
use crate::source::{FileTree, Source};

/// A layout's walk a batch of `index.json`'s entries at a time, each batch's records dropped once its checks are
/// done, so that what is held does not grow with the number of images: [`Batches::next`] follows the next entries
/// with everything they reach (the graph then holds the root documents, `index.json`'s descriptors, and what the
/// batch recorded), [`Batches::retire`] drops the batch's records and keeps of its files their place in the report
/// order ([`Graph::earlier`]), and [`Batches::rest`] gives the graph of what no batch reached (the listed blobs
/// no descriptor points at), for the layout-level checks.
///
/// A file that two batches reach is recorded and read again by the second (a layer's facts, for its images' rules),
/// not checked again: the first batch that met it checked it, and found it by the chain that first reached it.
pub(crate) struct Batches<'a> {
    w: Walker<'a>,
    /// `index.json`'s descriptors taken up so far (its entries, then its `subject`), and how many it has: they
    /// are recorded a batch at a time, read again from its bytes (which the walk keeps), so that the records of
    /// 10,000 entries (400 bytes each) are not held for the whole run.
    taken: usize,
    count: usize,
}

impl<'a> Batches<'a> {
    /// Read the layout's root documents (calling `roots` then, as [`walk_layout_checking_roots`] does) and record
    /// `index.json`'s descriptors; nothing they name is followed yet.
    pub(crate) fn start(
        src: &'a dyn Source,
        tree: &dyn FileTree,
        opts: &'a Options,
        roots: &mut dyn FnMut(&Graph),
    ) -> Batches<'a> {
        let mut w = walker(src, opts, None);
        w.batched = true;
        w.start_at_layout(tree, Some(roots));
        let blobs = tree
            .entries()
            .iter()
            .filter(|e| e.path.starts_with("blobs/"))
            .count();
        w.g.earlier.reserve(blobs);
        // The walk recorded where `index.json`'s descriptors are, not the descriptors: each batch records its own.
        let count =
            w.g.entry_offsets
                .as_ref()
                .map_or(0, |o| o.manifests.len() + usize::from(o.subject.is_some()));
        Batches { w, taken: 0, count }
    }

    /// Follow the next `n` descriptors of `index.json` and everything they reach; `false` when none was left.
    pub(crate) fn next(&mut self, n: usize) -> bool {
        let (docs_from, descs_from) = (self.w.g.docs.len(), self.w.g.descs.len());
        let mut entries: Option<std::ops::Range<u32>> = None;
        let mut subject = false;
        let mut taken = 0;
        while taken < n {
            let Some(id) = self.take_index_desc() else {
                break;
            };
            taken += 1;
            match self.w.g.descs.get(id).and_then(DescOcc::entry_position) {
                Some(p) => {
                    let r = entries.get_or_insert(p..p);
                    r.end = p.saturating_add(1);
                }
                None => subject = true,
            }
            self.w.queue.push_back(id);
            self.w.untaken = self.count - self.taken;
            self.w.run_with(false);
        }
        if taken == 0 {
            return false;
        }
        let all: Vec<usize> = (docs_from..self.w.g.docs.len()).collect();
        self.w.g.unload(&all, self.w.opts);
        self.w.g.batch = Some(Batch {
            entries: entries.unwrap_or(0..0),
            subject,
            docs_from,
            descs_from,
        });
        true
    }

    /// Record the next of `index.json`'s descriptors, read where it sits in its bytes: its id (`None` when all
    /// are taken).
    fn take_index_desc(&mut self) -> Option<usize> {
        if self.count == 0 {
            // No `manifests` array to record a batch at a time: what the walk recorded (a `subject`).
            return self.w.entries.pop_front();
        }
        while self.taken < self.count {
            let k = self.taken;
            self.taken += 1;
            let g = &self.w.g;
            let o = g.entry_offsets.as_ref()?;
            let doc = g.docs.get(o.doc)?;
            let (position, offset, depth, role) = match o.manifests.get(k) {
                Some(&at) => (u32::try_from(k).ok()?, at, 2, Role::IndexEntry),
                None => (0, o.subject?, 1, Role::Subject),
            };
            // The walk parsed the same bytes whole, so the value parses again; what is not an object is no
            // descriptor (its schema says so), as when the walk recorded them.
            let Some((v, _)) =
                crate::json::parse_value_at(doc.bytes(), offset, depth, doc.facts.values.max(1))
            else {
                continue;
            };
            if v.as_object().is_none() {
                continue;
            }
            let facts = super::DescFacts::of(&v, role);
            let holder = o.doc;
            return Some(self.w.push_desc(holder, position, facts, role));
        }
        None
    }

    /// The graph, with the root documents and the current batch's records.
    pub(crate) fn graph(&mut self) -> &mut Graph {
        &mut self.w.g
    }

    /// Drop the current batch's records, keeping of the files it met first their place in the report order.
    pub(crate) fn retire(&mut self) {
        let Some(batch) = self.w.g.batch.take() else {
            return;
        };
        let g = &mut self.w.g;
        let mut earlier = std::mem::take(&mut g.earlier);
        earlier.remember(g);
        g.earlier = earlier;
        // What the layer pass kept goes back to the memory budget.
        let paths: Vec<Arc<str>> = g.blobs.keys().cloned().collect();
        g.release_layers(paths.iter().map(|p| &**p));
        g.blobs.clear();
        // The bytes of each document stay reserved while it is recorded (see `Doc::unload`).
        let memory = self.w.opts.budget();
        for d in g.docs.iter_mut().skip(batch.docs_from) {
            d.unload(&memory);
            if d.sum.is_some() {
                memory.release(crate::memory::Use::Json, d.len as u64);
            }
        }
        g.docs.truncate(batch.docs_from);
        g.descs.truncate(batch.descs_from);
        for d in &mut g.descs {
            d.target_doc = d.target_doc.filter(|&t| t < batch.docs_from);
        }
        self.w.visited.retain(|_, &mut doc| doc < batch.docs_from);
        g.by_doc = std::sync::OnceLock::new();
        if let Ok(mut stacks) = g.layer_stacks.lock() {
            *stacks = crate::layer::Stacks::default();
        }
        // Reported with the batch (its layout-level rules, its list of what was not validated).
        g.released_gaps.clear();
        g.oversized.clear();
        g.over_budget.clear();
    }

    /// The graph of what no batch reached: a record for each listed blob no batch met, in the report order after
    /// all the others (by path, as a layout walked whole puts its unreferenced blobs).
    pub(crate) fn rest(mut self) -> Graph {
        self.retire();
        if let Some(tree) = self.w.src.tree() {
            let earlier = &self.w.g.earlier;
            let mut listed = listed_blobs(tree, |p| !earlier.contains(p));
            self.w.g.blobs.append(&mut listed);
        }
        // And one for each blob a batch found missing, for the rules about missing blobs (they run once every
        // batch has said what names it: see [`Graph::first_ref`]).
        let missing: Vec<Blob> = self
            .w
            .g
            .earlier
            .missing
            .keys()
            .map(|p| Blob {
                path: p.clone(),
                digest: Digest::of_blob_path(p),
                ..Blob::default()
            })
            .collect();
        for b in missing {
            self.w.g.insert_blob(b);
        }
        let paths: Vec<Arc<str>> = self.w.g.blobs.keys().cloned().collect();
        for p in paths {
            self.w.g.note_file(&p);
        }
        self.w.g
    }
}

/// What a walk in batches keeps of the files its earlier batches met ([`Graph::earlier`]): per file (the
/// listing's copy of its path) its place in the report order and the descriptor that first reached it, in 12
/// bytes; the files that hold those descriptors once each; and of the blobs that are not there, what names them.
#[derive(Debug, Default)]
pub(crate) struct Earlier {
    files: HashMap<Arc<str>, Met>,
    /// The files holding the descriptors that first reached the others (`Met::from` indexes this).
    holders: Vec<Arc<str>>,
    /// Of the blobs that are not there: the first descriptor of each [`RefKind`] that names them (what the rules
    /// about missing blobs say, once every batch is done).
    missing: HashMap<Arc<str>, [Option<Named>; 2]>,
}

/// A descriptor that names a blob: the file that holds it, and where it sits there.
type Named = (Arc<str>, Step);

/// A file an earlier batch met.
#[derive(Debug, Clone, Copy)]
struct Met {
    /// Its place in the report order.
    rank: u32,
    /// Of the descriptor that first reached it: the file that holds it (in [`Earlier::holders`]; `u32::MAX`: no
    /// descriptor reached it) and where it sits there.
    from: u32,
    step: Step,
}

impl Earlier {
    pub(crate) fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub(crate) fn contains(&self, file: &str) -> bool {
        self.files.contains_key(file)
    }

    pub(crate) fn rank(&self, file: &str) -> Option<usize> {
        self.files.get(file).map(|m| m.rank as usize)
    }

    /// Room for `n` files at once (a layout's blobs: the table does not grow, and so never holds two copies of
    /// itself, while the batches go).
    pub(crate) fn reserve(&mut self, n: usize) {
        self.files.reserve(n);
    }

    /// The via chain of `file`: that of the descriptor that first reached it.
    pub(crate) fn via(&self, file: &str) -> Vec<String> {
        let mut steps = Vec::new();
        let mut at = self.files.get(file);
        while let Some(m) = at.filter(|_| steps.len() <= self.files.len()) {
            let Some(holder) = self.holders.get(m.from as usize) else {
                break;
            };
            steps.push(format!("{holder}#{}", m.step.pointer()));
            at = self.files.get(&**holder);
        }
        steps.reverse();
        steps
    }

    /// What an earlier batch found names the missing blob at `path`, of `kind`.
    fn missing_ref(&self, path: &str, kind: RefKind) -> Option<Named> {
        self.missing.get(path)?[kind as usize].clone()
    }

    /// Keep what later batches need of the current batch's files (those it met first), and of the missing
    /// blobs it met, what names them.
    fn remember(&mut self, g: &Graph) {
        // Holders by address: each batch's documents share their file's one copy.
        let mut holder_ids: HashMap<*const u8, u32> = HashMap::new();
        for (path, b) in &g.blobs {
            if b.entry.is_none() {
                let found = [RefKind::NotSubject, RefKind::PartOfImage].map(|k| g.live_ref(b, k));
                let slot = self.missing.entry(path.clone()).or_default();
                for (o, n) in slot.iter_mut().zip(found) {
                    if o.is_none() {
                        *o = n;
                    }
                }
            }
            if b.rank == 0 || self.files.contains_key(&**path) {
                continue;
            }
            let first = b.refs.first().and_then(|&r| {
                let d = g.descs.get(r)?;
                Some((g.docs.get(d.doc)?.file.clone(), Step::of(d)))
            });
            let (from, step) = match first {
                Some((holder, step)) => {
                    let next = u32::try_from(self.holders.len()).unwrap_or(u32::MAX);
                    let id = *holder_ids
                        .entry(Arc::as_ptr(&holder).cast::<u8>())
                        .or_insert_with(|| {
                            self.holders.push(holder.clone());
                            next
                        });
                    (id, step)
                }
                None => (u32::MAX, Step(0)),
            };
            self.files.insert(
                path.clone(),
                Met {
                    rank: b.rank - 1,
                    from,
                    step,
                },
            );
        }
    }
}

impl Graph {
    /// Whether an earlier batch of the walk met `file` ([`Graph::earlier`]).
    pub(crate) fn met_earlier(&self, file: &str) -> bool {
        !self.earlier.is_empty() && self.earlier.contains(file)
    }

    /// Whether an earlier batch of the walk met any file.
    pub(crate) fn met_earlier_any(&self) -> bool {
        !self.earlier.is_empty()
    }

    /// The first of `b`'s descriptors in this graph that `kind` accepts.
    fn live_ref(&self, b: &Blob, kind: RefKind) -> Option<Named> {
        b.refs.iter().find_map(|&r| {
            let d = self.descs.get(r)?;
            let holder = self.docs.get(d.doc)?;
            kind.accepts(d.role, holder.kind)
                .then(|| (holder.file.clone(), Step::of(d)))
        })
    }

    /// The first descriptor (in walk order) that points at `b` and that `kind` accepts: of a layout walked in
    /// batches, also one an earlier batch recorded.
    pub fn first_ref(&self, b: &Blob, kind: RefKind) -> Option<RefAt> {
        let (file, step) = self
            .earlier
            .missing_ref(&b.path, kind)
            .or_else(|| self.live_ref(b, kind))?;
        Some(RefAt {
            file,
            role: step.role(),
            pointer: step.pointer(),
        })
    }
}

/// Which descriptors pointing at a blob [`Graph::first_ref`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// Any but a `subject`.
    NotSubject = 0,
    /// The `config` or a layer of an image manifest: the blob is part of an image.
    PartOfImage = 1,
}

impl RefKind {
    pub(super) fn accepts(self, role: Role, holder: DocKind) -> bool {
        match self {
            RefKind::NotSubject => role != Role::Subject,
            RefKind::PartOfImage => {
                matches!(role, Role::Config | Role::Layer(_)) && holder == DocKind::Manifest
            }
        }
    }
}

/// A descriptor that points at a blob, as the rules about missing blobs name it.
#[derive(Debug, Clone)]
pub struct RefAt {
    /// The document that holds it.
    pub file: Arc<str>,
    pub role: Role,
    /// Where it sits in that document.
    pub pointer: String,
}

/// Where a descriptor sits in its document, in four bytes: its [`Role`] and position.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step(u32);

impl Step {
    const INDEX: u32 = 4;
    pub(super) fn of(d: &DescOcc) -> Step {
        let n = |i: u32| i.min((1 << 29) - 1) << 3;
        Step(match d.role {
            Role::Config => 0,
            Role::Subject => 1,
            Role::Root => 2,
            Role::Layer(i) => 3 | n(u32::try_from(i).unwrap_or(u32::MAX)),
            Role::IndexEntry => Step::INDEX | n(d.position),
        })
    }

    fn role(self) -> Role {
        match self.0 & 7 {
            0 => Role::Config,
            1 => Role::Subject,
            3 => Role::Layer((self.0 >> 3) as usize),
            Step::INDEX => Role::IndexEntry,
            _ => Role::Root,
        }
    }

    fn pointer(self) -> String {
        let n = self.0 >> 3;
        match self.0 & 7 {
            0 => "/config".to_string(),
            1 => "/subject".to_string(),
            3 => format!("/layers/{n}"),
            Step::INDEX => format!("/manifests/{n}"),
            _ => String::new(),
        }
    }
}

/// The part of a layout's walk whose records a [`Graph`] holds, when the walk goes a batch of `index.json`'s entries
/// at a time ([`Batches`]).
#[derive(Debug, Clone)]
pub struct Batch {
    /// The positions in `manifests` of the entries it followed.
    pub entries: std::ops::Range<u32>,
    /// It also followed `index.json`'s `subject` (the last batch does).
    pub subject: bool,
    /// The first document and descriptor it recorded: those before are the root documents and `index.json`'s
    /// descriptors, kept for the whole run.
    pub docs_from: usize,
    pub descs_from: usize,
}
