//! What the images of one catalogue run (`docker://HOST`, see `crate::catalog`) share: the blobs already verified,
//! so that each is fetched once per run however many images and repositories reference it.
//!
//! In a registry a digest names the same content in every repository (the storage is content-addressed; a
//! repository only links to it), so what verifying a blob found holds wherever the blob is referenced. Only blobs
//! that verified cleanly are kept (their content matched their digest, nothing stopped the read): one that failed
//! is fetched again in each repository, where it may be served differently. A blob is still asked for with a
//! `HEAD` in every repository that references it: the registry may have the content without the repository
//! linking to it, and then that repository's pull fails (LAY009 / REG007 say so).
//!
//! Two kinds of entries, both bounded (so that a catalogue of 10,000 images holds no more of them than one of
//! 2,000: most blobs of a catalogue are met once, its shared base layers again and again):
//! - small JSON documents (configs, manifests an index reaches), up to [`MAX_JSON_BYTES`] of bodies and
//!   [`MAX_ENTRIES`] documents, oldest dropped first; a manifest named by a tag is always fetched (the tag may have
//!   moved);
//! - verified blobs: their size and, for layers, what the layer pass found (entry lists, DiffIDs), keyed by the
//!   digest and how the descriptors read it (media types, DiffID algorithms: the same bytes read as gzip and as
//!   zstd are two entries). Up to [`MAX_ENTRIES`] blobs, and entry lists up to a quarter of the run's memory
//!   limit, the least recently used dropped first; a blob dropped is fetched again when it is met again.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::digest::Digest;
use crate::layer::LayerFacts;
use crate::memory::{Budget, Use};

/// Bodies of JSON documents kept at most.
pub const MAX_JSON_BYTES: u64 = 16 << 20;
/// Documents, and verified blobs, kept at most (each: its key, a few hundred bytes of facts; at 10,000 images of
/// a catalogue, unbounded, they held 17 MB of the 41 MB heap at the peak).
pub const MAX_ENTRIES: usize = 4096;

/// A blob verified cleanly.
#[derive(Debug)]
pub struct Verified {
    pub size: u64,
    /// What the layer pass found, when the blob was read as a layer.
    pub layer: Option<Box<LayerFacts>>,
}

fn cost(v: &Verified) -> u64 {
    v.layer.as_ref().map_or(0, |l| l.tar.reserved)
}

#[derive(Default)]
struct Inner {
    json: HashMap<Digest, Arc<Vec<u8>>>,
    json_order: VecDeque<Digest>,
    json_bytes: u64,
    /// Each blob with the stamp of its last [`Shared::put`]: an entry of `blob_order` whose stamp is older is
    /// stale (the blob was taken and given back since) and drops nothing.
    blobs: HashMap<String, (Verified, u64)>,
    blob_order: VecDeque<(String, u64)>,
    stamp: u64,
    /// Memory the entry lists kept hold (reserved in the run's budget as [`Use::Entries`]).
    facts_bytes: u64,
    /// Blobs taken from here instead of fetched (for the report's statistics and the tests).
    hits: u64,
}

/// The run's cache of verified content.
pub struct Shared {
    inner: Mutex<Inner>,
    budget: Arc<Budget>,
    facts_cap: u64,
}

impl Shared {
    pub fn new(budget: Arc<Budget>) -> Shared {
        let facts_cap = budget.limit() / 4;
        Shared {
            inner: Mutex::new(Inner::default()),
            budget,
            facts_cap,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A JSON document's body, verified earlier in the run.
    pub fn json(&self, digest: &Digest) -> Option<Arc<Vec<u8>>> {
        let mut i = self.lock();
        let hit = i.json.get(digest).cloned();
        if hit.is_some() {
            i.hits += 1;
        }
        hit
    }

    /// Keep a JSON document's body whose digest was checked (`bytes` hash to `digest`).
    pub fn keep_json(&self, digest: &Digest, bytes: &[u8]) {
        let len = bytes.len() as u64;
        if len > MAX_JSON_BYTES / 4 {
            return;
        }
        let mut i = self.lock();
        if i.json.contains_key(digest) {
            return;
        }
        while i.json_bytes + len > MAX_JSON_BYTES || i.json.len() >= MAX_ENTRIES {
            let Some(old) = i.json_order.pop_front() else {
                break;
            };
            if let Some(b) = i.json.remove(&old) {
                i.json_bytes -= b.len() as u64;
            }
        }
        i.json.insert(digest.clone(), Arc::new(bytes.to_vec()));
        i.json_order.push_back(digest.clone());
        i.json_bytes += len;
    }

    /// Take a verified blob out for an image's checks (give it back with [`Shared::put`]).
    pub fn take(&self, key: &str) -> Option<Verified> {
        let mut i = self.lock();
        let (v, _) = i.blobs.remove(key)?;
        i.facts_bytes -= cost(&v).min(i.facts_bytes);
        i.hits += 1;
        Some(v)
    }

    /// Keep (or give back) a verified blob. Entry lists beyond the cap drop the oldest entries, whose memory is
    /// given back to the run's budget.
    pub fn put(&self, key: String, v: Verified) {
        let mut i = self.lock();
        i.facts_bytes += cost(&v);
        i.stamp += 1;
        let stamp = i.stamp;
        if let Some((old, _)) = i.blobs.insert(key.clone(), (v, stamp)) {
            let c = cost(&old);
            i.facts_bytes -= c.min(i.facts_bytes);
        }
        i.blob_order.push_back((key, stamp));
        while i.facts_bytes > self.facts_cap || i.blobs.len() > MAX_ENTRIES {
            let Some((old, when)) = i.blob_order.pop_front() else {
                break;
            };
            if i.blobs.get(&old).is_some_and(|(_, s)| *s == when)
                && let Some((v, _)) = i.blobs.remove(&old)
            {
                let c = cost(&v);
                i.facts_bytes -= c.min(i.facts_bytes);
                self.budget.release(Use::Entries, c);
            }
        }
        // Stale keys (blobs given back since, or taken out and not given back: an image that stopped early) are
        // forgotten here.
        if i.blob_order.len() > 2 * i.blobs.len() + 64 {
            let Inner {
                blobs, blob_order, ..
            } = &mut *i;
            blob_order.retain(|(k, when)| blobs.get(k).is_some_and(|(_, s)| s == when));
        }
    }

    /// Give back to the run's budget what the last image's documents and entry lists reserved, but for what is
    /// kept here: between images, nothing else holds JSON or entry lists.
    pub fn release_image(&self) {
        let i = self.lock();
        let json = self.budget.used_by(Use::Json).saturating_sub(i.json_bytes);
        self.budget.release(Use::Json, json);
        let entries = self
            .budget
            .used_by(Use::Entries)
            .saturating_sub(i.facts_bytes);
        self.budget.release(Use::Entries, entries);
    }

    /// How many blobs and documents were taken from here instead of fetched.
    pub fn hits(&self) -> u64 {
        self.lock().hits
    }
}
