//! Every write of the binary to stdout and stderr. A closed pipe (`ocicheck … | head`) is not an error: the
//! reader has what it wanted, so the rest of the output is dropped and the run ends as if it had been read (the
//! exit status is still the verdict's). Any other write error (a full disk, `/dev/full`) is a one-line error on
//! stderr and exit status 2. Nothing here panics, unlike `print!`, which panics on both.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to stdout met a closed pipe: later writes are dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Write `bytes` to stdout and flush: `Ok` when written or when the reader has gone, `Err(message)` otherwise.
pub fn stdout(bytes: &[u8]) -> Result<(), String> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => closed_or(e, &STDOUT_CLOSED, "stdout"),
    }
}

/// [`stdout`] for text.
pub fn print(text: &str) -> Result<(), String> {
    stdout(text.as_bytes())
}

/// One line on stderr (a newline is added). Failures are dropped: there is nowhere left to report them.
pub fn eprint_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}").and_then(|()| err.flush());
}

fn closed_or(e: io::Error, flag: &AtomicBool, what: &str) -> Result<(), String> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        flag.store(true, Ordering::Relaxed);
        Ok(())
    } else {
        Err(format!("cannot write to {what}: {e}"))
    }
}
