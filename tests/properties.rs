//! Property tests over images the corpus builder makes at random.
//!
//! 1. Random valid images (layer counts, files, platforms, annotations, compression, digest algorithm, nesting,
//!    artifacts) report no error, and nothing but the warnings their shape explains.
//! 2. One mutation drawn from [`CATALOGUE`], each tied to the rule it must trigger, is reported with that code.
//! 3. Arbitrary bytes in any file of a layout, or as a single document, never panic.
//! 4. Reports are byte-identical across runs and thread counts (`Options::jobs`).
//!
//! `cargo test --test properties` runs a bounded number of cases per property (fast enough for CI on two cores);
//! `PROPTEST_CASES=2000 cargo test --release --test properties` runs a longer campaign.

use std::collections::{BTreeMap, BTreeSet};

use ocicheck::corpus::recipe::{self, BlobOp, Built, FileNode, Patch, Recipe};
use ocicheck::report::Report;
use ocicheck::rule::Severity;
use ocicheck::{Options, Spec};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases per property: `PROPTEST_CASES`, or a small default.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn runner(default: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(default),
        failure_persistence: None,
        ..Config::default()
    })
}

const PLATFORMS: &[&str] = &[
    r#"{ os = "linux", architecture = "amd64" }"#,
    r#"{ os = "linux", architecture = "arm64", variant = "v8" }"#,
    r#"{ os = "linux", architecture = "arm", variant = "v7" }"#,
    r#"{ os = "linux", architecture = "386" }"#,
    r#"{ os = "linux", architecture = "ppc64le" }"#,
    r#"{ os = "linux", architecture = "s390x" }"#,
    r#"{ os = "linux", architecture = "riscv64" }"#,
    r#"{ os = "windows", architecture = "amd64", "os.version" = "10.0.17763.5458" }"#,
];

/// Valid annotations: key and a value (`{}` is replaced by random text).
const ANNOTATIONS: &[(&str, &str)] = &[
    ("org.opencontainers.image.title", "{}"),
    ("org.opencontainers.image.description", "{}"),
    ("org.opencontainers.image.version", "1.{}"),
    ("org.opencontainers.image.vendor", "{}"),
    ("org.opencontainers.image.created", "2024-05-06T07:08:09Z"),
    ("org.opencontainers.image.licenses", "Apache-2.0"),
    ("org.opencontainers.image.url", "https://example.com/{}"),
    ("com.example.build", "{}"),
    ("io.example.notes", "{}"),
];

const COMPRESSIONS: &[&str] = &["gzip", "zstd", "none"];

#[derive(Debug, Clone)]
struct Layer {
    compression: usize,
    /// File names (under the layer's own directory) and contents.
    files: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
struct Img {
    platform: usize,
    layers: Vec<Layer>,
    annotations: BTreeMap<usize, String>,
}

#[derive(Debug, Clone)]
struct Gen {
    sha512: bool,
    images: Vec<Img>,
    /// 0: images listed in index.json; 1: in an index index.json tags; 2: two indexes deep.
    nesting: u8,
    /// An SBOM artifact whose subject is the first image.
    artifact: bool,
    index_annotations: BTreeMap<usize, String>,
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,.:_-]{0,24}"
}

fn layer() -> impl Strategy<Value = Layer> {
    (
        0..COMPRESSIONS.len(),
        prop::collection::btree_map("[a-z][a-z0-9_-]{0,11}", "[ -~]{0,64}", 0..5),
    )
        .prop_map(|(compression, files)| Layer { compression, files })
}

fn annotations() -> impl Strategy<Value = BTreeMap<usize, String>> {
    prop::collection::btree_map(0..ANNOTATIONS.len(), text(), 0..4)
}

