use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `org.opencontainers.image.ref.name` is set somewhere other than on a descriptor in `index.json`: on a
    /// manifest, a nested index or its entries, or in config labels. An index validated on its own from a file
    /// named `index.json` is taken as a layout's `index.json`.
    ///
    /// ## Why it matters
    /// The annotation names an image within a layout and is only meaningful on `index.json`'s descriptors;
    /// elsewhere tools ignore it, so a tag set there is silently lost.
    ///
    /// ## Example
    /// A manifest whose own `annotations` carry `org.opencontainers.image.ref.name`.
    ///
    /// ## How to fix
    /// Put `org.opencontainers.image.ref.name` only on the descriptors of `index.json`, which is where tools look
    /// for it (`skopeo copy oci:DIR:NAME`, `umoci --image DIR:NAME`); remove it from manifests, nested indexes and
    /// configs.
    ANN008, "annotation-ref-name-outside-index-json", Warning,
    basis: Keyword,
    clauses: ["annotations-013", "image-layout-020"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, key, _) in super::string_annotations(cx.doc) {
        if key != super::REF_NAME {
            continue;
        }
        let on_index_json_descriptor = cx.doc.is_index_json && ptr.holder() == Some("manifests");
        if !on_index_json_descriptor {
            out.at(
                &json::join(&ptr.to_string(), key),
                "ref.name is only meaningful on descriptors in index.json; here it is ignored",
            );
        }
    }
}
