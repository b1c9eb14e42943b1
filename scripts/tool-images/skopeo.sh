# skopeo (sourced by make-tool-images.sh): local copies of the umoci image with each layer compression, and to
# oci-archive and docker-archive. The copies through a registry are in registry.sh.
SKOPEO="skopeo $(version skopeo)"
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
