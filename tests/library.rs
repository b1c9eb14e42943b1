//! The library as another crate uses it: only the items at the crate root (what `cargo doc` shows), never the
//! hidden modules the command line and the other tests reach into. The example (`examples/validate.rs`, which
//! the README quotes) is compiled in as a module and its functions are run here; the crate page's example is a
//! doctest. Beyond them: options that change the findings, a document held in memory, an archive, the renderers'
//! agreement with the report, and that a library build leaves the command line's crates out.

use std::path::{Path, PathBuf};

use ocicheck::{Error, Format, Level, Options, Profile, Severity, Spec};

#[path = "../examples/validate.rs"]
#[allow(dead_code)] // its `main`
mod example;

#[test]
fn the_example_prints_the_one_error_of_its_default_layout() {
    let (text, report) = example::run(Path::new(example::DEFAULT), None).expect("validates");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("error[MAN001] blobs/sha256/")
            && lines[0].ends_with("#/schemaVersion: schemaVersion is 3; it must be 2"),
        "{text}"
    );
    assert_eq!(
        lines[1],
        format!("{}: 1 error(s), 0 warning(s), 0 info(s)", example::DEFAULT)
    );
    assert!(report.fails(Some(Severity::Error)));
}

#[test]
fn the_example_on_a_valid_layout_in_every_format() {
    let valid = corpus("valid/config-all-fields/layout");
    let (text, report) = example::run(&valid, None).expect("validates");
    assert!(report.findings.is_empty(), "{text}");
    assert!(
        text.ends_with(": 0 error(s), 0 warning(s), 0 info(s)\n"),
        "{text}"
    );
    for f in Format::ALL {
        let (text, _) = example::run(&valid, Some(f)).expect("validates");
        assert!(!text.is_empty(), "{}", f.name());
    }
    let (html, _) = example::run(&valid, Some(Format::Html)).expect("validates");
    assert!(html.contains("<html"), "{html}");
    assert!(matches!(
        example::run(&corpus("no-such-case"), None),
        Err(Error::Io(..))
    ));
}

fn corpus(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("conformance")
        .join(case)
}

/// The layout whose manifest says `schemaVersion: 3` (MAN001, an error by default).
fn man001() -> PathBuf {
    corpus("manifest/MAN001-schema-version-not-2/layout")
}

fn codes(r: &ocicheck::Report) -> Vec<(&'static str, Severity)> {
    r.findings.iter().map(|f| (f.code, f.severity)).collect()
}

#[test]
fn levels_given_to_the_builder_change_the_findings() {
    let default = ocicheck::validate(&man001(), &Options::default()).expect("validates");
    assert_eq!(codes(&default), [("MAN001", Severity::Error)]);

    let warn = Options::builder()
        .level("MAN001", Level::Warn)
        .build()
        .expect("options");
    let r = ocicheck::validate(&man001(), &warn).expect("validates");
    assert_eq!(codes(&r), [("MAN001", Severity::Warning)]);
    assert!(!r.fails(Some(Severity::Error)) && r.fails(Some(Severity::Warning)));

    // By name and by group, as the flags take them; a code beats its group whatever the order.
    let allow = Options::builder()
        .level("manifest-schema-version-not-2", Level::Allow)
        .build()
        .expect("options");
    assert!(
        ocicheck::validate(&man001(), &allow)
            .expect("validates")
            .findings
            .is_empty()
    );
    let group = Options::builder()
        .level("MAN001", Level::Info)
        .level("MAN", Level::Allow)
        .build()
        .expect("options");
    let r = ocicheck::validate(&man001(), &group).expect("validates");
    assert_eq!(codes(&r), [("MAN001", Severity::Info)]);
}

