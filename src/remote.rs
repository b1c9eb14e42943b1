//! Inputs named by a transport, as skopeo names them: `docker://HOST[:PORT]/REPO[:TAG|@DIGEST]` (an image in a
//! registry, [`validate_registry`]), `oci:DIR[:REF]` and `oci-archive:FILE[:REF]` (a layout or an archive, with
//! `--ref REF`). A path that exists is always a path, whatever it starts with.

use std::path::{Path, PathBuf};

use crate::report::{self, Input as ReportInput, Report};
use crate::source::Source;
use crate::source::registry::shared::{Shared, Verified};
use crate::source::registry::{Reference, RegistrySource};
use crate::walk::{self, DocKind, Graph, Role};
use crate::{Error, Options};

/// What a command-line input names.
pub enum Input {
    /// `docker://HOST[:PORT]`: a registry's catalogue.
    Catalogue(crate::source::registry::reference::Registry),
    /// `docker://…`.
    Registry(Reference),
    /// `oci:DIR[:REF]`, `oci-archive:FILE[:REF]`: the path, and the options with `--ref REF` added.
    Local(PathBuf, Box<Options>),
    /// Anything else: a path.
    Path,
}

/// Read an input's transport prefix.
pub fn input(path: &Path, opts: &Options) -> Result<Input, Error> {
    let Some(s) = path.to_str() else {
        return Ok(Input::Path);
    };
    if let Some(rest) = s.strip_prefix("docker://") {
        if let Some(r) = crate::source::registry::reference::catalogue(rest) {
            return r.map(Input::Catalogue).map_err(Error::Usage);
        }
        return Reference::parse(rest)
            .map(Input::Registry)
            .map_err(Error::Usage);
    }
    if path.exists() {
        return Ok(Input::Path);
    }
    let Some(rest) = s
        .strip_prefix("oci:")
        .or_else(|| s.strip_prefix("oci-archive:"))
    else {
        return Ok(Input::Path);
    };
    // skopeo's syntax: the path ends at the first `:` (a ref name may hold more of them).
    let (p, r) = match rest.split_once(':') {
        Some((p, r)) if !r.is_empty() => (p, Some(r)),
        _ => (rest.trim_end_matches(':'), None),
    };
    if p.is_empty() {
        return Err(Error::Usage(format!("{s}: no path after the transport")));
    }
    let mut opts = opts.clone();
    if let Some(r) = r {
        opts.select.refs.push(r.to_string());
    }
    Ok(Input::Local(PathBuf::from(p), Box::new(opts)))
}

/// Validate the image a `docker://` reference names, with everything it references (an index's children, their
/// configs and layers; with `--referrers`, what refers to each manifest).
pub fn validate_registry(reference: Reference, opts: &Options) -> Result<Report, Error> {
    let opts = &opts.start_clock();
    let display = reference.to_string();
    if opts.shard.is_some() {
        return Err(Error::Usage(format!(
            "--shard shares out the images of a layout's index.json; {display} names one manifest or index by its tag or digest: validate it whole"
        )));
    }
    if !opts.select.refs.is_empty() {
        return Err(Error::Usage(format!(
            "{}: picks index.json entries by name, but {display} names its image by its tag or digest (--platform and --digest pick inside it)",
            opts.select.describe()
        )));
    }
    let src = RegistrySource::open(reference, opts)
        .map_err(|e| Error::Io(display.clone(), std::io::Error::other(e.0)))?;
    let (mut report, _) = check_image(&src, opts).map_err(Error::Usage)?;
    if opts.select.is_empty() {
        report.images = None;
    } else {
        report.images_selected = true;
    }
    Ok(report)
}

/// Walk, verify and check the image a registry source names: its report (with `images`), and the files it
/// reached in walk order, named as the report names them. `Err`: what `--platform`/`--digest` matched nothing of.
/// In a catalogue run (the source has [`RegistrySource::shared`]) blobs verified by an earlier image are taken from
/// the run's cache instead of fetched, and those this image verified are kept there.
pub(crate) fn check_image(
    src: &RegistrySource,
    opts: &Options,
) -> Result<(Report, Vec<String>), String> {
    let display = src.reference.to_string();
    let mut graph = walk::walk_layout(src, opts);
    if let Some(msg) = unmatched(&graph, &display, opts) {
        return Err(msg);
    }
    let shared = src.shared.as_deref().filter(|_| !opts.fast);
    if let Some(s) = shared {
        lend(&mut graph, s, opts);
    }
    crate::verify::verify(src, &mut graph, opts);
    graph.registry = Some(src.served());
    let checked = crate::run_checks(&mut graph, Some(&[]), None, crate::Verify::Done, opts, None);
    let mut report = crate::finish(
        ReportInput {
            path: display,
            kind: "registry",
            media_type: None,
            media_type_source: None,
        },
        checked,
        &graph,
        opts,
    );
    report.images = Some(images(&graph, src));
    if opts.fast {
        report.skipped = Some(fast_skipped(&graph, opts));
    }
    crate::display_locations(&mut report.findings, src);
    crate::display_notes(&mut report.not_listed, src);
    if let Some(g) = &mut report.contents {
        g.relocate(|p| src.display_path(p).into_owned());
    }
    let mut order: Vec<(usize, &str)> = graph.ranks().map(|(f, r)| (r, f)).collect();
    order.sort();
    let files = order
        .into_iter()
        .map(|(_, f)| src.display_path(f).into_owned())
        .collect();
    if let Some(s) = shared {
        keep(&mut graph, s, opts);
    }
    Ok((report, files))
}

