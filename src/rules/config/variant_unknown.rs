use crate::check::{DocCx, Out, str_field};
use crate::declare_rule;
use crate::platform::known_variant;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image config's `variant` does not follow the Platform Variants table of image-index.md for its
    /// architecture (`v6`/`v7`/`v8` for `arm`, `v8`, `v8.1` … for `arm64`, `v1` … for `amd64` …). A value the
    /// table does not list for a listed architecture is reported whatever it is: `arm` `v5` (which Go's `GOARM`
    /// knows) as much as `v9`. Architectures the table has no row for (`ppc64`, `s390x`, `386` …) are not checked:
    /// their variants are implementation-defined.
    ///
    /// ## Why it matters
    /// Runtimes match the variant against the table's values; `armv7` never matches.
    ///
    /// ## Example
    /// ```json
    /// { "architecture": "arm", "variant": "armv7", "os": "linux", … }
    /// ```
    ///
    /// ## How to fix
    /// Use a variant from the spec's table for the architecture, such as `v7` for `arm` or `v8` for `arm64`, or
    /// leave `variant` out.
    CFG005, "config-variant-unknown", Warning,
    basis: Keyword,
    clauses: ["config-019"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    let Some(v) = cx.value() else { return };
    let (Some(arch), Some(variant)) = (str_field(v, "architecture"), str_field(v, "variant"))
    else {
        return;
    };
    if known_variant(arch, variant) == Some(false) {
        out.at(
            "/variant",
            format!("variant {variant:?} is not in the platform variants table for {arch}"),
        );
    }
}
