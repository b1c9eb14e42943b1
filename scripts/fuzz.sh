#!/usr/bin/env bash
# Fuzz ocicheck with cargo-fuzz (libFuzzer, AddressSanitizer) for a bounded time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]      # default: 60 seconds for each of document, layer, archive
#
# Targets (fuzz/fuzz_targets/, bodies in src/fuzzing.rs): `document` (a single JSON document of any kind, both
# spec versions), `layer` (the streaming layer pass: gzip/zstd/tar, tar entries, cross-layer replay), `archive`
# (a tar/tar.gz/tar.zst archive of a layout, listed and validated). Each run is seeded from the conformance corpus
# and the real tools' images of testdata/tools and testdata/archives (the tools cases link to them; find does not
# follow links), copied into fuzz/corpus/<target>/, which git ignores, and from fuzz/regressions/<target>/. One
# process, one core; its output is in fuzz/<target>.log.
#
# Toolchain: cargo-fuzz passes -Z flags (sanitizer, coverage), which only nightly takes; the stable toolchain
# takes them with RUSTC_BOOTSTRAP=1 (works with rustc 1.95, AddressSanitizer included), and that is the default
# here since a nightly may not be installed; FUZZ_TOOLCHAIN=nightly uses rustup's nightly instead. cargo-fuzz is
# installed from crates.io when missing. The first build takes long (every dependency with the sanitizer).
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the script: copy it into
# fuzz/regressions/<target>/ once fixed (`cargo test --test hostile` replays every file there).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(document layer archive)

command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
# cargo fuzz has no --locked: a stale fuzz/Cargo.lock would be rewritten in place. Fail instead, so that a run
# never modifies tracked files (refresh it with `cargo update -w --manifest-path fuzz/Cargo.toml`).
if ! cargo metadata --locked --offline --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null; then
    echo "!! fuzz/Cargo.lock does not match the crate's dependencies: cargo update -w --manifest-path fuzz/Cargo.toml" >&2
    exit 1
fi
if [ "${FUZZ_TOOLCHAIN:-stable}" = nightly ]; then
    fuzz=(cargo +nightly fuzz)
else
    # The machine's one toolchain (a nightly may not be there); RUSTC_BOOTSTRAP lets it take -Z flags.
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo +stable fuzz)
fi

seed() { # seed TARGET: the corpus files this target reads, each with the selector byte its body expects
    local t=$1 dir=fuzz/corpus/$1 n=0
    mkdir -p "$dir"
    case $t in
    document)
        while IFS= read -r -d '' f; do
            [ "$(stat -c %s "$f")" -le 65536 ] || continue
            { printf '\0'; cat "$f"; } > "$dir/c$((n++))"
        done < <(find conformance testdata/tools -type f \( -name '*.json' -o -path '*/blobs/*' \) -size -64k -print0)
        ;;
    layer)
        while IFS= read -r -d '' f; do
            case $(head -c 2 "$f" | od -An -tx1 | tr -d ' ') in
            1f8b) sel='\001' ;; 28b5) sel='\002' ;; *) sel='\0' ;;
            esac
            { printf "$sel"; cat "$f"; } > "$dir/c$((n++))"
        done < <(find conformance testdata/tools -type f -path '*/blobs/*' -size -256k -print0)
        ;;
    archive)
        while IFS= read -r -d '' f; do
            cp "$f" "$dir/c$((n++))"
        done < <(find conformance testdata/archives -type f \( -name '*.tar' -o -name '*.tar.gz' -o -name '*.tgz' -o -name '*.tar.zst' \) \
            -size -1024k -print0)
        ;;
    esac
    if [ -d "fuzz/regressions/$t" ]; then cp fuzz/regressions/"$t"/* "$dir/" 2>/dev/null || true; fi
}

status=0
for t in "${targets[@]}"; do
    seed "$t"
    echo "== fuzz $t for ${secs}s ($(ls "fuzz/corpus/$t" | wc -l) seeds)"
    mkdir -p "fuzz/artifacts/$t"
    start=$(mktemp)
    # libFuzzer exits non-zero on a crash, a leak, an out-of-memory or a timeout (and leaves the input in
    # fuzz/artifacts/);
    # any other failure (the target does not build, cargo-fuzz is broken) fails the script too, so that a CI run
    # cannot pass without having fuzzed.
    rc=0
    "${fuzz[@]}" run -O "$t" "fuzz/corpus/$t" -- -max_total_time="$secs" \
        -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 >"fuzz/$t.log" 2>&1 || rc=$?
    grep -E "^(#[0-9]+ *DONE|stat::|==[0-9]+==|SUMMARY|Test unit)" "fuzz/$t.log" || true
    found=$(find "fuzz/artifacts/$t" -type f -newer "$start" \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' \))
    rm -f "$start"
    if [ -n "$found" ]; then
        echo "!! $t: inputs that crash, leak, run out of memory or time out: $found"
        status=1
    elif [ "$rc" != 0 ] || ! grep -q '^stat::number_of_executed_units' "fuzz/$t.log"; then
        echo "!! $t: cargo fuzz failed (exit $rc) without a finding; the end of fuzz/$t.log:"
        tail -20 "fuzz/$t.log"
        status=1
    fi
done
exit $status
