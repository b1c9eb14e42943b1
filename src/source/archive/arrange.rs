//! From the listing to a layout: names normalised the way a layout directory presents them, the layout root found
//! (the archive's root, or its one top-level directory that holds a layout), what lies outside it dropped,
//! duplicates and links noted, parent directories implied, and the depth limit of a layout directory applied.

use std::collections::{BTreeMap, HashMap};

use super::info::{Defect, DefectKind, Defects};
use super::listing::{RawEntry, RawKind};
use crate::source::dir::{MAX_DEPTH, too_deep};
use crate::source::{Entry, EntryKind, SourceIssue};

/// Where a listed regular file's bytes are in the (uncompressed) tar stream.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) offset: u64,
    pub(super) size: u64,
}

/// The listing, as a layout directory would present it.
pub(super) struct Arranged {
    /// Sorted by path.
    pub(super) entries: Vec<Entry>,
    pub(super) spans: HashMap<String, Span>,
    /// The top-level directory the layout sits under, when it is not at the archive's root.
    pub(super) prefix: Option<String>,
    /// What is not listed, as a layout directory would not list it (directories nested too deep).
    pub(super) issues: Vec<SourceIssue>,
}

/// Path → (entry, span of its data, header offset).
type Listed = BTreeMap<String, (Entry, Option<Span>, u64)>;

/// Normalise names, find the layout root, drop what is outside it, note duplicates and links, imply parent
/// directories. Defects go to `defects`, in that order.
pub(super) fn arrange(raw: Vec<RawEntry>, defects: &mut Defects) -> Arranged {
    let mut listed = place(raw, defects);
    let prefix = layout_root(&listed);
    if let Some(prefix) = &prefix {
        listed = under(prefix, listed, defects);
    }
    imply_parents(&mut listed);
    let issues = limit_depth(&mut listed);
    let mut spans = HashMap::new();
    let mut entries = Vec::with_capacity(listed.len());
    for (path, (e, span, _)) in listed {
        if let Some(s) = span {
            spans.insert(path, s);
        }
        entries.push(e);
    }
    Arranged {
        entries,
        spans,
        prefix,
        issues,
    }
}

/// Every entry under its normalised name (the last of the same name wins, as extraction would keep it).
fn place(raw: Vec<RawEntry>, defects: &mut Defects) -> Listed {
    let mut listed = Listed::new();
    for r in raw {
        let (path, dir_hint) = match normalize(&r.name) {
            Ok(p) => p,
            Err(why) => {
                defects.push(Defect {
                    kind: DefectKind::Outside,
                    name: r.name.clone(),
                    offset: r.offset,
                    message: format!(
                        "`{}` {why}; it is not part of the layout and was not read",
                        r.name
                    ),
                });
                continue;
            }
        };
        if path.is_empty() {
            continue; // the archive's root directory itself
        }
        let Some(kind) = kind_of(&r, &path, dir_hint, defects) else {
            continue;
        };
        if let Some((prev, _, prev_off)) = listed.get(&path)
            && !(prev.kind == EntryKind::Dir && kind == EntryKind::Dir)
        {
            defects.push(duplicate(&r, &path, kind, prev, *prev_off));
        }
        let span = (kind == EntryKind::File).then_some(Span {
            offset: r.data_offset,
            size: r.size,
        });
        let entry = Entry {
            path: path.as_str().into(),
            kind,
            size: if kind == EntryKind::File { r.size } else { 0 },
            non_utf8: r.non_utf8,
        };
        listed.insert(path, (entry, span, r.offset));
    }
    listed
}

/// What a listed entry is; `None` (and a defect) for a hard link, which is never followed.
fn kind_of(r: &RawEntry, path: &str, dir_hint: bool, defects: &mut Defects) -> Option<EntryKind> {
    Some(match r.kind {
        RawKind::HardLink => {
            defects.push(Defect {
                kind: DefectKind::HardLink,
                name: r.name.clone(),
                offset: r.offset,
                message: format!(
                    "`{path}` is a hard link to `{}`; links are not followed, so it was not read",
                    r.link
                ),
            });
            return None;
        }
        RawKind::File if dir_hint && r.size == 0 => EntryKind::Dir,
        RawKind::File => EntryKind::File,
        RawKind::Dir => EntryKind::Dir,
        RawKind::Symlink => EntryKind::Symlink,
        RawKind::Special => EntryKind::Special,
    })
}

/// The defect of a name met a second time (`prev`, whose header was at `prev_off`).
fn duplicate(r: &RawEntry, path: &str, kind: EntryKind, prev: &Entry, prev_off: u64) -> Defect {
    let what = if prev.kind != kind {
        format!("{} then {}", prev.kind.describe(), kind.describe())
    } else if prev.size != r.size {
        format!("{} bytes then {} bytes", prev.size, r.size)
    } else {
        format!("{} each time", kind.describe())
    };
    Defect {
        kind: DefectKind::Duplicate,
        name: r.name.clone(),
        offset: r.offset,
        message: format!(
            "`{path}` is in the archive more than once (headers at offsets {prev_off} and {}: {what}); extraction keeps the last one, which is what was validated",
            r.offset
        ),
    }
}

