//! Verification: every blob the walk did not read as JSON is streamed once, hashed with the algorithm its path
//! names, and a layer given the layer pass (`crate::layer`), in parallel on `--jobs` threads, within the per-blob
//! and per-run time limits. A layout's blobs are verified group by group of its documents ([`Verifier`]), as the
//! checks come; what was found goes into the walk's records of the blobs (`crate::walk::Blob`).

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::Options;
use crate::digest::{Algorithm, Digest};
use crate::progress::Counted;
use crate::source::Source;
use crate::walk::{Blob, BlobAt, Computed, Graph, Role};

/// A blob to verify: stream it once, hashing with the algorithm its path names; layers get the layer pass.
struct Job {
    path: String,
    digest: Option<Digest>,
    /// What the first descriptor that reached it says it is.
    media_type: Option<String>,
    /// The largest size its descriptors give.
    size: Option<u64>,
    algorithm: Option<Algorithm>,
    layer: Option<crate::layer::Request>,
}

impl Job {
    fn at(&self) -> BlobAt<'_> {
        BlobAt {
            path: &self.path,
            digest: self.digest.as_ref(),
            media_type: self.media_type.as_deref(),
            size: self.size,
        }
    }
}

struct JobResult {
    size: u64,
    computed: Option<String>,
    error: Option<String>,
    layer: Option<Box<crate::layer::LayerFacts>>,
    /// A time limit stopped the read: which, and how far it got.
    time_limit: Option<String>,
}

/// Which time limit stopped a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Blob,
    Run,
}

/// A blob reader that gives up at the per-blob or the per-run deadline (cooperative: checked on every read, and
/// by the layer pass's decoder through [`crate::layer::Limits::deadline`]).
struct Timed<'a, R> {
    inner: R,
    blob: Option<std::time::Instant>,
    run: Option<std::time::Instant>,
    hit: &'a std::sync::Mutex<Option<Limit>>,
}

impl<R> Timed<'_, R> {
    /// The time limit that has passed, if one has: recorded in `hit`, and the error that says so.
    fn passed(&self) -> Option<std::io::Error> {
        let now = std::time::Instant::now();
        let which = if self.run.is_some_and(|d| now >= d) {
            Limit::Run
        } else if self.blob.is_some_and(|d| now >= d) {
            Limit::Blob
        } else {
            return None;
        };
        if let Ok(mut h) = self.hit.lock() {
            h.get_or_insert(which);
        }
        Some(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "time limit reached",
        ))
    }
}

impl<R: Read> Read for Timed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(e) = self.passed() {
            return Err(e);
        }
        // A read that fails once a limit has passed failed because of it (a registry's body read is given up at
        // the run's deadline): the limit, not a read error.
        self.inner.read(buf).map_err(|e| self.passed().unwrap_or(e))
    }
}

/// The layer pass a blob needs: when a layer descriptor with an OCI layer media type (or a Docker one, with
/// `--profile docker-compat`) points at it (the first such descriptor in walk order names the compression), with
/// the algorithms of the DiffIDs that name it: in the config of every manifest whose layers include it, not only
/// those of the step or group that reads it first (a later image's DiffID in another algorithm would find no
/// value to compare with, and its mismatch would go unreported).
fn layer_request(
    g: &Graph,
    b: &Blob,
    opts: &Options,
    budget: &Arc<crate::layer::tar::KeepBudget>,
) -> Option<crate::layer::Request> {
    let mut declared = None;
    let mut diff_algorithms = Vec::new();
    for &di in &b.refs {
        let d = &g.descs[di];
        let Role::Layer(i) = d.role else { continue };
        let Some(c) = d
            .media_type(g)
            .and_then(|m| crate::layer::layer_compression(m, opts))
        else {
            continue;
        };
        declared.get_or_insert(c);
        let alg = g
            .config_of(d.doc)
            .and_then(|c| c.facts.diff_algorithms.get(i).copied().flatten());
        if let Some(a) = alg.filter(|a| !diff_algorithms.contains(a)) {
            diff_algorithms.push(a);
        }
    }
    Some(crate::layer::Request {
        declared: declared?,
        blob_algorithm: b.digest.as_ref().and_then(|d| d.verifiable(opts.spec)),
        diff_algorithms,
        // The deadline itself is set when the blob's read starts (see `hash_blob`).
        limits: crate::layer::Limits::from_options(opts),
        budget: Some(budget.clone()),
    })
}

/// The blobs the layer pass reads (present, read by the walk as no JSON document, and pointed at by a layer
/// descriptor with a layer media type), with their total size: what `--fast` verifies by digest and size only.
pub fn layer_blobs(g: &Graph, opts: &Options) -> (usize, u64) {
    let is_layer = |b: &Blob| {
        b.refs.iter().any(|&i| {
            let d = &g.descs[i];
            matches!(d.role, Role::Layer(_))
                && d.media_type(g)
                    .and_then(|m| crate::layer::layer_compression(m, opts))
                    .is_some()
        })
    };
    g.blobs
        .values()
        .filter(|b| b.present() && !b.loaded && is_layer(b))
        .fold((0, 0), |(n, bytes), b| (n + 1, bytes + b.size.unwrap_or(0)))
}

