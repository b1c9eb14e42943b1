# Docker (sourced by make-tool-images.sh): Debian's dockerd, started here with everything in $WORK (no iptables,
# no bridge, its own containerd), builds the shared Containerfile with the classic builder and with BuildKit, and
# docker save writes each image.
#
# Debian 12 has Docker 20.10, whose docker save writes the Docker archive format (manifest.json, <id>/layer.tar),
# not the OCI layout Docker 25+ puts inside the tar. The BuildKit inside dockerd 20.10 has no "oci" exporter
# (docker build --output type=oci: 'exporter "oci" could not be found') and Debian 12 has no docker buildx, so the
# OCI-layout form of these images comes from containerd (containerd.sh), which imports them.
# /usr/bin/docker is the 20.10 CLI of the same package (a newer CLI elsewhere on PATH lacks the buildx plugin that
# its BuildKit needs); the builds run with --network none.
DOCKER="docker.io $(version docker.io)"
DK=$WORK/docker
mkdir -p "$DK"
export DOCKER_HOST=unix://$DK/docker.sock
DOCKERD=(dockerd --data-root "$DK/data" --exec-root "$DK/exec" --pidfile "$DK/docker.pid" -H "$DOCKER_HOST"
    --iptables=false --ip6tables=false --bridge=none --ip-masq=false --userland-proxy=false)
# overlay2 makes opaque whiteouts of a directory deleted and made again; vfs where overlay cannot be mounted.
DOCKER_DRIVER=
for drv in overlay2 vfs; do
    start_daemon "$DK/dockerd-$drv.log" "${DOCKERD[@]}" --storage-driver "$drv"
    DOCKERD_PID=$DAEMON_PID
    if wait_for 60 dockerd /usr/bin/docker info; then
        DOCKER_DRIVER=$drv
        break
    fi
    tail -5 "$DK/dockerd-$drv.log" >&2
    stop_pid "$DOCKERD_PID"
    unmount_below "$DK"
    rm -rf "$DK/data" "$DK/exec"
done
[ -n "$DOCKER_DRIVER" ] || { echo "dockerd does not start here (logs above)" >&2; exit 1; }

containerfile ocicheck-docker-classic copy >ctx/Dockerfile.classic
DOCKER_BUILDKIT=0 /usr/bin/docker build -q --network none -f ctx/Dockerfile.classic -t ocicheck/docker-classic:v1 ctx >/dev/null
/usr/bin/docker save -o "$DK/docker-classic.docker.tar" ocicheck/docker-classic:v1
record "(docker-classic)" "$DOCKER" "dockerd --storage-driver $DOCKER_DRIVER; DOCKER_BUILDKIT=0 docker build --network none (classic builder; FROM scratch; COPY busybox; COPY; 2 RUN steps: rm, dir->file, file->dir, rm -r + mkdir, ln -s; dir again; ENV LABEL WORKDIR CMD); docker save -o \$WORK/docker/docker-classic.docker.tar (not kept: 2 MB of busybox, in the same format as docker-buildkit.docker.tar; containerd.sh imports it)"

containerfile ocicheck-docker-buildkit mount >ctx/Dockerfile.buildkit
DOCKER_BUILDKIT=1 /usr/bin/docker build -q --network none -f ctx/Dockerfile.buildkit -t ocicheck/docker-buildkit:v1 ctx >/dev/null
/usr/bin/docker save -o archives/docker-buildkit.docker.tar ocicheck/docker-buildkit:v1
chmod 644 archives/docker-buildkit.docker.tar # docker save -o writes mode 0600
record archives/docker-buildkit.docker.tar "$DOCKER" "DOCKER_BUILDKIT=1 docker build --network none (BuildKit in dockerd; the same steps with busybox bind-mounted by RUN --mount); docker save -o (read by containerd.sh too)"

stop_pid "$DOCKERD_PID" # dockerd stops the containerd it started
unmount_below "$DK"
rm -rf "$DK/data" "$DK/exec"
unset DOCKER_HOST
