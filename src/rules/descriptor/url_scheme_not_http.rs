use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::formats::is_uri;
use crate::json::{self, Value};
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// An entry of a descriptor's `urls` is a URI whose scheme is not `http` or `https`.
    ///
    /// ## Why it matters
    /// Consumers are only expected to fetch over HTTP(S); other schemes (`ftp:`, `file:`, `s3:`) will not be
    /// understood by most of them, and `file:` URLs point into the consumer's own machine.
    ///
    /// ## Example
    /// ```json
    /// { "urls": ["ftp://mirror.example.com/layer.tar.gz"], … }
    /// ```
    ///
    /// ## How to fix
    /// Serve the blob over `https` (or `http`) and list that URL; clients fetch nothing else. `--profile portable`
    /// makes this an error.
    DSC013, "descriptor-url-scheme-not-http", Warning,
    basis: Keyword,
    clauses: ["descriptor-013"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(urls) = cx.value().get("urls").and_then(Value::as_array) else {
        return;
    };
    for (i, u) in urls.iter().enumerate() {
        let Some(s) = u.as_str() else { continue };
        if !is_uri(s) {
            continue; // DSC012
        }
        let scheme = s.split(':').next().unwrap_or_default().to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            out.at(
                &json::join(&cx.field("urls"), i),
                format!("URL scheme {scheme:?} is not http or https"),
            );
        }
    }
}
