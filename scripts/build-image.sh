#!/usr/bin/env bash
# Builds a container image of ocicheck from this repository, then validates it with that same ocicheck.
#
#   scripts/build-image.sh            # OUT=target/image by default
#
# 1. `cargo install --locked --path .` into a staging root: the binary a user installs. From another directory,
#    that installed binary lists, exports and runs the conformance corpus it carries (nothing of the source tree).
# 2. An image FROM scratch with buildah (installed from Debian when missing): the binary at /usr/bin/ocicheck and
#    the shared libraries it links (glibc's loader, libc, libm, libgcc_s: `ldd` names them), nothing else;
#    entrypoint ocicheck, OCI labels and annotations.
# 3. The image exported as an OCI layout ($OUT/layout, tag ocicheck) and an OCI archive ($OUT/ocicheck.oci.tar).
# 4. ocicheck validates both with --profile strict --fail-on info: the script fails unless the image is clean.
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
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot

stage=$(mktemp -d)
ctr=
cleanup() {
    if [ -n "$ctr" ]; then buildah rm "$ctr" >/dev/null 2>&1 || true; fi
    buildah rmi -f "localhost/ocicheck:build" >/dev/null 2>&1 || true
    rm -rf "$stage"
}
trap cleanup EXIT

echo "== cargo install --locked --path . --root $stage/install"
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target} cargo install --locked --quiet --path . --root "$stage/install"
bin=$stage/install/bin/ocicheck

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
ldd "$bin" | awk '/=> \// { print $3 } /^\s*\/.*ld-linux/ { print $1 }' | sort -u | while read -r lib; do
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
buildah push --quiet --format oci localhost/ocicheck:build "oci-archive:$out/ocicheck.oci.tar:ocicheck"

echo "== ocicheck validates its own image"
status=0
"$bin" validate "$out/layout" "$out/ocicheck.oci.tar" --no-config --profile strict --fail-on info \
    --output "json=$out/report.json" --output "html=$out/report.html" || status=$?
if [ "$status" != 0 ]; then
    echo "build-image.sh: the image of ocicheck is not clean (exit status $status); see $out/report.html" >&2
    exit 1
fi
echo "image: $out/layout (tag ocicheck), $out/ocicheck.oci.tar; reports: $out/report.json, $out/report.html"
