//! Inputs that are not what the user thinks (issue 12 § 5): each is a usage error (exit status 2) whose one-line
//! message names what was found and what to pass instead, never a report about a layout that is not there.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const LAYOUT: &str = "conformance/valid/minimal-image/layout";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ocicheck(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(bytes).expect("write stdin");
    }
    child.wait_with_output().expect("the binary ends")
}

/// Exit status 2 with one line on stderr that contains every one of `wanted`.
fn usage_error(o: &Output, wanted: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    for w in wanted {
        assert!(err.contains(w), "{w:?} not in {err}");
    }
    assert!(
        o.stdout.is_empty(),
        "no report: {}",
        String::from_utf8_lossy(&o.stdout)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

#[test]
fn compressed_files_ocicheck_cannot_read_say_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Only the magic numbers matter: the input is refused before anything is decompressed.
    let xz = [&[0xfd, b'7', b'z', b'X', b'Z', 0][..], &[0u8; 64]].concat();
    let bz = [&b"BZh91AY&SY"[..], &[0u8; 64]].concat();
    for (name, bytes, what) in [
        ("img.tar.xz", &xz, "xz data"),
        ("img.tar.bz2", &bz, "bzip2 data"),
    ] {
        let p = tmp.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        let ps = p.to_string_lossy().into_owned();
        usage_error(
            &ocicheck(&["validate", &ps], None),
            &[what, "decompress it first"],
        );
        usage_error(
            &ocicheck(&["validate", "-"], Some(bytes)),
            &["stdin is", what],
        );
    }
}

#[test]
fn empty_inputs_say_so() {
    usage_error(
        &ocicheck(&["validate", "-"], Some(b"")),
        &["stdin is empty"],
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = tmp.path().join("manifest.json");
    std::fs::write(&p, b"").expect("write");
    usage_error(
        &ocicheck(&["validate", &p.to_string_lossy()], None),
        &["is empty"],
    );
}

#[test]
fn directories_that_are_not_layouts_point_at_the_layout() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outer = tmp.path().join("project");
    let layout = outer.join("build/image");
    copy_dir(&repo().join(LAYOUT), &layout);
    let s = |p: &Path| p.to_string_lossy().into_owned();
    // A directory with a layout below it.
    usage_error(
        &ocicheck(&["validate", &s(&outer)], None),
        &["is not an image layout", &s(&layout), "pass that instead"],
    );
    // The layout's blobs/ and blobs/sha256/.
    usage_error(
        &ocicheck(&["validate", &s(&layout.join("blobs"))], None),
        &["blobs/ directory", &s(&layout)],
    );
    usage_error(
        &ocicheck(&["validate", &s(&layout.join("blobs/sha256"))], None),
        &["blobs/<algorithm> directory", &s(&layout)],
    );
    // A containers/image `dir:` directory: manifest.json, version, blobs named by their digest.
    let dir = tmp.path().join("dir-transport");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("manifest.json"), b"{}").expect("write");
    std::fs::write(dir.join("version"), b"Directory Transport Version: 1.1\n").expect("write");
    std::fs::write(dir.join("a".repeat(64)), b"x").expect("write");
    usage_error(
        &ocicheck(&["validate", &s(&dir)], None),
        &["containers/image `dir:` directory", "skopeo copy dir:"],
    );
    // A directory with nothing recognisable is still validated as a layout that lacks everything.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let o = ocicheck(&["validate", &s(&empty)], None);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_bare_layer_blob_is_not_a_layout() {
    // The minimal image's layer blob: a gzip tar of etc/hello.txt.
    let blobs = repo().join(LAYOUT).join("blobs/sha256");
    let layer = std::fs::read_dir(&blobs)
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| std::fs::read(p).is_ok_and(|b| b.starts_with(&[0x1f, 0x8b])))
        .expect("a gzip blob");
    let ls = layer.to_string_lossy().into_owned();
    usage_error(
        &ocicheck(&["validate", &ls], None),
        &["tar archive of files", "etc/hello.txt", "layer blob"],
    );
    let bytes = std::fs::read(&layer).expect("read");
    usage_error(
        &ocicheck(&["validate", "-"], Some(&bytes)),
        &["stdin is a tar archive of files"],
    );
}

#[test]
fn a_docker_manifest_alone_points_at_docker_compat() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = tmp.path().join("manifest.json");
    std::fs::write(
        &p,
        br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}"#,
    )
    .expect("write");
    let ps = p.to_string_lossy().into_owned();
    usage_error(
        &ocicheck(&["validate", &ps], None),
        &["a Docker image manifest", "--profile docker-compat"],
    );
    // With the profile it is validated as an OCI image manifest (an empty `layers` is a SHOULD).
    let o = ocicheck(&["validate", &ps, "--profile", "docker-compat"], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // An OCI manifest whose own mediaType says Docker is a defect of that manifest, reported as one.
    let o = ocicheck(
        &[
            "validate",
            "conformance/manifest/MAN003-media-type-docker/document.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("error[MAN003]"));
}
