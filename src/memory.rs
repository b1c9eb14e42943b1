//! The run's memory budget (`--max-memory`): one accountant that every large structure draws from before it grows
//! (the listing of the input, the parsed JSON documents, the layer pass's entry lists, zstd windows, the findings
//! of the report), so that the cap is enforced where memory is taken rather than observed afterwards. A leaf: it
//! depends on nothing of ours.
//!
//! What it accounts is an estimate on the high side of what each structure holds (each says how it counts); what
//! it does not account (code, static data, the allocator's own bookkeeping, small allocations, every thread's read
//! buffers and stack) is set aside from the cap when the budget is made: [`UNACCOUNTED`] and [`PER_THREAD`] per
//! verification thread. A reservation that does not fit is refused ([`Exhausted`]), and the structure that asked
//! stops growing and says so in a finding that names `--max-memory`: nothing is allocated first and checked later.
//!
//! Two kinds of reservation: [`Budget::try_reserve`] for what is held until the run ends (entry lists, documents,
//! listings, findings), and [`Budget::hold`] / [`Budget::hold_waiting`] for what is given back (a zstd decoder's
//! window, released when the decoder is dropped). A decoder that does not fit while other decoders hold windows
//! waits for one of them to finish, so that the number of windows decoded at once is what the budget allows.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Default `--max-memory`: 256 MiB.
pub const DEFAULT_MAX_MEMORY: u64 = 256 << 20;

/// Set aside from the cap, not accounted: the binary's code and data, the allocator's own structures, the small
/// allocations no structure reserves for (a run's descriptors and documents beyond their JSON, rule state), and
/// what the main thread's stack touches.
pub const UNACCOUNTED: u64 = 24 << 20;

/// Set aside per verification thread (`--jobs`): its two read buffers (256 KiB each), a gzip decoder's state, the
/// hasher states and what its stack touches.
pub const PER_THREAD: u64 = 2 << 20;

/// What a reservation is for (messages and [`Budget::used_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// The entries of the input's listing (a directory or an archive), with the walk's record of each blob.
    Listing,
    /// Parsed JSON documents: their bytes and their value trees.
    Json,
    /// The layer pass's entry lists (names, kinds, links, offsets), kept for the cross-layer rules.
    Entries,
    /// zstd decoders' windows, while they decode.
    Window,
    /// The findings of the report.
    Report,
}

const USES: usize = 5;

impl Use {
    fn index(self) -> usize {
        self as usize
    }

    pub fn describe(self) -> &'static str {
        match self {
            Use::Listing => "the listing of the input",
            Use::Json => "the parsed JSON documents",
            Use::Entries => "the layers' entry lists",
            Use::Window => "zstd decoding windows",
            Use::Report => "the findings of the report",
        }
    }
}

/// A reservation that did not fit: what was asked, for what, and what was left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exhausted {
    pub what: Use,
    pub wanted: u64,
    pub left: u64,
    /// `--max-memory`, in bytes.
    pub cap: u64,
}

impl Exhausted {
    /// `N MiB more for … would take the run past --max-memory (256 MiB: M MiB left)`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} more for {} would take the run past --max-memory ({}; {} left)",
            size(self.wanted),
            self.what.describe(),
            size(self.cap),
            size(self.left)
        )
    }
}

impl std::fmt::Display for Exhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A size for messages: bytes below 1 MiB, else MiB with one decimal when it has one.
pub fn size(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{bytes} bytes")
    } else if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
    }
}

/// Windows held by decoders that can be waited for ([`Budget::hold_waiting`]).
#[derive(Debug, Default)]
struct Windows {
    held: u64,
}

/// The accountant of one run, shared by every thread.
#[derive(Debug)]
pub struct Budget {
    /// `--max-memory`.
    cap: u64,
    /// What can be reserved: the cap less what is set aside.
    limit: u64,
    used: AtomicU64,
    by_use: [AtomicU64; USES],
    peak: AtomicU64,
    windows: Mutex<Windows>,
    released: Condvar,
}

impl Budget {
    /// The budget of a run capped at `cap` bytes with `jobs` verification threads.
    pub fn new(cap: u64, jobs: usize) -> Budget {
        let aside = UNACCOUNTED.saturating_add(PER_THREAD.saturating_mul(jobs.max(1) as u64));
        Budget::with_limit(cap, cap.saturating_sub(aside))
    }

    /// A budget that lets `limit` bytes be reserved (tests).
    pub fn with_limit(cap: u64, limit: u64) -> Budget {
        Budget {
            cap,
            limit,
            used: AtomicU64::new(0),
            by_use: Default::default(),
            peak: AtomicU64::new(0),
            windows: Mutex::new(Windows::default()),
            released: Condvar::new(),
        }
    }

    /// `--max-memory`.
    pub fn cap(&self) -> u64 {
        self.cap
    }

    /// What can be reserved in all.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Reserved now.
    pub fn used(&self) -> u64 {
        self.used.load(Relaxed)
    }

    /// Reserved now for `what`.
    pub fn used_by(&self, what: Use) -> u64 {
        self.by_use[what.index()].load(Relaxed)
    }

    /// The most reserved at once.
    pub fn peak(&self) -> u64 {
        self.peak.load(Relaxed)
    }

    /// What is left to reserve.
    pub fn left(&self) -> u64 {
        self.limit.saturating_sub(self.used())
    }

    /// Reserve `bytes` for `what`, if they fit; they stay reserved until [`Budget::release`].
    pub fn try_reserve(&self, what: Use, bytes: u64) -> Result<(), Exhausted> {
        self.try_reserve_within(what, bytes, self.limit)
    }

