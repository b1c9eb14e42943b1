use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// A config has a non-empty `history` whose entries that created a layer (those without `empty_layer: true`)
    /// do not number as many as `rootfs.diff_ids`.
    ///
    /// ## Why it matters
    /// `history` describes each layer in order, and `empty_layer` marks exactly the entries that do not
    /// correspond to a layer; when the counts differ, tools that pair history with layers (`docker history`, image
    /// scanners attributing files to build steps) attribute them to the wrong step.
    ///
    /// ## Basis
    /// Keyword: `history` and `empty_layer` are OPTIONAL (config-044, config-049) and config.md only describes
    /// what `empty_layer` means, with no keyword that the counts must agree: an info. (Upstream's own valid
    /// fixture `TestConfig-07` has exactly this shape.)
    ///
    /// ## Example
    /// Two DiffIDs with a history of one layer-creating entry and one `empty_layer` entry.
    ///
    /// ## How to fix
    /// Mark the history entries that made no layer (`ENV`, `LABEL`, `CMD` steps) with `"empty_layer": true`, so
    /// that the others number as many as the layers. Tools that squash layers but keep the old history are the
    /// usual source.
    CFG034, "config-history-count-mismatch", Info,
    basis: Keyword,
    clauses: ["config-044", "config-049"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    let Some(v) = cx.value() else { return };
    let Some(history) = v.get("history").and_then(|h| h.as_array()) else {
        return;
    };
    let Some(ids) = v.pointer("/rootfs/diff_ids").and_then(|d| d.as_array()) else {
        return;
    };
    if history.is_empty() || history.iter().any(|e| e.as_object().is_none()) {
        return;
    }
    let layered = history
        .iter()
        .filter(|e| e.get("empty_layer").and_then(|b| b.as_bool()) != Some(true))
        .count();
    if layered != ids.len() {
        out.at(
            "/history",
            format!(
                "history has {layered} entries that created a layer (not empty_layer), but rootfs.diff_ids has {}",
                ids.len()
            ),
        );
    }
}
