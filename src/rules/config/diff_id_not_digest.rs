use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::digest::{self, Algorithm};
use crate::json;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// An entry of `rootfs.diff_ids` is not a digest: it must match the digest grammar and, for a registered
    /// algorithm, its encoding (64 lower-case hex digits for `sha256`).
    ///
    /// ## Why it matters
    /// Each DiffID is the digest of an uncompressed layer; a value that is not a digest can never match one, so
    /// the layer cannot be verified after decompression.
    ///
    /// ## Example
    /// ```json
    /// { "rootfs": { "type": "layers", "diff_ids": ["5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"] }, … }
    /// ```
    ///
    /// ## How to fix
    /// Each DiffID is the digest of a layer's uncompressed tar stream: `sha256:` and 64 lower-case hex digits
    /// (`gzip -dc layer | sha256sum`).
    CFG028, "config-diff-id-not-digest", Error,
    basis: Keyword,
    clauses: ["config-043", "descriptor-025", "descriptor-035"],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    let Some(ids) = cx
        .value()
        .and_then(|v| v.pointer("/rootfs/diff_ids"))
        .and_then(|d| d.as_array())
    else {
        return;
    };
    for (i, id) in ids.iter().enumerate() {
        let Some(s) = id.as_str() else { continue };
        let ptr = json::join("/rootfs/diff_ids", i);
        match digest::Digest::parse(s) {
            None => out.at(
                &ptr,
                format!(
                    "{:?} is not a digest (algorithm:encoded)",
                    json::shorten(s, 80)
                ),
            ),
            Some(d) => {
                if let Some(alg) = Algorithm::registered(d.algorithm(), cx.spec())
                    && !digest::encoding_ok(alg, d.encoded())
                {
                    let (name, want, got) =
                        (alg.name(), alg.hex_len(), d.encoded().chars().count());
                    out.at(
                        &ptr,
                        format!(
                            "{:?} is not a valid {name} digest: its encoding has {got} characters, \
                             and a {name} digest has exactly {want} lower-case hex digits",
                            json::shorten(s, 80),
                        ),
                    );
                }
            }
        }
    }
}
