#!/usr/bin/env bash
# The performance benchmark of issue 7 (docs/performance.md holds its last measured table and how to read it).
#
#   scripts/bench.sh [REPS]            # default 5 repetitions of every command, alternating; prints a Markdown report
#
# 1. Builds `ocicheck` (release) and the floor program (../shared/tools/floor) and installs the Debian peers when
#    missing (umoci, skopeo, oci-image-tool; as root with apt-get; NO_INSTALL=1 skips that).
# 2. Generates, once, deterministic images in a cache directory outside the repository
#    (OCICHECK_BENCH_DIR, default ${XDG_CACHE_HOME:-~/.cache}/ocicheck-bench; regenerated when scripts/bench_image.py
#    or the gzip/zstd versions change):
#      big/          1.18 GiB uncompressed in 9 layer blobs (6 gzip, 3 zstd; 300 MiB to 40 MiB, ~25,000 files from
#                    0 bytes to 48 MiB, text-like, binary-like and random content, links, whiteouts), two platforms
#                    (linux/amd64 all gzip, linux/arm64/v8 zstd) sharing one layer, under a multi-platform index
#                    tagged `latest`, each platform's manifest also tagged `amd64` / `arm64`;
#      scale-N/      N small blobs (N = 1,000, 10,000, 50,000): N/5 images of a manifest, a config and three tiny
#                    layers (gzip, zstd, tar); index.json lists N/5 manifests (10,000 at N = 50,000).
# 3. Times, alternating command by command (the order rotates every repetition), REPS runs of each, warm page
#    cache (one untimed warm-up run of each first): wall time and peak RSS from /usr/bin/time -v; prints medians,
#    ratios, the targets, and the machine.
#
#    With skopeo and a local registry (scripts/registry.sh, storage in the cache): the big image pushed once, then
#    `validate docker://…` against `validate DIR` and against `skopeo copy docker://… oci:DIR` + `validate DIR`.
#
#    With a local registry: registries of CATALOG repositories (default 1,000) of one small image each, pushed
#    once by scripts/push_catalog.py, scrubbed with `validate docker://HOST` (100 repositories of the first with
#    --repos, then each registry whole, in pages of CATALOG_PAGE names, default 1,000; CATALOG_PAGE= for the
#    registry's own page size): time per image, peak RSS, both as largest / smallest. CATALOG10K=1 adds a
#    registry of 10,000 repositories (CATALOG="1000 10000"): its push takes about 5 minutes once (1.2 GB in the
#    cache), each scrub of it about 3.5 minutes, so it is opt-in.
#
# Environment: SKIP_BIG=1, SKIP_SCALE=1, SKIP_PEERS=1, SKIP_REGISTRY=1, SKIP_CATALOG=1 leave parts out;
# SCALE="1000 10000 50000" picks the sizes, CATALOG="1000" the registries' numbers of repositories (one registry
# each), CATALOG10K=1 the same as CATALOG="1000 10000"; BASELINE=/path/to/ocicheck
# also runs that build (say, one from before a change) on the scale layouts, alternating with this one, and adds
# its rows to the scaling table.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
REPS=${1:-5}
cache=${OCICHECK_BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ocicheck-bench}
mkdir -p "$cache"
SCALE=${SCALE:-"1000 10000 50000"}

log() { echo "bench: $*" >&2; }

cargo build --release -q
bin=$repo/target/release/ocicheck
floor_dir=${FLOOR_DIR:-$repo/../shared/tools/floor}
CARGO_TARGET_DIR=$cache/floor-target cargo build --release -q --manifest-path "$floor_dir/Cargo.toml"
floor=$cache/floor-target/release/floor

