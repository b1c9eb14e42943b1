use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::Kind;
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A layer holds a character or block device node. The spec lists devices among the file types a layer may
    /// hold "where supported", so this is off by default; turn it on (`--warn LYR025`) for images that must
    /// unpack without privileges.
    ///
    /// ## Why it matters
    /// Creating a device node needs `CAP_MKNOD`: rootless and unprivileged unpackers (rootless Podman, umoci
    /// without root, builds in CI containers) fail or skip the entry. Container runtimes create `/dev` themselves,
    /// so device nodes in an image are almost always left over from building it on a real root filesystem.
    ///
    /// ## Example
    /// `dev/null`, a character device 1:3, in a base layer made with `tar -C / -c .`.
    ///
    /// ## How to fix
    /// Do not ship device nodes in an image: runtimes create `/dev` themselves. Remove `dev/` entries from the root
    /// file system before building the layer (a root file system made with `debootstrap` is the usual source).
    LYR025, "layer-device-node", Error,
    clauses: ["layer-001"],
    default_enabled: false,
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if matches!(e.kind, Kind::Char | Kind::Block) {
                r.at(
                    entry_loc(f, e),
                    format!(
                        "a {}: unprivileged unpackers cannot create it",
                        e.kind.describe()
                    ),
                );
            }
        }
        r.finish();
    }
}
