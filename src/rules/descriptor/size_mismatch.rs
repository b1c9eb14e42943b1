use crate::Spec;
use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `size` differs from the length of the blob it points at (a mismatch with embedded `data` is
    /// DSC015). Under `--spec main` a negative size is DSC009 and is not reported again here.
    ///
    /// ## Why it matters
    /// `size` is the size in bytes of the raw content. Consumers check it before hashing and must not trust
    /// content of the wrong length; registries refuse the push.
    ///
    /// ## Example
    /// A layer descriptor that says `"size": 32654` for a 32653-byte blob.
    ///
    /// ## How to fix
    /// Set `size` to the exact byte length of the blob. A blob that was recompressed or edited after the descriptor
    /// was written is the usual cause: rebuild the image so that both agree.
    DSC010, "descriptor-size-mismatch", Error,
    basis: Keyword,
    clauses: ["descriptor-007"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(declared) = cx.size() else {
        return;
    };
    if declared < 0 && cx.spec() == Spec::Main {
        return; // DSC009
    }
    let Some(blob) = cx.blob else { return };
    if !blob.present() || blob.read_error().is_some() {
        return;
    }
    let Some(actual) = blob.size else { return };
    if declared < 0 || declared as u64 != actual {
        out.at(
            &cx.field("size"),
            format!("size is {declared}, but {} is {actual} bytes", blob.path),
        );
    }
}
