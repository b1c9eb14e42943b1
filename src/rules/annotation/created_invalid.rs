use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::formats::is_rfc3339;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The value of `org.opencontainers.image.created` is not an RFC 3339 date-time.
    ///
    /// ## Why it matters
    /// The key is reserved by the image spec and defined as the build date in RFC 3339 form; tools parse it as
    /// such, and using the key for anything else is using the reserved namespace against its definition.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "org.opencontainers.image.created": "2024-01-01" } }
    /// ```
    ///
    /// ## How to fix
    /// Write the date-time as RFC 3339, with `T`, seconds and a zone: `2024-05-01T12:00:00Z`. `date -u
    /// +%Y-%m-%dT%H:%M:%SZ` prints one; dates without a time or with a space instead of `T` are the usual mistakes.
    ANN009, "annotation-created-invalid", Error,
    clauses: ["annotations-008"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, key, value) in super::string_annotations(cx.doc) {
        if key == super::CREATED && !is_rfc3339(value) {
            out.at(
                &json::join(&ptr, key),
                format!(
                    "{:?} is not an RFC 3339 date-time",
                    json::shorten(value, 80)
                ),
            );
        }
    }
}
