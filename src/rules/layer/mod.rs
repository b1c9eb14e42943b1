//! Layer rules (layer.md): the compressed stream, the tar stream, the changeset entries, whiteouts and hard links
//! (across the layers of an image too), and the DiffIDs of the config.
//!
//! Per-layer facts come from the layer pass (`crate::layer`), stored on each blob; rules on one layer run once
//! per blob (`Check::Layout`), rules that need the layer's place in an image (DiffIDs, whiteouts and hard links
//! against lower layers) once per manifest (`Check::Image`). Findings sit at the layer's blob file, with the tar
//! entry (its name as written, and the offset of its first header in the uncompressed stream) when there is one.

use crate::check::{ImageCx, LayoutCx, Out};
use crate::layer::{Entry, LayerFacts};
use crate::report::{EntryLoc, Location};
use crate::rule::Rule;
use crate::walk::{Blob, DescOcc, Role};

pub mod attribute_missing;
pub mod compression_mismatch;
pub mod decompression_failed;
pub mod decompression_limit;
pub mod device_node;
pub mod diff_id_mismatch;
pub mod entry_below_non_dir;
pub mod entry_duplicate;
pub mod entry_outside_root;
pub mod entry_type_unlisted;
pub mod hardlink_target_missing;
pub mod media_type_non_distributable;
pub mod name_not_utf8;
pub mod opaque_whiteout;
pub mod opaque_whiteout_parent_not_dir;
pub mod path_absolute;
pub mod path_dotdot;
pub mod sparse_file;
pub mod tar_eof_marker_missing;
pub mod tar_invalid;
pub mod tar_trailing_data;
pub mod whiteout_after_sibling_dir;
pub mod whiteout_and_entry_same_path;
pub mod whiteout_name_empty;
pub mod whiteout_name_unknown;
pub mod whiteout_not_empty_file;
pub mod whiteout_target_missing;

pub const RULES: &[&Rule] = &[
    &compression_mismatch::RULE,
    &decompression_failed::RULE,
    &decompression_limit::RULE,
    &tar_invalid::RULE,
    &tar_eof_marker_missing::RULE,
    &tar_trailing_data::RULE,
    &diff_id_mismatch::RULE,
    &path_absolute::RULE,
    &path_dotdot::RULE,
    &entry_outside_root::RULE,
    &entry_duplicate::RULE,
    &hardlink_target_missing::RULE,
    &whiteout_name_empty::RULE,
    &whiteout_and_entry_same_path::RULE,
    &opaque_whiteout_parent_not_dir::RULE,
    &whiteout_name_unknown::RULE,
    &whiteout_target_missing::RULE,
    &whiteout_after_sibling_dir::RULE,
    &opaque_whiteout::RULE,
    &sparse_file::RULE,
    &entry_type_unlisted::RULE,
    &name_not_utf8::RULE,
    &attribute_missing::RULE,
    &media_type_non_distributable::RULE,
    &device_node::RULE,
    &entry_below_non_dir::RULE,
    &whiteout_not_empty_file::RULE,
];

/// Whether a rule reads what the layer pass found: every layer rule but LYR024, which looks at the descriptor's
/// media type alone. `--fast` runs no layer pass, so these rules do not run either (and the report lists them).
pub fn reads_layer_contents(rule: &Rule) -> bool {
    rule.code != media_type_non_distributable::RULE.code
        && RULES.iter().any(|r| r.code == rule.code)
}

/// Findings of one rule on one layer beyond this many are counted, not listed (a note says how many).
pub const MAX_PER_LAYER: usize = 50;

/// Every blob the layer pass read, in path order.
pub fn layers<'g>(cx: &LayoutCx<'g>) -> impl Iterator<Item = (&'g Blob, &'g LayerFacts)> {
    cx.blobs()
        .filter_map(|b| b.layer.as_deref().map(|f| (b, f)))
}

/// The location of a tar entry of a layer.
pub fn entry_loc(f: &LayerFacts, e: &Entry) -> EntryLoc {
    EntryLoc {
        path: f.tar.name(e).to_string(),
        offset: e.offset,
    }
}

/// Reports findings on the entries of one layer, at most [`MAX_PER_LAYER`], and counts the rest.
pub struct EntryReporter<'o, 'a, F: Fn() -> Location> {
    out: &'o mut Out<'a>,
    /// Builds the layer blob's location, on the first finding: most layers draw none, and a location clones the
    /// descriptor chain that reached the blob.
    location: F,
    base: Option<Location>,
    count: usize,
}

impl<'o, 'a, F: Fn() -> Location> EntryReporter<'o, 'a, F> {
    pub fn new(out: &'o mut Out<'a>, location: F) -> Self {
        EntryReporter {
            out,
            location,
            base: None,
            count: 0,
        }
    }

    fn base(&mut self) -> Location {
        self.base.get_or_insert_with(&self.location).clone()
    }

    pub fn at(&mut self, entry: EntryLoc, message: impl Into<String>) {
        self.count += 1;
        if self.count <= MAX_PER_LAYER {
            let base = self.base();
            self.out.at_entry(base, entry, message);
        }
    }

    /// A finding of the layer that is not about one entry.
    pub fn plain(&mut self, message: impl Into<String>) {
        self.count += 1;
        if self.count <= MAX_PER_LAYER {
            let base = self.base();
            self.out.emit(base, message);
        }
    }

    /// Count what was left out, if anything: a note, not a finding (the summary counts them).
    pub fn finish(mut self) {
        if self.count > MAX_PER_LAYER {
            let more = self.count - MAX_PER_LAYER;
            let base = self.base();
            self.out.not_listed(
                base,
                more,
                "per-layer",
                format!(
                    "{more} more entries of this layer with the same defect not listed (at most {MAX_PER_LAYER} per rule and layer)"
                ),
            );
        }
    }
}

/// The layers of an image, in order: index, descriptor, and the facts of its blob when the pass read it.
pub fn image_layers<'g>(cx: &ImageCx<'g>) -> Vec<(usize, &'g DescOcc, Option<&'g LayerFacts>)> {
    let graph = cx.graph;
    let mut v: Vec<(usize, &'g DescOcc, Option<&'g LayerFacts>)> = graph
        .descs_of(cx.manifest.id)
        .filter_map(|d| match d.role {
            Role::Layer(i) => Some((
                i,
                d,
                d.blob_path()
                    .and_then(|p| graph.blobs.get(&*p))
                    .and_then(|b| b.layer.as_deref()),
            )),
            _ => None,
        })
        .collect();
    v.sort_by_key(|(i, _, _)| *i);
    v
}

/// The location of a layer blob as reached through one manifest's descriptor.
pub fn layer_location(cx: &ImageCx, desc: &DescOcc) -> Location {
    Location {
        via: cx.graph.via_of_desc(desc),
        ..Location::file(desc.blob_path().unwrap_or_default())
    }
}