/// A random valid image layout; the first image has at least `min_layers` layers.
fn layouts(min_layers: usize) -> impl Strategy<Value = Gen> {
    (
        any::<bool>(),
        // Distinct platforms, so that no index lists two images for one platform.
        prop::sample::subsequence((0..PLATFORMS.len()).collect::<Vec<_>>(), 1..4),
        prop::collection::vec((prop::collection::vec(layer(), 0..4), annotations()), 3..4),
        prop::collection::vec(layer(), min_layers..min_layers + 1),
        0u8..3,
        any::<bool>(),
        annotations(),
    )
        .prop_map(
            |(sha512, platforms, imgs, first_layers, nesting, artifact, index_annotations)| {
                let mut images: Vec<Img> = platforms
                    .into_iter()
                    .zip(imgs)
                    .map(|(platform, (layers, annotations))| Img {
                        platform,
                        layers,
                        annotations,
                    })
                    .collect();
                if let Some(first) = images.first_mut() {
                    let mut layers = first_layers;
                    layers.append(&mut first.layers);
                    first.layers = layers;
                }
                Gen {
                    sha512,
                    images,
                    nesting,
                    artifact,
                    index_annotations,
                }
            },
        )
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn annotation_table(map: &BTreeMap<usize, String>) -> String {
    let items: Vec<String> = map
        .iter()
        .filter_map(|(k, v)| {
            let (key, value) = ANNOTATIONS.get(*k)?;
            Some(format!(
                "{} = {}",
                toml_str(key),
                toml_str(&value.replace("{}", v))
            ))
        })
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// How a mutation changes the recipe itself (for defects inside a layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LayerTweak {
    None,
    Mislabeled,
    AbsolutePath,
    DotDot,
    Duplicate,
}

fn recipe_toml(g: &Gen, tweak: LayerTweak) -> String {
    let mut s = String::new();
    if g.sha512 {
        s.push_str("algorithm = \"sha512\"\n");
    }
    let image_entries: Vec<String> = (0..g.images.len())
        .map(|i| format!("{{ node = \"img{i}\", ref = \"v{i}\" }}"))
        .collect();
    let mut top = match g.nesting {
        0 => image_entries.clone(),
        _ => vec!["{ node = \"idx1\", ref = \"latest\" }".to_string()],
    };
    if g.artifact {
        top.push("{ node = \"sbom\", ref = \"sbom\" }".into());
    }
    s.push_str(&format!("[index]\nmanifests = [{}]\n", top.join(", ")));
    if !g.index_annotations.is_empty() {
        s.push_str(&format!(
            "annotations = {}\n",
            annotation_table(&g.index_annotations)
        ));
    }
    let plain: Vec<String> = (0..g.images.len())
        .map(|i| format!("{{ node = \"img{i}\" }}"))
        .collect();
    match g.nesting {
        0 => {}
        1 => s.push_str(&format!(
            "[nodes.idx1]\nkind = \"index\"\nmanifests = [{}]\n",
            plain.join(", ")
        )),
        _ => s.push_str(&format!(
            "[nodes.idx1]\nkind = \"index\"\nmanifests = [{{ node = \"idx2\" }}]\n[nodes.idx2]\nkind = \"index\"\nmanifests = [{}]\n",
            plain.join(", ")
        )),
    }
    for (i, img) in g.images.iter().enumerate() {
        let names: Vec<String> = (0..img.layers.len())
            .map(|j| format!("\"l{i}x{j}\""))
            .collect();
        s.push_str(&format!(
            "[nodes.img{i}]\nkind = \"image\"\nplatform = {}\nlayers = [{}]\n",
            PLATFORMS[img.platform % PLATFORMS.len()],
            names.join(", ")
        ));
        if !img.annotations.is_empty() {
            s.push_str(&format!(
                "annotations = {}\n",
                annotation_table(&img.annotations)
            ));
        }
        for (j, l) in img.layers.iter().enumerate() {
            let compression = COMPRESSIONS[l.compression % COMPRESSIONS.len()];
            let dir = format!("l{i}x{j}/");
            let mut entries = vec![format!("{{ path = {}, type = \"dir\" }}", toml_str(&dir))];
            for (name, content) in &l.files {
                entries.push(format!(
                    "{{ path = {}, content = {} }}",
                    toml_str(&format!("{dir}{name}")),
                    toml_str(content)
                ));
            }
            let first = i == 0 && j == 0;
            match tweak {
                LayerTweak::AbsolutePath if first => {
                    entries.push("{ path = \"/etc/absolute\", content = \"x\" }".into())
                }
                LayerTweak::DotDot if first => {
                    entries.push("{ path = \"a/../../escape\", content = \"x\" }".into())
                }
                LayerTweak::Duplicate if first => {
                    entries.push(format!("{{ path = {}, type = \"dir\" }}", toml_str(&dir)))
                }
                _ => {}
            }
            s.push_str(&format!(
                "[nodes.l{i}x{j}]\nkind = \"layer\"\ncompression = \"{compression}\"\nentries = [{}]\n",
                entries.join(", ")
            ));
            if tweak == LayerTweak::Mislabeled && first {
                let other = if compression == "gzip" {
                    "zstd"
                } else {
                    "gzip"
                };
                s.push_str(&format!("actual_compression = \"{other}\"\n"));
            }
        }
    }
    if g.artifact {
        s.push_str(
            "[nodes.sbom]\nkind = \"artifact\"\nartifact_type = \"application/spdx+json\"\nembed_config = true\nlayers = [\"sbomdoc\"]\nsubject = \"img0\"\n\
             [nodes.sbomdoc]\nkind = \"blob\"\nmedia_type = \"application/spdx+json\"\ncontent = '{\"spdxVersion\": \"SPDX-2.3\"}'\n",
        );
    }
    s
}

fn build(g: &Gen, tweak: LayerTweak, patches: &[Patch], ops: &[BlobOp]) -> Built {
    let text = recipe_toml(g, tweak);
    let r: Recipe = match toml::from_str(&text) {
        Ok(r) => r,
        Err(e) => panic!("generated recipe does not parse: {e}\n{text}"),
    };
    match recipe::build(&r, patches, ops) {
        Ok(b) => b,
        Err(e) => panic!("generated recipe does not build: {e}\n{text}"),
    }
}

fn validate_built(built: &Built, jobs: usize) -> Report {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("layout");
    recipe::write_tree(built, &dir).expect("write layout");
    let src = ocicheck::source::dir::DirSource::open(&dir).expect("open layout");
    let opts = Options::builder()
        .spec(Spec::V1_1_1)
        .jobs(jobs)
        .build()
        .expect("options");
    ocicheck::validate_layout(&src, "layout", &opts)
}

fn codes(r: &Report) -> BTreeSet<&'static str> {
    r.findings.iter().map(|f| f.code).collect()
}

