# umoci (sourced by make-tool-images.sh): a two-layer image with config (umoci), and three repacks that swap types
# and delete things (umoci-swaps).
UMOCI="umoci $(version umoci)"

# --- umoci: init, new, two repacked layers (whiteout in the second), config, tag ---------------------------------
umoci init --layout layouts/umoci
umoci new --image layouts/umoci:base
umoci unpack --image layouts/umoci:base bundle
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
umoci unpack --image layouts/umoci:base bundle
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

# --- umoci-swaps: type changes and deletes across three repacks ---------------------------------------------------
# layer 1: a/file, a/dir/{keep,sub/s}, a/gone/g; layer 2: a/file becomes a directory, a/dir a file, a/gone deleted
# and made again (umoci has no opaque whiteouts: it writes one whiteout per lost entry); layer 3: a/file a file again.
umoci init --layout layouts/umoci-swaps
umoci new --image layouts/umoci-swaps:v1
r=bundle/rootfs
repack() { # message
    fix_mtimes $r
    umoci repack --image layouts/umoci-swaps:v1 --history.created "$CREATED" --history.created_by "$1" bundle
    rm -rf bundle
}
umoci unpack --image layouts/umoci-swaps:v1 bundle
mkdir -p $r/a/dir/sub $r/a/gone
printf 'a file\n' >$r/a/file
printf 'kept\n' >$r/a/dir/keep
printf 's\n' >$r/a/dir/sub/s
printf 'g\n' >$r/a/gone/g
repack "umoci repack (layer 1: a/file, a/dir/, a/gone/)"
umoci unpack --image layouts/umoci-swaps:v1 bundle
rm $r/a/file && mkdir $r/a/file && printf 'inside\n' >$r/a/file/in
rm -r $r/a/dir && printf 'now a file\n' >$r/a/dir
rm -r $r/a/gone && mkdir $r/a/gone && printf 'new\n' >$r/a/gone/new
repack "umoci repack (layer 2: a/file -> dir, a/dir -> file, a/gone/ deleted and made again)"
umoci unpack --image layouts/umoci-swaps:v1 bundle
rm -r $r/a/file && printf 'a file again\n' >$r/a/file
repack "umoci repack (layer 3: a/file -> file again)"
umoci config --image layouts/umoci-swaps:v1 --created "$CREATED" --architecture amd64 --os linux \
    --config.cmd /a/file --history.created "$CREATED" --history.created_by "umoci config"
umoci gc --layout layouts/umoci-swaps
record umoci-swaps "$UMOCI" "umoci init; umoci new; unpack/repack x3 (1: a/file a/dir/ a/gone/; 2: rm a/file, mkdir a/file; rm -r a/dir, a/dir a file; rm -r a/gone, mkdir a/gone; 3: rm -r a/file, a/file a file); umoci config; umoci gc"
