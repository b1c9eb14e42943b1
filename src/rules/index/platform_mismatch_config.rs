use crate::check::{DescCx, Out, str_field};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;
use crate::walk::{DocKind, Role};

declare_rule! {
    /// ## What it checks
    /// The `platform` of an index entry disagrees with the image config it leads to on `os` or `architecture`. A
    /// field absent on one side is not compared. (`variant` and `os.version`, which are implementation-defined,
    /// are IDX023's.)
    ///
    /// ## Why it matters
    /// Clients choose an image by the index's platform and then run what the config describes; when the two
    /// disagree, a machine pulls an image built for another operating system or CPU and fails to run it, while
    /// the machines it was built for never select it.
    ///
    /// ## Basis
    /// Exception. The `platform` property "describes the minimum runtime requirements of the image"
    /// (image-index-019) and the config's `os` and `architecture` are REQUIRED (config-005, config-008), but no
    /// clause says in so many words that the two must agree. They describe the same fact, though, with values
    /// drawn from the same closed lists (GOOS, GOARCH), so a difference means one of them is false, and an
    /// index that sends hosts an image for another machine is broken for every client that selects by platform.
    /// That is why this is an error by default.
    ///
    /// ## Example
    /// An entry with `"platform": {"os": "linux", "architecture": "arm64"}` whose config says
    /// `"architecture": "amd64"`.
    ///
    /// ## How to fix
    /// Make the index entry's `platform` say what the image config says (`os`, `architecture`, `variant`): a tool
    /// that assembled the index by hand, or a wrong `--platform` when building one of the images, causes this.
    /// Rebuild the image for the intended platform, or correct the entry.
    IDX021, "platform-mismatch-config", Error,
    basis: Exception,
    clauses: ["image-index-019", "config-005", "config-008"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    compare(cx, out, &["os", "architecture"]);
}

/// Report each of `fields` on which an index entry's `platform` and the image config it leads to disagree. A
/// descriptor rule, run with the index that holds the entry: what it reads of the config is in the config's facts,
/// so that the index need not stay parsed while its images are checked.
pub(crate) fn compare(cx: &DescCx, out: &mut Out, fields: &[&str]) {
    if cx.role() != Role::IndexEntry {
        return;
    }
    let Some(p) = cx
        .value()
        .get("platform")
        .filter(|p| p.as_object().is_some())
    else {
        return;
    };
    let g = cx.graph;
    let Some(config) = cx
        .target()
        .filter(|m| m.kind == DocKind::Manifest)
        .and_then(|m| g.config_of(m.id))
        .filter(|c| c.facts.has_value)
    else {
        return;
    };
    let ptr = cx.field("platform");
    // A side that is absent is reported by the rules for that document, not as a mismatch.
    for field in fields {
        let (Some(a), Some(b)) = (str_field(p, field), config.facts.platform_field(field)) else {
            continue;
        };
        if a != b {
            out.at(
                &json::join(&ptr, field),
                format!(
                    "the index entry says {field} {a:?}, but the config it leads to ({}) says {b:?}",
                    config.file,
                ),
            );
        }
    }
}
