//! What a run of a layout or an archive did not validate, so that a clean report is never read as more than it
//! says: the images that index entries point at but that were not read (a Docker media type without `--profile
//! docker-compat`, a digest that names no usable path, a blob that is missing, unreadable, not a regular file or
//! too large to parse, a walk stopped by the time limit), and the blobs whose checks a limit stopped or that are
//! not there (a sparse layout). Each also has a finding of its own rule; this is the count the summary line and
//! the JSON report's `not_validated` give. Images left out by `--ref`, `--platform` or `--digest` are not counted:
//! the user asked for that.

use crate::mediatype as mt;
use crate::report::{NotValidated, NotValidatedItem};
use crate::source::EntryKind;
use crate::walk::{DocKind, Graph, Role};
use crate::{Options, layer};

/// The images validated and what was not, or `None` when everything reachable was.
pub fn not_validated(graph: &Graph, opts: &Options) -> Option<NotValidated> {
    let [root, other, stopped] = not_validated_items(graph, opts);
    let images_validated = images_validated(graph, |_| true);
    summed(
        images_validated,
        root.into_iter().chain(other).chain(stopped),
    )
}

/// The image manifests of `graph` that were read and validated, of those that `count` accepts.
pub(crate) fn images_validated(graph: &Graph, count: impl Fn(&crate::walk::Doc) -> bool) -> usize {
    let owns = |file: &str| graph.scope.as_ref().is_none_or(|s| s.owns(file));
    graph
        .docs
        .iter()
        .filter(|d| d.kind == DocKind::Manifest && d.referrer.is_some() && owns(&d.file))
        .filter(|d| count(d))
        .count()
}

/// The list of what was not validated, from its items in report order (a blob reached from several images is
/// listed once).
pub(crate) fn summed(
    images_validated: usize,
    items: impl Iterator<Item = NotValidatedItem>,
) -> Option<NotValidated> {
    let mut seen = std::collections::BTreeSet::new();
    let items: Vec<NotValidatedItem> = items
        .filter(|i| seen.insert((i.kind, i.file.clone())))
        .collect();
    if items.is_empty() {
        return None;
    }
    Some(NotValidated {
        images_validated,
        images_not_validated: items.iter().filter(|i| i.kind == "image").count(),
        blobs_not_validated: items.iter().filter(|i| i.kind == "blob").count(),
        items,
    })
}

/// What was not validated, in the order the report lists it: what `index.json`'s entries point at, what the other
/// descriptors point at (in walk order), and the images whose cross-layer checks a limit stopped.
pub(crate) fn not_validated_items(graph: &Graph, opts: &Options) -> [Vec<NotValidatedItem>; 3] {
    let (mut root, mut other, mut stopped_items) = (Vec::new(), Vec::new(), Vec::new());
    // With `--shard`: what this shard validated (the descriptors of its own documents).
    let owns = |file: &str| graph.scope.as_ref().is_none_or(|s| s.owns(file));
    for d in &graph.descs {
        let holder = &graph.docs[d.doc];
        if !owns(&holder.file) || !in_batch(graph, d) {
            continue;
        }
        let items = if holder.is_index_json {
            &mut root
        } else {
            &mut other
        };
        match d.role {
            Role::IndexEntry if d.target_doc.is_none() => {
                if let Some(reason) = image_reason(graph, opts, d) {
                    items.push(NotValidatedItem {
                        kind: "image",
                        file: target_name(d),
                        via: graph.via_of_desc(d),
                        reason,
                    });
                }
            }
            Role::Config | Role::Layer(_) if holder.kind == DocKind::Manifest => {
                if let Some(reason) = blob_reason(graph, opts, d) {
                    items.push(NotValidatedItem {
                        kind: "blob",
                        file: target_name(d),
                        via: graph.via_of_desc(d),
                        reason,
                    });
                }
            }
            _ => {}
        }
    }
    // Cross-layer checks a limit stopped (computed by the rules that ran, one replay per image).
    if let Ok(stacks) = graph.layer_stacks.lock() {
        let mut stopped: Vec<(usize, String)> = stacks
            .by_manifest
            .iter()
            .filter_map(|(m, s)| s.stopped.clone().map(|why| (*m, why)))
            .collect();
        stopped.sort();
        for (m, why) in stopped {
            let Some(doc) = graph.docs.get(m).filter(|d| owns(&d.file)) else {
                continue;
            };
            stopped_items.push(NotValidatedItem {
                kind: "image",
                file: doc.file.to_string(),
                via: graph.via_of_doc(doc.id),
                reason: format!("its layers were checked one by one, but {why}"),
            });
        }
    }
    [root, other, stopped_items]
}

