use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A JSON document (index, manifest, config, `index.json`, `oci-layout`) is larger than the parse limit
    /// (`--max-json-size`, 16 MiB by default), so it was not parsed or checked; its digest and size are still
    /// verified. Also reported: a document that would take the run past its JSON budget, which bounds the memory
    /// parsed documents take: `--max-json-values` (100,000 values in all documents), `--max-json-total`
    /// (64 MiB of documents in all) or the run's memory budget, `--max-memory` (256 MiB, which the other large
    /// structures share).
    ///
    /// ## Why it matters
    /// Registries and runtimes refuse manifests beyond a few MiB (4 MiB is the common limit), and a document that
    /// large is either broken or hostile. The rest of the image behind it was not validated.
    ///
    /// ## Example
    /// A 300 MiB "manifest" made of whitespace.
    ///
    /// ## How to fix
    /// Keep manifests, indexes and configs small (registries refuse manifests over 4 MiB), or raise
    /// `--max-json-size` when such a document is intended.
    JSN007, "json-document-too-large", Warning,
    basis: Keyword,
    clauses: ["descriptor-048"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for (file, size, via) in &cx.graph.oversized {
        out.limit(
            Location {
                via: via.clone(),
                ..Location::file(file.clone())
            },
            format!(
                "the document is at least {size} bytes, over the limit of {} bytes; it was not parsed or checked",
                cx.opts.max_json_size
            ),
            Some("--max-json-size"),
        );
    }
    for (file, why, via) in &cx.graph.over_budget {
        // The walk names the budget in the message.
        let raise = crate::options::option_named_in(why);
        out.limit(
            Location {
                via: via.clone(),
                ..Location::file(file.clone())
            },
            why.clone(),
            raise,
        );
    }
}
