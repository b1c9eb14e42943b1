use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::formats::is_uri;
use crate::json::{self, Value};
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An entry of a descriptor's `urls` is not an RFC 3986 URI (a scheme, then characters the RFC allows, with
    /// well-formed percent-encodings). Relative references are not URIs. URLs are checked as strings only and
    /// never fetched.
    ///
    /// ## Why it matters
    /// The URLs are download locations for the content; an entry that is not a URI cannot be fetched by anyone.
    ///
    /// ## Example
    /// ```json
    /// { "urls": ["value"], … }
    /// ```
    ///
    /// ## How to fix
    /// Write each entry of `urls` as an absolute URI with its scheme (`https://…`), percent-encoding what a URI
    /// cannot hold.
    DSC012, "descriptor-url-not-uri", Error,
    basis: Keyword,
    clauses: ["descriptor-012"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(urls) = cx.value().get("urls").and_then(Value::as_array) else {
        return;
    };
    for (i, u) in urls.iter().enumerate() {
        if let Some(s) = u.as_str()
            && !is_uri(s)
        {
            out.at(
                &json::join(&cx.field("urls"), i),
                format!("{:?} is not an RFC 3986 URI", json::shorten(s, 120)),
            );
        }
    }
}
