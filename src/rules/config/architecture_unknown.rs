use crate::check::{DocCx, Out, str_field};
use crate::declare_rule;
use crate::platform::known_arch;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image config's `architecture` is not one of Go's GOARCH values (`amd64`, `arm64`, `arm`, `386`,
    /// `ppc64le`, `riscv64`, `s390x` …).
    ///
    /// ## Why it matters
    /// Runtimes compare the value with their own GOARCH-style name before running the image; `x86_64` or
    /// `aarch64` never match.
    ///
    /// ## Example
    /// ```json
    /// { "architecture": "x86_64", "os": "linux", … }
    /// ```
    ///
    /// ## How to fix
    /// Use Go's GOARCH names: `amd64` not `x86_64`, `arm64` not `aarch64`, `386` not `i386`. Generators that take
    /// `uname -m` are the usual source; map its output to the Go names.
    CFG003, "config-architecture-unknown", Warning,
    basis: Keyword,
    clauses: ["config-006"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    if let Some(a) = cx.value().and_then(|v| str_field(v, "architecture"))
        && !known_arch(a)
    {
        out.at(
            "/architecture",
            format!("architecture {a:?} is not a GOARCH value"),
        );
    }
}
