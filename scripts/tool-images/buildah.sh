# buildah (sourced by make-tool-images.sh): commit, build (COPY only, and with RUN steps), --format docker,
# --squash, and a two-platform manifest list.
BUILDAH="buildah $(version buildah)"

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

# --- buildah build with RUN steps: overlay storage (opaque whiteouts), runc, the busybox bind-mounted -------------
# crun 1.8 refuses to start here ("cgroups in hybrid mode not supported"), runc 1.1 runs the steps. The overlay
# driver turns "rm -r /app/gone; mkdir /app/gone" into an opaque whiteout; where overlay cannot be mounted, vfs
# (which writes one whiteout per entry) is used instead and VERSIONS.txt says so.
RUNDRV=overlay
BR=(buildah --storage-driver overlay --root "$STORAGE/buildah-overlay" --runroot "$STORAGE/buildah-overlay-run")
if ! "${BR[@]}" info >/dev/null 2>&1; then
    RUNDRV=vfs
    BR=(buildah --storage-driver vfs --root "$STORAGE/buildah-run-vfs" --runroot "$STORAGE/buildah-run-vfs-run")
fi
buildah_cleanup() {
    "${B[@]}" rm --all >/dev/null 2>&1
    "${BR[@]}" rm --all >/dev/null 2>&1
    "${BR[@]}" umount --all >/dev/null 2>&1
}
BUILD=(build -q --layers --runtime runc --cgroup-manager cgroupfs --network none --timestamp "$SOURCE_DATE_EPOCH")
containerfile ocicheck-buildah-run mount >ctx/Containerfile.buildah
"${BR[@]}" "${BUILD[@]}" -f Containerfile.buildah -t localhost/ocicheck/buildah-run:v1 ctx >/dev/null
"${BR[@]}" push -q localhost/ocicheck/buildah-run:v1 oci:layouts/buildah-run:v1
record buildah-run "$BUILDAH" "buildah --storage-driver $RUNDRV build --layers --runtime runc --network none --timestamp $SOURCE_DATE_EPOCH (FROM scratch; COPY; 2 RUN steps with busybox bind-mounted: rm, dir->file, file->dir, rm -r + mkdir, ln -s; dir again; ENV LABEL WORKDIR CMD); buildah push oci:buildah-run:v1"
"${BR[@]}" push -q localhost/ocicheck/buildah-run:v1 oci-archive:archives/buildah-run.oci.tar:v1
record archives/buildah-run.oci.tar "$BUILDAH" "buildah push localhost/ocicheck/buildah-run:v1 oci-archive:buildah-run.oci.tar:v1 (read by containerd.sh too)"

containerfile ocicheck-buildah-docker mount >ctx/Containerfile.buildah-docker
"${BR[@]}" "${BUILD[@]}" --format docker -f Containerfile.buildah-docker -t localhost/ocicheck/buildah-docker:v1 ctx >/dev/null
"${BR[@]}" push -q --format docker localhost/ocicheck/buildah-docker:v1 oci:layouts/buildah-docker:v1
record buildah-docker "$BUILDAH" "buildah build --format docker (the same steps); buildah push --format docker oci:buildah-docker:v1 (Docker schema 2 manifest and config media types in an OCI layout)"
"${BR[@]}" push -q --format docker localhost/ocicheck/buildah-docker:v1 docker-archive:archives/buildah-docker.docker.tar:ocicheck/buildah-docker:v1
record archives/buildah-docker.docker.tar "$BUILDAH" "buildah push localhost/ocicheck/buildah-docker:v1 docker-archive:buildah-docker.docker.tar:ocicheck/buildah-docker:v1"

containerfile ocicheck-buildah-squash mount >ctx/Containerfile.buildah-squash
"${BR[@]}" "${BUILD[@]}" --squash -f Containerfile.buildah-squash -t localhost/ocicheck/buildah-squash:v1 ctx >/dev/null
"${BR[@]}" push -q localhost/ocicheck/buildah-squash:v1 oci:layouts/buildah-squash:v1
record buildah-squash "$BUILDAH" "buildah build --squash (the same steps, one layer); buildah push oci:buildah-squash:v1"

# --- a manifest list of two platforms (COPY only: no RUN, so no emulator) ------------------------------------------
mkdir -p ctx-multi
printf 'one file, two platforms\n' >ctx-multi/hello.txt
printf 'FROM scratch\nCOPY hello.txt /hello.txt\nCMD ["/hello.txt"]\n' >ctx-multi/Containerfile
fix_mtimes ctx-multi
"${B[@]}" manifest create localhost/ocicheck/multi:v1 >/dev/null
"${B[@]}" build -q --timestamp "$SOURCE_DATE_EPOCH" --platform linux/amd64 --manifest localhost/ocicheck/multi:v1 ctx-multi >/dev/null
"${B[@]}" build -q --timestamp "$SOURCE_DATE_EPOCH" --platform linux/arm64/v8 --manifest localhost/ocicheck/multi:v1 ctx-multi >/dev/null
"${B[@]}" manifest push -q --all localhost/ocicheck/multi:v1 oci:layouts/buildah-manifest:v1
record buildah-manifest "$BUILDAH" "buildah manifest create; buildah build --platform linux/amd64 and linux/arm64/v8 --manifest (FROM scratch, COPY, CMD); buildah manifest push --all oci:buildah-manifest:v1"
