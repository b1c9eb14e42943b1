//! Inputs misread, and inputs that never end: compressed archives are told by their magic numbers as gzip(1) and
//! zstd(1) tell them, whatever their headers hold; a FIFO without a writer, an idle stdin and an endless stream
//! end at `--max-time` or `--max-input-size` with one line and exit status 2.

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use ocicheck::corpus::archive::{ArchiveSpec, write};
use ocicheck::corpus::{self, recipe::Built};
use ocicheck::validate;

use super::{codes, layout_with_layer, opts, run_cli};

/// The corpus's valid one-image layout as a plain tar archive.
pub fn minimal_tar() -> Vec<u8> {
    let root = corpus::root();
    let cases = corpus::load_all(&root).expect("corpus");
    let case = cases
        .iter()
        .find(|c| c.id == "valid/minimal-image")
        .expect("valid/minimal-image");
    let built: Built = case.build(&root).expect("build").expect("a recipe");
    write(&built, &ArchiveSpec::default()).expect("tar")
}

fn gzip_named(data: &[u8], name_len: usize) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new()
        .filename(vec![b'n'; name_len])
        .comment(vec![b'c'; 1000])
        .extra(vec![7u8; 300])
        .write(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

fn zstd_long31(data: &[u8]) -> Vec<u8> {
    let mut e = zstd::stream::Encoder::new(Vec::new(), 3).expect("zstd");
    e.long_distance_matching(true).expect("ldm");
    e.window_log(31).expect("window log");
    e.write_all(data).expect("zstd");
    e.finish().expect("zstd")
}

/// Lines of stderr that ocicheck wrote (GNU time adds one of its own when the status is not 0).
pub fn own_lines(err: &str) -> usize {
    err.lines()
        .filter(|l| !l.starts_with("Command exited with non-zero status"))
        .count()
}

#[test]
fn compressed_archives_are_told_by_their_magic_whatever_their_headers_hold() {
    let tar = minimal_tar();
    let tmp = tempfile::tempdir().expect("tempdir");
    // gzip names past flate2's 64 KiB: 100 KiB, and 17 MiB (past --max-json-size: taken for a document, that was
    // a JSN007 warning and exit 0).
    for len in [100 << 10, 17 << 20] {
        let p = tmp.path().join(format!("name-{len}.tar.gz"));
        std::fs::write(&p, gzip_named(&tar, len)).expect("write");
        let r = validate(&p, &opts()).expect("validates");
        assert_eq!(r.input.kind, "archive", "FNAME of {len} bytes");
        assert!(r.findings.is_empty(), "{:?}", codes(&r));
    }
    // zstd starting with skippable frames.
    let mut z = vec![0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];
    z.extend([0x5f, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
    z.extend(zstd::encode_all(&tar[..], 3).expect("zstd"));
    let p = tmp.path().join("skippable.tar.zst");
    std::fs::write(&p, &z).expect("write");
    let r = validate(&p, &opts()).expect("validates");
    assert_eq!(r.input.kind, "archive");
    assert!(r.findings.is_empty(), "{:?}", codes(&r));
    // zstd --long=31: a 2 GiB window, more than the decoder may hold. Not a document: exit 2, one line that says so,
    // from a file and from a pipe.
    let p = tmp.path().join("long31.tar.zst");
    std::fs::write(&p, zstd_long31(&tar)).expect("write");
    let (code, out, err, _) = run_cli(
        &["validate", &p.to_string_lossy()],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(own_lines(&err), 1, "{err}");
    assert!(err.contains("2 GiB window"), "{err}");
    let f = std::fs::File::open(&p).expect("open");
    let (code, _, err, _) = run_cli(
        &["validate", "-"],
        Some(Stdio::from(f)),
        Duration::from_secs(60),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2 GiB window"), "{err}");
}

#[test]
fn a_layer_whose_gzip_header_has_a_long_name_is_decompressed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let layer = gzip_named(&minimal_tar(), 100 << 10);
    layout_with_layer(
        tmp.path(),
        &layer,
        "application/vnd.oci.image.layer.v1.tar+gzip",
    );
    let r = validate(tmp.path(), &opts()).expect("validates");
    // The layout's config names a made-up DiffID, so LYR007 is expected: the layer was decompressed whole.
    assert_eq!(codes(&r), vec!["LYR007"], "{:#?}", r.findings);
}

/// Make a FIFO at `p`.
fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[test]
fn a_fifo_without_a_writer_and_an_idle_stdin_end_at_the_time_limit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fifo = tmp.path().join("fifo");
    mkfifo(&fifo);
    let t = Instant::now();
    let (code, out, err, _) = run_cli(
        &["validate", "--max-time", "2", &fifo.to_string_lossy()],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(own_lines(&err), 1, "{err}");
    assert!(err.contains("--max-time"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());

    // stdin whose writer sent a few bytes and then went idle (it never closes its end).
    let mut writer = std::process::Command::new("sh")
        .args(["-c", "printf '{\"schemaVersion\"'; exec sleep 60"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh");
    let pipe = writer.stdout.take().expect("stdout");
    let t = Instant::now();
    let (code, out, err, _) = run_cli(
        &["validate", "--max-time", "2", "-"],
        Some(Stdio::from(pipe)),
        Duration::from_secs(30),
    );
    let _ = writer.kill();
    let _ = writer.wait();
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(own_lines(&err), 1, "{err}");
    assert!(err.contains("--max-time"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

#[test]
fn an_endless_stream_stops_at_the_input_size_limit() {
    // /dev/zero as a path and as stdin: a size limit, not a full disk.
    let t = Instant::now();
    let (code, out, err, _) = run_cli(
        &["validate", "--max-input-size", "200M", "/dev/zero"],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(own_lines(&err), 1, "{err}");
    assert!(err.contains("--max-input-size"), "{err}");
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let (code, _, err, _) = run_cli(
        &["validate", "--max-input-size", "100M", "-"],
        Some(Stdio::from(zero)),
        Duration::from_secs(60),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--max-input-size"), "{err}");
    // And the deadline, with a writer that keeps sending (never idle, never done).
    let mut writer = std::process::Command::new("sh")
        .args(["-c", "while :; do printf '    '; sleep 0.05; done"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh");
    let pipe = writer.stdout.take().expect("stdout");
    let (code, _, err, _) = run_cli(
        &["validate", "--max-time", "2", "-"],
        Some(Stdio::from(pipe)),
        Duration::from_secs(30),
    );
    let _ = writer.kill();
    let _ = writer.wait();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--max-time"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(40), "{:?}", t.elapsed());
}
