use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::EntryLoc;
use crate::rule::Check;

use super::{EntryReporter, layers};

declare_rule! {
    /// ## What it checks
    /// The (uncompressed) layer is not a well-formed tar stream: a header whose checksum does not match (corrupt
    /// data, or not tar at all), a size field that is not a number, a numeric attribute that is not octal, a
    /// malformed PAX record, a PAX or GNU long-name header over 1 MiB, a lone zero block in the middle of the
    /// archive, or an archive cut short inside a header or an entry's data. The finding gives the offset in the
    /// uncompressed stream and, when known, the entry.
    ///
    /// ## Why it matters
    /// A layer must be a tar archive. Tar readers disagree on damaged archives: some stop silently at the first
    /// bad header (dropping every later file), others fail; either way the unpacked filesystem is not the one the
    /// image describes.
    ///
    /// ## Example
    /// A layer cut in the middle of a file's data: the entry declares 4096 bytes, 1000 follow.
    ///
    /// ## How to fix
    /// Rebuild the layer with a real tar writer (GNU tar, Go's `archive/tar`, the build tool's own); a layer that
    /// is not tar at all usually means the wrong file was stored as the layer.
    LYR004, "layer-tar-invalid", Error,
    basis: Type,
    clauses: ["layer-001"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for i in f.tar.issues() {
            match &i.path {
                Some(path) => r.at(
                    EntryLoc {
                        path: path.clone(),
                        offset: i.offset,
                    },
                    i.message.clone(),
                ),
                None => r.plain(format!("at offset {}: {}", i.offset, i.message)),
            }
        }
        r.finish();
    }
}