/// Verify every present blob not already read as JSON, in parallel, with at most `opts.jobs` threads.
pub fn verify(src: &dyn Source, g: &mut Graph, opts: &Options) {
    let mut v = Verifier::new(src, g, opts);
    v.run(src, g, opts, None);
    v.finish(g);
}

/// What the parts of a verification so far announced to the progress display (blobs, bytes) and did: the blobs
/// given to be verified (`jobs`), those the time limit left unread (`skipped`) and those it stopped while they were
/// read (`stopped`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub announced: (u64, u64),
    pub jobs: usize,
    pub skipped: usize,
    pub stopped: usize,
}

/// Verification in parts: the blobs of a layout's documents verified group by group, as their checks come
/// (`run_checks`), counted for the progress display and worded in the time limit's message as one pass. Each blob
/// is read once, whichever part reaches it first.
pub struct Verifier<'a> {
    counted: Counted<'a>,
    /// The blobs and bytes announced to the progress display, and the blobs verified, skipped and stopped, with
    /// those of the parts before.
    tally: Tally,
    /// The last part: its end is the verification's ([`Verifier::finish`]).
    last: bool,
    /// The entry lists all layers may keep together: `--max-layer-entries`, within the run's memory budget.
    budget: Arc<crate::layer::tar::KeepBudget>,
    /// Whether no blob is read at all (`--fast` on a source that says what its blobs are).
    by_stat: bool,
}

impl<'a> Verifier<'a> {
    pub fn new(src: &dyn Source, g: &Graph, opts: &'a Options) -> Verifier<'a> {
        Verifier::after(src, g, opts, Tally::default(), true)
    }

    /// Of a layout checked a batch of images at a time: the verification of one batch (or, `last`, of what no
    /// batch reached), after the parts that tallied `before`.
    pub fn after(
        src: &dyn Source,
        g: &Graph,
        opts: &'a Options,
        before: Tally,
        last: bool,
    ) -> Verifier<'a> {
        // Structure, digests and sizes only: where the source says so (a registry), blobs are checked by what it
        // said of them (existence and size) without being read.
        let by_stat = opts.fast && src.fast_by_stat();
        // Progress (blobs and bytes read) for `opts.progress`; without a sink this only forwards.
        let (n, bytes) = if by_stat {
            (0, 0)
        } else {
            to_verify(g, None).fold((0u64, 0u64), |(n, bytes), b| {
                (n + 1, bytes.saturating_add(b.size.unwrap_or(0)))
            })
        };
        let announced = (
            before.announced.0 + n,
            before.announced.1.saturating_add(bytes),
        );
        let sink = if announced.0 > 0 {
            opts.progress.as_ref()
        } else {
            None
        };
        Verifier {
            counted: Counted::part(sink, announced.0, announced.1, last),
            tally: Tally {
                announced,
                ..before
            },
            last,
            budget: Arc::new(crate::layer::tar::KeepBudget::new(
                opts.max_layer_entries,
                Some(opts.budget()),
            )),
            by_stat,
        }
    }

    /// What this part and those before it announced and verified.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// Verify the blobs at `only` (every blob, with `None`) that are not verified yet.
    pub fn run(
        &mut self,
        src: &dyn Source,
        g: &mut Graph,
        opts: &Options,
        only: Option<&[Arc<str>]>,
    ) {
        if self.by_stat {
            return;
        }
        let jobs = self.jobs(src, g, opts, only);
        if jobs.is_empty() {
            return;
        }
        let (results, skipped) = run_jobs(src, &self.counted, &jobs, opts);
        self.tally.jobs += jobs.len();
        self.tally.skipped += skipped;
        self.tally.stopped += record(g, &jobs, results);
    }

    /// When the run's time limit left blobs unverified, the graph says how many.
    pub fn finish(self, g: &mut Graph) {
        let Tally {
            skipped, stopped, ..
        } = self.tally;
        // A part's counts go on with the next part (`Verifier::after`): the last one says what they came to.
        if skipped + stopped == 0 || !self.last {
            return;
        }
        let walk = g
            .run_time_limit
            .take()
            .map(|w| format!("{w}; "))
            .unwrap_or_default();
        let during = if stopped > 0 {
            format!(", {stopped} of them stopped while being read")
        } else {
            String::new()
        };
        g.run_time_limit = Some(format!(
            "{walk}{} of {} blob(s) were not verified{during}",
            skipped + stopped,
            self.tally.jobs
        ));
    }

