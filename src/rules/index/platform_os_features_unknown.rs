use crate::check::{DescCx, Out, str_field};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// On a `windows` platform, `os.features` holds a value other than `win32k`, the only one the spec defines.
    ///
    /// ## Why it matters
    /// Windows clients only understand `win32k`; an unknown feature is either ignored (and the image may fail at
    /// run time) or makes the image unselectable.
    ///
    /// ## Example
    /// ```json
    /// { "platform": { "os": "windows", "architecture": "amd64", "os.features": ["gpu"] }, … }
    /// ```
    ///
    /// ## How to fix
    /// On a Windows platform keep only `win32k` in `os.features`, or leave the member out.
    IDX018, "platform-os-features-unknown", Warning,
    basis: Keyword,
    clauses: ["image-index-030"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some((p, ptr)) = super::platform(cx) else {
        return;
    };
    if str_field(p, "os") != Some("windows") {
        return;
    }
    let Some(features) = p.get("os.features").and_then(|f| f.as_array()) else {
        return;
    };
    for (i, f) in features.iter().enumerate() {
        if let Some(s) = f.as_str()
            && s != "win32k"
        {
            out.at(
                &json::join(&json::join(&ptr, "os.features"), i),
                format!(
                    "{s:?} is not a Windows OS feature defined by the spec (only \"win32k\" is)"
                ),
            );
        }
    }
}
