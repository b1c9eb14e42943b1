use crate::check::{DocCx, Out, str_field};
use crate::declare_rule;
use crate::platform::known_os;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image config's `os` is not one of Go's GOOS values (`linux`, `windows`, `darwin`, `freebsd` …).
    ///
    /// ## Why it matters
    /// Runtimes compare the value with their own GOOS name before running the image; `Linux` never matches.
    ///
    /// ## Example
    /// ```json
    /// { "architecture": "amd64", "os": "Linux", … }
    /// ```
    ///
    /// ## How to fix
    /// Use Go's GOOS names, lower-case: `linux`, `windows`, `darwin`, `freebsd`.
    CFG004, "config-os-unknown", Warning,
    basis: Keyword,
    clauses: ["config-009"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    if let Some(os) = cx.value().and_then(|v| str_field(v, "os"))
        && !known_os(os)
    {
        out.at("/os", format!("os {os:?} is not a GOOS value"));
    }
}
