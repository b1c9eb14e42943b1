#!/usr/bin/env bash
# The layer pass on one big layer: peak RSS and wall time of `ocicheck validate` on a layout that holds a single
# gzip layer of at least 1 GiB uncompressed, against `zcat LAYER | sha256sum` on the same blob, measured in the same
# run, alternating, several repetitions each. Nothing is committed: the layer is generated (deterministically) in a
# temporary directory that is removed at the end (KEEP=1 keeps it).
#
#   scripts/bench-layer.sh [SIZE_MIB] [REPS]      # defaults: 1280 MiB of files, 3 repetitions
#   ENTRIES=1000000 scripts/bench-layer.sh        # instead: one layer of that many empty files (memory per entry)
#   ARCHIVE=1 scripts/bench-layer.sh 1700         # also: the same layout as a tar archive (1,700 MiB of files make
#                                                 # a 1.1 GiB archive) against the directory, alternating: time, RSS
#   BASELINE=/path/to/ocicheck scripts/bench-layer.sh   # also: that build (say, one from before a change) on the
#                                                 # same layout, alternating with this one
#
# The tree mixes file sizes (4 KiB to 64 MiB) and contents (three quarters text-like, compressing about 3:1 with
# gzip -6, one quarter random bytes), so the gzip stream decompresses at a realistic speed.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1280}
REPS=${2:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/ocicheck-bench-layer.XXXXXX")
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; fi

cargo build --release -q
bin=$PWD/target/release/ocicheck

if [ -n "${ENTRIES:-}" ]; then
echo "generating a tar of $ENTRIES empty files in $work ..." >&2
python3 - "$work/layer.tar" "$ENTRIES" <<'EOF'
import sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT) as t:
    for i in range(int(sys.argv[2])):
        info = tarfile.TarInfo(f"d{i % 1000:03d}/f{i:07d}")
        info.mtime = 1700000000
        t.addfile(info)
EOF
else
echo "generating ${SIZE_MIB} MiB of files in $work ..." >&2
python3 - "$work/root" "$SIZE_MIB" <<'EOF'
import os, random, sys
root, total = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(20241127)
words = [''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(2, 10))) for _ in range(4000)]
text = ' '.join(rng.choice(words) for _ in range(200000)).encode()[: 1 << 20]   # 1 MiB, ~3:1 with gzip
noise = rng.randbytes(1 << 20)                                                     # 1 MiB, incompressible
written, n = 0, 0
while written < total:
    big = rng.random() < 0.04
    size = rng.randint(8 << 20, 64 << 20) if big else rng.randint(4 << 10, 256 << 10)
    size = min(size, total - written)
    d = os.path.join(root, f"d{n % 37:02d}", f"s{n % 11:02d}")
    os.makedirs(d, exist_ok=True)
    src = noise if rng.random() < 0.25 else text
    with open(os.path.join(d, f"f{n:06d}.bin"), "wb") as f:
        left, off = size, rng.randrange(len(src))
        while left:
            chunk = src[off: off + left]
            f.write(chunk)
            left -= len(chunk)
            off = 0
    written += size
    n += 1
print(f"{n} files", file=sys.stderr)
EOF

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -C "$work/root" -cf "$work/layer.tar" .
rm -rf "$work/root"
fi
raw_bytes=$(stat -c %s "$work/layer.tar")
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -6 -n "$work/layer.tar"
layer="$work/layer.tar.gz"
gz_bytes=$(stat -c %s "$layer")
layer_digest=$(sha256sum "$layer" | cut -d' ' -f1)

# A layout around it: oci-layout, index.json, manifest, config, the layer.
lay="$work/layout"
mkdir -p "$lay/blobs/sha256"
mv "$layer" "$lay/blobs/sha256/$layer_digest"
layer="$lay/blobs/sha256/$layer_digest"
put() { # content → blob; prints "digest size"
    local d
    d=$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)
    printf '%s' "$1" >"$lay/blobs/sha256/$d"
    echo "$d ${#1}"
}
config='{"created":"2024-01-01T00:00:00Z","architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:'$diff_id'"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"bench-layer.sh"}]}'
read -r cd cs < <(put "$config")
manifest='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$cd'","size":'$cs'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:'$layer_digest'","size":'$gz_bytes'}]}'
read -r md ms < <(put "$manifest")
printf '%s' '{"imageLayoutVersion":"1.0.0"}' >"$lay/oci-layout"
printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:'$md'","size":'$ms',"platform":{"architecture":"amd64","os":"linux"}}]}' >"$lay/index.json"

echo "layer: $gz_bytes bytes gzip, $raw_bytes bytes uncompressed ($(( raw_bytes >> 20 )) MiB)" >&2
"$bin" validate "$lay" >/dev/null || { echo "the benchmark layout does not validate:" >&2; "$bin" validate "$lay" >&2; exit 1; }

