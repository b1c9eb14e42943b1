#!/usr/bin/env bash
# Builds a container image of ocicheck from this repository, then validates it with that same ocicheck.
#
#   scripts/build-image.sh            # OUT=target/image by default; BIN=PATH to package a binary already built
#
# 1. `cargo install --locked --path .` into a staging root: the binary a user installs. From another directory,
#    that installed binary lists, exports and runs the conformance corpus it carries (nothing of the source tree).
# 2. An image FROM scratch with buildah (installed from Debian when missing): the binary at /usr/bin/ocicheck and
#    the shared libraries it links (glibc's loader, libc, libm, libgcc_s: `ldd` names them), nothing else;
#    entrypoint ocicheck, OCI labels and annotations.
# 3. The image exported as an OCI layout ($OUT/layout, tag ocicheck). buildah writes `index.json` without its own
#    `mediaType` and its entry without `platform` (IDX004, DSC020: SHOULDs); `index.json` is not referenced by
#    digest, so the script adds both with jq (installed when missing) without changing any digest, then archives
#    the layout ($OUT/ocicheck.oci.tar, deterministic tar).
# 4. ocicheck validates both with --fail-on info: the script fails on any finding at all.
#
# No registry is needed: buildah works on local storage (vfs, chroot isolation), as root.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=${OUT:-target/image}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if ! command -v buildah >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "build-image.sh: buildah is missing, and installing it needs root (apt-get install buildah)" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends buildah >/dev/null
fi
if ! command -v jq >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "build-image.sh: jq is missing, and installing it needs root (apt-get install jq)" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jq >/dev/null
fi
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot

stage=$(mktemp -d)
ctr=
cleanup() {
    if [ -n "$ctr" ]; then buildah rm "$ctr" >/dev/null 2>&1 || true; fi
    buildah rmi -f "localhost/ocicheck:build" >/dev/null 2>&1 || true
    rm -rf "$stage"
}
trap cleanup EXIT

# BIN=PATH (what .ci/run uses: the dev-profile binary `cargo test` has just built) copies that binary into the
# staging root instead of building an optimised one, so CI does not spend minutes on a second build; the default is
# `cargo install`, a release build.
mkdir -p "$stage/install/bin"
bin=$stage/install/bin/ocicheck
if [ -n "${BIN:-}" ]; then
    echo "== copy $BIN to $stage/install/bin (without its debug information)"
    objcopy --strip-debug "$BIN" "$bin"
else
    echo "== cargo install --locked --path . --root $stage/install"
    CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target} cargo install --locked --quiet --path . --root "$stage/install"
fi

echo "== the installed binary, from another directory: its built-in corpus"
mkdir "$stage/elsewhere"
(
    cd "$stage/elsewhere"
    "$bin" conformance list | tail -n 1
    "$bin" conformance export corpus | tail -n 1
    "$bin" conformance run --dir corpus --validator "$bin validate {}" --name ocicheck | tail -n 3
)

echo "== the image, FROM scratch"
root=$stage/rootfs
mkdir -p "$root/usr/bin" "$root/tmp" "$root/work"
chmod 1777 "$root/tmp"
install -m 0755 "$bin" "$root/usr/bin/ocicheck"
# The shared libraries the binary links, at the paths the loader looks for them.
ldd "$bin" | awk '/=> \// { print $3 } /^[[:space:]]*\/.*ld-linux/ { print $1 }' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
version=$("$bin" --version | awk '{ print $2 }')
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# Reproducible timestamps: the commit's time.
created=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
# The platform in Go's names, as the image spec asks.
case $(uname -m) in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
esac
ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$root" / >/dev/null
buildah config \
    --entrypoint '["/usr/bin/ocicheck"]' --cmd '["--help"]' --workingdir /work \
    --os linux --arch "$arch" \
    --label "org.opencontainers.image.title=ocicheck" \
    --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.revision=$revision" \
    --annotation "org.opencontainers.image.title=ocicheck" \
    --annotation "org.opencontainers.image.description=Conformance validator for the OCI Image Format Specification" \
    --annotation "org.opencontainers.image.version=$version" \
    --annotation "org.opencontainers.image.revision=$revision" \
    --annotation "org.opencontainers.image.created=$created" \
    --created-by "scripts/build-image.sh" \
    "$ctr"
buildah commit --quiet --format oci --rm "$ctr" localhost/ocicheck:build >/dev/null
ctr=
rm -rf "$out/layout" "$out/ocicheck.oci.tar"
buildah push --quiet --format oci localhost/ocicheck:build "oci:$out/layout:ocicheck"
index=$out/layout/index.json
jq -c --arg arch "$arch" \
    '.mediaType = "application/vnd.oci.image.index.v1+json"
     | .manifests |= map(. + {platform: {architecture: $arch, os: "linux"}})' "$index" >"$index.new"
mv "$index.new" "$index"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$out/layout" -cf "$out/ocicheck.oci.tar" .

echo "== ocicheck validates its own image"
status=0
"$bin" validate "$out/layout" "$out/ocicheck.oci.tar" --no-config --fail-on info \
    --output "json=$out/report.json" --output "html=$out/report.html" || status=$?
if [ "$status" != 0 ]; then
    echo "build-image.sh: the image of ocicheck is not clean (exit status $status); see $out/report.html" >&2
    exit 1
fi
echo "== the image's own ocicheck, unpacked from its layer, validates the image"
manifest=$(jq -r '.manifests[0].digest' "$index" | sed 's/^sha256://')
layer=$(jq -r '.layers[0].digest' "$out/layout/blobs/sha256/$manifest" | sed 's/^sha256://')
unpacked=$stage/unpacked
mkdir -p "$unpacked"
tar -xzf "$out/layout/blobs/sha256/$layer" -C "$unpacked"
cp -r "$out/layout" "$unpacked/work/image"
if [ "$(id -u)" = 0 ]; then
    chroot "$unpacked" /usr/bin/ocicheck validate /work/image --fail-on info --quiet --format concise
else
    echo "(not root: the chroot run of the image's binary is skipped)"
fi
echo "image: $out/layout (tag ocicheck), $out/ocicheck.oci.tar; reports: $out/report.json, $out/report.html"
