# podman (sourced by make-tool-images.sh): podman build, then podman save in each of its four formats.
PODMAN="podman $(version podman)"

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
"${P[@]}" save -q --format docker-dir -o other/podman-docker-dir localhost/ocicheck/podman:v1
record other/podman-docker-dir "$PODMAN" "podman save --format docker-dir (a containers/image dir: directory with Docker media types, not an OCI layout)"