#[test]
fn random_valid_images_report_no_errors() {
    runner(48)
        .run(&layouts(0), |g| {
            let built = build(&g, LayerTweak::None, &[], &[]);
            let report = validate_built(&built, 2);
            let mut allowed = BTreeSet::new();
            if g.sha512 {
                allowed.insert("DSC018"); // digest-algorithm-not-sha256: a SHOULD of the spec.
            }
            if g.images.iter().any(|i| i.layers.is_empty()) {
                allowed.insert("MAN009"); // manifest-layers-empty: a SHOULD.
            }
            let errors: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error || !allowed.contains(f.code))
                .collect();
            prop_assert!(
                errors.is_empty(),
                "unexpected findings:\n{}\nrecipe:\n{}",
                ocicheck::report::human::render(&report),
                recipe_toml(&g, LayerTweak::None)
            );
            Ok(())
        })
        .unwrap();
}

/// A patch of one document: its name, `set_json` pointers and values, pointers to remove.
type JsonPatch = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

/// A defect, the rule it must trigger, and how to make it.
struct Mutation {
    code: &'static str,
    what: &'static str,
    tweak: LayerTweak,
    patch: Option<JsonPatch>,
    raw: Option<(&'static str, &'static str)>,
    op: Option<(&'static str, &'static str, &'static str)>,
}

const fn set(
    code: &'static str,
    what: &'static str,
    doc: &'static str,
    set_json: &'static [(&'static str, &'static str)],
) -> Mutation {
    Mutation {
        code,
        what,
        tweak: LayerTweak::None,
        patch: Some((doc, set_json, &[])),
        raw: None,
        op: None,
    }
}

const fn remove(
    code: &'static str,
    what: &'static str,
    doc: &'static str,
    ptrs: &'static [&'static str],
) -> Mutation {
    Mutation {
        code,
        what,
        tweak: LayerTweak::None,
        patch: Some((doc, &[], ptrs)),
        raw: None,
        op: None,
    }
}

const fn tweak(code: &'static str, what: &'static str, tweak: LayerTweak) -> Mutation {
    Mutation {
        code,
        what,
        tweak,
        patch: None,
        raw: None,
        op: None,
    }
}

