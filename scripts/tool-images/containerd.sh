# containerd (sourced by make-tool-images.sh): Debian's containerd, started here with its root, state and sockets
# in $WORK and the CRI plugin off; ctr imports images made above (no registry but the local one) and ctr image
# export writes them back out. Also carries the uncompressed image through the registry (ctr push sends layers
# as they are; skopeo and buildah compress what they push).
CONTAINERD="containerd $(version containerd)"
CT=$WORK/containerd
mkdir -p "$CT"
cat >"$CT/config.toml" <<EOF
version = 2
root = "$CT/root"
state = "$CT/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CT/containerd.sock"
[ttrpc]
  address = "$CT/containerd.sock.ttrpc"
EOF
start_daemon "$CT/log" containerd --config "$CT/config.toml"
CONTAINERD_PID=$DAEMON_PID
CTR=(ctr --address "$CT/containerd.sock" --namespace ocicheck)
wait_for 30 containerd "${CTR[@]}" version

# A Docker-typed image: docker save of the BuildKit build, imported as it is.
"${CTR[@]}" image import --no-unpack archives/docker-buildkit.docker.tar >/dev/null
"${CTR[@]}" image export archives/containerd-docker.oci.tar docker.io/ocicheck/docker-buildkit:v1
record archives/containerd-docker.oci.tar "$CONTAINERD" "ctr image import --no-unpack docker-buildkit.docker.tar (docker save of dockerd 20.10: Docker media types); ctr image export containerd-docker.oci.tar docker.io/ocicheck/docker-buildkit:v1 (OCI layout plus a Docker manifest.json)"

# The classic builder's image (busybox in it), its layers gzip-compressed on import to keep the file near 1 MB.
"${CTR[@]}" image import --no-unpack --compress-blobs "$DK/docker-classic.docker.tar" >/dev/null
"${CTR[@]}" image export archives/containerd-docker-classic.oci.tar docker.io/ocicheck/docker-classic:v1
record archives/containerd-docker-classic.oci.tar "$CONTAINERD" "ctr image import --no-unpack --compress-blobs docker-classic.docker.tar (docker save of the classic builder's image); ctr image export containerd-docker-classic.oci.tar docker.io/ocicheck/docker-classic:v1"

# An OCI-typed image: buildah's oci-archive of the RUN build (its ref.name is the tag alone, hence --base-name).
"${CTR[@]}" image import --no-unpack --base-name docker.io/ocicheck/buildah-run archives/buildah-run.oci.tar >/dev/null
"${CTR[@]}" image export archives/containerd-oci.oci.tar docker.io/ocicheck/buildah-run:v1
record archives/containerd-oci.oci.tar "$CONTAINERD" "ctr image import --no-unpack --base-name docker.io/ocicheck/buildah-run buildah-run.oci.tar; ctr image export containerd-oci.oci.tar docker.io/ocicheck/buildah-run:v1"

# The two-platform index from the local registry, all platforms.
"${CTR[@]}" image pull --plain-http --all-platforms --snapshotter native "$REG/ocicheck/multi:v1" >/dev/null
"${CTR[@]}" image export --all-platforms archives/containerd-multiarch.oci.tar "$REG/ocicheck/multi:v1"
record archives/containerd-multiarch.oci.tar "$CONTAINERD" "ctr image pull --plain-http --all-platforms 127.0.0.1:PORT/ocicheck/multi:v1 (buildah's manifest list, see skopeo-registry-multiarch); ctr image export --all-platforms containerd-multiarch.oci.tar"

# Uncompressed layers through the registry: skopeo -> oci-archive -> ctr import -> ctr push -> skopeo back.
skopeo --insecure-policy copy -q --dest-oci-accept-uncompressed-layers oci:layouts/skopeo-uncompressed:v1 \
    oci-archive:"$CT/raw.tar":ocicheck/raw:v1
"${CTR[@]}" image import --no-unpack "$CT/raw.tar" >/dev/null
"${CTR[@]}" image push --plain-http "$REG/ocicheck/raw:v1" ocicheck/raw:v1 >/dev/null
"${FROM[@]}" --dest-oci-accept-uncompressed-layers "docker://$REG/ocicheck/raw:v1" oci:layouts/skopeo-registry-uncompressed:v1
record skopeo-registry-uncompressed "$SKOPEO" "skopeo copy --dest-oci-accept-uncompressed-layers oci:skopeo-uncompressed:v1 oci-archive:raw.tar:ocicheck/raw:v1; ctr image import; ctr image push --plain-http 127.0.0.1:PORT/ocicheck/raw:v1 ($CONTAINERD); skopeo copy --dest-oci-accept-uncompressed-layers docker://127.0.0.1:PORT/ocicheck/raw:v1 oci:skopeo-registry-uncompressed:v1"

stop_pid "$CONTAINERD_PID"
unmount_below "$CT"
