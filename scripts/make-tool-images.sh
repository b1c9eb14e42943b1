#!/usr/bin/env bash
# Make small OCI images with real tools (Debian 12 packages and one npm package), for the conformance corpus
# (conformance/tools/).
#
#   scripts/make-tool-images.sh OUT        # normally: scripts/make-tool-images.sh testdata
#
# Writes, replacing what a previous run left there:
#   OUT/tools/<name>/          one OCI image layout per producer (each becomes conformance/tools/<name>/)
#   OUT/archives/<name>.tar    oci-archive, docker-archive, docker save and ctr export tarballs (the archive cases
#                              under conformance/tools/*-archive link to them)
#   OUT/other/<name>/          what a producer wrote that is not an OCI layout (podman's docker-dir)
#   OUT/tools/VERSIONS.txt     tool versions and the exact commands, also printed on stdout
#
# The producers, one file each under scripts/tool-images/: umoci, skopeo (local copies, and through a local
# distribution registry), buildah, podman, dockerd (classic builder and BuildKit), containerd (ctr import/export),
# containerify (npm). Everything is built from local files: the only network services used are ones this script
# starts itself, on this machine (dockerd and containerd on sockets in a temporary directory, docker-registry on
# 127.0.0.1 at a free port), and all of them are stopped, unmounted and deleted when it exits, however it exits.
# No base image is pulled: images are FROM scratch with a few small files; RUN steps use Debian's static busybox,
# bind-mounted for the build where the builder allows it (BuildKit, buildah, podman) so that it is not in the image.
#
# Timestamps are fixed (SOURCE_DATE_EPOCH, file mtimes, --created/--history.created/--timestamp) where the tools
# allow it; dockerd 20.10, containerd's import and containerify record the time of the run in places. A rerun may
# give other digests: the committed bytes are the test data, this script documents and repeats how they were made.
#
# Needs root (apt-get; dockerd, containerd, overlay mounts). Installs what is missing: umoci skopeo buildah podman
# runc docker.io containerd docker-registry busybox-static python3 npm curl, and containerify from the npm registry into
# the temporary directory.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT   (e.g. $0 testdata)" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "$0: run as root (dockerd, containerd and overlay mounts need it)" >&2
    exit 2
fi
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
PARTS=$(cd "$(dirname "$0")/tool-images" && pwd)

export SOURCE_DATE_EPOCH=1700000000 # 2023-11-14T22:13:20Z
CREATED=2023-11-14T22:13:20Z
export TZ=UTC LC_ALL=C
umask 022

# shellcheck source=tool-images/lib.sh
. "$PARTS/lib.sh"

# --- install -------------------------------------------------------------------------------------------------
PACKAGES=(umoci skopeo buildah podman runc docker.io containerd docker-registry busybox-static python3 npm curl)
need=()
for p in "${PACKAGES[@]}"; do
    case $p in
    npm | python3 | curl) command -v "$p" >/dev/null 2>&1 && continue ;; # any install of these will do
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi
CONTAINERIFY_VERSION=4.1.0

WORK=$(mktemp -d /tmp/make-tool-images.XXXXXX)
STORAGE=$WORK/storage
cleanup() {
    set +e
    buildah_cleanup
    stop_daemons
    unmount_below "$WORK"
    rm -rf "$WORK"
}
buildah_cleanup() { :; } # replaced by buildah.sh once it has containers to remove
trap cleanup EXIT
cd "$WORK"
# Temporary files of every tool and daemon (containerd dumps goroutine stacks to TMPDIR on some signals) stay here.
mkdir -p "$WORK/tmp"
export TMPDIR=$WORK/tmp

LOG=$WORK/VERSIONS.txt
{
    echo "# Made by scripts/make-tool-images.sh on Debian $(cat /etc/debian_version)"
    echo "# SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
    for p in umoci skopeo buildah podman; do
        echo "$p $(version "$p")   ($($p --version))"
    done
    echo "docker.io $(version docker.io)   ($(dockerd --version); CLI /usr/bin/docker $(/usr/bin/docker --version | sed 's/^Docker version //'))"
    echo "containerd $(version containerd)   ($(containerd --version))"
    echo "runc $(version runc)   ($(runc --version | head -1))"
    echo "docker-registry $(version docker-registry)   ($(docker-registry --version))"
    echo "busybox-static $(version busybox-static)"
    echo "containerify $CONTAINERIFY_VERSION   (npm registry; node $(node --version), npm $(npm --version))"
    echo
} >"$LOG"

mkdir -p layouts archives other

# The build context every builder shares: a few small files, and a Containerfile whose RUN steps delete files and
# swap directories and files (see context.sh).
. "$PARTS/context.sh"

for part in umoci skopeo buildah podman registry docker containerd containerify; do
    echo "--- $part" >&2
    # shellcheck source=/dev/null
    . "$PARTS/$part.sh"
done

# --- install the results ---------------------------------------------------------------------------------------
mkdir -p "$OUT/tools" "$OUT/archives" "$OUT/other"
for d in layouts/*; do
    n=$(basename "$d")
    rm -rf "${OUT:?}/tools/$n"
    cp -r "$d" "$OUT/tools/$n"
done
for f in archives/*; do
    cp "$f" "$OUT/archives/"
done
for d in other/*; do
    n=$(basename "$d")
    rm -rf "${OUT:?}/other/$n"
    cp -r "$d" "$OUT/other/$n"
done
cp "$LOG" "$OUT/tools/VERSIONS.txt"
cat "$LOG"
echo
du -sb "$OUT/tools" "$OUT/archives" "$OUT/other"