const fn op(
    code: &'static str,
    what: &'static str,
    (op, path_or_doc, content): (&'static str, &'static str, &'static str),
) -> Mutation {
    Mutation {
        code,
        what,
        tweak: LayerTweak::None,
        patch: None,
        raw: None,
        op: Some((op, path_or_doc, content)),
    }
}

const fn raw(
    code: &'static str,
    what: &'static str,
    doc: &'static str,
    bytes: &'static str,
) -> Mutation {
    Mutation {
        code,
        what,
        tweak: LayerTweak::None,
        patch: None,
        raw: Some((doc, bytes)),
        op: None,
    }
}

const ZERO_DIGEST: &str =
    "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"";

/// The mutation catalogue: each entry breaks one clause of the first image (or the layout) and names the rule
/// that must report it.
const CATALOGUE: &[Mutation] = &[
    set(
        "MAN001",
        "manifest schemaVersion 3",
        "img0/manifest",
        &[("/schemaVersion", "3")],
    ),
    remove(
        "MAN002",
        "manifest schemaVersion removed",
        "img0/manifest",
        &["/schemaVersion"],
    ),
    remove(
        "MAN004",
        "manifest mediaType removed (SHOULD)",
        "img0/manifest",
        &["/mediaType"],
    ),
    remove(
        "MAN006",
        "manifest config removed",
        "img0/manifest",
        &["/config"],
    ),
    set(
        "MAN008",
        "manifest layers not an array",
        "img0/manifest",
        &[("/layers", "{}")],
    ),
    set(
        "MAN009",
        "manifest layers emptied (SHOULD)",
        "img0/manifest",
        &[("/layers", "[]")],
    ),
    remove(
        "DSC001",
        "config descriptor mediaType removed",
        "img0/manifest",
        &["/config/mediaType"],
    ),
    set(
        "DSC002",
        "layer descriptor mediaType malformed",
        "img0/manifest",
        &[("/layers/0/mediaType", "\"not a media type\"")],
    ),
    remove(
        "DSC003",
        "config descriptor digest removed",
        "img0/manifest",
        &["/config/digest"],
    ),
    set(
        "DSC004",
        "config descriptor digest malformed",
        "img0/manifest",
        &[("/config/digest", "\"not-a-digest\"")],
    ),
    set(
        "DSC005",
        "config descriptor digest too short",
        "img0/manifest",
        &[("/config/digest", "\"sha256:abc\"")],
    ),
    remove(
        "DSC007",
        "config descriptor size removed",
        "img0/manifest",
        &["/config/size"],
    ),
    set(
        "DSC008",
        "config descriptor size a string",
        "img0/manifest",
        &[("/config/size", "\"12\"")],
    ),
    set(
        "DSC010",
        "config descriptor size wrong",
        "img0/manifest",
        &[("/config/size", "1")],
    ),
    set(
        "DSC011",
        "layer descriptor urls not an array",
        "img0/manifest",
        &[("/layers/0/urls", "\"https://example.com\"")],
    ),
    set(
        "DSC014",
        "config descriptor data not base64",
        "img0/manifest",
        &[("/config/data", "\"!!!\"")],
    ),
    op("LAY001", "oci-layout deleted", ("delete", "oci-layout", "")),
    remove(
        "LAY002",
        "imageLayoutVersion removed",
        "oci-layout",
        &["/imageLayoutVersion"],
    ),
    set(
        "LAY003",
        "imageLayoutVersion a number",
        "oci-layout",
        &[("/imageLayoutVersion", "1")],
    ),
    op("LAY004", "index.json deleted", ("delete", "index.json", "")),
    op(
        "LAY007",
        "config blob changed after its digest was taken",
        ("append", "@img0/config", " "),
    ),
    op(
        "LAY010",
        "a file directly in blobs/",
        ("write", "blobs/stray", "x"),
    ),
    set(
        "IDX001",
        "index.json schemaVersion 3",
        "index.json",
        &[("/schemaVersion", "3")],
    ),
    remove(
        "IDX002",
        "index.json schemaVersion removed",
        "index.json",
        &["/schemaVersion"],
    ),
    remove(
        "IDX004",
        "index.json mediaType removed (SHOULD)",
        "index.json",
        &["/mediaType"],
    ),
    remove(
        "IDX005",
        "index.json manifests removed",
        "index.json",
        &["/manifests"],
    ),
    remove(
        "CFG001",
        "config architecture removed",
        "img0/config",
        &["/architecture"],
    ),
    remove("CFG002", "config os removed", "img0/config", &["/os"]),
    set(
        "CFG007",
        "config created not a date-time",
        "img0/config",
        &[("/created", "\"yesterday\"")],
    ),
    set(
        "CFG015",
        "config Env entry without =",
        "img0/config",
        &[("/config/Env", "[\"PATH\"]")],
    ),
    set(
        "CFG026",
        "rootfs type not layers",
        "img0/config",
        &[("/rootfs/type", "\"tarball\"")],
    ),
    set(
        "CFG029",
        "diff_ids emptied",
        "img0/config",
        &[("/rootfs/diff_ids", "[]")],
    ),
    set(
        "IDX021",
        "config architecture differs from the index entry's platform",
        "img0/config",
        &[("/architecture", "\"mips64le\"")],
    ),
    set(
        "LYR007",
        "first diff_id replaced",
        "img0/config",
        &[("/rootfs/diff_ids/0", ZERO_DIGEST)],
    ),
    set(
        "ANN002",
        "annotation value a number",
        "img0/manifest",
        &[("/annotations", "{\"com.example.n\": 1}")],
    ),
    set(
        "ANN009",
        "created annotation not a date-time",
        "img0/manifest",
        &[(
            "/annotations",
            "{\"org.opencontainers.image.created\": \"yesterday\"}",
        )],
    ),
    set(
        "ANN005",
        "annotation key not namespaced (SHOULD)",
        "img0/manifest",
        &[("/annotations", "{\"plain\": \"x\"}")],
    ),
    raw(
        "JSN001",
        "config not JSON",
        "img0/config",
        "{\"architecture\": ",
    ),
    raw("JSN008", "config a JSON array", "img0/config", "[]"),
    tweak(
        "LYR001",
        "first layer compressed other than its media type says",
        LayerTweak::Mislabeled,
    ),
    tweak(
        "LYR008",
        "absolute entry path in the first layer",
        LayerTweak::AbsolutePath,
    ),
    tweak(
        "LYR009",
        "entry path with .. in the first layer",
        LayerTweak::DotDot,
    ),
    tweak(
        "LYR011",
        "duplicate entry in the first layer",
        LayerTweak::Duplicate,
    ),
];

fn apply(m: &Mutation) -> (Vec<Patch>, Vec<BlobOp>) {
    let mut patches = Vec::new();
    let mut ops = Vec::new();
    if let Some((doc, set_json, remove)) = m.patch {
        patches.push(Patch {
            doc: doc.into(),
            set_json: set_json
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            remove: remove.iter().map(|s| (*s).to_string()).collect(),
            ..Patch::default()
        });
    }
    if let Some((doc, bytes)) = m.raw {
        patches.push(Patch {
            doc: doc.into(),
            raw: Some(bytes.into()),
            ..Patch::default()
        });
    }
    if let Some((op, target, content)) = m.op {
        let (doc, path) = match target.strip_prefix('@') {
            Some(d) => (Some(d.to_string()), None),
            None => (None, Some(target.to_string())),
        };
        ops.push(BlobOp {
            op: op.into(),
            doc,
            path,
            content: Some(content.into()),
            ..BlobOp::default()
        });
    }
    (patches, ops)
}

#[test]
fn catalogue_codes_are_rules() {
    for m in CATALOGUE {
        assert!(
            ocicheck::rules::by_code(m.code).is_some(),
            "{}: no such rule",
            m.code
        );
    }
}

#[test]
fn each_mutation_is_reported_with_its_code() {
    // Every mutation once on a fixed image, then random mutations on random images.
    let fixed = Gen {
        sha512: false,
        images: vec![Img {
            platform: 0,
            layers: vec![Layer {
                compression: 0,
                files: BTreeMap::from([("f".to_string(), "x".to_string())]),
            }],
            annotations: BTreeMap::new(),
        }],
        nesting: 0,
        artifact: false,
        index_annotations: BTreeMap::new(),
    };
    let check = |g: &Gen, m: &Mutation| -> Result<(), String> {
        let (patches, ops) = apply(m);
        let built = build(g, m.tweak, &patches, &ops);
        let report = validate_built(&built, 2);
        if codes(&report).contains(m.code) {
            Ok(())
        } else {
            Err(format!(
                "mutation `{}` must be reported as {}; got {:?}\n{}\nrecipe:\n{}",
                m.what,
                m.code,
                codes(&report),
                ocicheck::report::human::render(&report),
                recipe_toml(g, m.tweak)
            ))
        }
    };
    let failures: Vec<String> = CATALOGUE
        .iter()
        .filter_map(|m| check(&fixed, m).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    runner(48)
        .run(&(layouts(1), 0..CATALOGUE.len()), |(g, i)| {
            let m = &CATALOGUE[i];
            if let Err(e) = check(&g, m) {
                prop_assert!(false, "{}", e);
            }
            Ok(())
        })
        .unwrap();
}

/// A change to the bytes of one file.
#[derive(Debug, Clone)]
enum Garble {
    Replace(Vec<u8>),
    Flip(usize, u8),
    Truncate(usize),
    Append(Vec<u8>),
}

fn garble() -> impl Strategy<Value = Garble> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600).prop_map(Garble::Replace),
        (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Garble::Flip(i, x)),
        any::<usize>().prop_map(Garble::Truncate),
        prop::collection::vec(any::<u8>(), 1..64).prop_map(Garble::Append),
    ]
}