#[test]
fn the_spec_and_the_profile_reach_the_report() {
    let layout = corpus("valid/config-all-fields/layout");
    let r = ocicheck::validate(&layout, &Options::default()).expect("validates");
    assert_eq!(r.spec, "v1.1.1");
    assert!(r.findings.is_empty(), "{:?}", codes(&r));
    let main = Options::builder()
        .spec(Spec::Main)
        .build()
        .expect("options");
    assert_eq!(
        ocicheck::validate(&layout, &main).expect("validates").spec,
        "main"
    );
    // `strict` checks canonical JSON (for v1.1.1), which these pretty-printed documents are not.
    let strict = Options::builder()
        .profile(Profile::Strict)
        .build()
        .expect("options");
    let r = ocicheck::validate(&layout, &strict).expect("validates");
    assert!(!r.findings.is_empty());
    assert!(
        r.findings
            .iter()
            .all(|f| (f.code, f.severity) == ("JSN006", Severity::Error)),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn a_document_held_in_memory() {
    let layout = man001();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index.json"))
            .expect("JSON");
    let digest = index["manifests"][0]["digest"].as_str().expect("a digest");
    let hex = digest.strip_prefix("sha256:").expect("sha256");
    let bytes = std::fs::read(layout.join("blobs/sha256").join(hex)).expect("the manifest");

    let r = ocicheck::validate_document(
        "manifest.json",
        "in memory",
        bytes.clone(),
        &Options::default(),
    )
    .expect("validates");
    assert_eq!(r.input.path, "in memory");
    assert_eq!(
        r.input.media_type.as_deref(),
        Some("application/vnd.oci.image.manifest.v1+json")
    );
    assert_eq!(codes(&r), [("MAN001", Severity::Error)]);
    let f = &r.findings[0];
    assert_eq!(f.location.file, "manifest.json");
    assert_eq!(f.location.pointer.as_deref(), Some("/schemaVersion"));
    assert!(f.location.line.is_some() && f.spec_url.starts_with("https://"));

    // Told it is an index, the same bytes are judged as one.
    let as_index = Options::builder()
        .media_type("application/vnd.oci.image.index.v1+json")
        .build()
        .expect("options");
    let r = ocicheck::validate_document("manifest.json", "in memory", bytes, &as_index)
        .expect("validates");
    assert!(
        r.findings.iter().any(|f| f.code.starts_with("IDX")),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn an_archive_and_the_errors_of_a_run_that_cannot_be_done() {
    let r = ocicheck::validate(
        &corpus("valid/archive-tar-gz/image.tar.gz"),
        &Options::default(),
    )
    .expect("validates");
    assert_eq!(r.input.kind, "archive");
    assert!(r.findings.is_empty(), "{:?}", codes(&r));
    assert_eq!(r.summary.total(), 0);

    // A directory that is no layout, a selection that matches nothing, a path that is not there.
    assert!(matches!(
        ocicheck::validate(&corpus("manifest"), &Options::default()),
        Err(Error::Usage(_))
    ));
    let arm = Options::builder()
        .platform("linux/arm64")
        .build()
        .expect("options");
    assert!(matches!(
        ocicheck::validate(&man001(), &arm),
        Err(Error::Usage(_))
    ));
    assert!(matches!(
        ocicheck::validate(&corpus("no-such-case"), &Options::default()),
        Err(Error::Io(..))
    ));
    assert!(matches!(
        Options::builder().platform("linux").build(),
        Err(Error::Usage(_))
    ));
}

#[test]
fn the_renderers_say_what_the_report_says() {
    let opts = Options::builder()
        .content_graph(true)
        .build()
        .expect("options");
    let report = ocicheck::validate(&man001(), &opts).expect("validates");
    let reports = std::slice::from_ref(&report);
    for f in Format::ALL {
        assert_eq!(Format::parse(f.name()), Some(f));
        let text = ocicheck::render(f, reports, &opts);
        assert!(text.contains("MAN001"), "{}: {text}", f.name());
    }
    let json: serde_json::Value =
        serde_json::from_str(&ocicheck::render(Format::Json, reports, &opts)).expect("JSON");
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["findings"][0]["code"], "MAN001");
    let sarif: serde_json::Value =
        serde_json::from_str(&ocicheck::render(Format::Sarif, reports, &opts)).expect("SARIF");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "MAN001");
    assert_eq!(sarif["runs"][0]["results"][0]["level"], "error");
    let junit = ocicheck::render(Format::Junit, reports, &opts);
    assert!(junit.contains("<failure"), "{junit}");
}

/// What only the binary needs is behind the `cli` feature (on by default), so that a library user's build has
/// none of it; the fuzz targets build the library that way. `.ci/run` builds the library without the feature.
#[test]
fn the_command_line_crates_are_optional() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read =
        |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let manifest: toml::Value = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml");
    let cli_only = ["clap", "clap_complete", "clap_mangen", "mimalloc"];
    let features = &manifest["features"];
    assert_eq!(features["default"].as_array().map(Vec::len), Some(1));
    assert_eq!(features["default"][0].as_str(), Some("cli"));
    let cli: Vec<&str> = features["cli"]
        .as_array()
        .expect("a cli feature")
        .iter()
        .filter_map(toml::Value::as_str)
        .collect();
    for dep in cli_only {
        assert_eq!(
            manifest["dependencies"][dep]["optional"].as_bool(),
            Some(true),
            "{dep} is not optional"
        );
        assert!(
            cli.contains(&format!("dep:{dep}").as_str()),
            "cli does not enable {dep}"
        );
    }
    let bin = &manifest["bin"][0];
    assert_eq!(bin["name"].as_str(), Some("ocicheck"));
    assert_eq!(bin["required-features"][0].as_str(), Some("cli"));

    // The library's sources name none of them: only src/main.rs and src/cli/ (the binary's modules) do.
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("ls").flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).expect("below the root").to_path_buf();
            if rel == Path::new("src/main.rs") || rel == Path::new("src/cli") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("read");
                for dep in cli_only {
                    assert!(
                        !text.contains(&format!("{dep}::")),
                        "{} names {dep}",
                        rel.display()
                    );
                }
            }
        }
    }

    let fuzz: toml::Value = toml::from_str(&read("fuzz/Cargo.toml")).expect("fuzz/Cargo.toml");
    assert_eq!(
        fuzz["dependencies"]["ocicheck"]["default-features"].as_bool(),
        Some(false)
    );
}
