#!/usr/bin/env bash
# Measure ocicheck and the validators Debian packages against the conformance corpus, and rewrite the measured
# matrix in docs/compliance.md (between its "matrix:begin" and "matrix:end" markers; the text around it is
# written by hand).
#
#   scripts/peers.sh            install the peers if missing (apt-get, as root), build, measure, rewrite
#   NO_INSTALL=1 scripts/peers.sh   use whatever is installed; a missing peer is left out of the matrix
#   OUT=DIR scripts/peers.sh    keep the export and each run's JSON in DIR
#
# Each peer is made to act as a validator (exit 0 = accepts, anything else = rejects; see
# `ocicheck conformance run --help`) with the command line that reads the whole image the way its users do:
#
# - oci-image-tool validate --type image: its image validator (it autodetects a layout directory or a plain tar;
#   --type imageLayout is not implemented). It checks index.json, manifests, configs and every blob's digest
#   against the upstream JSON Schemas. Single documents go to --type manifest|imageIndex|config; it has no type
#   for a bare descriptor or an oci-layout file, so those exit 125 (not applicable).
# - skopeo copy --all oci:DIR[:REF] oci:TMP: a consumer pulling every image of the layout (inspect would read
#   only the manifest and config; copy reads and verifies every blob, as a pull does). Archives as oci-archive:.
#   skopeo does not read single documents (not applicable).
# - umoci unpack --rootless --image DIR[:REF] TMP: umoci's consumer path, which verifies and applies every layer
#   (stat would read only the manifest and config). umoci reads neither archives nor single documents.
#
# REF is the first org.opencontainers.image.ref.name of the layout's index.json when there is one ({ref}).
set -euo pipefail
cd "$(dirname "$0")/.."

peers=(oci-image-tool skopeo umoci)
if [ "${NO_INSTALL:-}" != 1 ]; then
  missing=()
  for p in "${peers[@]}"; do command -v "$p" >/dev/null || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

cargo build --release --quiet
bin="$PWD/target/release/ocicheck"
out="${OUT:-$(mktemp -d)}"
[ -n "${OUT:-}" ] || trap 'rm -rf "$out"' EXIT
rm -rf "$out/corpus"
"$bin" conformance export "$out/corpus"

runs=()
measure() {
  local name=$1
  shift
  # Exit status 1 only says the score is below 100%.
  "$bin" conformance run --dir "$out/corpus" --name "$name" --timeout 60 --format json "$@" >"$out/$name.json" || [ $? = 1 ]
  runs+=("$out/$name.json")
}

version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo unknown; }

measure "ocicheck $("$bin" --version | cut -d" " -f2)" --validator "./target/release/ocicheck validate {}"

if command -v oci-image-tool >/dev/null; then
  measure "oci-image-tool $(version oci-image-tool)" \
    --validator 'oci-image-tool validate --type image {}' \
    --document-validator 'case {doc_kind} in manifest) t=manifest;; index) t=imageIndex;; config) t=config;; *) exit 125;; esac; oci-image-tool validate --type "$t" {}'
fi
if command -v skopeo >/dev/null; then
  measure "skopeo $(version skopeo)" \
    --validator 'r={ref}; skopeo copy --quiet --all oci:{}${r:+:$r} oci:{tmp}/copy' \
    --archive-validator 'skopeo copy --quiet --all oci-archive:{} oci:{tmp}/copy' \
    --document-validator none
fi
if command -v umoci >/dev/null; then
  measure "umoci $(version umoci)" \
    --validator 'r={ref}; umoci unpack --rootless --image {}${r:+:$r} {tmp}/bundle' \
    --archive-validator none --document-validator none
fi

matrix="$out/matrix.md"
{
  echo "<!-- matrix:begin: written by scripts/peers.sh; do not edit by hand -->"
  echo
  echo "Measured on $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -m), with the corpus at $(git rev-parse --short HEAD) ($(grep -c . "$out/corpus/cases.tsv" | awk '{print $1 - 1}') cases)."
  echo
  "$bin" conformance compare "${runs[@]}"
  echo
  echo "<!-- matrix:end -->"
} >"$matrix"

doc=docs/compliance.md
if [ -f "$doc" ] && grep -q '^<!-- matrix:begin' "$doc"; then
  awk -v m="$matrix" '
    /^<!-- matrix:begin/ { while ((getline l < m) > 0) print l; skip = 1; next }
    /^<!-- matrix:end/ { skip = 0; next }
    !skip { print }
  ' "$doc" >"$doc.tmp"
  mv "$doc.tmp" "$doc"
else
  cp "$matrix" "$doc"
fi
echo "wrote $doc"
