//! Running the CLI as a child with a time limit and measuring its peak RSS: shared by the memory-cap tests and the
//! hostile-input tests, whose limits are checked on the real process.
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// GNU time, which reports the peak RSS of the command it runs. (The rusage of a child of the test process would
/// count the memory the test holds when it forks; `time` forks from a small process.)
const TIME: &str = "/usr/bin/time";
const RSS_TAG: &str = "OCICHECK_MAXRSS_KB=";

/// Kept of a child's stdout: a report of hundreds of MiB must not fill the test process.
const KEPT: usize = 64 << 20;

/// What one run of the CLI gave.
pub struct Run {
    pub code: i32,
    /// Bytes written to stdout.
    pub out_len: usize,
    /// Stdout, up to its first 64 MiB.
    pub out: String,
    pub err: String,
    /// Peak RSS in bytes: measured by `/usr/bin/time` when it is there, else the child's rusage (an upper bound).
    pub rss: u64,
}

/// Run `bin args…` with `stdin` (none: null); panics if it has not ended within `limit` (it is killed first).
pub fn run(bin: &str, args: &[&str], stdin: Option<Stdio>, limit: Duration) -> Run {
    let timed = Path::new(TIME).exists();
    let mut cmd = if timed {
        let mut c = Command::new(TIME);
        c.args(["-f", &format!("{RSS_TAG}%M")]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(stdin.unwrap_or_else(Stdio::null));
    // Reaped by wait4 below (which also gives its resource usage), not by Child::wait.
    #[allow(clippy::zombie_processes)]
    let mut child = cmd.spawn().expect("spawn ocicheck");
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let (mut kept, mut len, mut buf) = (Vec::new(), 0usize, vec![0u8; 1 << 16]);
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            len += n;
            if kept.len() < KEPT {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        (len, String::from_utf8_lossy(&kept).into_owned())
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waiting on our own child's pid with valid pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            // SAFETY: as above.
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            panic!("ocicheck {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let mut err = t_err.join().unwrap_or_default();
    let mut rss = usage.ru_maxrss as u64 * 1024;
    if timed && let Some(at) = err.rfind(RSS_TAG) {
        rss = err[at + RSS_TAG.len()..]
            .trim()
            .parse::<u64>()
            .map_or(rss, |kb| kb * 1024);
        err.truncate(at);
    }
    let (out_len, out) = t_out.join().unwrap_or_default();
    Run {
        code,
        out_len,
        out,
        err,
        rss,
    }
}
