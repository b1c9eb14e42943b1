use crate::check::{LayoutCx, Out};
use crate::declare_rule;
use crate::digest::{self, Algorithm};
use crate::report::Location;
use crate::rule::Check;
use crate::source::EntryKind;

declare_rule! {
    /// ## What it checks
    /// A name under `blobs/` is not part of a digest: the directory `blobs/<alg>` must match the digest grammar's
    /// `algorithm`, and the file `blobs/<alg>/<encoded>` its `encoded` part; for a registered algorithm (`sha256`,
    /// `sha512`, and `blake3` on main) the encoded part must be the exact lower-case hex the algorithm requires.
    ///
    /// ## Why it matters
    /// A blob's path is its digest. A name that is not a digest can never be referenced by a descriptor, and on a
    /// case-insensitive file system upper-case hex names collide. Stray files such as `.DS_Store` or editor backups
    /// break this rule too.
    ///
    /// ## Example
    /// `blobs/sha256/44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A` (upper-case hex).
    ///
    /// ## How to fix
    /// Store each blob as `blobs/<algorithm>/<encoded digest>` with the exact lower-case digest and nothing else in
    /// the name (no `.tar.gz` suffix, no upper-case hex).
    LAY006, "blob-path-invalid", Error,
    basis: Keyword,
    clauses: [
        "image-layout-013",
        "descriptor-025",
        "descriptor-035",
        "descriptor-036",
        "descriptor-038",
        "descriptor-039",
    ],
    check: Check::Layout(check),
}

fn check(cx: &LayoutCx, out: &mut Out) {
    for e in cx.entries {
        let parts: Vec<&str> = e.path.split('/').collect();
        if parts.first() != Some(&"blobs") {
            continue;
        }
        match parts.len() {
            2 if e.kind == EntryKind::Dir && (e.non_utf8 || !digest::is_algorithm(parts[1])) => {
                out.emit(
                    Location::file(e.path.to_string()),
                    format!(
                        "directory name {:?} is not a digest algorithm (lower-case letters and digits, parts joined by one of `+._-`)",
                        parts[1]
                    ),
                );
            }
            3 if e.kind == EntryKind::File => {
                if e.non_utf8 || !digest::is_algorithm(parts[1]) {
                    continue; // reported once, on the directory
                }
                let enc = parts[2];
                if !digest::is_encoded(enc) {
                    out.emit(
                        cx.blob_location(&e.path),
                        format!("file name {enc:?} is not an encoded digest (letters, digits, `=`, `_` and `-` only)"),
                    );
                } else if let Some(alg) = Algorithm::registered(parts[1], cx.spec())
                    && !digest::encoding_ok(alg, enc)
                {
                    out.emit(
                        cx.blob_location(&e.path),
                        format!(
                            "a {} blob must be named by {} lower-case hex digits; {enc:?} is not",
                            alg.name(),
                            alg.hex_len()
                        ),
                    );
                }
            }
            _ => {}
        }
    }
}
