use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's digest uses an algorithm other than `sha256`.
    ///
    /// ## Why it matters
    /// SHA-256 is the only algorithm every implementation must verify; `sha512` is optional and other algorithms
    /// pass unverified, so content addressed otherwise may not be checked (or accepted) by consumers.
    ///
    /// ## Example
    /// ```json
    /// { "digest": "sha512:cf83e135…", … }
    /// ```
    ///
    /// ## How to fix
    /// Digest with `sha256`, which every registry and runtime verifies; the tools that write other algorithms do so
    /// only when asked. `--profile portable` makes this an error.
    DSC018, "digest-algorithm-not-sha256", Warning,
    basis: Keyword,
    clauses: ["descriptor-032"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(d) = &cx.desc.digest else { return };
    if d.algorithm() != "sha256" {
        out.at(
            &cx.field("digest"),
            format!(
                "the digest uses {:?}; sha256 is the algorithm every implementation verifies",
                d.algorithm()
            ),
        );
    }
}
