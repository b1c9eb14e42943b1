#!/usr/bin/env bash
# Installs, from Debian, every tool that .ci/run's tests and scripts need and that a fresh machine lacks: Chromium
# and ChromeDriver (tests/html.rs), docker-registry, htpasswd and openssl (tests/registry.rs), buildah and jq
# (scripts/build-image.sh). One `apt-get update` and one `apt-get install` of what is missing, so that .ci/run can
# start it in the background while the compiler runs (apt waits on the network and the disk, cargo on the CPU).
# The scripts that use a tool still check for it and install it themselves when run alone.
set -euo pipefail
want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("${@:2}"); }
need chromium chromium fonts-dejavu-core
need chromedriver chromium-driver
need docker-registry docker-registry
need htpasswd apache2-utils
need openssl openssl
need buildah buildah
need jq jq
[ ${#want[@]} -gt 0 ] || { echo "install-ci-tools.sh: nothing to install"; exit 0; }
if [ "$(id -u)" != 0 ]; then
    echo "install-ci-tools.sh: missing ${want[*]}, and installing them needs root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
echo "install-ci-tools.sh: installed ${want[*]}"
