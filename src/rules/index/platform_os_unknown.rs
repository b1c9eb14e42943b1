use crate::check::{DescCx, Out, str_field};
use crate::declare_rule;
use crate::json;
use crate::platform::known_os;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `platform`'s `os` is not one of Go's GOOS values (`linux`, `windows`, `darwin`, `freebsd` …). Docker
    /// attestation entries, which use `unknown` on purpose, are skipped.
    ///
    /// ## Why it matters
    /// Clients compare the value with their own GOOS name; `Linux` or `win` never match.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "os": "Linux", "architecture": "amd64" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Use Go's GOOS names, lower-case, in `platform.os`: `linux`, `windows`.
    IDX016, "platform-os-unknown", Warning,
    basis: Keyword,
    clauses: ["image-index-025"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some((p, ptr)) = super::platform(cx) else {
        return;
    };
    if let Some(os) = str_field(p, "os")
        && !known_os(os)
    {
        out.at(
            &json::join(&ptr, "os"),
            format!("os {os:?} is not a GOOS value"),
        );
    }
}
