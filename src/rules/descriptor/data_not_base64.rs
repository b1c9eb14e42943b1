use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::formats::base64_decode;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `data` is not a string in the base64 encoding of RFC 4648 section 4: the standard alphabet
    /// (`A-Z a-z 0-9 + /`), `=` padding to a multiple of four characters, no line breaks, no URL-safe alphabet.
    ///
    /// ## Why it matters
    /// `data` embeds the referenced content; if it does not decode under the one encoding the spec names, the
    /// content is lost or decoded differently by different tools.
    ///
    /// ## Example
    /// ```json
    /// { "data": "aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg", … }
    /// ```
    /// (padding missing).
    DSC014, "descriptor-data-not-base64", Error,
    clauses: ["descriptor-017", "descriptor-016"],
    schema: ["defs.schema.json#/$defs/data/type"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(s) = cx.value().get("data").and_then(|v| v.as_str()) else {
        return;
    };
    if base64_decode(s).is_none() {
        out.at(
            &cx.field("data"),
            format!(
                "{:?} is not padded standard base64 (RFC 4648 section 4)",
                json::shorten(s, 60)
            ),
        );
    }
}
