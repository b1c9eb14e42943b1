use crate::check::{ImageCx, Out, str_field};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The `platform` of an index entry disagrees with the image config it leads to: `os` or `architecture`
    /// differ, or both give a `variant` (or `os.version`) and they differ. A field absent on one side is not
    /// compared.
    ///
    /// ## Why it matters
    /// Clients choose an image by the index's platform and then run what the config describes; when the two
    /// disagree, a machine pulls an image built for another platform and fails to run it.
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
    clauses: ["image-index-019", "config-005", "config-008", "config-018", "config-011"],
    check: Check::Image(check),
}

fn check(cx: &ImageCx, out: &mut Out) {
    let Some(config) = cx.config.and_then(|c| c.value()) else {
        return;
    };
    for entry in &cx.entries {
        let Some(p) = entry.value(cx.graph).get("platform") else {
            continue;
        };
        if p.as_object().is_none() {
            continue;
        }
        let entry_doc = &cx.graph.docs[entry.doc];
        let ptr = json::join(&entry.pointer, "platform");
        // A side that is absent is reported by the rules for that document, not as a mismatch.
        for field in ["os", "architecture", "variant", "os.version"] {
            let (Some(a), Some(b)) = (str_field(p, field), str_field(config, field)) else {
                continue;
            };
            if a != b {
                out.at_doc(
                    entry_doc,
                    &json::join(&ptr, field),
                    format!(
                        "the index entry says {field} {a:?}, but the config it leads to ({}) says {b:?}",
                        cx.config.map_or("", |c| c.file.as_str()),
                    ),
                );
            }
        }
    }
}
