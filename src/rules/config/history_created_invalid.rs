use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::formats::is_rfc3339;
use crate::json;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// A `history` entry's `created` is not a string (or null), or is not an RFC 3339 section 5.6 date-time.
    ///
    /// ## Why it matters
    /// Image tools show when each layer was created and parse the value as RFC 3339.
    ///
    /// ## Example
    /// ```json
    /// { "history": [ { "created": "last tuesday" } ], … }
    /// ```
    ///
    /// ## How to fix
    /// Write each `history[].created` as an RFC 3339 date-time string, or leave it out.
    CFG031, "config-history-created-invalid", Error,
    basis: Type,
    clauses: ["config-045"],
    schema: ["image-config.schema.json#/properties/history/items/properties/created/type"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    let Some(h) = cx
        .value()
        .and_then(|v| v.get("history"))
        .and_then(|h| h.as_array())
    else {
        return;
    };
    for (i, e) in h.iter().enumerate() {
        if let Some(c) = e.get("created").and_then(|c| c.as_str())
            && !is_rfc3339(c)
        {
            out.at(
                &json::join(&json::join("/history", i), "created"),
                format!(
                    "created {:?} is not an RFC 3339 date-time",
                    json::shorten(c, 60)
                ),
            );
        }
    }
}
