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
    /// A header that cannot be read (checksum, number fields, extended headers), a corrupt compressed stream, or
    /// a limit reached. Nothing after it is listed.
    Corrupt,
    /// The archive ends after a complete entry but without the end-of-archive marker (two zero blocks).
    EofMarkerMissing,
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
