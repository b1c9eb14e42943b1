//! Entry flags: what a tar entry lacks or has that the layer rules look at, as bits of `Entry::flags`.

/// The name is not valid UTF-8 (the kept name is a lossy rendering).
pub const NON_UTF8: u32 = 1;
/// A GNU sparse file (type `S`) or PAX `GNU.sparse.*` records.
pub const SPARSE: u32 = 1 << 1;
pub const MISSING_MODE: u32 = 1 << 2;
pub const MISSING_UID: u32 = 1 << 3;
pub const MISSING_GID: u32 = 1 << 4;
pub const MISSING_MTIME: u32 = 1 << 5;
/// A symbolic or hard link with an empty link name.
pub const MISSING_LINK: u32 = 1 << 6;
/// The name starts with `/`.
pub const ABSOLUTE: u32 = 1 << 7;
/// The name has a `..` component.
pub const DOTDOT: u32 = 1 << 8;
/// The `..` components climb above the root.
pub const ESCAPES: u32 = 1 << 9;
/// The (hard) link target starts with `/`.
pub const LINK_ABSOLUTE: u32 = 1 << 10;
/// The (hard) link target has a `..` component.
pub const LINK_DOTDOT: u32 = 1 << 11;
/// The (hard) link target climbs above the root.
pub const LINK_ESCAPES: u32 = 1 << 12;
/// The link target is not valid UTF-8.
pub const LINK_NON_UTF8: u32 = 1 << 13;
/// The kept name lost bytes to a cap (longer than the limit).
pub const ANY_MISSING: u32 =
    MISSING_MODE | MISSING_UID | MISSING_GID | MISSING_MTIME | MISSING_LINK;
