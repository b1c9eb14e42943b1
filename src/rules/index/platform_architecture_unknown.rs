use crate::check::{DescCx, Out, str_field};
use crate::declare_rule;
use crate::json;
use crate::platform::known_arch;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `platform`'s `architecture` is not one of Go's GOARCH values (`amd64`, `arm64`, `arm`, `386`, `ppc64le`,
    /// `riscv64`, `s390x` …). Docker attestation entries, which use `unknown` on purpose, are skipped.
    ///
    /// ## Why it matters
    /// Clients compare the value with their own GOARCH-style name; `x86_64` or `aarch64` never match, so the image
    /// is never selected.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "os": "linux", "architecture": "x86_64" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Use Go's GOARCH names in `platform.architecture`: `amd64` not `x86_64`, `arm64` not `aarch64`. Runtimes
    /// compare it with their own GOARCH, so no host selects the entry otherwise.
    IDX015, "platform-architecture-unknown", Warning,
    basis: Keyword,
    clauses: ["image-index-022"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some((p, ptr)) = super::platform(cx) else {
        return;
    };
    if let Some(a) = str_field(p, "architecture")
        && !known_arch(a)
    {
        out.at(
            &json::join(&ptr, "architecture"),
            format!("architecture {a:?} is not a GOARCH value"),
        );
    }
}
