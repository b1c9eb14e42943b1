use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::json::{self, Value};
use crate::report::Location;
use crate::rule::Check;
use crate::source::EntryKind;
use crate::walk::{DocKind, Role};

declare_rule! {
    /// ## What it checks
    /// `docker save` output from Docker 25 and later (and `ctr image export`) holds an OCI image layout plus
    /// Docker's own `manifest.json` (and `repositories`). When `manifest.json` has Docker's shape (an array of
    /// objects with a `Config` path), each item must agree with the layout: its `Config` and every path in
    /// `Layers` must be files of the archive, the config must be the config of an image manifest reachable from
    /// `index.json`, and `Layers` must list that manifest's layer blobs, in order. (`RepoTags` are not compared:
    /// Docker and OCI spell names differently.) A `manifest.json` of another shape is an unknown file and is left
    /// alone. The image manifests compared include Docker-typed ones under `--profile docker-compat`; without
    /// it they are not read (IDX022), so an item whose config only such a manifest could hold is not reported.
    /// With `--ref`/`--platform`/`--digest`, items of images left out are not checked.
    ///
    /// ## Why it matters
    /// `docker load` reads `manifest.json`; OCI tools read `index.json`, the layout's entry point
    /// (image-layout-017). When the two disagree, the same archive is a different image depending on who opens
    /// it, and what `docker load` unpacks was never validated.
    ///
    /// ## Basis
    /// Hardening. The spec knows nothing of `manifest.json` and says implementations should not error on
    /// unknown files, naming this one (image-layout.md § Content): nothing requires it to agree. But an archive
    /// whose two entry points name different images lets an image pass validation through `index.json` while
    /// `docker load` runs another, which is exactly what a gate must not let through; so a warning by default,
    /// an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// ```json
    /// [{"Config": "blobs/sha256/<config>", "RepoTags": ["app:1"], "Layers": ["blobs/sha256/<a layer not in any manifest>"]}]
    /// ```
    ///
    /// ## How to fix
    /// Re-export the image with the same Docker: `manifest.json` and the OCI layout were written by one `docker
    /// save`, so a mismatch means one of them was edited or the archive was assembled by hand.
    ARC008, "archive-docker-manifest-mismatch", Warning,
    basis: Hardening,
    clauses: ["image-layout-017"],
    section: "image-layout.md#content",
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    let Some(a) = cx.graph.archive.as_ref().filter(|a| !a.docker_legacy) else {
        return;
    };
    let Some(m) = &a.docker_manifest else {
        return;
    };
    let file = match &a.prefix {
        Some(p) => format!("{p}/manifest.json"),
        None => "manifest.json".to_string(),
    };
    let bytes = match m {
        Ok(b) => b,
        Err(e) => {
            out.emit(
                Location::file(file),
                format!("manifest.json could not be read ({e}), so it could not be compared with index.json"),
            );
            return;
        }
    };
    // Docker manifests and manifest lists that were not read (no `--profile docker-compat`): a config that only
    // they could hold cannot be said to disagree.
    let unread_docker = cx.graph.descs.iter().any(|d| {
        d.target_doc.is_none()
            && matches!(
                d.media_type(cx.graph),
                Some(crate::mediatype::DOCKER_MANIFEST | crate::mediatype::DOCKER_MANIFEST_LIST)
            )
    });
    let parsed = json::parse(bytes);
    let at = |v: &Value, pointer: &str| {
        let (l, c) = json::line_col(bytes, v.offset);
        Location {
            pointer: Some(pointer.to_string()),
            line: Some(l),
            column: Some(c),
            ..Location::file(file.clone())
        }
    };
    // Only Docker's shape is compared: anything else is one of the unknown files a layout may hold.
    let Some(items) = parsed.value.as_ref().and_then(Value::as_array) else {
        return;
    };
    if items.is_empty()
        || !items
            .iter()
            .all(|i| i.get("Config").is_some_and(|c| c.as_str().is_some()))
    {
        return;
    }
    let is_file = |p: &str| cx.entry(p).is_some_and(|e| e.kind == EntryKind::File);
    for (i, item) in items.iter().enumerate() {
        let ptr = format!("/{i}");
        let Some(config_v) = item.get("Config").filter(|c| c.as_str().is_some()) else {
            continue;
        };
        let config = clean(config_v.as_str().unwrap_or_default());
        let layers: Vec<(String, &Value)> = item
            .get("Layers")
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .map(|l| (clean(l.as_str().unwrap_or_default()), l))
            .collect();
        // The image manifests whose config is this file.
        let manifests: Vec<_> = cx
            .graph
            .docs
            .iter()
            .filter(|d| d.kind == DocKind::Manifest)
            .filter(|d| {
                cx.graph
                    .descs_of(d.id)
                    .any(|x| x.role == Role::Config && x.blob_path().as_deref() == Some(&config))
            })
            .collect();
        if manifests.is_empty() && !cx.opts.select.is_empty() {
            continue; // an image left out of the selection
        }
        if !is_file(&config) {
            out.emit(
                at(config_v, &format!("{ptr}/Config")),
                format!("Config names `{config}`, which is not a file of the archive"),
            );
        } else if manifests.is_empty() && !unread_docker {
            out.emit(
                at(config_v, &format!("{ptr}/Config")),
                format!(
                    "Config names `{config}`, but no image manifest reachable from index.json has that config: docker load would load an image OCI tools do not see"
                ),
            );
        }
        for (j, (path, lv)) in layers.iter().enumerate() {
            if !is_file(path) {
                out.emit(
                    at(lv, &format!("{ptr}/Layers/{j}")),
                    format!("Layers names `{path}`, which is not a file of the archive"),
                );
            }
        }
        let Some(first) = manifests.first() else {
            continue;
        };
        let mut expected: Vec<(usize, String)> = cx
            .graph
            .descs_of(first.id)
            .filter_map(|x| match x.role {
                Role::Layer(k) => Some((k, x.blob_path().unwrap_or_default())),
                _ => None,
            })
            .collect();
        expected.sort();
        let expected: Vec<String> = expected.into_iter().map(|(_, p)| p).collect();
        let listed: Vec<String> = layers.iter().map(|(p, _)| p.clone()).collect();
        if listed != expected && manifests.iter().all(|m| layers_of(cx, m.id) != listed) {
            let where_ = item.get("Layers").unwrap_or(item);
            out.emit(
                at(where_, &format!("{ptr}/Layers")),
                format!(
                    "Layers lists {} ({}), but the image manifest {} that has this config lists {} ({}): docker load would stack other layers than OCI tools",
                    plural(listed.len()),
                    short_list(&listed),
                    first.file,
                    plural(expected.len()),
                    short_list(&expected)
                ),
            );
        }
    }
}

fn layers_of(cx: &LayoutCx, manifest: usize) -> Vec<String> {
    let mut v: Vec<(usize, String)> = cx
        .graph
        .descs_of(manifest)
        .filter_map(|x| match x.role {
            Role::Layer(k) => Some((k, x.blob_path().unwrap_or_default())),
            _ => None,
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, p)| p).collect()
}

fn clean(p: &str) -> String {
    p.trim_start_matches("./").to_string()
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 layer".into()
    } else {
        format!("{n} layers")
    }
}

/// Blob paths shortened to their first 12 hex digits.
fn short_list(v: &[String]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter()
        .map(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            name.get(..12).unwrap_or(name).to_string()
        })
        .collect::<Vec<_>>()
        .join(", ")
}