now() { date +%s.%N; }
zcat_times=() ; ocicheck_times=() ; rss=() ; base_times=() ; base_rss=()
for r in $(seq "$REPS"); do
    if [ -n "${BASELINE:-}" ]; then
        /usr/bin/time -v -o "$work/time.txt" "$BASELINE" validate "$lay" >/dev/null
        base_times+=("$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")")
        base_rss+=("$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")")
        echo "rep $r: baseline ${base_times[-1]} s, peak RSS ${base_rss[-1]} KiB" >&2
    fi
    t0=$(now); zcat "$layer" | sha256sum >/dev/null; t1=$(now)
    zcat_times+=("$(echo "$t1 - $t0" | bc -l)")
    /usr/bin/time -v -o "$work/time.txt" "$bin" validate "$lay" >/dev/null
    ocicheck_times+=("$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")")
    rss+=("$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")")
    echo "rep $r: zcat|sha256sum ${zcat_times[-1]} s, ocicheck validate ${ocicheck_times[-1]} s, peak RSS ${rss[-1]} KiB" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
zm=$(median "${zcat_times[@]}")
om=$(median "${ocicheck_times[@]}")
rm_=$(median "${rss[@]}")
cat <<EOF

machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
layer:   $gz_bytes bytes gzip -6, $raw_bytes bytes uncompressed
command                                  median wall   uncompressed throughput   peak RSS
zcat LAYER | sha256sum                   $(printf '%8.2f s' "$zm")    $(printf '%8.0f MiB/s' "$(echo "$raw_bytes / 1048576 / $zm" | bc -l)")
ocicheck validate LAYOUT                 $(printf '%8.2f s' "$om")    $(printf '%8.0f MiB/s' "$(echo "$raw_bytes / 1048576 / $om" | bc -l)")          $(( rm_ / 1024 )) MiB
ratio ocicheck / (zcat | sha256sum):     $(printf '%.2f' "$(echo "$om / $zm" | bc -l)")   ($REPS repetitions, alternating, medians)
EOF
if [ -n "${BASELINE:-}" ]; then
    bm=$(median "${base_times[@]}")
    cat <<EOF
baseline ($BASELINE)  $(printf '%8.2f s' "$bm")    $(printf '%8.0f MiB/s' "$(echo "$raw_bytes / 1048576 / $bm" | bc -l)")          $(( $(median "${base_rss[@]}") / 1024 )) MiB
ratio ocicheck / baseline:               $(printf '%.2f' "$(echo "$om / $bm" | bc -l)")
EOF
fi

if [ "${ARCHIVE:-0}" = 1 ]; then
    # The same layout as an OCI archive (what `docker save` or `skopeo copy oci-archive:` write), read in place.
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -C "$lay" -cf "$work/image.tar" .
    tar_bytes=$(stat -c %s "$work/image.tar")
    sync   # the archive was just written: its write-back must not overlap the timed reads
    dir_t=() tar_t=() dir_rss=() tar_rss=()
    base_t=() base_trss=()
    one() { # PATH TIMES RSS [BIN]: one timed run of ocicheck validate PATH
        local -n times=$2 peaks=$3
        local t0 t1
        t0=$(now)
        /usr/bin/time -v -o "$work/time.txt" "${4:-$bin}" validate "$1" >/dev/null
        t1=$(now)
        times+=("$(echo "$t1 - $t0" | bc -l)")
        peaks+=("$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")")
    }
    for r in $(seq "$REPS"); do
        one "$lay" dir_t dir_rss
        one "$work/image.tar" tar_t tar_rss
        echo "rep $r: directory ${dir_t[-1]} s (${dir_rss[-1]} KiB), archive ${tar_t[-1]} s (${tar_rss[-1]} KiB)" >&2
        if [ -n "${BASELINE:-}" ]; then
            one "$work/image.tar" base_t base_trss "$BASELINE"
            echo "rep $r: baseline archive ${base_t[-1]} s (${base_trss[-1]} KiB)" >&2
        fi
    done
    dm=$(median "${dir_t[@]}"); tm=$(median "${tar_t[@]}")
    cat <<EOF

archive: $tar_bytes bytes ($(( tar_bytes >> 20 )) MiB), the layout above as a tar
command                                  median wall   peak RSS
ocicheck validate LAYOUT-DIRECTORY       $(printf '%8.2f s' "$dm")    $(( $(median "${dir_rss[@]}") / 1024 )) MiB
ocicheck validate ARCHIVE.tar            $(printf '%8.2f s' "$tm")    $(( $(median "${tar_rss[@]}") / 1024 )) MiB
ratio archive / directory:               $(printf '%.2f' "$(echo "$tm / $dm" | bc -l)")   ($REPS repetitions, alternating, medians)
EOF
    if [ -n "${BASELINE:-}" ]; then
        echo "baseline ARCHIVE.tar                     $(printf '%8.2f s' "$(median "${base_t[@]}")")    $(( $(median "${base_trss[@]}") / 1024 )) MiB"
    fi
fi
