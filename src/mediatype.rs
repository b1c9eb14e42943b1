//! Media type strings of the OCI image spec (media-types.md) and the RFC 6838 § 4.2 name grammar.

pub const DESCRIPTOR: &str = "application/vnd.oci.descriptor.v1+json";
pub const LAYOUT_HEADER: &str = "application/vnd.oci.layout.header.v1+json";
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const EMPTY: &str = "application/vnd.oci.empty.v1+json";
pub const LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const LAYER_TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const LAYER_TAR_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const LAYER_ND_TAR: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar";
pub const LAYER_ND_TAR_GZIP: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
pub const LAYER_ND_TAR_ZSTD: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const DOCKER_FOREIGN_LAYER_GZIP: &str =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/// Compression of a layer, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// The OCI layer media types (media-types.md), with their compression and whether they are non-distributable.
pub fn oci_layer(media_type: &str) -> Option<(Compression, bool)> {
    Some(match media_type {
        LAYER_TAR => (Compression::None, false),
        LAYER_TAR_GZIP => (Compression::Gzip, false),
        LAYER_TAR_ZSTD => (Compression::Zstd, false),
        LAYER_ND_TAR => (Compression::None, true),
        LAYER_ND_TAR_GZIP => (Compression::Gzip, true),
        LAYER_ND_TAR_ZSTD => (Compression::Zstd, true),
        _ => return None,
    })
}

/// Layer media types an OCI manifest for a container image is expected to use (manifest.md: the four it MUST
/// support plus `+zstd`, which implementations SHOULD support).
pub fn is_portable_layer(media_type: &str) -> bool {
    oci_layer(media_type).is_some()
}

/// Docker's layer media types (seen inside OCI manifests in the wild).
pub fn docker_layer(media_type: &str) -> Option<Compression> {
    match media_type {
        DOCKER_LAYER_GZIP | DOCKER_FOREIGN_LAYER_GZIP => Some(Compression::Gzip),
        "application/vnd.docker.image.rootfs.diff.tar" => Some(Compression::None),
        "application/vnd.docker.image.rootfs.diff.tar.zstd" => Some(Compression::Zstd),
        _ => None,
    }
}

/// The OCI media type a Docker one is equivalent to (media-types.md § Compatibility Matrix): the manifest list,
/// the image manifest and the container config have similar schemas; the gzip rootfs layer is interchangeable.
pub fn oci_equivalent(media_type: &str) -> Option<&'static str> {
    Some(match media_type {
        DOCKER_MANIFEST_LIST => INDEX,
        DOCKER_MANIFEST => MANIFEST,
        DOCKER_CONFIG => CONFIG,
        DOCKER_LAYER_GZIP => LAYER_TAR_GZIP,
        DOCKER_FOREIGN_LAYER_GZIP => LAYER_ND_TAR_GZIP,
        "application/vnd.docker.image.rootfs.diff.tar" => LAYER_TAR,
        "application/vnd.docker.image.rootfs.diff.tar.zstd" => LAYER_TAR_ZSTD,
        _ => return None,
    })
}

/// `media_type`, or with `--profile docker-compat` (`compat`) its OCI equivalent when it is a Docker type.
pub fn as_oci(media_type: &str, compat: bool) -> &str {
    match oci_equivalent(media_type) {
        Some(oci) if compat => oci,
        _ => media_type,
    }
}

/// RFC 6838 § 4.2 `restricted-name`: 1 to 127 characters, first alphanumeric, then alphanumerics and
/// `! # $ & - ^ _ . +`.
fn is_restricted_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 127
        && b[0].is_ascii_alphanumeric()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(c))
}

/// `type-name "/" subtype-name` of RFC 6838 § 4.2 (no parameters, no whitespace).
pub fn is_valid(s: &str) -> bool {
    match s.split_once('/') {
        Some((t, st)) => is_restricted_name(t) && is_restricted_name(st),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        let long = "1".repeat(127);
        assert!(is_valid(&format!("{long}/{long}")));
        assert!(!is_valid(&format!("1{long}/bar")));
        assert!(!is_valid(&format!("foo/1{long}")));
        for ok in [
            MANIFEST,
            LAYER_TAR_GZIP,
            "text/plain",
            "application/x-foo.bar+baz",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "application",
            ".foo/bar",
            "foo/.bar",
            "",
            "invalid",
            "text/plain; charset=utf-8",
            "a/b/c",
            "foo/",
            " a/b",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
