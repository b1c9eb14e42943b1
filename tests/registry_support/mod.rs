//! Registries for the tests: Debian's docker-registry (distribution 2.8), installed and started by the project's
//! own `scripts/registry.sh`, on 127.0.0.1 at a port the kernel picks, stopped when the test process ends (the
//! script's watchdog) or when a [`Registry`] is dropped.

#![allow(dead_code)]

pub mod http;
pub mod proxy;
pub mod push;
pub mod token;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    repo_root().join("scripts/registry.sh")
}

/// `.ci/run` sets this: a registry that cannot be had fails the tests instead of skipping them.
pub fn required() -> bool {
    std::env::var("OCICHECK_REGISTRY_TESTS").is_ok_and(|v| v == "required")
}

/// Install what the tests need (once per test process); the reason when it cannot be.
pub fn installed() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let out = Command::new("bash")
            .arg(script())
            .arg("install")
            .output()
            .map_err(|e| format!("scripts/registry.sh: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "scripts/registry.sh install failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    })
    .clone()
}

/// Skip a test (saying why) when the registry cannot be installed, or fail it under `.ci/run`.
#[macro_export]
macro_rules! need_registry {
    () => {
        if let Err(why) = $crate::registry_support::installed() {
            if $crate::registry_support::required() {
                panic!("the registry tests are required here: {why}");
            }
            eprintln!("skipped: {why}");
            return;
        }
    };
}

/// Where the tests keep their registries' storage, one folder per test process (those of processes that are gone
/// are removed).
fn work_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // In memory where the machine has a tmpfs (the registry syncs every upload to its storage), else below
        // the target directory.
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir()
            && std::fs::create_dir_all(shm.join("ocicheck-registry-tests")).is_ok()
        {
            shm.join("ocicheck-registry-tests")
        } else {
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("registry-tests")
        };
        // Folders of test processes that are gone.
        if let Ok(rd) = std::fs::read_dir(&base) {
            for e in rd.flatten() {
                let pid = e.file_name().to_string_lossy().parse::<i32>().ok();
                // SAFETY: kill with signal 0 only checks that the process exists.
                if pid.is_some_and(|p| unsafe { libc::kill(p, 0) } != 0) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = base.join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        dir
    })
    .clone()
}

/// A fresh folder below the work directory.
pub fn fresh_dir(name: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = work_dir().join(format!("{name}-{n}"));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

pub struct Registry {
    pub port: u16,
    pub dir: PathBuf,
}

impl Registry {
    /// Start one with `scripts/registry.sh start DIR ARGS… --watch <this process>`.
    pub fn start(args: &[&str]) -> Registry {
        let dir = fresh_dir("registry");
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(&dir)
            .args(args)
            .arg("--watch")
            .arg(std::process::id().to_string())
            .output()
            .unwrap_or_else(|e| panic!("scripts/registry.sh: {e}"));
        let port = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| {
                panic!(
                    "scripts/registry.sh start: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
        Registry { port, dir }
    }

    /// The one plain registry most tests share.
    pub fn shared() -> &'static Registry {
        static R: OnceLock<Registry> = OnceLock::new();
        R.get_or_init(|| Registry::start(&[]))
    }

    pub fn authority(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The file the registry keeps a blob's bytes in.
    pub fn blob_data(&self, digest: &str) -> PathBuf {
        let (alg, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
        self.dir
            .join("data/docker/registry/v2/blobs")
            .join(alg)
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    pub fn stop(&self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

/// `scripts/registry.sh ARGS…`'s standard output.
pub fn script_output(args: &[&str]) -> String {
    let out = Command::new("bash")
        .arg(script())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("scripts/registry.sh: {e}"));
    assert!(
        out.status.success(),
        "scripts/registry.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The ocicheck binary, with an environment of its own: no credential files but those a test gives, no proxy.
pub fn ocicheck(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ocicheck"));
    for k in [
        "DOCKER_CONFIG",
        "REGISTRY_AUTH_FILE",
        "XDG_RUNTIME_DIR",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "NO_COLOR",
    ] {
        c.env_remove(k);
    }
    c.env("HOME", home).current_dir(repo_root());
    c
}

/// A run's exit status, standard output and standard error.
pub fn run(mut c: Command) -> (i32, String, String) {
    let out = c.output().unwrap_or_else(|e| panic!("ocicheck: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
