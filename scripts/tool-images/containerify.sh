# containerify (sourced by make-tool-images.sh): an npm package that builds images without a daemon. It reads its
# base image from a registry (here the local one: buildah-commit pushed there by skopeo; containerify 4.1 refuses a
# base manifest without mediaType, such as umoci's) and adds one layer of files, written as an OCI layout tarball
# (--toOciLayout), as a docker-load tarball (--toTar) and pushed to the registry (copied back to a layout by skopeo).
NPMDIR=$WORK/npm
npm install -q --no-audit --no-fund --prefix "$NPMDIR" "containerify@$CONTAINERIFY_VERSION" >&2
CONTAINERIFY=("$NPMDIR/node_modules/.bin/containerify")
CFY="containerify $CONTAINERIFY_VERSION"

"${TO[@]}" oci:layouts/buildah-commit:v1 "docker://$REG/ocicheck/base:v1"
mkdir -p ctx-containerify/srv
printf 'hello from containerify\n' >ctx-containerify/srv/hello.txt
printf '{"name": "ocicheck-containerify", "version": "1.0.0"}\n' >ctx-containerify/package.json
fix_mtimes ctx-containerify
CFYARGS=(--fromRegistry "http://$REG/v2/" --fromImage ocicheck/base:v1 --toImage ocicheck/containerify:v1
    --folder "$WORK/ctx-containerify" --customContent srv --setTimeStamp "$CREATED"
    --label org.opencontainers.image.title=ocicheck-containerify --env GREETING=hello)
"${CONTAINERIFY[@]}" "${CFYARGS[@]}" --toOciLayout archives/containerify.oci.tar >/dev/null
record archives/containerify.oci.tar "$CFY" "containerify --fromRegistry http://127.0.0.1:PORT/v2/ --fromImage ocicheck/base:v1 (buildah-commit, pushed by skopeo) --folder ctx --customContent srv --setTimeStamp $CREATED --label --env --toOciLayout containerify.oci.tar"
"${CONTAINERIFY[@]}" "${CFYARGS[@]}" --toTar archives/containerify.docker.tar >/dev/null
record archives/containerify.docker.tar "$CFY" "containerify (the same) --toTar containerify.docker.tar (a docker load tarball)"
"${CONTAINERIFY[@]}" "${CFYARGS[@]}" --toRegistry "http://$REG/v2/" --allowNoPushAuth >/dev/null
"${FROM[@]}" "docker://$REG/ocicheck/containerify:v1" oci:layouts/containerify-registry:v1
record containerify-registry "$CFY" "containerify (the same) --toRegistry http://127.0.0.1:PORT/v2/ --allowNoPushAuth; skopeo copy docker://127.0.0.1:PORT/ocicheck/containerify:v1 oci:containerify-registry:v1"

stop_pid "$REGISTRY_PID"
