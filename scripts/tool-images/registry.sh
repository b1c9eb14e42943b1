# skopeo through a local distribution registry (sourced by make-tool-images.sh): Debian's docker-registry on
# 127.0.0.1 at a free port, storage in $WORK; images pushed there and copied back to OCI layouts.
REGISTRY="docker-registry $(version docker-registry)"
PORT=$(free_port)
REG=127.0.0.1:$PORT
mkdir -p registry
cat >registry/config.yml <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry/data
http:
  addr: $REG
EOF
start_daemon registry/log docker-registry serve registry/config.yml
REGISTRY_PID=$DAEMON_PID
wait_for 20 docker-registry curl -sf "http://$REG/v2/"

# Pushes go to a repository of their own each: containers/image would otherwise reuse a blob another repository of
# the same registry already holds in another compression.
TO=(skopeo --insecure-policy copy -q --dest-tls-verify=false)
FROM=(skopeo --insecure-policy copy -q --src-tls-verify=false)
"${TO[@]}" oci:layouts/umoci:v1 "docker://$REG/ocicheck/gzip:v1"
"${FROM[@]}" "docker://$REG/ocicheck/gzip:v1" oci:layouts/skopeo-registry-gzip:v1
record skopeo-registry-gzip "$SKOPEO" "skopeo copy oci:umoci:v1 docker://127.0.0.1:PORT/ocicheck/gzip:v1 ($REGISTRY); skopeo copy docker://127.0.0.1:PORT/ocicheck/gzip:v1 oci:skopeo-registry-gzip:v1"
# skopeo 1.9 recompresses nothing for a docker:// destination that already has the layer: push the zstd copy.
"${TO[@]}" oci:layouts/skopeo-zstd:v1 "docker://$REG/ocicheck/zstd:v1"
"${FROM[@]}" "docker://$REG/ocicheck/zstd:v1" oci:layouts/skopeo-registry-zstd:v1
record skopeo-registry-zstd "$SKOPEO" "skopeo copy oci:skopeo-zstd:v1 docker://127.0.0.1:PORT/ocicheck/zstd:v1; skopeo copy docker://127.0.0.1:PORT/ocicheck/zstd:v1 oci:skopeo-registry-zstd:v1"
"${SK[@]}" --format v2s2 oci:layouts/umoci:v1 "docker://$REG/ocicheck/v2s2:v1" --dest-tls-verify=false
"${FROM[@]}" "docker://$REG/ocicheck/v2s2:v1" oci:layouts/skopeo-registry-v2s2:v1
record skopeo-registry-v2s2 "$SKOPEO" "skopeo copy --format v2s2 oci:umoci:v1 docker://127.0.0.1:PORT/ocicheck/v2s2:v1 (converted to Docker schema 2); skopeo copy docker://127.0.0.1:PORT/ocicheck/v2s2:v1 oci:skopeo-registry-v2s2:v1 (kept Docker-typed)"

# A two-platform index: buildah pushes the manifest list, skopeo copies all of it back.
"${B[@]}" manifest push -q --all --tls-verify=false localhost/ocicheck/multi:v1 "docker://$REG/ocicheck/multi:v1"
"${FROM[@]}" --all "docker://$REG/ocicheck/multi:v1" oci:layouts/skopeo-registry-multiarch:v1
record skopeo-registry-multiarch "$SKOPEO" "buildah manifest push --all localhost/ocicheck/multi:v1 docker://127.0.0.1:PORT/ocicheck/multi:v1; skopeo copy --all docker://127.0.0.1:PORT/ocicheck/multi:v1 oci:skopeo-registry-multiarch:v1"
# The uncompressed copy goes through the registry in containerd.sh (skopeo and buildah compress what they push).
