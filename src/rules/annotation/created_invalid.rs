use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::formats::is_rfc3339;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The value of `org.opencontainers.image.created` is not an RFC 3339 date-time (section 5.6: date, `T`,
    /// time, and `Z` or a numeric offset). An empty value is allowed, as for any annotation (annotations-004).
    ///
    /// ## Why it matters
    /// The key is reserved by the image spec and defined as the build date in RFC 3339 form; tools parse it as
    /// such, and a value they cannot parse is a date they lose.
    ///
    /// ## Basis
    /// Type: annotations.md defines the key's value as a date and time "conforming to RFC 3339" (§ Pre-Defined
    /// Annotation Keys); a present, non-empty value in another format is outside the format the spec declares
    /// for it.
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
    basis: Type,
    clauses: ["annotations-004"],
    section: "annotations.md#pre-defined-annotation-keys",
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, key, value) in super::string_annotations(cx.doc) {
        // An empty value is allowed for any annotation (annotations-004).
        if key == super::CREATED && !value.is_empty() && !is_rfc3339(value) {
            out.at(
                &json::join(&ptr.to_string(), key),
                format!(
                    "{:?} is not an RFC 3339 date-time",
                    json::shorten(value, 80)
                ),
            );
        }
    }
}
