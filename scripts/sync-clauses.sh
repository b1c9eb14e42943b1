#!/usr/bin/env bash
# Regenerate src/clauses.tsv from the shared clause inventory (ids, sections, keywords; the spec text is left out).
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-../shared/spec/clauses.tsv}
{
  printf '# Generated from ../shared/spec/clauses.tsv (image-spec clause inventory) without the text column.\n'
  printf '# Columns: id doc section keyword subject checkable versions. Regenerate: scripts/sync-clauses.sh\n'
  cut -f1-7 "$src"
} > src/clauses.tsv