/// How the descriptors that reach a blob read it: their roles and media types, and the algorithms of the DiffIDs
/// that name it (the layer pass's facts depend on these), after its digest: the key of the run's cache.
fn fact_key(g: &Graph, b: &walk::Blob, digest: &crate::digest::Digest) -> String {
    let mut how: Vec<String> = b
        .refs
        .iter()
        .map(|&i| {
            let d = &g.descs[i];
            let diff = match d.role {
                Role::Layer(k) => g
                    .config_of(d.doc)
                    .and_then(walk::Doc::value)
                    .and_then(|v| v.pointer(&format!("/rootfs/diff_ids/{k}")))
                    .and_then(crate::json::Value::as_str)
                    .and_then(|s| s.split_once(':'))
                    .map(|(alg, _)| alg.to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            format!(
                "{}:{}:{diff}",
                matches!(d.role, Role::Layer(_)),
                d.media_type(g).unwrap_or("")
            )
        })
        .collect();
    how.sort();
    how.dedup();
    format!("{digest} {}", how.join(","))
}

/// Before verification: the blobs an earlier image of the run verified, from the cache.
fn lend(g: &mut Graph, shared: &Shared, _opts: &Options) {
    let keys: Vec<(std::sync::Arc<str>, String)> = g
        .blobs
        .values()
        .filter(|b| b.present() && !b.loaded && b.read_error().is_none() && b.computed.is_none())
        .filter_map(|b| Some((b.path.clone(), fact_key(g, b, b.digest.as_ref()?))))
        .collect();
    for (path, key) in keys {
        let Some(v) = shared.take(&key) else { continue };
        if let Some(b) = g.blobs.get_mut(&*path) {
            b.size = Some(v.size);
            b.computed = b.digest.as_ref().map(|_| crate::walk::Computed::Matches);
            b.layer = v.layer;
        }
    }
}

/// After the checks: the blobs that verified cleanly, into the cache (entry lists only when nothing but the
/// content decided what they hold).
fn keep(g: &mut Graph, shared: &Shared, opts: &Options) {
    let clean: Vec<(std::sync::Arc<str>, String)> = g
        .blobs
        .values()
        .filter(|b| {
            b.present()
                && !b.loaded
                && b.read_error().is_none()
                && b.time_limit().is_none()
                && b.digest.as_ref().is_some_and(|d| {
                    d.verifiable(opts.spec).is_some()
                        && b.computed == Some(crate::walk::Computed::Matches)
                })
                && b.layer
                    .as_ref()
                    .is_none_or(|l| l.tar.dropped_by_budget == 0 && l.tar.dropped_by_memory == 0)
        })
        .filter_map(|b| Some((b.path.clone(), fact_key(g, b, b.digest.as_ref()?))))
        .collect();
    for (path, key) in clean {
        if let Some(b) = g.blobs.get_mut(&*path) {
            let v = Verified {
                size: b.size.unwrap_or(0),
                layer: b.layer.take(),
            };
            shared.put(key, v);
        }
    }
}

/// The root document (the one no descriptor reached first) of a registry's walk.
fn root(g: &Graph) -> Option<&walk::Doc> {
    g.docs.iter().find(|d| d.referrer.is_none())
}

/// With `--platform`/`--digest`: the message when nothing the reference names matches. A root index is picked
/// from like `index.json`; a root manifest matches by its own digest and its config's platform.
fn unmatched(g: &Graph, display: &str, opts: &Options) -> Option<String> {
    let sel = &opts.select;
    if sel.is_empty() {
        return None;
    }
    let root = root(g)?;
    let digest = g
        .blobs
        .get(&*root.file)
        .and_then(|b| b.digest.as_ref())
        .map(ToString::to_string);
    let platform_of = |v: &crate::json::Value| {
        let s = |k: &str| v.get(k).and_then(crate::json::Value::as_str);
        let mut t = format!("{}/{}", s("os")?, s("architecture")?);
        if let Some(var) = s("variant") {
            t.push('/');
            t.push_str(var);
        }
        Some(t)
    };
    let (matched, platforms) = match root.kind {
        DocKind::Manifest => {
            let config = g.config_of(root.id).and_then(|c| c.value());
            let by_digest =
                sel.digests.is_empty() || digest.as_ref().is_some_and(|d| sel.digests.contains(d));
            let by_platform = sel.platforms.is_empty()
                || config.is_some_and(|c| sel.platforms.iter().any(|p| p.matches(c)));
            (
                by_digest && by_platform,
                config.and_then(platform_of).into_iter().collect::<Vec<_>>(),
            )
        }
        _ => {
            let picked = g.docs.iter().any(|d| d.kind == DocKind::Manifest);
            let platforms = g
                .descs_of(root.id)
                .filter(|d| d.role == Role::IndexEntry)
                .filter_map(|d| d.value(g).get("platform").and_then(platform_of))
                .collect();
            (picked, platforms)
        }
    };
    if matched {
        return None;
    }
    Some(format!(
        "{}: no image of {display} matches (its digest: {}; platforms: {})",
        sel.describe(),
        digest.unwrap_or_else(|| "unknown".into()),
        if platforms.is_empty() {
            "none".to_string()
        } else {
            platforms.join(", ")
        }
    ))
}

/// The images validated, named as the registry serves them.
fn images(g: &Graph, src: &RegistrySource) -> Vec<crate::select::ImageRef> {
    let mut list = crate::select::images(g);
    for img in &mut list {
        if img.digest.is_none() {
            img.digest = g.blobs.get(&*img.file).and_then(|b| b.digest.clone());
        }
        if let std::borrow::Cow::Owned(f) = src.display_path(&img.file) {
            img.file = f.into();
        }
        for v in &mut img.via {
            *v = src.display_path(v).into_owned();
        }
    }
    list
}

/// What `--fast` left out of a registry's blobs: everything not read as JSON was asked for with HEAD only.
fn fast_skipped(g: &Graph, opts: &Options) -> report::Skipped {
    let (blobs, bytes) = g
        .blobs
        .values()
        .filter(|b| b.present() && !b.loaded)
        .fold((0usize, 0u64), |(n, s), b| (n + 1, s + b.size.unwrap_or(0)));
    let rules = crate::fast_not_run(opts);
    let size = if bytes < 1 << 20 {
        format!("{bytes} bytes")
    } else {
        format!("{:.1} MiB", bytes as f64 / 1048576.0)
    };
    let message = format!(
        "--fast: {blobs} blob{} ({size}) checked with HEAD only (that the registry has {}, and {} size): {} not verified and layers were not decompressed, so DiffIDs, compression and tar entries (paths, links, whiteouts) were not checked{}; run without --fast for that",
        if blobs == 1 { "" } else { "s" },
        if blobs == 1 { "it" } else { "them" },
        if blobs == 1 { "its" } else { "their" },
        if blobs == 1 {
            "its digest was"
        } else {
            "their digests were"
        },
        if rules.is_empty() {
            String::new()
        } else {
            format!(" (rules not run: {})", rules.join(", "))
        }
    );
    report::Skipped {
        option: "--fast",
        layers: blobs,
        layer_bytes: bytes,
        rules,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports() {
        let opts = Options::default();
        match input(Path::new("oci:/no/such/dir:v1:extra"), &opts) {
            Ok(Input::Local(p, o)) => {
                assert_eq!(p, PathBuf::from("/no/such/dir"));
                assert_eq!(o.select.refs, vec!["v1:extra".to_string()]);
            }
            _ => panic!("oci: not read"),
        }
        match input(Path::new("oci-archive:/no/such.tar"), &opts) {
            Ok(Input::Local(p, o)) => {
                assert_eq!(p, PathBuf::from("/no/such.tar"));
                assert!(o.select.refs.is_empty());
            }
            _ => panic!("oci-archive: not read"),
        }
        assert!(matches!(
            input(Path::new("docker://localhost:5000/a/b:c"), &opts),
            Ok(Input::Registry(_))
        ));
        assert!(matches!(
            input(Path::new("docker://localhost:5000"), &opts),
            Ok(Input::Catalogue(_))
        ));
        assert!(matches!(
            input(Path::new("docker://[::1]:5000/"), &opts),
            Ok(Input::Catalogue(_))
        ));
        assert!(matches!(
            input(Path::new("docker://alpine"), &opts),
            Ok(Input::Registry(_))
        ));
        // A path that exists is a path.
        assert!(matches!(
            input(Path::new("conformance/valid"), &opts),
            Ok(Input::Path)
        ));
    }
}
