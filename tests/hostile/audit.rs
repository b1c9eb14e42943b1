//! The second audit's inputs at full size (issue 13: time, streams, output, inputs misread as JSON, no fail-open),
//! each run by the release binary with its time and peak RSS printed. Ignored by `cargo test`; run by
//! `scripts/hostile.sh` (its `audit` part).

use std::io::Write as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::inputs::{minimal_tar, own_lines};
use super::time::layout_of_repeated_layer;
use super::{CAP_BYTES, minimal_layout, run_cli, tar_of_empty_files};

fn report(what: &str, took: Duration, rss: u64) {
    println!(
        "audit {what}: {:.1} s, peak RSS {:.1} MiB",
        took.as_secs_f64(),
        rss as f64 / (1 << 20) as f64
    );
    assert!(
        rss < CAP_BYTES,
        "{what}: peak RSS {rss} bytes is over the cap"
    );
}

fn timed(
    what: &str,
    args: &[&str],
    stdin: Option<Stdio>,
    limit: Duration,
) -> (i32, String, String) {
    let t = Instant::now();
    let (code, out, err, rss) = run_cli(args, stdin, limit);
    report(what, t.elapsed(), rss);
    (code, out, err)
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn audit_a_layer_of_100000_entries_named_1000_times_ends_at_max_time() {
    let tmp = tempfile::tempdir().expect("tempdir");
    layout_of_repeated_layer(tmp.path(), &tar_of_empty_files(100_000, ""), 1000, 1);
    let p = tmp.path().to_string_lossy().into_owned();
    let t = Instant::now();
    let (code, _, err) = timed(
        "one 100,000-entry layer named 1,000 times, --max-time 5",
        &["validate", "--max-time", "5", "--format", "json", &p],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("raise --max-time"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn audit_streams_that_never_end_stop_at_their_limits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fifo = tmp.path().join("fifo");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let f = fifo.to_string_lossy().into_owned();
    let (code, _, err) = timed(
        "a FIFO without a writer, --max-time 5",
        &["validate", "--max-time", "5", &f],
        None,
        Duration::from_secs(60),
    );
    assert_eq!((code, own_lines(&err)), (2, 1), "{err}");
    let mut writer = std::process::Command::new("sh")
        .args(["-c", "printf '{'; exec sleep 600"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh");
    let pipe = writer.stdout.take().expect("stdout");
    let (code, _, err) = timed(
        "stdin whose writer goes idle, --max-time 5",
        &["validate", "--max-time", "5", "-"],
        Some(Stdio::from(pipe)),
        Duration::from_secs(60),
    );
    let _ = writer.kill();
    let _ = writer.wait();
    assert_eq!((code, own_lines(&err)), (2, 1), "{err}");
    let (code, _, err) = timed(
        "/dev/zero, --max-input-size 2G",
        &["validate", "--max-input-size", "2G", "/dev/zero"],
        None,
        Duration::from_secs(300),
    );
    assert_eq!((code, own_lines(&err)), (2, 1), "{err}");
    assert!(err.contains("--max-input-size"), "{err}");
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let (code, _, err) = timed(
        "stdin from /dev/zero, --max-input-size 2G",
        &["validate", "--max-input-size", "2G", "-"],
        Some(Stdio::from(zero)),
        Duration::from_secs(300),
    );
    assert_eq!((code, own_lines(&err)), (2, 1), "{err}");
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn audit_compressed_archives_are_never_taken_for_json() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let tar = minimal_tar();
    let mut e = flate2::GzBuilder::new()
        .filename(vec![b'n'; 17 << 20])
        .write(Vec::new(), flate2::Compression::fast());
    e.write_all(&tar).expect("gzip");
    let p = tmp.path().join("fname.tar.gz");
    std::fs::write(&p, e.finish().expect("gzip")).expect("write");
    let ps = p.to_string_lossy().into_owned();
    let (code, out, err) = timed(
        "a tar.gz with a 17 MiB FNAME",
        &["validate", "--format", "json", &ps],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["input"]["kind"], "archive");
    let mut z = vec![0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];
    z.extend(zstd::encode_all(&tar[..], 3).expect("zstd"));
    let p = tmp.path().join("skippable.tar.zst");
    std::fs::write(&p, &z).expect("write");
    let ps = p.to_string_lossy().into_owned();
    let (code, out, err) = timed(
        "a tar.zst starting with a skippable frame",
        &["validate", "--format", "json", &ps],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["input"]["kind"], "archive");
    let mut e = zstd::stream::Encoder::new(Vec::new(), 3).expect("zstd");
    e.long_distance_matching(true).expect("ldm");
    e.window_log(31).expect("window");
    e.write_all(&tar).expect("zstd");
    let p = tmp.path().join("long31.tar.zst");
    std::fs::write(&p, e.finish().expect("zstd")).expect("write");
    let ps = p.to_string_lossy().into_owned();
    let (code, _, err) = timed(
        "a tar.zst made with --long=31",
        &["validate", &ps],
        None,
        Duration::from_secs(60),
    );
    assert_eq!((code, own_lines(&err)), (2, 1), "{err}");
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn audit_an_invalid_image_padded_past_the_json_limit_is_incomplete() {
    let (_t, dir) = minimal_layout();
    let p = dir.join("index.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("json");
    v["schemaVersion"] = serde_json::json!(3);
    let mut bad = v.to_string();
    bad.push_str(&" ".repeat(17 << 20));
    std::fs::write(&p, bad).expect("write");
    let ds = dir.to_string_lossy().into_owned();
    let (code, _, err) = timed(
        "an invalid index.json padded to 17 MiB",
        &["validate", &ds],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("raise --max-json-size"), "{err}");
}

#[test]
#[ignore = "full size: scripts/hostile.sh"]
fn audit_output_to_a_closed_pipe_or_a_full_device() {
    // `validate … | head` on the largest report the limits allow: 20,000 findings listed.
    let tmp = tempfile::tempdir().expect("tempdir");
    let doc = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[{}{{}}]}}",
        "{\"digest\":1},".repeat(40_000)
    );
    let p = tmp.path().join("m.json");
    std::fs::write(&p, doc).expect("write");
    let ps = p.to_string_lossy().into_owned();
    let t = Instant::now();
    let mut child = std::process::Command::new(super::bin())
        .args(["validate", &ps])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 100];
    let mut out = child.stdout.take().expect("stdout");
    std::io::Read::read_exact(&mut out, &mut first).expect("read");
    drop(out);
    let o = child.wait_with_output().expect("wait");
    println!(
        "audit validate … | head on a 20,000-finding report: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let o = std::process::Command::new(super::bin())
        .args(["validate", &ps])
        .stdout(full)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(own_lines(&String::from_utf8_lossy(&o.stderr)), 1);
}