    /// The blobs to verify, in the order they are read.
    fn jobs(
        &self,
        src: &dyn Source,
        g: &Graph,
        opts: &Options,
        only: Option<&[Arc<str>]>,
    ) -> Vec<Job> {
        let mut jobs: Vec<Job> = to_verify(g, only)
            .map(|b| Job {
                path: b.path.to_string(),
                digest: b.digest.clone(),
                media_type: BlobAt::of(g, b).media_type.map(str::to_string),
                size: BlobAt::of(g, b).size,
                algorithm: b.digest.as_ref().and_then(|d| d.verifiable(opts.spec)),
                // With --fast, layer blobs are hashed like any other blob.
                layer: if opts.fast {
                    None
                } else {
                    layer_request(g, b, opts, &self.budget)
                },
            })
            .collect();
        // In the order the source reads fastest (an archive's entry order; a compressed archive then decompresses
        // forward instead of from the start for each blob). Results go back by path, so the report is unchanged.
        // Where any order is as good (a directory), the largest blobs go first: the last to start are then small
        // ones, and no thread is left decompressing a big layer alone while the others idle.
        jobs.sort_by_cached_key(|j| {
            let size = g.blobs.get(&*j.path).and_then(|b| b.size).unwrap_or(0);
            (j.at().read_order(src), std::cmp::Reverse(size))
        });
        jobs
    }
}

/// The blobs at `only` (or all, or those of the step's scope) that verification has still to read: present, not
/// read as JSON by the walk, not read before (an earlier part, an earlier step, an earlier image of a catalogue
/// run), and this step's to verify.
fn to_verify<'g>(
    g: &'g Graph,
    only: Option<&'g [Arc<str>]>,
) -> impl Iterator<Item = &'g Blob> + 'g {
    let listed = g.scope.as_ref().and_then(|s| s.verify_blobs.as_ref());
    let candidates: Box<dyn Iterator<Item = &Blob>> = match (only, listed) {
        (Some(only), _) => Box::new(only.iter().filter_map(|p| g.blobs.get(&**p))),
        (None, Some(list)) => Box::new(list.iter().filter_map(|p| g.blobs.get(&**p))),
        (None, None) => Box::new(g.blobs.values()),
    };
    candidates
        .filter(|b| {
            b.present() && !b.loaded && !b.read && b.read_error().is_none() && b.computed.is_none()
        })
        .filter(|b| g.scope.as_ref().is_none_or(|s| s.verifies(&b.path)))
}

/// Up to this many blobs of fewer bytes in all than [`INLINE_BYTES`] (by their descriptors' sizes), a part's blobs in
/// a directory or an archive are read on the calling thread: starting threads costs more than reading them in
/// parallel saves (`--format jsonl` on a layout of 10,000 small images: 8.5 against 2.9 s). More blobs, however
/// small, are read in parallel: each costs system calls that two threads halve.
const INLINE_JOBS: usize = 8;
const INLINE_BYTES: u64 = 1 << 20;

/// Run the jobs on at most `opts.jobs` threads: each one's result (by index), and how many were not started
/// because the run's time limit had passed.
fn run_jobs(
    src: &dyn Source,
    counted: &Counted,
    jobs: &[Job],
    opts: &Options,
) -> (Vec<Option<JobResult>>, usize) {
    let results: Mutex<Vec<Option<JobResult>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    let threads = opts.jobs.clamp(1, jobs.len());
    let run = opts.run_deadline();
    let skipped = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(i) else { break };
            if run.is_some_and(|d| std::time::Instant::now() >= d) {
                // Past the run's time limit: the blobs left are not read at all.
                skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let r = hash_blob(src, counted, job, opts);
            if let Ok(mut guard) = results.lock() {
                guard[i] = Some(r);
            }
        }
    };
    let bytes: u64 = jobs.iter().map(|j| j.size.unwrap_or(0)).sum();
    // A registry's blobs are fetched: each costs a round trip, whatever its size, so they stay in parallel.
    let local = src.tree().is_some();
    if threads == 1 || (local && jobs.len() <= INLINE_JOBS && bytes < INLINE_BYTES) {
        // A few small files (an image of a step-by-step run): read here, without starting threads whose read
        // buffers would be allocated and freed again for each image.
        work();
        let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
        return (results, skipped.into_inner());
    }
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        // Joined, not just waited for at the end of the scope: a join returns once the thread has ended, its
        // thread-local read buffers (layer/buf.rs) freed; the scope alone returns before that (LeakSanitizer in the
        // archive fuzz target reported those buffers as leaked).
        for w in workers {
            if let Err(panic) = w.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    (results, skipped.into_inner())
}

