#!/usr/bin/env bash
# Make small OCI images with real tools (Debian 12 packages), for the conformance corpus (conformance/tools/).
#
#   scripts/make-tool-images.sh OUT        # normally: scripts/make-tool-images.sh testdata
#
# Writes, replacing what a previous run left there:
#   OUT/tools/<name>/          one OCI image layout per producer (each becomes conformance/tools/<name>/)
#   OUT/archives/<name>.tar    oci-archive and docker-archive tarballs (read by the archive Source, not cases yet)
#   OUT/tools/VERSIONS.txt     tool versions and the exact commands, also printed on stdout
#
# Everything is built from local files: no registry is contacted (no Docker daemon either). Timestamps are fixed
# (SOURCE_DATE_EPOCH, file mtimes, --created/--history.created/--timestamp) where the tools allow it; the tar
# headers of oci-archive/docker-archive files still carry the time of the run. A rerun may give other digests:
# the committed bytes are the test data, this script only documents and repeats how they were made.
#
# Needs root for apt-get (umoci, skopeo, buildah, podman are installed if missing). buildah and podman use the vfs
# storage driver in a private, temporary storage root, so nothing is left in /var/lib/containers by them.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT   (e.g. $0 testdata)" >&2
    exit 2
fi
mkdir -p "$1"
OUT=$(cd "$1" && pwd)

export SOURCE_DATE_EPOCH=1700000000 # 2023-11-14T22:13:20Z
CREATED=2023-11-14T22:13:20Z
export TZ=UTC LC_ALL=C
umask 022

# --- install -------------------------------------------------------------------------------------------------
need=()
for p in umoci skopeo buildah podman; do
    command -v "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi

