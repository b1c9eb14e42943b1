//! `docker://` against a real registry (Debian's docker-registry, distribution 2.8), started by
//! `scripts/registry.sh`: corpus images pushed and validated back, authentication (htpasswd, a token service),
//! corrupt storage, referrers (the tag schema, and a test double of the Referrers API), and a fault-injecting proxy
//! between ocicheck and the registry.

mod registry_support;

use std::path::Path;

use ocicheck::report::Finding;
use registry_support::Registry;
use registry_support::push::Pusher;

/// A finding as both inputs can name it: code, the blob it is in (`blobs/<alg>/<hex>`), the pointer.
fn key(f: &Finding) -> String {
    let file = match f.location.file.split_once('@') {
        Some((_, d)) => {
            let (alg, hex) = d.split_once(':').unwrap_or(("", d));
            format!("blobs/{alg}/{hex}")
        }
        None => f.location.file.clone(),
    };
    format!(
        "{} {} {} {}",
        f.code,
        f.severity,
        file,
        f.location.pointer.as_deref().unwrap_or("")
    )
}

/// What a layout's report says that a registry cannot: the layout's own files and the LAY rules (the registry
/// counterparts of LAY007 and LAY011 are REG006 and REG007; nothing of a layout's tree exists in a registry).
fn layout_only(f: &Finding) -> bool {
    !f.location.file.starts_with("blobs/") || f.code.starts_with("LAY")
}

/// One corpus case pushed and validated both ways: `None` when the registry refused it (the reason).
fn compare_case(case: &ocicheck::corpus::Case, reg: &Registry) -> Result<Option<String>, String> {
    let layout = case.input_path();
    let Ok(opts) = case.options() else {
        return Err("no options".into());
    };
    let mut pusher = Pusher::new(&reg.authority(), "corpus", None);
    pusher.tag_prefix = format!(
        "{}.",
        case.id
            .to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let pushed = match pusher.layout(&layout) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => return Err("no image entry in index.json".into()),
        Err(e) => return Err(e),
    };
    let from_layout = ocicheck::validate(&layout, &opts).map_err(|e| format!("the layout: {e}"))?;
    if from_layout
        .findings
        .iter()
        .any(|f| f.location.file == "index.json" && f.code.starts_with("JSN"))
    {
        // index.json was not read: the layout's walk reached nothing that could be compared.
        return Err("index.json itself is not read (JSN)".into());
    }
    let mut expected: Vec<String> = from_layout
        .findings
        .iter()
        .filter(|f| !layout_only(f))
        .map(key)
        .collect();
    let mut got = Vec::new();
    let mut reg_codes = Vec::new();
    for p in &pushed {
        let url = format!("docker://{}/corpus:{}", reg.authority(), p.tag);
        let r = match ocicheck::validate(Path::new(&url), &opts) {
            Ok(r) => r,
            // Docker's types at the top: a usage error without --profile docker-compat, as the README says.
            Err(e) if e.to_string().contains("--profile docker-compat") => {
                return Err(format!("{url}: Docker-typed"));
            }
            Err(e) => panic!("{}: {e}", case.id),
        };
        // Fetched by tag, the image is known by the sha256 of what was served; its layout names it by the digest of
        // its index.json entry (another algorithm, in some cases).
        let bytes = registry_support::push::read_blob(&layout, &p.digest)?;
        let served_as = format!(
            "blobs/sha256/{}",
            ocicheck::digest::Algorithm::Sha256
                .digest_of(&bytes)
                .trim_start_matches("sha256:")
        );
        let entry_path = p.digest.replacen(':', "/", 1);
        for f in &r.findings {
            if f.code.starts_with("REG") {
                reg_codes.push(format!("{} {}", f.code, f.message));
            } else {
                got.push(key(f).replace(&served_as, &format!("blobs/{entry_path}")));
            }
        }
    }
    expected.sort();
    expected.dedup();
    got.sort();
    got.dedup();
    if expected == got && reg_codes.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!(
        "{}:\n  layout only:   {:?}\n  registry only: {:?}\n  REG: {reg_codes:?}",
        case.id,
        expected
            .iter()
            .filter(|k| !got.contains(k))
            .collect::<Vec<_>>(),
        got.iter()
            .filter(|k| !expected.contains(k))
            .collect::<Vec<_>>(),
    )))
}

#[test]
fn corpus_images_pushed_to_a_registry_validate_as_their_layouts() {
    need_registry!();
    let reg = Registry::shared();
    let root = ocicheck::corpus::root();
    let cases: Vec<_> = ocicheck::corpus::load_all(&root)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|c| {
            c.file.kind == ocicheck::corpus::CaseKind::Layout
                && !c.id.starts_with("hostile/")
                && c.input_path().join("index.json").is_file()
        })
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let r = compare_case(case, reg);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((case.id.clone(), r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let refused: Vec<String> = results
        .iter()
        .filter_map(|(id, r)| r.as_ref().err().map(|e| format!("{id}: {e}")))
        .collect();
    let mismatches: Vec<&String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().and_then(Option::as_ref))
        .collect();
    let compared = results.len() - refused.len();
    println!(
        "compared {compared} of {} corpus layouts through the registry; {} not pushed or not validated as such:\n  {}",
        cases.len(),
        refused.len(),
        refused.join("\n  ")
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} cases differ:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(compared >= 150, "only {compared} cases could be compared");
}
