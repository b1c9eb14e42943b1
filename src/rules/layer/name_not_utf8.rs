use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::layer::tar::flag;
use crate::rule::Check;

use super::{EntryReporter, entry_loc, layers};

declare_rule! {
    /// ## What it checks
    /// A tar entry's name, or a link target, is not valid UTF-8 (the location shows it with U+FFFD in place of the
    /// bad bytes). Tar names are bytes and the spec says nothing about their encoding, so this is off by default;
    /// turn it on (`--warn LYR022`) for images that must unpack on Windows or be listed by JSON-based tools.
    ///
    /// ## Why it matters
    /// Windows file systems and every JSON tool (SBOM generators, scanners, registries' file listings) need
    /// Unicode names; a Latin-1 name left over from an old archive is mangled or rejected by them. PAX `path`
    /// records are UTF-8 by definition, so such names cannot be carried over to PAX faithfully either.
    ///
    /// ## Basis
    /// Hardening. No clause says how names are encoded. The rule protects the tools that need Unicode names, and
    /// is off unless selected by code.
    ///
    /// ## Example
    /// An entry named `caf\xe9.txt` (Latin-1).
    ///
    /// ## How to fix
    /// Name files in UTF-8; rename files with Latin-1 or other encodings before building the layer (`convmv -f
    /// latin1 -t utf8`).
    LYR022, "layer-entry-name-not-utf8", Warning,
    basis: Hardening,
    clauses: [],
    section: "layer.md#distributable-format",
    default_enabled: false,
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (b, f) in layers(cx) {
        let mut r = EntryReporter::new(out, || cx.blob_location(&b.path));
        for e in &f.tar.entries {
            if e.has(flag::NON_UTF8) {
                r.at(
                    entry_loc(f, e),
                    "the entry name is not valid UTF-8".to_string(),
                );
            }
            if e.has(flag::LINK_NON_UTF8) {
                r.at(
                    entry_loc(f, e),
                    format!("the link target {:?} is not valid UTF-8", f.tar.link(e)),
                );
            }
        }
        r.finish();
    }
}