if [ "${SKIP_PEERS:-0}" != 1 ] && [ "${NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ]; then
    missing=()
    for p in umoci skopeo oci-image-tool; do command -v "$p" >/dev/null || missing+=("$p"); done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >&2 ||
            log "could not install ${missing[*]}; those peers are left out"
    fi
fi

# --- images -------------------------------------------------------------------------------------------------------
stamp=$( { sha256sum scripts/bench_image.py; gzip --version | head -1; zstd --version; } | sha256sum | cut -c1-16)
image() { # NAME ARGS… → generates $cache/NAME unless its stamp matches
    local name=$1; shift
    if [ "$(cat "$cache/$name.stamp" 2>/dev/null)" != "$stamp" ]; then
        log "generating $cache/$name (once; this takes a minute or two) ..."
        rm -rf "${cache:?}/$name" "$cache/$name.tmp"
        python3 scripts/bench_image.py "$@" "$cache/$name.tmp" >&2
        mv "$cache/$name.tmp" "$cache/$name"
        echo "$stamp" >"$cache/$name.stamp"
    fi
}
big=$cache/big
[ "${SKIP_BIG:-0}" = 1 ] || image big big
if [ "${SKIP_SCALE:-0}" != 1 ]; then
    for n in $SCALE; do
        # bench_image.py scale DIR N: the directory comes before N.
        if [ "$(cat "$cache/scale-$n.stamp" 2>/dev/null)" != "$stamp" ]; then
            log "generating $cache/scale-$n ..."
            rm -rf "${cache:?}/scale-$n" "$cache/scale-$n.tmp"
            python3 scripts/bench_image.py scale "$cache/scale-$n.tmp" "$n" >&2
            mv "$cache/scale-$n.tmp" "$cache/scale-$n"
            echo "$stamp" >"$cache/scale-$n.stamp"
        fi
    done
fi

# --- timing -------------------------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/ocicheck-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
declare -A CMD PREP WALL RSS
order=()
add() { # NAME COMMAND [PREPARE]: PREPARE runs untimed before every run (e.g. removing a previous output)
    order+=("$1"); CMD[$1]=$2; PREP[$1]=${3:-true}; WALL[$1]=""; RSS[$1]=""
}
run_one() { # NAME [timed]
    local name=$1
    bash -c "${PREP[$name]}" >/dev/null 2>&1 || true
    local t0 t1
    t0=$(date +%s%N)
    if ! /usr/bin/time -v -o "$work/time" bash -c "${CMD[$name]}" >/dev/null 2>"$work/err"; then
        log "$name failed: $(tail -3 "$work/err")"
        return 1
    fi
    t1=$(date +%s%N)
    if [ "${2:-}" = timed ]; then
        # Wall time from the clock in nanoseconds (/usr/bin/time rounds to 10 ms, a third of the 1,000-blob run);
        # it includes starting /usr/bin/time and bash, about 2 ms, the same for every command.
        WALL[$name]+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')"
        RSS[$name]+=" $(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")"
    fi
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# Runs every command once untimed (warm-up; drops a command that fails), then REPS alternating rounds, rotating.
measure() {
    local ok=() n i k
    for n in "${order[@]}"; do
        if run_one "$n"; then ok+=("$n"); else log "leaving $n out"; fi
    done
    order=("${ok[@]}")
    for ((i = 0; i < REPS; i++)); do
        for ((k = 0; k < ${#order[@]}; k++)); do
            n=${order[$(((k + i) % ${#order[@]}))]}
            run_one "$n" timed || true
        done
        log "round $((i + 1))/$REPS done"
    done
}
fmt_s() { awk -v x="$1" 'BEGIN { printf (x < 1 ? "%.3f" : x < 10 ? "%.2f" : "%.1f"), x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
shani=$(grep -q -w sha_ni /proc/cpuinfo && echo yes || echo no)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

echo "# ocicheck benchmark ($(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ', with uncommitted changes'))"
echo
echo "- machine: $cpu, $(nproc) cores, $mem memory, kernel $(uname -r), SHA extensions (sha_ni): $shani"
echo "- tools: $(gzip --version | head -1), $(zstd --version | sed 's/\*//g; s/ by .*//; s/^ *//'), $(sha256sum --version | head -1)$(command -v umoci >/dev/null && echo ", $(umoci --version)")$(command -v skopeo >/dev/null && echo ", $(skopeo --version)")$(command -v oci-image-tool >/dev/null && echo ", $(oci-image-tool --version)")"
echo "- $REPS timed runs of each command after one warm-up run, alternating (order rotated every round), warm page cache; medians"

if [ "${SKIP_BIG:-0}" != 1 ]; then
    blobs=("$big"/blobs/sha256/*)
    layers=() gz=() zst=()
    for b in "${blobs[@]}"; do
        case $(head -c4 "$b" | od -An -tx1 | tr -d ' \n') in
            1f8b*) layers+=("$b"); gz+=("$b") ;;
            28b52ffd) layers+=("$b"); zst+=("$b") ;;
        esac
    done
    raw=$(python3 -c 'import json,sys; print(sum(int(l) for l in sys.argv[1:]))' $(for b in "${layers[@]}"; do "$floor" "$b" | cut -d' ' -f3; done))
    stored=$(du -cb "${blobs[@]}" | tail -1 | cut -f1)
    "$bin" validate -q "$big" >/dev/null || { log "the benchmark image does not validate cleanly:"; "$bin" validate "$big" >&2; exit 1; }
    pipes=""
    for b in "${gz[@]}"; do pipes+="zcat '$b' | sha256sum & "; done
    for b in "${zst[@]}"; do pipes+="zstdcat '$b' | sha256sum & "; done
    q() { printf '%q ' "$@"; }
    add "ocicheck validate" "$(q "$bin" validate -q "$big")"
    add "ocicheck validate --fast" "$(q "$bin" validate -q --fast "$big")"
    add "floor (layer blobs)" "$(q "$floor" "${layers[@]}")"
    add "sha256sum (every blob)" "$(q sha256sum "${blobs[@]}")"
    add "zcat/zstdcat | sha256sum (parallel)" "${pipes}wait"
    if [ "${SKIP_PEERS:-0}" != 1 ]; then
        # umoci 0.4 reads no zstd layer: it unpacks the all-gzip linux/amd64 image, which ocicheck also validates
        # alone (--ref amd64) for like-for-like ratios.
        if command -v umoci >/dev/null || command -v oci-image-tool >/dev/null; then
            add "ocicheck validate --ref amd64" "$(q "$bin" validate -q --ref amd64 "$big")"
        fi
        command -v umoci >/dev/null &&
            add "umoci unpack (amd64)" "$(q umoci unpack --rootless --image "$big:amd64" "$work/bundle")" "rm -rf '$work/bundle'"
        # oci-image-tool picks one image by ref name (it finds `latest`, the index, ambiguous): also amd64.
        command -v oci-image-tool >/dev/null &&
            add "oci-image-tool validate (amd64)" "$(q oci-image-tool validate --type image --ref name=amd64 "$big")"
        command -v skopeo >/dev/null &&
            add "skopeo copy --all" "$(q skopeo copy -q --all "oci:$big:latest" "oci:$work/copy:latest")" "rm -rf '$work/copy'"
    fi
    # The same image in a local registry (Debian's docker-registry, started by scripts/registry.sh with its storage
    # in the cache, so the push happens once): validated where it lives, against pulling it with skopeo first.
    reg_url=""
    if [ "${SKIP_REGISTRY:-0}" != 1 ] && command -v skopeo >/dev/null && scripts/registry.sh install >&2; then
        port=$(scripts/registry.sh start "$cache/registry" --watch $$)
        trap 'scripts/registry.sh stop "$cache/registry"; rm -rf "$work"' EXIT
        reg_url=docker://127.0.0.1:$port/bench/big:latest
        log "pushing the image to $reg_url (blobs the registry has are skipped) ..."
        skopeo --insecure-policy copy -q --all --preserve-digests --dest-tls-verify=false "oci:$big:latest" "$reg_url" >&2
        "$bin" validate -q "$reg_url" >/dev/null || { log "the image does not validate cleanly from the registry:"; "$bin" validate "$reg_url" >&2; exit 1; }
        add "ocicheck validate docker://" "$(q "$bin" validate -q "$reg_url")"
        # The copy alone: what a pull costs on this path (on loopback, little next to the validation itself).
        add "skopeo copy docker:// oci: (alone)" \
            "$(q skopeo --insecure-policy copy -q --all --src-tls-verify=false "$reg_url" "oci:$work/copied:latest")" \
            "rm -rf '$work/copied'"
        add "skopeo copy docker:// oci: + ocicheck validate" \
            "$(q skopeo --insecure-policy copy -q --all --src-tls-verify=false "$reg_url" "oci:$work/pulled:latest") && $(q "$bin" validate -q "$work/pulled")" \
            "rm -rf '$work/pulled'"
    fi
    measure
    ref=$(median ${WALL["ocicheck validate"]})
    echo
    echo "## Large image: ${#blobs[@]} blobs, $((stored >> 20)) MiB stored, $((raw >> 20)) MiB of layers uncompressed (${#gz[@]} gzip, ${#zst[@]} zstd layers)"
    echo
    echo "| command | median wall (s) | runs (s) | ratio to \`ocicheck validate\` | throughput (uncompressed MiB/s) | peak RSS (MiB, median) |"
    echo "| --- | ---: | --- | ---: | ---: | ---: |"
    for n in "${order[@]}"; do
        m=$(median ${WALL[$n]})
        r=$(median ${RSS[$n]})
        echo "| $n | $(fmt_s "$m") | $(for x in ${WALL[$n]}; do fmt_s "$x"; printf ' '; done)| $(ratio "$m" "$ref") | $(awk -v b="$raw" -v s="$m" 'BEGIN { printf "%.0f", b / 1048576 / s }') | $(awk -v k="$r" 'BEGIN { printf "%.1f", k / 1024 }') |"
    done
    echo
    echo "Targets (ratios of medians from this run):"
    echo
    m() { median ${WALL[$1]:-}; }
    full=$(m "ocicheck validate"); fast=$(m "ocicheck validate --fast"); fl=$(m "floor (layer blobs)"); sh=$(m "sha256sum (every blob)")
    rss_full=$(median ${RSS["ocicheck validate"]})
    check() { awk -v v="$2" -v t="$3" -v op="$4" 'BEGIN { ok = (op == "<=") ? v <= t : v >= t; printf "| %s | %.2f | %s %s | %s |\n", "'"$1"'", v, op, t, ok ? "met" : "**not met**" }'; }
    echo "| target | measured | goal | |"
    echo "| --- | ---: | --- | --- |"
    check "full validation / floor" "$(ratio "$full" "$fl")" 1.2 "<="
    check "--fast / sha256sum of every blob" "$(ratio "$fast" "$sh")" 0.6 "<="
    if [ -n "${WALL["umoci unpack (amd64)"]:-}" ]; then
        check "umoci unpack / ocicheck (same amd64 image)" "$(ratio "$(m "umoci unpack (amd64)")" "$(m "ocicheck validate --ref amd64")")" 3 ">="
    fi
    check "peak RSS of full validation (MiB)" "$(awk -v k="$rss_full" 'BEGIN { printf "%.1f", k / 1024 }')" 64 "<="
    if [ -n "${WALL["ocicheck validate docker://"]:-}" ]; then
        remote=$(m "ocicheck validate docker://")
        check "validate docker:// / validate DIR (same image)" "$(ratio "$remote" "$full")" 1.15 "<="
        check "validate docker:// / (skopeo copy docker:// oci: + validate DIR)" "$(ratio "$remote" "$(m "skopeo copy docker:// oci: + ocicheck validate")")" 0.6 "<="
        echo "| (the copy alone / validate DIR: the most the second ratio can gain from not copying) | $(ratio "$(m "skopeo copy docker:// oci: (alone)")" "$full") | | |"
        check "peak RSS of validate docker:// (MiB)" "$(awk -v k="$(median ${RSS["ocicheck validate docker://"]})" 'BEGIN { printf "%.1f", k / 1024 }')" 64 "<="
    fi
    echo
    echo "Commands (\$C is the cache directory, $cache):"
    echo
    echo '```'
    for n in "${order[@]}"; do
        c=${CMD[$n]//$cache/\$C}
        c=${c//$work/\$TMP}
        [ ${#c} -gt 400 ] && c="${c:0:400} …"
        echo "$n: $c"
    done
    echo '```'
fi

if [ "${SKIP_SCALE:-0}" != 1 ]; then
    order=()
    # The default --max-json-values (100,000 values in all documents, a hostile-input guard) stops parsing a layout
    # of 2,000 images or more (JSN007 warnings): the scaling runs raise it so that every document is parsed and
    # checked, which is what time per blob is meant to measure.
    json_budget=(--max-json-values 10000000)
    for n in $SCALE; do
        if ! out=$("$bin" validate "${json_budget[@]}" "$cache/scale-$n" | tail -1) || [ "$out" != "0 errors, 0 warnings, 0 infos" ]; then
            log "scale-$n does not validate cleanly: $out"
        fi
        add "validate scale-$n" "$(printf '%q ' "$bin" validate -q "${json_budget[@]}" "$cache/scale-$n")"
        add "validate --fast scale-$n" "$(printf '%q ' "$bin" validate -q --fast "${json_budget[@]}" "$cache/scale-$n")"
        if [ -n "${BASELINE:-}" ]; then
            add "baseline validate scale-$n" "$(printf '%q ' "$BASELINE" validate -q "${json_budget[@]}" "$cache/scale-$n")"
        fi
    done
    measure
    echo
    echo "## Scaling: many small blobs (N/5 images of a manifest, a config and 3 tiny layers; index.json lists N/5 manifests)"
    echo
    echo "| blobs | manifests in index.json | full: median wall (s) | full: µs per blob | full: peak RSS (MiB) | --fast: median wall (s) | --fast: µs per blob |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    per=()
    for n in $SCALE; do
        f=$(median ${WALL["validate scale-$n"]}); q=$(median ${WALL["validate --fast scale-$n"]})
        r=$(median ${RSS["validate scale-$n"]})
        p=$(awk -v s="$f" -v n="$n" 'BEGIN { printf "%.0f", s * 1e6 / n }')
        per+=("$p")
        echo "| $n | $((n / 5)) | $(fmt_s "$f") | $p | $(awk -v k="$r" 'BEGIN { printf "%.1f", k / 1024 }') | $(fmt_s "$q") | $(awk -v s="$q" -v n="$n" 'BEGIN { printf "%.0f", s * 1e6 / n }') |"
    done
    lo=$(printf '%s\n' "${per[@]}" | sort -g | head -1); hi=$(printf '%s\n' "${per[@]}" | sort -g | tail -1)
    echo
    echo "Time per blob (full validation), largest / smallest: $(ratio "$hi" "$lo") (target: within 1.20)."
    mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
    set -- $SCALE
    if [ $# -ge 2 ]; then
        big_n=${!#}; prev_n=${*: -2:1}
        r_big=$(median ${RSS["validate scale-$big_n"]}); r_prev=$(median ${RSS["validate scale-$prev_n"]})
        echo "Peak RSS, $big_n blobs / $prev_n blobs: $(ratio "$r_big" "$r_prev") (target: within 1.50); at $big_n blobs: $(mib "$r_big") MiB (target: at most 96)."
    fi
    if [ -n "${BASELINE:-}" ]; then
        echo
        echo "Baseline ($BASELINE), the same runs:"
        echo
        echo "| blobs | baseline: median wall (s) | baseline: µs per blob | baseline: peak RSS (MiB) | this build: peak RSS (MiB) |"
        echo "| ---: | ---: | ---: | ---: | ---: |"
        for n in $SCALE; do
            b=$(median ${WALL["baseline validate scale-$n"]:-}); br=$(median ${RSS["baseline validate scale-$n"]:-})
            echo "| $n | $(fmt_s "$b") | $(awk -v s="$b" -v n="$n" 'BEGIN { printf "%.0f", s * 1e6 / n }') | $(mib "$br") | $(mib "$(median ${RSS["validate scale-$n"]})") |"
        done
    fi
fi

# --- a registry's catalogue ---------------------------------------------------------------------------------------
# Registries of N repositories (N in CATALOG) of one small image each (a shared base layer, a layer and a config of
# their own), each pushed once by scripts/push_catalog.py into a registry of its own (storage in the cache,
# catalog-registry-N), then scrubbed whole with `validate docker://HOST`; and the first 100 repositories of the
# smallest (--repos 'bench/r00*'). Time per image includes reading the catalogue: distribution 2.8 answers pages of
# 100 names and walks its storage from the start for each (`last=`), about 20 s in all for 10,000 repositories.
if [ "${SKIP_CATALOG:-0}" != 1 ] && [ "${SKIP_REGISTRY:-0}" != 1 ] && scripts/registry.sh install >&2; then
    order=()
    sizes=${CATALOG:-1000}
    [ "${CATALOG10K:-0}" = 1 ] && [ -z "${CATALOG:-}" ] && sizes="1000 10000"
    sizes=$(printf '%s\n' $sizes | sort -g -u | tr '\n' ' ')
    cregs=()
    stop_cregs() { local d; for d in "${cregs[@]}"; do scripts/registry.sh stop "$d"; done; }
    trap 'stop_cregs; [ -n "${reg_url:-}" ] && scripts/registry.sh stop "$cache/registry"; rm -rf "$work"' EXIT
    declare -A CURL
    for ncat in $sizes; do
        creg=$cache/catalog-registry-$ncat
        cregs+=("$creg")
        cport=$(scripts/registry.sh start "$creg" --watch $$)
        cstamp=$( { sha256sum scripts/push_catalog.py; echo "$ncat"; } | sha256sum | cut -c1-16)
        if [ "$(cat "$creg/pushed.stamp" 2>/dev/null)" != "$cstamp" ]; then
            log "pushing $ncat repositories into 127.0.0.1:$cport (once; 10,000 take about 5 minutes) ..."
            t0=$(date +%s)
            python3 scripts/push_catalog.py "127.0.0.1:$cport" "$ncat" >&2
            log "pushed in $(($(date +%s) - t0)) s"
            echo "$cstamp" >"$creg/pushed.stamp"
        fi
        CURL[$ncat]="docker://127.0.0.1:$cport"
        # Every image has one warning (ANN005: the config's label `repository`); -q exits 0 unless there is an error.
        "$bin" validate -q "${CURL[$ncat]}" >/dev/null || { log "the catalogue of $ncat does not validate cleanly:"; "$bin" validate "${CURL[$ncat]}" | tail -5 >&2; exit 1; }
    done
    first=${sizes%% *}
    # Pages of CATALOG_PAGE names (default 1,000; empty: the registry's own page size, 100 for distribution 2.8,
    # which walks its storage from the start for each page, so that listing 10,000 repositories takes it 25 s).
    page=()
    [ -n "${CATALOG_PAGE-1000}" ] && page=(--page-size "${CATALOG_PAGE-1000}")
    add "catalogue: 100 of $first repositories" "$(printf '%q ' "$bin" validate -q "${page[@]}" "${CURL[$first]}" --repos 'bench/r00*')"
    for ncat in $sizes; do
        add "catalogue: $ncat of $ncat repositories" "$(printf '%q ' "$bin" validate -q "${page[@]}" "${CURL[$ncat]}")"
    done
    measure
    echo
    echo "## A registry's catalogue: one small image per repository (2 layers, one shared by all), local registry"
    echo
    echo "| images (repositories validated) | repositories in the registry | median wall (s) | runs (s) | ms per image | peak RSS (MiB, median) |"
    echo "| ---: | ---: | ---: | --- | ---: | ---: |"
    cper=() crss=()
    for n in "${order[@]}"; do
        k=${n#catalogue: }; of=${k#* of }; of=${of%% *}; k=${k%% *}
        mw=$(median ${WALL[$n]}); r=$(median ${RSS[$n]})
        p=$(awk -v s="$mw" -v n="$k" 'BEGIN { printf "%.2f", s * 1e3 / n }')
        cper+=("$p") crss+=("$r")
        echo "| $k | $of | $(fmt_s "$mw") | $(for x in ${WALL[$n]}; do fmt_s "$x"; printf ' '; done)| $p | $(awk -v k="$r" 'BEGIN { printf "%.1f", k / 1024 }') |"
    done
    lo=$(printf '%s\n' "${cper[@]}" | sort -g | head -1); hi=$(printf '%s\n' "${cper[@]}" | sort -g | tail -1)
    rlo=$(printf '%s\n' "${crss[@]}" | sort -g | head -1); rhi=$(printf '%s\n' "${crss[@]}" | sort -g | tail -1)
    last=${sizes% }; last=${last##* }
    echo
    echo "Time per image, largest / smallest: $(ratio "$hi" "$lo") (target: flat, within 1.20). Peak RSS, largest / smallest: $(ratio "$rhi" "$rlo") (target: flat). Commands: \`${CMD["catalogue: $last of $last repositories"]//$cache/\$C}\` (one registry per size) and the same with \`--repos 'bench/r00*'\`."
fi
echo
echo "Load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
