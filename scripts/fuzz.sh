#!/usr/bin/env bash
# Fuzz ocicheck with libFuzzer for a bounded time, with the small limits and with the real defaults.
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]   # default: 60 seconds for each of document, layer, archive, rules
#
# Targets (fuzz/fuzz_targets/, bodies in src/fuzzing.rs): `document` (a single JSON document of any kind, both
# spec versions), `layer` (the streaming layer pass: gzip/zstd/tar, tar entries, cross-layer replay), `archive`
# (a tar/tar.gz/tar.zst archive of a layout, listed and validated), `rules` (the rule phase on large synthetic
# layers named many times, with a --max-time that must hold). Each target runs SECONDS in all: half with the
# small limits (bombs stop at once) and half with the command line's defaults (OCICHECK_FUZZ_LIMITS=default),
# where libFuzzer's memory limit is 512 MiB (twice the documented cap, for the harness) and no single allocation
# may pass 256 MiB. Seeds: the corpus (conformance/ and testdata/, links followed): JSON documents, blobs, every
# archive (told by its magic number, not its name) and every layout directory as a tar archive, plus
# fuzz/regressions/<target>/; copied into fuzz/corpus/<target>/, which git ignores. One process, one core; the
# output is in fuzz/<target>-<limits>.log, and the executions per run are printed.
#
# Build: plain `cargo build --release` of fuzz/ for the host triple (so that build scripts are not instrumented),
# with the flags cargo-fuzz would pass for libFuzzer's coverage (-Cpasses=sancov-module and the
# sanitizer-coverage options), all stable: no cargo-fuzz, no nightly. FUZZ_ASAN=1 adds AddressSanitizer
# (-Zsanitizer=address, taken by the stable toolchain with RUSTC_BOOTSTRAP=1): it rebuilds every dependency and
# slows each execution, for little on a crate whose only unsafe code is a few system calls (the C of zstd
# aside), so it is off by default.
#
# A crash, a broken limit (a `rules` run past its --max-time, an allocation or RSS past the limits above) or a
# timeout leaves its input in fuzz/artifacts/<target>/ and fails the script: once fixed, copy it into
# fuzz/regressions/<target>/ (`cargo test --test hostile` replays every file there, with both sets of limits).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(document layer archive rules)

# A stale fuzz/Cargo.lock would be rewritten in place: fail instead, so that a run never modifies tracked files
# (refresh it with `cargo update -w --manifest-path fuzz/Cargo.toml`).
if ! cargo metadata --locked --offline --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null 2>&1 &&
    ! cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null; then
    echo "!! fuzz/Cargo.lock does not match the crate's dependencies: cargo update -w --manifest-path fuzz/Cargo.toml" >&2
    exit 1
fi

triple=$(rustc -vV | sed -n 's/^host: //p')
flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-simplifycfg-branch-fold-threshold=0"
flags+=" -Cllvm-args=-sanitizer-coverage-stack-depth --cfg fuzzing -Cdebug-assertions"
if [ "${FUZZ_ASAN:-0}" = 1 ]; then
    flags+=" -Zsanitizer=address"
    export RUSTC_BOOTSTRAP=1 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0
fi
bins=()
for t in "${targets[@]}"; do bins+=(--bin "$t"); done
build_start=$(date +%s)
# FUZZ_OPT_LEVEL (default 3) is the release profile's opt-level: CI's smoke run takes 1, which builds every
# dependency in a fraction of the time, for fewer executions per second.
RUSTFLAGS="$flags" CARGO_PROFILE_RELEASE_OPT_LEVEL=${FUZZ_OPT_LEVEL:-3} \
    cargo build --release --locked --manifest-path fuzz/Cargo.toml --target "$triple" "${bins[@]}"
echo "== built ${targets[*]} in $(($(date +%s) - build_start)) s (AddressSanitizer: ${FUZZ_ASAN:-0}, opt-level ${FUZZ_OPT_LEVEL:-3})"
# Where cargo put them: CARGO_TARGET_DIR when it is set (a CI that keeps build output outside the checkout).
bindir=${CARGO_TARGET_DIR:-fuzz/target}/$triple/release

# Every file of the corpus. Links are not followed: the corpus's own point outside it on purpose (/etc, link
# loops), and those of the tools cases point into testdata/, which is searched as well.
corpus_files() {
    find conformance testdata -type f "$@" -print0
}

