//! Platform values. The spec defers `os` and `architecture` to Go's GOOS/GOARCH lists and gives a table of CPU
//! variants that is open-ended ("…"); these are pinned snapshots used for warnings only.
//!
//! GOOS and GOARCH: Go's list of past, present and known-future values (`src/internal/syslist/syslist.go`), which is
//! a superset of the valid GOOS/GOARCH combinations of the Go installation document the spec links.

pub const GOOS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

pub const GOARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

pub fn known_os(os: &str) -> bool {
    GOOS.contains(&os)
}

pub fn known_arch(arch: &str) -> bool {
    GOARCH.contains(&arch)
}

/// Whether `variant` is in (or follows the pattern of) the Platform Variants table of image-index.md for `arch`.
/// `None` when the table has no row for `arch` (values are then implementation-defined).
pub fn known_variant(arch: &str, variant: &str) -> Option<bool> {
    let num_after =
        |prefix: &str| -> Option<&str> { variant.strip_prefix(prefix).filter(|r| !r.is_empty()) };
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    Some(match arch {
        // v6, v7, v8 in the table (GOARM also knows 5, but the table does not list it: like v9, it is
        // implementation-defined, and the SHOULD asks for the listed values).
        "arm" => matches!(variant, "v6" | "v7" | "v8"),
        // v8, v8.1, … (GOARM64 goes v8.0 … v8.9, v9.0 … v9.5).
        "arm64" => num_after("v").is_some_and(|r| match r.split_once('.') {
            Some((maj, min)) => matches!(maj, "8" | "9") && !min.is_empty() && digits(min),
            None => matches!(r, "8" | "9"),
        }),
        // power8, power9, … (GOPPC64), for `ppc64le` only: the table has no row for big-endian `ppc64`.
        "ppc64le" => {
            num_after("power").is_some_and(|r| digits(r) && r.parse::<u32>().is_ok_and(|n| n >= 8))
        }
        // rva20u64, … (GORISCV64).
        "riscv64" => {
            variant.len() == 8
                && variant.starts_with("rva")
                && variant.ends_with("u64")
                && digits(&variant[3..5])
        }
        // v1, v2, v3, … (GOAMD64).
        "amd64" => {
            num_after("v").is_some_and(|r| digits(r) && r.parse::<u32>().is_ok_and(|n| n >= 1))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants() {
        assert_eq!(known_variant("arm64", "v8"), Some(true));
        assert_eq!(known_variant("arm64", "v8.2"), Some(true));
        assert_eq!(known_variant("arm64", "v7"), Some(false));
        assert_eq!(known_variant("arm", "v7"), Some(true));
        assert_eq!(known_variant("arm", "armv7"), Some(false));
        assert_eq!(known_variant("amd64", "v3"), Some(true));
        assert_eq!(known_variant("ppc64le", "power9"), Some(true));
        assert_eq!(known_variant("riscv64", "rva22u64"), Some(true));
        assert_eq!(known_variant("s390x", "z14"), None);
        assert_eq!(known_variant("ppc64", "power9"), None);
        assert_eq!(known_variant("ppc64", "anything"), None);
        assert_eq!(known_variant("arm", "v5"), Some(false));
        assert_eq!(known_variant("arm", "v9"), Some(false));
    }
}
