use crate::check::{DocCx, Out, str_field};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// On a `windows` image config, `os.features` holds a value other than `win32k`, the only one the spec
    /// defines.
    ///
    /// ## Why it matters
    /// Windows runtimes only understand `win32k`; an unknown feature is ignored or makes the image unusable.
    ///
    /// ## Example
    /// ```json
    /// { "os": "windows", "os.features": ["gpu"], … }
    /// ```
    ///
    /// ## How to fix
    /// On Windows images keep only `win32k` in `os.features`, or leave the member out.
    CFG006, "config-os-features-unknown", Warning,
    basis: Keyword,
    clauses: ["config-016"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    let Some(v) = cx.value() else { return };
    if str_field(v, "os") != Some("windows") {
        return;
    }
    for (i, f) in v
        .get("os.features")
        .and_then(|f| f.as_array())
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(s) = f.as_str()
            && s != "win32k"
        {
            out.at(
                &json::join("/os.features", i),
                format!(
                    "{s:?} is not a Windows OS feature defined by the spec (only \"win32k\" is)"
                ),
            );
        }
    }
}
