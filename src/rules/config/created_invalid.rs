use crate::check::{DocCx, Out, str_field};
use crate::declare_rule;
use crate::formats::is_rfc3339;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An image config's `created` is not a string (or null), or is not an RFC 3339 section 5.6 date-time such as
    /// `2015-10-31T22:22:56.015925234Z` (date, `T`, time, and `Z` or a numeric offset).
    ///
    /// ## Why it matters
    /// Tools sort and display images by creation time and parse the value as RFC 3339; a value without a time
    /// zone, or in another format, is refused or misread.
    ///
    /// ## Example
    /// ```json
    /// { "created": "2015-10-31 22:22:56", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `created` as an RFC 3339 date-time string, `2024-05-01T12:00:00Z`. Reproducible builds that want no
    /// date should leave the field out or use `SOURCE_DATE_EPOCH`, not an empty string.
    CFG007, "config-created-invalid", Error,
    basis: Type,
    clauses: ["config-003"],
    schema: ["image-config.schema.json#/properties/created/type"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    if let Some(c) = cx.value().and_then(|v| str_field(v, "created"))
        && !is_rfc3339(c)
    {
        out.at(
            "/created",
            format!("created {c:?} is not an RFC 3339 date-time"),
        );
    }
}
