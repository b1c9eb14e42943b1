//! What the `ARC` rules learn about an archive as a container of an image layout: how the tar stream is stored,
//! the directory the layout sits under, and the archive's own defects. Plain data.

/// How the tar stream is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// What is wrong with the archive as a container of an image layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefectKind {
    /// An absolute name, a name with a `..` component, or (when the layout sits under one top-level directory)
    /// an entry outside that directory. Not listed.
    Outside,
    /// The same name more than once (directories aside). The last one is listed, as extraction would keep it.
    Duplicate,
    /// A hard link. Not listed (links are never followed).
    HardLink,
    /// The archive ends inside a header or inside an entry's data. The cut entry is not listed.
    Truncated,
    /// A header that cannot be read (checksum, number fields, extended headers) or a corrupt compressed stream.
    /// Nothing after it is listed.
    Corrupt,
    /// A limit of the listing reached: the entry count, the decompression guard (size, ratio, the run's time
    /// limit), a zstd window larger than a decoder may hold. Nothing after it is listed, and the report is
    /// incomplete.
    Limit,
    /// The archive ends after a complete entry but without the end-of-archive marker (two zero blocks).
    EofMarkerMissing,
}

impl DefectKind {
    const ALL: [DefectKind; 7] = [
        DefectKind::Outside,
        DefectKind::Duplicate,
        DefectKind::HardLink,
        DefectKind::Truncated,
        DefectKind::Corrupt,
        DefectKind::Limit,
        DefectKind::EofMarkerMissing,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Defects of one kind kept one by one; the rest are counted, and one more defect says how many.
pub const MAX_DEFECTS_PER_KIND: usize = 1000;

/// The defects of an archive as the listing finds them: each one's name and message within the report's limits
/// ([`crate::finding::clip`]: a name may be 1 MiB long), at most [`MAX_DEFECTS_PER_KIND`] of each kind.
#[derive(Debug, Default)]
pub(super) struct Defects {
    list: Vec<Defect>,
    kept: [usize; DefectKind::ALL.len()],
    dropped: [usize; DefectKind::ALL.len()],
}

impl Defects {
    pub(super) fn push(&mut self, mut d: Defect) {
        let k = d.kind.index();
        if self.kept[k] >= MAX_DEFECTS_PER_KIND {
            self.dropped[k] += 1;
            return;
        }
        self.kept[k] += 1;
        crate::finding::clip(&mut d.name, crate::finding::MAX_PATH);
        crate::finding::clip(&mut d.message, crate::finding::MAX_MESSAGE);
        self.list.push(d);
    }

    /// The last one pushed, taken out (to be replaced).
    pub(super) fn pop(&mut self) -> Option<Defect> {
        let d = self.list.pop()?;
        self.kept[d.kind.index()] -= 1;
        Some(d)
    }

    /// The defects, with one per kind that says how many more there were.
    pub(super) fn finish(mut self) -> Vec<Defect> {
        for kind in DefectKind::ALL {
            let n = self.dropped[kind.index()];
            if n > 0 {
                self.list.push(Defect {
                    kind,
                    name: String::new(),
                    offset: 0,
                    message: format!(
                        "{n} more defects like the {MAX_DEFECTS_PER_KIND} above were found; they are counted here, not listed one by one"
                    ),
                });
            }
        }
        self.list
    }
}

/// One archive defect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    pub kind: DefectKind,
    /// The entry's name as stored in the archive (lossy UTF-8), or the nearest name when there is none.
    pub name: String,
    /// Byte offset of the entry's header in the (uncompressed) tar stream.
    pub offset: u64,
    pub message: String,
}

/// Facts about an archive that rules look at.
#[derive(Debug, Clone, Default)]
pub struct ArchiveInfo {
    pub compression: Compression,
    /// The top-level directory the layout sits under, when it is not at the archive's root.
    pub prefix: Option<String>,
    pub defects: Vec<Defect>,
    /// `manifest.json` at the layout root (docker save): its bytes, or why they could not be read.
    pub docker_manifest: Option<Result<Vec<u8>, String>>,
    /// A docker-save archive in Docker's own format: `manifest.json` but neither `oci-layout` nor `index.json`.
    pub docker_legacy: bool,
}
