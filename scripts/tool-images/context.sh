# The build context shared by docker, buildah and podman builds (sourced by make-tool-images.sh).
#
# ctx/app/ holds five small files; ctx/busybox is Debian's static busybox, which runs the RUN steps (its shell runs
# its own applets without a PATH). The RUN steps make every kind of change a layer differ can meet:
#   step 1: a file deleted (whiteout), a directory replaced by a file, a file replaced by a directory, a directory
#           deleted and made again (an opaque whiteout where the storage driver is overlay), a new symlink;
#   step 2: the file that replaced a directory replaced by a directory again.

mkdir -p ctx/app/d ctx/app/gone
cp /bin/busybox ctx/busybox
printf 'hello\n' >ctx/app/hello.txt
printf 'deleted by RUN\n' >ctx/app/tmp.txt
printf 'a file in a directory that becomes a file\n' >ctx/app/d/f
printf 'one\n' >ctx/app/gone/g1
printf 'two\n' >ctx/app/gone/g2
fix_mtimes ctx

RUN1='rm /app/tmp.txt && rm -r /app/d && echo now a file >/app/d && rm /app/hello.txt && mkdir /app/hello.txt && echo now a directory >/app/hello.txt/inner && rm -r /app/gone && mkdir /app/gone && echo made again >/app/gone/new && ln -s hello.txt/inner /app/link'
RUN2='rm /app/d && mkdir /app/d && echo a directory again >/app/d/back'

# containerfile TITLE MODE: the Containerfile on stdout. MODE "copy" copies busybox into the image (the classic
# Docker builder has no RUN --mount); MODE "mount" bind-mounts it from the context for each RUN step only.
containerfile() {
    local title=$1 mode=$2 bb mount=
    if [ "$mode" = copy ]; then
        bb=/bin/busybox
    else
        bb=/bb/busybox
        mount='--mount=type=bind,source=busybox,target=/bb/busybox '
    fi
    echo 'FROM scratch'
    [ "$mode" = copy ] && echo "COPY busybox $bb"
    echo 'COPY app /app'
    printf 'RUN %s["%s", "sh", "-c", "%s"]\n' "$mount" "$bb" "$RUN1"
    printf 'RUN %s["%s", "sh", "-c", "%s"]\n' "$mount" "$bb" "$RUN2"
    echo 'ENV GREETING=hello'
    echo "LABEL org.opencontainers.image.title=$title"
    echo 'WORKDIR /app'
    echo 'CMD ["/app/hello.txt/inner"]'
}