    /// [`Budget::try_reserve`], and only while `what` holds at most `share` bytes in all (a structure that must
    /// leave room for the others: the listing takes at most half).
    pub fn try_reserve_within(&self, what: Use, bytes: u64, share: u64) -> Result<(), Exhausted> {
        let mine = &self.by_use[what.index()];
        if mine.load(Relaxed).saturating_add(bytes) > share {
            return Err(self.exhausted(what, bytes));
        }
        let limit = self.limit;
        match self.used.fetch_update(Relaxed, Relaxed, |u| {
            u.checked_add(bytes).filter(|&n| n <= limit)
        }) {
            Ok(before) => {
                mine.fetch_add(bytes, Relaxed);
                self.peak.fetch_max(before + bytes, Relaxed);
                Ok(())
            }
            Err(_) => Err(self.exhausted(what, bytes)),
        }
    }

    /// Give back `bytes` reserved for `what`.
    pub fn release(&self, what: Use, bytes: u64) {
        let _ = self.by_use[what.index()]
            .fetch_update(Relaxed, Relaxed, |u| Some(u.saturating_sub(bytes)));
        let _ = self
            .used
            .fetch_update(Relaxed, Relaxed, |u| Some(u.saturating_sub(bytes)));
    }

    fn exhausted(&self, what: Use, wanted: u64) -> Exhausted {
        Exhausted {
            what,
            wanted,
            left: self.left(),
            cap: self.cap,
        }
    }

    /// Reserve `bytes` for `what` until the returned guard is dropped.
    pub fn hold(self: &Arc<Self>, what: Use, bytes: u64) -> Result<Held, Exhausted> {
        self.try_reserve(what, bytes)?;
        Ok(Held {
            budget: self.clone(),
            what,
            bytes,
            pooled: false,
        })
    }

    /// Reserve a decoder's window of `bytes` until the returned guard is dropped, waiting (until `deadline`) while
    /// it does not fit and other decoders reserved this way hold windows: they give them back when they finish, so
    /// this bounds the windows decoded at once. Refused at once when no such decoder holds one. The holder of
    /// such a window must never wait for another (a layer pass holds one decoder), so that no two threads wait for
    /// each other.
    pub fn hold_waiting(
        self: &Arc<Self>,
        bytes: u64,
        deadline: Option<Instant>,
    ) -> Result<Held, Exhausted> {
        let Ok(mut w) = self.windows.lock() else {
            return self.hold(Use::Window, bytes);
        };
        loop {
            if self.try_reserve(Use::Window, bytes).is_ok() {
                w.held += bytes;
                return Ok(Held {
                    budget: self.clone(),
                    what: Use::Window,
                    bytes,
                    pooled: true,
                });
            }
            let late = deadline.is_some_and(|d| Instant::now() >= d);
            if w.held == 0 || late || bytes > self.limit {
                return Err(self.exhausted(Use::Window, bytes));
            }
            w = match self.released.wait_timeout(w, Duration::from_millis(100)) {
                Ok((g, _)) => g,
                Err(_) => return Err(self.exhausted(Use::Window, bytes)),
            };
        }
    }

    fn give_back(&self, what: Use, bytes: u64, pooled: bool) {
        let w = self.windows.lock();
        self.release(what, bytes);
        if let Ok(mut w) = w
            && pooled
        {
            w.held = w.held.saturating_sub(bytes);
        }
        self.released.notify_all();
    }
}

/// A reservation given back when dropped.
#[derive(Debug)]
pub struct Held {
    budget: Arc<Budget>,
    what: Use,
    bytes: u64,
    pooled: bool,
}

impl Held {
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.give_back(self.what, self.bytes, self.pooled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_fit_within_the_limit_and_are_given_back() {
        let b = Budget::with_limit(100, 100);
        assert!(b.try_reserve(Use::Json, 60).is_ok());
        let e = b.try_reserve(Use::Entries, 41).expect_err("over");
        assert_eq!((e.what, e.wanted, e.left), (Use::Entries, 41, 40));
        assert!(b.try_reserve(Use::Entries, 40).is_ok());
        b.release(Use::Json, 60);
        assert_eq!((b.used(), b.used_by(Use::Json), b.peak()), (40, 0, 100));
        // A share: the listing may hold at most 30 of it.
        assert!(b.try_reserve_within(Use::Listing, 30, 30).is_ok());
        assert!(b.try_reserve_within(Use::Listing, 1, 30).is_err());
    }

    #[test]
    fn the_cap_less_what_is_set_aside_can_be_reserved() {
        let b = Budget::new(256 << 20, 8);
        assert_eq!(b.limit(), (256 << 20) - UNACCOUNTED - 8 * PER_THREAD);
        assert_eq!(Budget::new(1 << 20, 1).limit(), 0);
    }

    #[test]
    fn a_window_waits_for_another_to_be_given_back() {
        let b = Arc::new(Budget::with_limit(100, 100));
        // Held, but not by a decoder that can be waited for: refused at once.
        let other = b.hold(Use::Window, 70).expect("fits");
        assert!(b.hold_waiting(70, None).is_err());
        drop(other);
        let first = b.hold_waiting(70, None).expect("fits");
        let waiter = {
            let b = b.clone();
            std::thread::spawn(move || b.hold_waiting(70, None).map(|h| h.bytes()))
        };
        std::thread::sleep(Duration::from_millis(50));
        drop(first);
        assert_eq!(waiter.join().ok().and_then(Result::ok), Some(70));
        assert_eq!(b.used(), 0);
        // Past the deadline it gives up.
        let _held = b.hold_waiting(70, None).expect("fits");
        assert!(b.hold_waiting(70, Some(Instant::now())).is_err());
        // More than the whole budget: refused at once.
        assert!(b.hold_waiting(101, None).is_err());
    }
}
