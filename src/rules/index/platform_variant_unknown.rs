use crate::check::{DescCx, Out, str_field};
use crate::declare_rule;
use crate::json;
use crate::platform::known_variant;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A `platform`'s `variant` does not follow the Platform Variants table for its architecture: `v6`/`v7`/`v8`
    /// for `arm`, `v8`, `v8.1` … for `arm64`, `v1`, `v2` … for `amd64`, `power8` … for `ppc64le`, `rva20u64` … for
    /// `riscv64`. A value the table does not list for a listed architecture is reported whatever it is: `arm`
    /// `v5` (which Go's `GOARM` knows) as much as `v9`. Architectures the table has no row for (`ppc64`, `s390x`,
    /// `386` …) are not checked: their variants are implementation-defined.
    ///
    /// ## Why it matters
    /// Clients match variants against the table's values; `armv7` or `V8` are never selected.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "os": "linux", "architecture": "arm", "variant": "armv7" }, … }
    /// ```
    ///
    /// ## How to fix
    /// Use a variant from the spec's table for the architecture (`v7` for `arm`, `v8` for `arm64`), or leave
    /// `variant` out.
    IDX017, "platform-variant-unknown", Warning,
    basis: Keyword,
    clauses: ["image-index-034", "image-index-041"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some((p, ptr)) = super::platform(cx) else {
        return;
    };
    let (Some(arch), Some(variant)) = (str_field(p, "architecture"), str_field(p, "variant"))
    else {
        return;
    };
    if known_variant(arch, variant) == Some(false) {
        out.at(
            &json::join(&ptr, "variant"),
            format!("variant {variant:?} is not in the platform variants table for {arch}"),
        );
    }
}
