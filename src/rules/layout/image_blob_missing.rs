use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::rule::Check;
use crate::walk::{RefKind, Role};

declare_rule! {
    /// ## What it checks
    /// The config or a layer of an image manifest that is in the layout points at a blob that is not: the
    /// image is there, but not all of it. (A whole image missing, such as the other platforms of an index
    /// exported for one, is LAY009's info.)
    ///
    /// ## Why it matters
    /// The image cannot be validated, unpacked, run or pushed from this layout: its config or layer bytes have
    /// to come from somewhere else, and nothing here says from where. A layer blob deleted from a layout (or
    /// lost in a copy) looks exactly like this.
    ///
    /// ## Basis
    /// Exception. The spec allows a layout to miss referenced blobs (image-layout-015, a MAY), so by the keyword
    /// this would be an info, like LAY009. It is a warning because an image with some of its own blobs and not
    /// others is far more often a broken copy than a deliberate sparse layout, and a gate should notice it; the
    /// summary line also counts the blob as not validated. Never an error unless a profile or flag says so
    /// (`--profile strict` does).
    ///
    /// ## Example
    /// A layout whose `index.json` and image manifest are there but whose layer blob was deleted.
    ///
    /// ## How to fix
    /// Copy the image again with a tool that copies every blob (`skopeo copy --all`, `crane pull --format oci`),
    /// or, if the layout is meant to be sparse, leave the image out of `index.json`.
    LAY015, "image-blob-missing", Warning,
    basis: Exception,
    clauses: ["image-layout-015"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for b in cx.blobs() {
        if b.entry.is_some() {
            continue;
        }
        let Some(d) = cx.graph.first_ref(b, RefKind::PartOfImage) else {
            continue;
        };
        let what = match d.role {
            Role::Config => "its config".to_string(),
            Role::Layer(i) => format!("its layers[{i}]"),
            _ => "a blob it names".to_string(),
        };
        out.emit(
            cx.blob_location(&b.path),
            format!(
                "the image manifest {} is in the layout, but {what} is not (referenced at {}#{}), so the image cannot be validated or unpacked from it",
                d.file, d.file, d.pointer
            ),
        );
    }
}
