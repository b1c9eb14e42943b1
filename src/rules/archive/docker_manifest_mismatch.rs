use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::json::{self, Value};
use crate::report::Location;
use crate::rule::Check;
use crate::source::EntryKind;
use crate::walk::{DocKind, Role};

declare_rule! {
    /// ## What it checks
    /// `docker save` output from Docker 25 and later holds an OCI image layout plus Docker's own `manifest.json`
    /// (and `repositories`). Each `manifest.json` item must agree with the layout: its `Config` and every path in
    /// `Layers` must be files of the archive, the config must be the config of an image manifest reachable from
    /// `index.json`, and `Layers` must list that manifest's layer blobs, in order. (`RepoTags` are not compared:
    /// Docker and OCI spell names differently.) With `--ref`/`--platform`/`--digest`, items of images left out
    /// are not checked.
    ///
    /// ## Why it matters
    /// `docker load` reads `manifest.json`; OCI tools read `index.json`, the layout's entry point
    /// (image-layout-017). When the two disagree, the same archive is a different image depending on who opens
    /// it, and what `docker load` unpacks was never validated.
    ///
    /// ## Example
    /// ```json
    /// [{"Config": "blobs/sha256/<config>", "RepoTags": ["app:1"], "Layers": ["blobs/sha256/<a layer not in any manifest>"]}]
    /// ```
    ///
    /// ## How to fix
    /// Re-export the image with the same Docker: `manifest.json` and the OCI layout were written by one `docker
    /// save`, so a mismatch means one of them was edited or the archive was assembled by hand.
    ARC008, "archive-docker-manifest-mismatch", Error,
    clauses: ["image-layout-017"],
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
    let Some(v) = parsed.value.as_ref() else {
        out.emit(
            Location::file(file.clone()),
            "manifest.json is not JSON, so docker load cannot read it and it could not be compared with index.json",
        );
        return;
    };
    let Some(items) = v.as_array() else {
        out.emit(
            at(v, ""),
            format!(
                "manifest.json is {}; docker save writes an array of {{Config, RepoTags, Layers}} objects",
                v.type_name()
            ),
        );
        return;
    };
    let is_file = |p: &str| cx.entry(p).is_some_and(|e| e.kind == EntryKind::File);
    for (i, item) in items.iter().enumerate() {
        let ptr = format!("/{i}");
        let Some(config_v) = item.get("Config").filter(|c| c.as_str().is_some()) else {
            out.emit(
                at(item, &ptr),
                "the item has no Config path, so docker load cannot find its image config",
            );
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
        } else if manifests.is_empty() {
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
