#!/usr/bin/env bash
# The full-size hostile-input tests, ignored by a plain `cargo test`: they build the release binary, generate their
# inputs into a temporary directory, run each and print its peak RSS against the 256 MiB cap (the default
# --max-memory), and fail if any goes over it (or if its findings are not the ones expected).
#
# tests/hostile.rs: gzip and zstd bombs, 100,000 levels of nesting, a 400 MiB JSON document and index.json,
# 8 million values, a layer and an archive of a million entries (from a file, a redirected file and a pipe).
# tests/memory.rs, each at --jobs 1 and --jobs 8: GNU long names of 1 MiB in a .tar.zst and a plain tar, a
# directory of 210,000 blob files, a 15 MiB key in every location (every report format), eight zstd layers with
# 128 MiB windows, four layers of a million entries, twelve manifests of 15 MiB.
#
# About ten minutes on two cores, and up to 3 GiB of temporary files in $TMPDIR. OCICHECK_BIN=path runs the
# tests/memory.rs cases against another build (to measure one from before a change).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo test --release --test hostile --test memory -- --ignored --nocapture --test-threads 1 2>&1 |
    grep -E "peak RSS|^report --format|^test |test result|panicked|over the cap|^  *\""
