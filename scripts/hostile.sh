#!/usr/bin/env bash
# The full-size hostile-input tests (tests/hostile.rs, ignored by a plain `cargo test`): gzip and zstd bombs,
# 100,000 levels of nesting, a 400 MiB JSON document and index.json, 8 million values, a layer and an archive of a
# million entries (from a file, a redirected file and a pipe). Each runs the release binary and asserts that its
# peak RSS stays under the 256 MiB cap the README documents; the measurements are printed. About two minutes,
# and up to 1 GiB of temporary files in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --test hostile -- --ignored --nocapture --test-threads 1 2>&1 | grep -E "peak RSS|^test |test result"
