use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::report::Location;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The run took longer than `--max-time` (3,600 seconds by default): ocicheck stopped following descriptors and
    /// reading blobs there, and what was left was not checked. The finding says how much was left.
    ///
    /// ## Why it matters
    /// Every blob's content must match its digest (image-layout-011); what was not read cannot be shown to. A
    /// validator pointed at an image from a stranger must end in bounded time and say what it could not check,
    /// rather than pass it or hang. Raise the limit to check everything.
    ///
    /// ## Example
    /// A layout of a thousand 1 GiB layers validated with `--max-time 60`.
    ///
    /// ## How to fix
    /// Raise `--max-time` for very large inputs, or validate fewer images at once with `--ref`, `--platform` or
    /// `--digest`.
    LAY014, "run-time-limit", Error,
    basis: Keyword,
    clauses: ["image-layout-011"],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    if let Some(m) = &cx.graph.run_time_limit {
        out.limit(
            Location::file("index.json"),
            format!(
                "the run reached --max-time ({} s): {m}",
                cx.opts.max_time.as_secs()
            ),
            Some("--max-time"),
        );
    }
}