/// The directory the layout sits under: `None` when it is at the archive's root, or when no single top-level
/// directory holds one.
fn layout_root(listed: &Listed) -> Option<String> {
    if listed.contains_key("oci-layout") || listed.contains_key("index.json") {
        return None;
    }
    let mut candidates: Vec<&str> = listed
        .keys()
        .filter_map(|p| {
            p.strip_suffix("/oci-layout")
                .or_else(|| p.strip_suffix("/index.json"))
        })
        .filter(|d| !d.contains('/'))
        .collect();
    candidates.dedup();
    match candidates[..] {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// The entries under `prefix/`, relative to it; everything else is outside the layout.
fn under(prefix: &str, listed: Listed, defects: &mut Defects) -> Listed {
    let dir = format!("{prefix}/");
    let mut inside = Listed::new();
    for (path, (mut e, span, off)) in listed {
        if path == *prefix {
            continue;
        }
        match path.strip_prefix(&dir) {
            Some(rest) => {
                e.path = rest.into();
                inside.insert(rest.to_string(), (e, span, off));
            }
            None => defects.push(Defect {
                kind: DefectKind::Outside,
                name: path.clone(),
                offset: off,
                message: format!(
                    "`{path}` is outside `{prefix}/`, the directory that holds the layout; it was not read"
                ),
            }),
        }
    }
    inside
}

/// Parent directories without an entry of their own.
fn imply_parents(listed: &mut Listed) {
    let paths: Vec<String> = listed.keys().cloned().collect();
    for p in paths {
        let mut acc = String::new();
        let parts: Vec<&str> = p.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(part);
            listed.entry(acc.clone()).or_insert_with(|| {
                (
                    Entry {
                        path: acc.as_str().into(),
                        kind: EntryKind::Dir,
                        size: 0,
                        non_utf8: false,
                    },
                    None,
                    0,
                )
            });
        }
    }
}

/// The depth limit of a layout directory: nothing deeper is listed, and each directory at the limit is an issue,
/// so that an archive and its directory give the same findings.
fn limit_depth(listed: &mut Listed) -> Vec<SourceIssue> {
    listed.retain(|p, _| p.split('/').count() <= MAX_DEPTH);
    listed
        .iter()
        .filter(|(p, (e, _, _))| e.kind == EntryKind::Dir && p.split('/').count() == MAX_DEPTH)
        .map(|(p, _)| too_deep(p.clone()))
        .collect()
}

/// A name as a layout directory would present it, and whether it names a directory (trailing `/`). `Err` says
/// why the name is outside the layout.
fn normalize(name: &str) -> Result<(String, bool), &'static str> {
    if name.starts_with('/') {
        return Err("is an absolute path");
    }
    let dir = name.ends_with('/');
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("climbs out of its directory with `..`"),
            p => parts.push(p),
        }
    }
    Ok((parts.join("/"), dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::tar::{TarOptions, write};
    use crate::source::FileTree;
    use crate::source::archive::fixtures::{entry, file, kinds, layout, open, read};

    #[test]
    fn a_single_top_level_directory_is_the_layout_root() {
        let entries = vec![
            entry("img/", "dir", ""),
            file("img/oci-layout", "{}"),
            file("img/index.json", "{}"),
            file("img/blobs/sha256/aa", "a"),
            file("README", "hello"),
        ];
        let s = open(write(&entries, &TarOptions::default()));
        assert_eq!(s.info().prefix.as_deref(), Some("img"));
        assert!(s.entry("oci-layout").is_some());
        assert_eq!(read(&s, "blobs/sha256/aa"), "a");
        assert_eq!(kinds(&s), vec![DefectKind::Outside]);
        assert_eq!(s.info().defects[0].name, "README");
    }

    #[test]
    fn traversal_names_are_never_listed() {
        let entries = vec![
            file("oci-layout", "{}"),
            file("../../etc/passwd", "root"),
            file("/etc/shadow", "x"),
            file("blobs/../index.json", "{}"),
        ];
        let s = open(write(&entries, &TarOptions::default()));
        assert_eq!(kinds(&s), vec![DefectKind::Outside; 3]);
        assert!(
            s.entries()
                .iter()
                .all(|e| !e.path.contains("..") && !e.path.starts_with('/'))
        );
        assert!(s.entry("index.json").is_none());
        assert!(s.entry("etc/shadow").is_none());
    }

    #[test]
    fn duplicates_keep_the_last_and_are_reported() {
        let mut entries = layout();
        entries.push(file("index.json", "{\"second\": true}"));
        entries.push(entry("blobs/", "dir", ""));
        entries.push(entry("blobs/", "dir", ""));
        let s = open(write(&entries, &TarOptions::default()));
        assert_eq!(kinds(&s), vec![DefectKind::Duplicate]);
        assert_eq!(read(&s, "index.json"), "{\"second\": true}");
    }

    #[test]
    fn links_are_not_followed() {
        let mut entries = layout();
        entries.push(entry("blobs/sha256/bb", "hardlink", "blobs/sha256/aa"));
        entries.push(entry("blobs/sha256/cc", "symlink", "/etc/passwd"));
        let s = open(write(&entries, &TarOptions::default()));
        assert_eq!(kinds(&s), vec![DefectKind::HardLink]);
        assert!(s.entry("blobs/sha256/bb").is_none());
        assert_eq!(
            s.entry("blobs/sha256/cc").map(|e| e.kind),
            Some(EntryKind::Symlink)
        );
        assert!(s.open("blobs/sha256/cc").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(normalize("./a//b/./c/"), Ok(("a/b/c".into(), true)));
        assert!(normalize("a/../b").is_err());
        assert!(normalize("/a").is_err());
        assert_eq!(normalize("./"), Ok((String::new(), true)));
    }
}
