//! Archives: a layout and its tarball give the same findings, for every layout case of the corpus, however the
//! tarball is written (plain, gzip with `./` names, zstd under a top-level directory, blobs before `index.json`);
//! and archive-only behaviour: stdin, picking images, Docker 25 `docker save` output, docker-compat.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ocicheck::corpus::archive::{ArchiveSpec, write};
use ocicheck::corpus::recipe::{self, Built};
use ocicheck::corpus::{self, Case, CaseKind};
use ocicheck::report::{Finding, Report};
use ocicheck::select::{Platform, Selection};
use ocicheck::source::archive::ArchiveSource;
use ocicheck::source::fault::FaultSource;
use ocicheck::source::{Source, dir::DirSource};
use ocicheck::walk::DocKind;
use ocicheck::{Options, validate_layout};

/// The layout of a case, as a tree: what the recipe builds, or the committed directory.
fn tree(case: &Case, root: &Path) -> Option<Built> {
    if case.file.kind != CaseKind::Layout {
        return None;
    }
    match case.build(root) {
        Ok(Some(b)) => Some(b),
        Ok(None) => Some(Built {
            files: recipe::read_tree(&case.input_path()).ok()?,
            docs: BTreeMap::new(),
        }),
        Err(e) => panic!("{}: {e}", case.id),
    }
}

fn run(src: &dyn Source, case: &Case, opts: &Options) -> Report {
    let src = FaultSource {
        inner: src,
        unreadable: case.file.options.unreadable.clone(),
    };
    validate_layout(&src, "x", opts)
}

/// A finding without the archive's top-level directory in its paths.
fn unprefixed(mut f: Finding, prefix: Option<&str>) -> Finding {
    if let Some(p) = prefix {
        let p = format!("{p}/");
        if let Some(rest) = f.location.file.strip_prefix(&p) {
            f.location.file = rest.to_string();
        }
        for v in &mut f.location.via {
            if let Some(rest) = v.strip_prefix(&p) {
                *v = rest.to_string();
            }
        }
    }
    f
}

fn variants() -> Vec<(&'static str, ArchiveSpec)> {
    vec![
        ("tar", ArchiveSpec::default()),
        (
            "tar.gz with ./ names",
            ArchiveSpec {
                compression: Some("gzip".into()),
                dot_slash: true,
                ..ArchiveSpec::default()
            },
        ),
        (
            "tar.zst under img/, blobs first",
            ArchiveSpec {
                compression: Some("zstd".into()),
                prefix: Some("img".into()),
                order: Some("index-last".into()),
                ..ArchiveSpec::default()
            },
        ),
    ]
}

#[test]
fn every_layout_case_gives_the_same_findings_as_its_tarball() {
    let root = corpus::root();
    let cases = corpus::load_all(&root).unwrap_or_else(|e| panic!("{e}"));
    let mut problems = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let Some(built) = tree(case, &root) else {
            continue;
        };
        let opts = case.options().unwrap_or_else(|e| panic!("{e}"));
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = tmp.path().join("layout");
        recipe::write_tree(&built, &dir).unwrap_or_else(|e| panic!("{e}"));
        let dsrc = DirSource::open(&dir).unwrap_or_else(|e| panic!("{e}"));
        // A directory that is no layout at all (tools/podman-docker-dir, a containers/image dir:) is something
        // else as a tarball: no marker shows a top-level directory, and its manifest.json reads as docker save's.
        if !["oci-layout", "index.json"]
            .iter()
            .any(|m| built.files.contains_key(*m))
        {
            continue;
        }
        let want = run(&dsrc, case, &opts).findings;
        for (name, spec) in variants() {
            let bytes = write(&built, &spec).unwrap_or_else(|e| panic!("{}: {e}", case.id));
            let asrc = ArchiveSource::from_bytes(bytes)
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("{}: {name} is not read as an archive", case.id));
            assert_eq!(asrc.info().prefix.as_deref(), spec.prefix.as_deref());
            let got: Vec<Finding> = run(&asrc, case, &opts)
                .findings
                .into_iter()
                .map(|f| unprefixed(f, spec.prefix.as_deref()))
                .collect();
            compared += 1;
            if got != want {
                let show = |v: &[Finding]| {
                    v.iter()
                        .map(|f| format!("  {} {} {}", f.code, f.location.display(), f.message))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                problems.push(format!(
                    "{} as {name}:\n directory:\n{}\n archive:\n{}",
                    case.id,
                    show(&want),
                    show(&got)
                ));
            }
        }
    }
    println!("{compared} archives compared with their layouts");
    assert!(compared > 300, "only {compared} comparisons");
    assert!(
        problems.is_empty(),
        "{} of {compared} archives differ from their layout:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn ocicheck(args: &[&str], stdin: Option<Stdio>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ocicheck"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    if let Some(s) = stdin {
        c.stdin(s);
    }
    c.output().unwrap_or_else(|e| panic!("{e}"))
}

