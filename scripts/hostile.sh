#!/usr/bin/env bash
# The full-size hostile-input tests, ignored by a plain `cargo test`: they build the release binary, generate their
# inputs into a temporary directory, run each and print its peak RSS against the 256 MiB cap (the default
# --max-memory), and fail if any goes over it (or if its findings or exit status are not the ones expected).
#
#   scripts/hostile.sh [PART…]      # default: every part, in this order
#
# Parts (one function each):
#   memory   tests/hostile.rs: gzip and zstd bombs, 100,000 levels of nesting, a 400 MiB JSON document and
#            index.json, 8 million values, a layer and an archive of a million entries (from a file, a redirected
#            file and a pipe). About two minutes.
#   budget   tests/memory.rs, each at --jobs 1 and --jobs 8: GNU long names of 1 MiB in a .tar.zst and a plain tar,
#            a directory of 210,000 blob files, a 15 MiB key in every location (every report format), eight zstd
#            layers with 128 MiB windows, four layers of a million entries, twelve manifests of 15 MiB. About eight
#            minutes on two cores. OCICHECK_BIN=path runs these against another build (to measure one from before
#            a change).
#   audit    tests/hostile/audit.rs: the second audit's inputs (issue 13) for time, streams, inputs misread as
#            JSON, no fail-open and output: a 100,000-entry layer named 1,000 times with --max-time 5, a FIFO
#            without a writer, an idle stdin, /dev/zero as a path and as stdin, a tar.gz with a 17 MiB FNAME, a
#            tar.zst with a skippable frame and one made with --long=31, an invalid image padded past
#            --max-json-size, a 20,000-finding report into a closed pipe and into /dev/full; each with its time and
#            peak RSS. About a minute.
#
# Up to 3 GiB of temporary files in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."

filter='peak RSS|^audit |^report --format|^test |test result|panicked|over the cap|^  *"'

memory() {
    cargo test --release --test hostile -- --ignored --nocapture --test-threads 1 full_size a_million \
        --skip audit_ 2>&1 | grep -E "$filter"
}

budget() {
    cargo test --release --test memory -- --ignored --nocapture --test-threads 1 2>&1 | grep -E "$filter"
}

audit() {
    cargo test --release --test hostile -- --ignored --nocapture --test-threads 1 audit_ 2>&1 | grep -E "$filter"
}

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(memory budget audit)
cargo build --release --quiet
for p in "${parts[@]}"; do
    echo "== $p"
    "$p"
done
