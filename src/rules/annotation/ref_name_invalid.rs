use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::formats::is_ref_name;
use crate::json;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// The value of `org.opencontainers.image.ref.name` is not a valid reference: components of letters and digits
    /// separated by one of `-._:@+` (or `--`), joined by `/`, with no leading, trailing or doubled separators. An
    /// empty value is allowed, as for any annotation (annotations-004).
    ///
    /// ## Why it matters
    /// The ref name is the tag of an image in a layout (`v1.0`, `stable-release`); tools select images by it and
    /// build paths and command lines from it, so the character set is limited.
    ///
    /// ## Example
    /// ```json
    /// { "annotations": { "org.opencontainers.image.ref.name": "my tag!" } }
    /// ```
    ///
    /// ## How to fix
    /// Set `org.opencontainers.image.ref.name` to a tag-like name made of letters, digits and `-._:@+` separators,
    /// such as `v1.2.3` or `latest`; spaces and a leading or trailing separator are not allowed. Tools that copy a
    /// full reference with a registry host are fine only when every component follows the grammar.
    ANN007, "annotation-ref-name-invalid", Warning,
    basis: Keyword,
    clauses: ["annotations-014"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    for (ptr, key, value) in super::string_annotations(cx.doc) {
        if key == super::REF_NAME && !value.is_empty() && !is_ref_name(value) {
            out.at(
                &json::join(&ptr.to_string(), key),
                format!(
                    "{:?} does not match the ref.name grammar",
                    json::shorten(value, 80)
                ),
            );
        }
    }
}