fn codes(o: &Output) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {o:?}"));
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

const GZ: &str = "conformance/valid/archive-tar-gz/image.tar.gz";
const DUP: &str = "conformance/archive/ARC002-entry-duplicate/archive.tar";

#[test]
fn stdin_from_a_pipe_and_from_a_file_reads_like_the_path() {
    for path in [GZ, DUP] {
        let bytes = std::fs::read(repo(path)).unwrap_or_else(|e| panic!("{e}"));
        let by_path = ocicheck(&["validate", path, "--format", "json"], None);
        // A pipe (held in memory).
        let mut child = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
            .args(["validate", "-", "--format", "json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(mut i) = child.stdin.take() {
            i.write_all(&bytes).unwrap_or_else(|e| panic!("{e}"));
        }
        let piped = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        // A regular file (read in place).
        let file = std::fs::File::open(repo(path)).unwrap_or_else(|e| panic!("{e}"));
        let redirected = ocicheck(
            &["validate", "-", "--format", "json"],
            Some(Stdio::from(file)),
        );
        assert_eq!(codes(&piped), codes(&by_path), "{path} piped");
        assert_eq!(codes(&redirected), codes(&by_path), "{path} redirected");
        assert_eq!(piped.status.code(), by_path.status.code());
    }
    // A JSON document on stdin is validated as a document.
    let doc = std::fs::File::open(repo("conformance/valid/minimal-image/layout/index.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let o = ocicheck(
        &["validate", "-", "--format", "json"],
        Some(Stdio::from(doc)),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["input"]["kind"], "document");
}

#[test]
fn an_archive_is_told_by_its_content_not_its_name() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let odd = tmp.path().join("image.json");
    std::fs::copy(repo(GZ), &odd).unwrap_or_else(|e| panic!("{e}"));
    let o = ocicheck(
        &[
            "validate",
            odd.to_str().unwrap_or_default(),
            "--format",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["input"]["kind"], "archive");
    assert_eq!(o.status.code(), Some(0));
    // Validating an archive writes nothing: not beside it, not in the working directory, not in TMPDIR.
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(["validate", odd.to_str().unwrap_or_default()])
        .current_dir(work.path())
        .env("TMPDIR", scratch.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0));
    for d in [tmp.path(), work.path(), scratch.path()] {
        let n = std::fs::read_dir(d).map(|r| r.count()).unwrap_or(0);
        assert!(
            n <= usize::from(d == tmp.path()),
            "{} holds {n} entries",
            d.display()
        );
    }
}

/// The multi-platform layout with the amd64 image's layer blob corrupted.
fn multi_platform_with_bad_amd64_layer() -> tempfile::TempDir {
    let root = corpus::root();
    let case = corpus::load(
        "valid/multi-platform-index",
        &root.join("valid/multi-platform-index"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let built = case
        .build(&root)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no recipe"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("layout");
    recipe::write_tree(&built, &dir).unwrap_or_else(|e| panic!("{e}"));
    let layer = built
        .docs
        .get("amd-layer")
        .map(|d| d.path.clone())
        .unwrap_or_default();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join(layer))
        .unwrap_or_else(|e| panic!("{e}"));
    f.write_all(b"x").unwrap_or_else(|e| panic!("{e}"));
    tmp
}

#[test]
fn picking_images_leaves_the_others_unverified() {
    let tmp = multi_platform_with_bad_amd64_layer();
    let dir = tmp.path().join("layout");
    let src = DirSource::open(&dir).unwrap_or_else(|e| panic!("{e}"));
    let pick = |sel: Selection| {
        let mut opts = Options::builder().jobs(1).build().expect("options");
        opts.select = sel;
        let r = validate_layout(&src, "x", &opts);
        let images: Vec<String> = r
            .images
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.platform.unwrap_or_default())
            .collect();
        (r.codes(), images)
    };
    let platform = |p: &str| Platform::parse(p).unwrap_or_else(|e| panic!("{e}"));
    // Everything: the bad layer is found.
    let all = validate_layout(&src, "x", &Options::default());
    assert!(all.codes().contains(&"LAY007"), "{:?}", all.codes());
    // Every image is listed (the JSON report always says what it validated), but not as a choice.
    assert_eq!(all.images.as_ref().map(Vec::len), Some(2));
    assert!(!all.images_selected);
    // arm64 only: the amd64 image is neither verified nor reported as unreferenced, even by the strict profile.
    let (c, imgs) = pick(Selection {
        platforms: vec![platform("linux/arm64")],
        ..Selection::default()
    });
    assert_eq!(imgs, vec!["linux/arm64/v8"]);
    assert!(c.is_empty(), "{c:?}");
    let strict = Options::builder()
        .platform("linux/arm64/v8")
        .profile(ocicheck::Profile::Strict)
        .build()
        .expect("options");
    let r = validate_layout(&src, "x", &strict);
    assert!(!r.codes().contains(&"LAY008"), "{:?}", r.codes());
    // amd64 by platform, and by the digest of its manifest (which sits in a nested index).
    let (c, imgs) = pick(Selection {
        platforms: vec![platform("linux/amd64")],
        ..Selection::default()
    });
    assert!(c.contains(&"LAY007"), "{c:?}");
    assert_eq!(imgs, vec!["linux/amd64".to_string()]);
    let graph = ocicheck::walk::walk_layout(&src, &Options::default());
    let amd = ocicheck::select::images(&graph)
        .into_iter()
        .find(|i| i.platform.as_deref() == Some("linux/amd64"))
        .and_then(|i| i.digest.map(|d| d.to_string()))
        .unwrap_or_default();
    let (c, imgs) = pick(Selection {
        digests: vec![amd],
        ..Selection::default()
    });
    assert!(c.contains(&"LAY007"), "{c:?}");
    assert_eq!(imgs, vec!["linux/amd64".to_string()]);
    // By ref: the one tag holds both.
    let (_, imgs) = pick(Selection {
        refs: vec!["latest".into()],
        ..Selection::default()
    });
    assert_eq!(imgs.len(), 2);
    // Nothing matches: exit 2 with what there is.
    let o = ocicheck(
        &[
            "validate",
            dir.to_str().unwrap_or_default(),
            "--platform",
            "windows/amd64",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("linux/arm64/v8") && e.contains("latest"), "{e}");
    // A single document cannot be picked from.
    let o = ocicheck(
        &[
            "validate",
            "conformance/valid/minimal-image/layout/index.json",
            "--ref",
            "latest",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = ocicheck(&["validate", GZ, "--platform", "linux"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_image_entry_without_platform_is_picked_by_its_config() {
    let podman = "conformance/tools/podman-archive/podman.oci.tar";
    let o = ocicheck(
        &[
            "validate",
            podman,
            "--platform",
            "linux/amd64",
            "--format",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["images"][0]["platform"], "linux/amd64");
    let o = ocicheck(&["validate", podman, "--platform", "linux/arm64"], None);
    assert_eq!(o.status.code(), Some(2));
    // containerd's image name (docker save) picks too.
    let o = ocicheck(
        &[
            "validate",
            "conformance/valid/archive-docker-save/docker-save.tar",
            "--ref",
            "docker.io/ocicheck/corpus:latest",
            "--format",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["images"].as_array().map(Vec::len), Some(1));
}

#[test]
fn docker_compat_parses_docker_documents_as_their_oci_equivalents() {
    let dir = repo("conformance/valid/docker-compat-manifest-list/layout");
    let src = DirSource::open(&dir).unwrap_or_else(|e| panic!("{e}"));
    let kinds = |opts: &Options| {
        let g = ocicheck::walk::walk_layout(&src, opts);
        let mut k: Vec<DocKind> = g.docs.iter().map(|d| d.kind).collect();
        k.sort();
        k
    };
    assert_eq!(
        kinds(&Options::default()),
        vec![DocKind::OciLayout, DocKind::Index]
    );
    let compat = Options::builder()
        .profile(ocicheck::Profile::DockerCompat)
        .build()
        .expect("options");
    assert_eq!(
        kinds(&compat),
        vec![
            DocKind::OciLayout,
            DocKind::Index,
            DocKind::Index,
            DocKind::Manifest,
            DocKind::Config
        ]
    );
    // The Docker gzip layer went through the layer pass (its DiffID was computed and compared).
    let mut g = ocicheck::walk::walk_layout(&src, &compat);
    ocicheck::verify::verify(&src, &mut g, &compat);
    assert!(g.blobs.values().any(|b| b.layer.is_some()));
}