/// Of a layout walked in batches, whether the current batch followed `d`: `index.json`'s descriptors are held for
/// the whole run, and a batch follows some of them.
fn in_batch(graph: &Graph, d: &crate::walk::DescOcc) -> bool {
    let Some(b) = &graph.batch else {
        return true;
    };
    if d.doc >= b.docs_from {
        return true;
    }
    match d.entry_position() {
        Some(p) => b.entries.contains(&p),
        None => d.role == Role::Subject && b.subject,
    }
}

/// The blob path a descriptor names, or its digest as written when that is no path.
fn target_name(d: &crate::walk::DescOcc) -> String {
    d.blob_path()
        .or_else(|| d.digest_text().map(str::to_string))
        .unwrap_or_else(|| "(no digest)".to_string())
}

/// Why the blob a descriptor points at could not be read, if it could not.
fn unread(graph: &Graph, d: &crate::walk::DescOcc) -> Option<String> {
    let Some(path) = d.blob_path() else {
        return Some("its digest names no blob path, so it was not read".into());
    };
    if !followed(graph, d) {
        // Never followed: the walk stopped early, or (with a selection) an image left out on purpose.
        return graph
            .run_time_limit
            .as_ref()
            .map(|_| "the run's time limit (--max-time) stopped the walk before it".into());
    }
    let blob = graph.blobs.get(&*path)?;
    match blob.entry {
        None => Some("not in the layout".into()),
        Some(EntryKind::File) => {
            if let Some(e) = blob.read_error() {
                Some(format!("could not be read: {e}"))
            } else if let Some(t) = blob.time_limit() {
                Some(format!("a time limit stopped reading it: {t}"))
            } else if graph.oversized.iter().any(|(f, _, _)| *f == path) {
                Some("larger than --max-json-size, so not parsed".into())
            } else if let Some((_, why, _)) = graph.over_budget.iter().find(|(f, _, _)| *f == path)
            {
                // Which limit it was (--max-json-values, --max-json-total, --max-memory), as its finding says.
                Some(why.clone())
            } else {
                None
            }
        }
        Some(_) => Some("not a regular file, so not read".into()),
    }
}

fn image_reason(graph: &Graph, opts: &Options, d: &crate::walk::DescOcc) -> Option<String> {
    let m = d.media_type(graph).unwrap_or_default();
    let readable = matches!(m, mt::MANIFEST | mt::INDEX)
        || (opts.docker_compat() && matches!(m, mt::DOCKER_MANIFEST | mt::DOCKER_MANIFEST_LIST));
    if !readable {
        if opts.select.is_empty() || followed(graph, d) {
            return Some(match m {
                mt::DOCKER_MANIFEST => {
                    "a Docker image manifest, read only with --profile docker-compat".to_string()
                }
                mt::DOCKER_MANIFEST_LIST => {
                    "a Docker manifest list, read only with --profile docker-compat".to_string()
                }
                "" => "the entry has no usable mediaType, so its target was not read".to_string(),
                m => format!(
                    "{} is neither an OCI image manifest nor an index: only its digest and size were checked",
                    crate::json::shorten(m, 80)
                ),
            });
        }
        return None;
    }
    unread(graph, d)
}

fn blob_reason(graph: &Graph, opts: &Options, d: &crate::walk::DescOcc) -> Option<String> {
    if let Some(r) = unread(graph, d) {
        return Some(r);
    }
    let Role::Layer(_) = d.role else {
        return None;
    };
    let m = d.media_type(graph)?;
    layer::layer_compression(m, opts)?;
    if opts.fast {
        return None; // --fast says so itself (`skipped`)
    }
    let blob = graph.blobs.get(&*d.blob_path()?)?;
    match blob.layer.as_deref() {
        Some(facts) => facts.unchecked_reason(),
        // Checked and released (a layout's groups of images): what its facts said of it was kept.
        None => graph.released_gaps.get(&blob.path).cloned(),
    }
}

/// Whether the walk followed a descriptor (a selection leaves some out).
fn followed(graph: &Graph, d: &crate::walk::DescOcc) -> bool {
    d.blob_path()
        .and_then(|p| graph.blobs.get(&*p))
        .is_some_and(|b| b.refs.contains(&d.id))
}