WORK=$(mktemp -d)
STORAGE=$WORK/storage
cleanup() {
    # vfs layers are plain directories; nothing is mounted.
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

ROOTLESS=()
[ "$(id -u)" -eq 0 ] || ROOTLESS=(--rootless)

version() { # the Debian package version, which names the exact build
    dpkg-query -W -f='${Version}' "$1" 2>/dev/null || "$1" --version
}
UMOCI="umoci $(version umoci)"
SKOPEO="skopeo $(version skopeo)"
BUILDAH="buildah $(version buildah)"
PODMAN="podman $(version podman)"

LOG=$WORK/VERSIONS.txt
{
    echo "# Made by scripts/make-tool-images.sh on Debian $(cat /etc/debian_version)"
    echo "# SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
    echo "$UMOCI   ($(umoci --version))"
    echo "$SKOPEO   ($(skopeo --version))"
    echo "$BUILDAH   ($(buildah --version))"
    echo "$PODMAN   ($(podman --version))"
    echo
} >"$LOG"
record() { # name, tool, command summary
    printf '%-22s %s: %s\n' "$1" "$2" "$3" >>"$LOG"
}

mkdir -p layouts archives

# --- umoci: init, new, two repacked layers (whiteout in the second), config, tag ---------------------------------
umoci init --layout layouts/umoci
umoci new --image layouts/umoci:base
umoci unpack "${ROOTLESS[@]}" --image layouts/umoci:base bundle
r=bundle/rootfs
mkdir -p $r/app/data $r/etc
printf 'hello from umoci\n' >$r/app/hello.txt
printf 'deleted in layer 2\n' >$r/app/tmp.txt
printf 'x=1\n' >$r/etc/app.conf
printf '#!/bin/sh\necho hi\n' >$r/app/run.sh
chmod 755 $r/app/run.sh
ln -s hello.txt $r/app/link     # symlink
ln $r/app/hello.txt $r/app/hard # hard link
find $r -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
umoci repack --image layouts/umoci:base --history.created "$CREATED" \
    --history.created_by "umoci repack (layer 1: files, dirs, symlink, hard link)" bundle
rm -rf bundle
umoci unpack "${ROOTLESS[@]}" --image layouts/umoci:base bundle
rm $r/app/tmp.txt # becomes app/.wh.tmp.txt
mkdir -p $r/app/data/sub
printf 'second layer\n' >$r/app/data/sub/two.txt
find $r -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
umoci repack --image layouts/umoci:base --history.created "$CREATED" \
    --history.created_by "umoci repack (layer 2: rm app/tmp.txt, add app/data/sub/two.txt)" bundle
rm -rf bundle
umoci config --image layouts/umoci:base --tag v1 \
    --created "$CREATED" --author "ocicheck test" --architecture amd64 --os linux \
    --config.env PATH=/usr/bin:/bin --config.env GREETING=hello \
    --config.entrypoint /app/run.sh --config.cmd --verbose --config.workingdir /app \
    --config.label org.opencontainers.image.title=ocicheck-umoci --config.label org.example.purpose=test \
    --config.exposedports 8080/tcp --config.exposedports 53/udp \
    --history.created "$CREATED" --history.created_by "umoci config"
umoci rm --image layouts/umoci:base
umoci gc --layout layouts/umoci
record umoci "$UMOCI" "umoci init; umoci new; unpack/repack x2 (symlink, hard link, dirs; rm -> whiteout); umoci config --tag v1 (Env/Entrypoint/Cmd/WorkingDir/labels/ports); umoci rm base; umoci gc"

# --- skopeo: copies of the umoci image ---------------------------------------------------------------------------
SK=(skopeo --insecure-policy copy -q)
"${SK[@]}" --dest-compress --dest-compress-format gzip oci:layouts/umoci:v1 oci:layouts/skopeo-gzip:v1
record skopeo-gzip "$SKOPEO" "skopeo copy --dest-compress --dest-compress-format gzip oci:umoci:v1 oci:skopeo-gzip:v1 (gzip layers reused as they are)"
"${SK[@]}" --dest-compress --dest-compress-format zstd oci:layouts/umoci:v1 oci:layouts/skopeo-zstd:v1
record skopeo-zstd "$SKOPEO" "skopeo copy --dest-compress --dest-compress-format zstd oci:umoci:v1 oci:skopeo-zstd:v1"
# skopeo 1.9's --dest-decompress only acts on the dir: transport, so go through dir: and accept uncompressed layers.
"${SK[@]}" --dest-decompress oci:layouts/umoci:v1 dir:skopeo-dir
"${SK[@]}" --dest-oci-accept-uncompressed-layers dir:skopeo-dir oci:layouts/skopeo-uncompressed:v1
record skopeo-uncompressed "$SKOPEO" "skopeo copy --dest-decompress oci:umoci:v1 dir:D; skopeo copy --dest-oci-accept-uncompressed-layers dir:D oci:skopeo-uncompressed:v1"
"${SK[@]}" oci:layouts/umoci:v1 oci-archive:archives/skopeo-umoci.oci.tar:v1
record archives/skopeo-umoci.oci.tar "$SKOPEO" "skopeo copy oci:umoci:v1 oci-archive:skopeo-umoci.oci.tar:v1"
"${SK[@]}" oci:layouts/umoci:v1 docker-archive:archives/skopeo-umoci.docker.tar:ocicheck/umoci:v1
record archives/skopeo-umoci.docker.tar "$SKOPEO" "skopeo copy oci:umoci:v1 docker-archive:skopeo-umoci.docker.tar:ocicheck/umoci:v1"

# --- buildah (vfs): from scratch + copy + config + commit; and buildah build of a Containerfile ---------------------
B=(buildah --storage-driver vfs --root "$STORAGE/buildah" --runroot "$STORAGE/buildah-run")
mkdir -p ctx-buildah
printf 'hello from buildah\n' >ctx-buildah/hello.txt
cat >ctx-buildah/Containerfile <<'EOF'
FROM scratch
COPY hello.txt /hello.txt
LABEL org.opencontainers.image.title=ocicheck-buildah-build
ENV GREETING=hello
CMD ["/hello.txt"]
EOF
touch -d "@$SOURCE_DATE_EPOCH" ctx-buildah/*
c=$("${B[@]}" from scratch)
"${B[@]}" copy -q "$c" ctx-buildah/hello.txt /hello.txt >/dev/null
"${B[@]}" config --env GREETING=hello --cmd '["/hello.txt"]' --port 8080/tcp --arch amd64 --os linux \
    --label org.opencontainers.image.title=ocicheck-buildah "$c"
"${B[@]}" commit -q --timestamp "$SOURCE_DATE_EPOCH" "$c" oci:layouts/buildah-commit:v1 >/dev/null
record buildah-commit "$BUILDAH" "buildah --storage-driver vfs from scratch; buildah copy; buildah config (env, cmd, port, label); buildah commit --timestamp $SOURCE_DATE_EPOCH C oci:buildah-commit:v1 (layers uncompressed, the default)"
"${B[@]}" commit -q --timestamp "$SOURCE_DATE_EPOCH" "$c" oci-archive:archives/buildah-commit.oci.tar:v1 >/dev/null
record archives/buildah-commit.oci.tar "$BUILDAH" "buildah commit --timestamp $SOURCE_DATE_EPOCH C oci-archive:buildah-commit.oci.tar:v1"
"${B[@]}" rm "$c" >/dev/null
"${B[@]}" build -q --timestamp "$SOURCE_DATE_EPOCH" --disable-compression=false \
    -t localhost/ocicheck/buildah-build:v1 ctx-buildah >/dev/null
"${B[@]}" push -q localhost/ocicheck/buildah-build:v1 oci:layouts/buildah-build:v1
record buildah-build "$BUILDAH" "buildah --storage-driver vfs build --timestamp $SOURCE_DATE_EPOCH --disable-compression=false (FROM scratch, COPY, LABEL, ENV, CMD); buildah push oci:buildah-build:v1"

# --- podman (vfs): build a Containerfile, podman save as oci-dir, oci-archive and docker-archive ---------------------
P=(podman --storage-driver vfs --root "$STORAGE/podman" --runroot "$STORAGE/podman-run"
    --cgroup-manager cgroupfs --events-backend none)
mkdir -p ctx-podman
printf 'hello from podman\n' >ctx-podman/hello.txt
cat >ctx-podman/Containerfile <<'EOF'
FROM scratch
COPY hello.txt /srv/hello.txt
LABEL org.opencontainers.image.title=ocicheck-podman
WORKDIR /srv
CMD ["/srv/hello.txt"]
EOF
touch -d "@$SOURCE_DATE_EPOCH" ctx-podman/*
"${P[@]}" build -q --timestamp "$SOURCE_DATE_EPOCH" -t localhost/ocicheck/podman:v1 ctx-podman >/dev/null
"${P[@]}" save -q --format oci-dir -o layouts/podman-save localhost/ocicheck/podman:v1
record podman-save "$PODMAN" "podman --storage-driver vfs build --timestamp $SOURCE_DATE_EPOCH (FROM scratch, COPY, LABEL, WORKDIR, CMD); podman save --format oci-dir"
"${P[@]}" save -q --format oci-archive -o archives/podman.oci.tar localhost/ocicheck/podman:v1
record archives/podman.oci.tar "$PODMAN" "podman save --format oci-archive"
"${P[@]}" save -q --format docker-archive -o archives/podman.docker.tar localhost/ocicheck/podman:v1
record archives/podman.docker.tar "$PODMAN" "podman save --format docker-archive (what docker save writes)"

# --- install the results ---------------------------------------------------------------------------------------
mkdir -p "$OUT/tools" "$OUT/archives"
for d in layouts/*; do
    n=$(basename "$d")
    rm -rf "${OUT:?}/tools/$n"
    cp -r "$d" "$OUT/tools/$n"
done
for f in archives/*; do
    cp "$f" "$OUT/archives/"
done
cp "$LOG" "$OUT/tools/VERSIONS.txt"
cat "$LOG"
echo
du -sb "$OUT/tools" "$OUT/archives"
