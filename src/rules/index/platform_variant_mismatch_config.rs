use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The `platform` of an index entry and the image config it leads to both give a `variant`, or both an
    /// `os.version`, and the values differ: an index entry `arm64` / `v8` over a config that says `v8.2`, or
    /// `10.0.17763` over `10.0.17763.1234`. A field absent on one side is not compared. (`os` and `architecture`
    /// are IDX021's.)
    ///
    /// ## Why it matters
    /// Clients that select by variant or OS version pick the entry by the index's values and then run what the
    /// config describes: an entry that claims `v8` for an image built for `v8.2` is pulled by hosts that may not
    /// run it. But both values are often spelled at different precision by different tools, and many
    /// differences are harmless.
    ///
    /// ## Basis
    /// Exception. Variant values outside the spec's table, and OS versions, are implementation-defined, and no
    /// clause compares the index's values with the config's, so by the keywords this would be no finding; yet
    /// the index's platform is meant to describe the image (image-index-019), and a difference is worth a
    /// look. A warning by default, never an error unless a profile or flag says so.
    ///
    /// ## Example
    /// An entry with `"platform": {"os": "linux", "architecture": "arm", "variant": "v6"}` whose config says
    /// `"variant": "v7"`.
    ///
    /// ## How to fix
    /// Make the index entry's `platform` say what the config says (or leave `variant` and `os.version` out of one
    /// side). Tools that build multi-platform indexes from their own platform list, rather than from each image's
    /// config, write this: set the list to the values the builds really target.
    IDX023, "platform-variant-mismatch-config", Warning,
    basis: Exception,
    clauses: ["image-index-019", "image-index-033", "image-index-027", "config-018", "config-011"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    super::platform_mismatch_config::compare(cx, out, &["variant", "os.version"]);
}