is_archive() { # gzip, zstd (a frame or a skippable frame), or a tar header at 257
    local m
    m=$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')
    case $m in 1f8b*|28b52ffd|5?2a4d18) return 0 ;; esac
    [ "$(head -c 262 "$1" | tail -c 5)" = ustar ]
}

seed() { # seed TARGET: the corpus files this target reads, each with the selector byte its body expects
    local t=$1 dir=fuzz/corpus/$1 n=0 f d
    mkdir -p "$dir"
    case $t in
    document)
        while IFS= read -r -d '' f; do
            { printf '\0'; cat "$f"; } > "$dir/c$((n++))"
        done < <(corpus_files \( -name '*.json' -o -path '*/blobs/*' \) -size -64k)
        ;;
    layer)
        while IFS= read -r -d '' f; do
            case $(head -c 2 "$f" | od -An -tx1 | tr -d ' ') in
            1f8b) sel='\001' ;; 28b5) sel='\002' ;; *) sel='\0' ;;
            esac
            { printf "$sel"; cat "$f"; } > "$dir/c$((n++))"
        done < <(corpus_files -path '*/blobs/*' -size -256k)
        ;;
    archive)
        while IFS= read -r -d '' f; do
            is_archive "$f" && cp "$f" "$dir/c$((n++))"
        done < <(corpus_files -size -1024k)
        # Every layout directory of the corpus (a directory with an index.json or an oci-layout) as an archive,
        # links kept as links (as tar(1) writes them), FIFOs and sockets left out.
        while IFS= read -r -d '' d; do
            tar -cf "$dir/c$n" -C "$d" . 2>/dev/null || true
            if [ -s "$dir/c$n" ] && [ "$(stat -c %s "$dir/c$n")" -le $((1 << 20)) ]; then n=$((n + 1)); fi
        done < <(find conformance testdata \( -name index.json -o -name oci-layout \) -printf '%h\0' | sort -zu)
        rm -f "$dir/c$n"
        ;;
    rules)
        # A few layer shapes: files in directories, whiteouts of them, links through a symbolic link, hard links.
        printf '\x04\x08\x02\x00a/f\n\x01a\n\x02l\t/etc\n\x00l/x\n\x03h\ta/f\n\x04a\tf\n\x05a\n' > "$dir/s0"
        printf '\xff\xff\x07\x00d/f\n' > "$dir/s1"
        printf '\x10\x40\x03\x02up\t../..\n\x00up/x\n\x04d\tnothing\n\x03h\tmissing\n' > "$dir/s2"
        n=3
        ;;
    esac
    if [ -d "fuzz/regressions/$t" ]; then cp fuzz/regressions/"$t"/* "$dir/" 2>/dev/null || true; fi
}

status=0
half=$(((secs + 1) / 2))
for t in "${targets[@]}"; do
    seed "$t"
    for limits in small default; do
        log=fuzz/$t-$limits.log
        echo "== fuzz $t with the $limits limits for ${half}s ($(ls "fuzz/corpus/$t" | wc -l) seeds)"
        mkdir -p "fuzz/artifacts/$t"
        start=$(mktemp)
        if [ "$limits" = default ]; then mem=(-rss_limit_mb=512 -malloc_limit_mb=256); else mem=(-rss_limit_mb=2048); fi
        # libFuzzer exits non-zero on a crash (a panic, a broken limit), a leak, an out-of-memory or a timeout,
        # and leaves the input in fuzz/artifacts/; any other failure fails the script too, so that a CI run
        # cannot pass without having fuzzed.
        rc=0
        OCICHECK_FUZZ_LIMITS=$limits "$bindir/$t" "fuzz/corpus/$t" -artifact_prefix="fuzz/artifacts/$t/" \
            -max_total_time="$half" -timeout=30 "${mem[@]}" -print_final_stats=1 >"$log" 2>&1 || rc=$?
        grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|SUMMARY|Test unit)" "$log" || true
        found=$(find "fuzz/artifacts/$t" -type f -newer "$start" \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' \))
        rm -f "$start"
        if [ -n "$found" ]; then
            echo "!! $t ($limits limits): inputs that crash, break a limit, leak, run out of memory or time out: $found"
            status=1
        elif [ "$rc" != 0 ] || ! grep -q '^stat::number_of_executed_units' "$log"; then
            echo "!! $t ($limits limits): the fuzzer failed (exit $rc) without a finding; the end of $log:"
            tail -20 "$log"
            status=1
        fi
    done
done
exit $status