/// What verification found, into the graph's blobs; and how many reads the run's time limit stopped.
fn record(g: &mut Graph, jobs: &[Job], results: Vec<Option<JobResult>>) -> usize {
    let mut stopped = 0;
    for (job, r) in jobs.iter().zip(results) {
        let Some(b) = g.blobs.get_mut(&*job.path) else {
            continue;
        };
        // Tried once, read or not (a job the time limit kept from starting is not tried again by a later part).
        b.read = true;
        let Some(r) = r else {
            continue;
        };
        if r.time_limit.is_none() {
            // A read stopped by a time limit did not see the whole blob: its listed size stays.
            b.size = Some(r.size);
        }
        b.computed = match (&job.digest, r.computed) {
            (Some(d), Some(v)) => Some(Computed::of(d, v)),
            _ => None,
        };
        b.set_read_error(r.error);
        b.layer = r.layer;
        if r.time_limit
            .as_deref()
            .is_some_and(|m| m.contains("--max-time"))
        {
            stopped += 1;
        } else {
            b.set_time_limit(r.time_limit);
        }
    }
    stopped
}

/// The message of a blob read stopped by a time limit.
fn time_limit_message(which: Limit, size: u64, opts: &Options) -> String {
    match which {
        Limit::Blob => format!(
            "reading the blob took longer than --max-blob-time ({} s); it was stopped after {size} bytes",
            opts.max_blob_time.as_secs()
        ),
        Limit::Run => format!(
            "the run reached --max-time ({} s) while reading the blob, after {size} bytes",
            opts.max_time.as_secs()
        ),
    }
}

fn hash_blob(src: &dyn Source, counted: &Counted, job: &Job, opts: &Options) -> JobResult {
    let started = std::time::Instant::now();
    let hit = Mutex::new(None);
    let blob_deadline = started.checked_add(opts.max_blob_time);
    let run = opts.run_deadline();
    let r = match counted.reader(job.at().open(src)) {
        Ok(r) => r,
        Err(e) => {
            return JobResult {
                size: 0,
                computed: None,
                error: Some(e.to_string()),
                layer: None,
                time_limit: None,
            };
        }
    };
    let mut r = Timed {
        inner: r,
        blob: blob_deadline,
        run,
        hit: &hit,
    };
    let stopped = |size: u64| {
        hit.lock()
            .ok()
            .and_then(|h| *h)
            .map(|w| time_limit_message(w, size, opts))
    };
    match &job.layer {
        Some(req) => {
            let mut req = req.clone();
            req.limits.deadline = match (blob_deadline, run) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            layer_pass(&mut r, &req, run, &hit, &stopped)
        }
        None => hash_plain(&mut r, job.algorithm, &stopped),
    }
}

/// The layer pass over a blob (`r` stops at the time limits, `hit` says which stopped it, `stopped` words it;
/// `run` is the run's deadline).
fn layer_pass(
    r: &mut impl Read,
    req: &crate::layer::Request,
    run: Option<std::time::Instant>,
    hit: &Mutex<Option<Limit>>,
    stopped: &dyn Fn(u64) -> Option<String>,
) -> JobResult {
    let o = crate::layer::scan(r, req);
    let mut facts = o.facts;
    // The decoder side of the layer pass stops at the same deadline: say which one it was.
    if let Some(f) = facts.as_mut()
        && f.limit
            .as_ref()
            .is_some_and(|l| l.message == crate::layer::DEADLINE)
    {
        f.limit = None;
        if let Ok(mut h) = hit.lock() {
            h.get_or_insert(if run.is_some_and(|d| std::time::Instant::now() >= d) {
                Limit::Run
            } else {
                Limit::Blob
            });
        }
    }
    if let Some(t) = stopped(o.size) {
        return JobResult {
            size: o.size,
            computed: None,
            error: None,
            layer: facts.map(Box::new),
            time_limit: Some(t),
        };
    }
    JobResult {
        size: o.size,
        computed: o.computed,
        error: o.error,
        layer: facts.map(Box::new),
        time_limit: None,
    }
}

/// Plain verification: the blob hashed with the algorithm its digest names, and its size counted.
fn hash_plain(
    r: &mut impl Read,
    algorithm: Option<Algorithm>,
    stopped: &dyn Fn(u64) -> Option<String>,
) -> JobResult {
    let mut hasher = algorithm.map(Algorithm::hasher);
    // A buffer this thread reuses from blob to blob.
    let mut buf = crate::layer::buf::Scratch::take();
    let mut size = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                size += n as u64;
                if let Some(h) = hasher.as_mut() {
                    h.update(&buf[..n]);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let time_limit = stopped(size);
                return JobResult {
                    size,
                    computed: None,
                    error: time_limit.is_none().then(|| e.to_string()),
                    layer: None,
                    time_limit,
                };
            }
        }
    }
    JobResult {
        size,
        computed: hasher.map(|h| h.finish()),
        error: None,
        layer: None,
        time_limit: None,
    }
}
