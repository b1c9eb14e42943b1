#!/usr/bin/env bash
# The full-size hostile-input tests (tests/hostile.rs, ignored by a plain `cargo test`), each running the release
# binary and asserting that its peak RSS stays under the 256 MiB cap the README documents; the measurements are
# printed. Up to a few GiB of temporary files in $TMPDIR.
#
#   scripts/hostile.sh [PART…]      # default: every part
#
# Parts (one function each):
#   memory                  gzip and zstd bombs, 100,000 levels of nesting, a 400 MiB JSON document and
#                           index.json, 8 million values, a layer and an archive of a million entries (from a
#                           file, a redirected file and a pipe). About two minutes.
#   audit_time_inputs_output the second audit's inputs (issue 13) for time, streams, inputs misread as JSON, no
#                           fail-open and output: a 100,000-entry layer named 1,000 times with --max-time 5, a
#                           FIFO without a writer, an idle stdin, /dev/zero as a path and as stdin, a tar.gz with a
#                           17 MiB FNAME, a tar.zst with a skippable frame and one made with --long=31, an invalid
#                           image padded past --max-json-size, a 20,000-finding report into a closed pipe and into
#                           /dev/full; each with its time and peak RSS. About a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

run() { # run FILTER…: the ignored tests of tests/hostile.rs whose names match
    cargo test --release --test hostile -- --ignored --nocapture --test-threads 1 "$@" 2>&1 |
        grep -E "peak RSS|^audit |^test |test result"
}

memory() {
    run full_size a_million --skip audit_
}

audit_time_inputs_output() {
    run audit_
}

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(memory audit_time_inputs_output)
for p in "${parts[@]}"; do
    echo "== $p"
    "$p"
done
