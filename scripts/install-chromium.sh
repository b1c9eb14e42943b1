#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for tests/html.rs, when they are missing (as root, through apt-get).
# Prints the browser's path on success; exits non-zero, saying why, when it cannot install them.
set -euo pipefail
have() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }
if ! have; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-chromium.sh: chromium and chromedriver are missing, and installing them needs root" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || { echo "install-chromium.sh: apt-get update failed" >&2; exit 1; }
    apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >&2 \
        || { echo "install-chromium.sh: apt-get install chromium chromium-driver failed" >&2; exit 1; }
fi
have || { echo "install-chromium.sh: chromium or chromedriver still missing after the install" >&2; exit 1; }
command -v chromium
