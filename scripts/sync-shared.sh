#!/usr/bin/env bash
# Keep the repository's copies of the shared reference material in step with the shared folder beside it.
#
#   scripts/sync-shared.sh [--check] [SHARED]     # SHARED defaults to ../shared (next to the repository)
#
# The tests never read the shared folder (a user's clone does not have it); they read these copies:
#   src/clauses.tsv                      spec/clauses.tsv without its text column (embedded in the binary)
#   src/dist_clauses.tsv                 spec/distribution-clauses.tsv without its text column (embedded too)
#   testdata/schemas/sarif-schema-2.1.0.json   schemas/sarif-schema-2.1.0.json, unmodified
#   testdata/upstream-fixtures/          upstream-fixtures/, unmodified (plus our LICENSE.md)
# Without --check the copies are rewritten from the shared folder; with --check nothing is written, every copy that
# differs is named, and the exit status is 1 if any does (.ci/run runs this when the shared folder exists).
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then
    check=1
    shift
fi
shared=${1:-../shared}
[ -d "$shared" ] || { echo "sync-shared: $shared does not exist" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What each copy should hold, built in $tmp with the repository's layout.
mkdir -p "$tmp/src" "$tmp/testdata/schemas" "$tmp/testdata/upstream-fixtures"
{
    printf '# Generated from the shared spec folder'"'"'s clauses.tsv (image-spec clause inventory) without the text column.\n'
    printf '# Columns: id doc section keyword subject checkable versions. Regenerate: scripts/sync-shared.sh\n'
    cut -f1-7 "$shared/spec/clauses.tsv"
} >"$tmp/src/clauses.tsv"
{
    printf '# Generated from the shared spec folder'"'"'s distribution-clauses.tsv (distribution-spec v1.1.1 clause inventory)\n'
    printf '# without the text column. Columns: id doc section keyword subject checkable versions. Regenerate: scripts/sync-shared.sh\n'
    cut -f1-7 "$shared/spec/distribution-clauses.tsv"
} >"$tmp/src/dist_clauses.tsv"
cp "$shared/schemas/sarif-schema-2.1.0.json" "$tmp/testdata/schemas/"
cp -R "$shared/upstream-fixtures/." "$tmp/testdata/upstream-fixtures/"
cp testdata/upstream-fixtures/LICENSE.md "$tmp/testdata/upstream-fixtures/"

copies=(src/clauses.tsv src/dist_clauses.tsv testdata/schemas/sarif-schema-2.1.0.json testdata/upstream-fixtures)
if [ $check = 1 ]; then
    status=0
    for c in "${copies[@]}"; do
        if ! diff -r -q "$tmp/$c" "$c" >/dev/null 2>&1; then
            echo "sync-shared: $c differs from $shared (run scripts/sync-shared.sh):" >&2
            diff -r -q "$tmp/$c" "$c" >&2 || true
            status=1
        fi
    done
    [ $status = 0 ] && echo "sync-shared: every copy matches $shared"
    exit $status
fi
for c in "${copies[@]}"; do
    rm -rf "$c"
    cp -R "$tmp/$c" "$c"
done
echo "sync-shared: copies refreshed from $shared"