#[test]
fn arbitrary_bytes_never_panic() {
    runner(48)
        .run(
            &(layouts(0), any::<prop::sample::Index>(), garble()),
            |(g, which, how)| {
                let mut built = build(&g, LayerTweak::None, &[], &[]);
                let files: Vec<String> = built
                    .files
                    .iter()
                    .filter(|(_, n)| matches!(n, FileNode::File(_)))
                    .map(|(p, _)| p.clone())
                    .collect();
                let path = which.get(&files).clone();
                if let Some(FileNode::File(bytes)) = built.files.get_mut(&path) {
                    match &how {
                        Garble::Replace(b) => *bytes = b.clone(),
                        Garble::Flip(i, x) => {
                            if !bytes.is_empty() {
                                let n = bytes.len();
                                bytes[i % n] ^= x;
                            }
                        }
                        Garble::Truncate(i) => {
                            let n = bytes.len();
                            bytes.truncate(i % (n + 1));
                        }
                        Garble::Append(b) => bytes.extend_from_slice(b),
                    }
                }
                // Reaching the end is the property: a panic fails the test.
                let _ = validate_built(&built, 2);
                Ok(())
            },
        )
        .unwrap();
    runner(96)
        .run(
            &(
                prop::collection::vec(any::<u8>(), 0..400),
                prop::option::of(prop::sample::select(vec![
                    "application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.oci.image.index.v1+json",
                    "application/vnd.oci.image.config.v1+json",
                    "application/vnd.oci.layout.header.v1+json",
                    "application/vnd.oci.descriptor.v1+json",
                ])),
            ),
            |(bytes, media_type)| {
                for spec in [Spec::V1_1_1, Spec::Main] {
                    let mut opts = Options::builder()
                        .spec(spec)
                        .jobs(1)
                        .build()
                        .expect("options");
                    opts.media_type = media_type.map(str::to_string);
                    let _ =
                        ocicheck::validate_document("doc.json", "doc.json", bytes.clone(), &opts);
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn reports_are_identical_across_runs_and_thread_counts() {
    runner(24)
        .run(
            &(layouts(1), prop::option::of(0..CATALOGUE.len())),
            |(g, mutation)| {
                let (patches, ops, tweak) = match mutation {
                    Some(i) => {
                        let (p, o) = apply(&CATALOGUE[i]);
                        (p, o, CATALOGUE[i].tweak)
                    }
                    None => (Vec::new(), Vec::new(), LayerTweak::None),
                };
                let built = build(&g, tweak, &patches, &ops);
                let render = |r: &Report| {
                    (
                        ocicheck::report::human::render(r),
                        ocicheck::report::json::render(r),
                    )
                };
                let first = render(&validate_built(&built, 1));
                for jobs in [1, 2, 4] {
                    let again = render(&validate_built(&built, jobs));
                    prop_assert_eq!(&first, &again, "differs with jobs = {}", jobs);
                }
                Ok(())
            },
        )
        .unwrap();
}
