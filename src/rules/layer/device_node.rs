use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::Kind;
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A layer holds a character or block device node. The spec lists devices among the file types a layer may
    /// hold "where supported", so this is a warning, never an error by default; `--allow LYR025` silences it for
    /// images that are only ever unpacked as root.
    ///
    /// ## Why it matters
    /// Creating a device node needs `CAP_MKNOD`: rootless and unprivileged unpackers (rootless Podman, umoci
    /// without root, builds in CI containers) fail or skip the entry. Container runtimes create `/dev` themselves,
    /// so device nodes in an image are almost always left over from building it on a real root filesystem.
    ///
    /// ## Basis
    /// Hardening. Devices are among the listed file types (layer.md § File Types); nothing forbids them. The rule
    /// protects unprivileged unpackers, and the host: a device node such as `dev/sda` in an image is a way to
    /// reach the host's disk from a container that is given the device cgroup permission. A warning by default,
    /// an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// `dev/null`, a character device 1:3, in a base layer made with `tar -C / -c .`.
    ///
    /// ## How to fix
    /// Do not ship device nodes in an image: runtimes create `/dev` themselves. Remove `dev/` entries from the root
    /// file system before building the layer (a root file system made with `debootstrap` is the usual source).
    LYR025, "layer-device-node", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#file-types",
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
