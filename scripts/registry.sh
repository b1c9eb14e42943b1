#!/usr/bin/env bash
# A local distribution registry (Debian's docker-registry, distribution 2.8) for the registry tests and the
# benchmark, on 127.0.0.1 at a port the kernel picks, with its storage and log under DIR.
#
#   scripts/registry.sh install                 # install docker-registry (and htpasswd, openssl) when missing
#   scripts/registry.sh start DIR [--htpasswd FILE] [--token REALM SERVICE ISSUER CERT] [--watch PID]
#                                               # start it; prints the port (also in DIR/port), pid in DIR/pid
#   scripts/registry.sh stop DIR                # stop the one started in DIR
#   scripts/registry.sh htpasswd USER PASSWORD  # a bcrypt htpasswd line, for --htpasswd
#   scripts/registry.sh token-cert DIR          # DIR/token.key (PKCS#8 DER, P-256) and DIR/token.crt (PEM) for
#                                               # a token service whose tokens the registry is to accept
#
# --htpasswd: HTTP Basic with the users of FILE. --token: the Bearer token flow, tokens from REALM for SERVICE,
# signed by ISSUER with the key of CERT (ES256, the certificate in the token's x5c header). --watch PID: the
# registry stops by itself once PID has exited (the tests' process, so a test run that dies leaves nothing).
# Nothing listens anywhere but 127.0.0.1; nothing is written outside DIR.
set -euo pipefail

need() { # command package: install the package when the command is missing
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "registry.sh: $1 is missing and installing $2 needs root (apt-get install $2)" >&2
        return 1
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; then
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 || {
            echo "registry.sh: apt-get install $2 failed" >&2
            return 1
        }
    fi
    command -v "$1" >/dev/null 2>&1
}

cmd=${1:-}
shift || true
case "$cmd" in
install)
    need docker-registry docker-registry
    need htpasswd apache2-utils
    need openssl openssl
    ;;
htpasswd)
    need htpasswd apache2-utils
    htpasswd -nbB "$1" "$2" | head -n1
    ;;
token-cert)
    need openssl openssl
    dir=$1
    mkdir -p "$dir"
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/token.pem" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in "$dir/token.pem" -outform DER -out "$dir/token.key"
    openssl req -x509 -new -key "$dir/token.pem" -days 2 -subj /CN=ocicheck-token -out "$dir/token.crt" 2>/dev/null
    ;;
start)
    need docker-registry docker-registry
    dir=$(mkdir -p "$1" && cd "$1" && pwd)
    shift
    auth=""
    watch=""
    while [ $# -gt 0 ]; do
        case "$1" in
        --htpasswd)
            auth="auth:
  htpasswd:
    realm: ocicheck
    path: $2"
            shift 2
            ;;
        --token)
            auth="auth:
  token:
    realm: $2
    service: $3
    issuer: $4
    rootcertbundle: $5"
            shift 5
            ;;
        --watch)
            watch=$2
            shift 2
            ;;
        *)
            echo "registry.sh: unknown option $1" >&2
            exit 2
            ;;
        esac
    done
    mkdir -p "$dir/data"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
$auth
EOF
    : >"$dir/log"
    # Detached from the caller's stdout and stderr, so that a caller that reads them sees their end now.
    setsid docker-registry serve "$dir/config.yml" </dev/null >"$dir/log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/log" | head -n1)
        [ -n "$port" ] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "registry.sh: docker-registry exited:" >&2
            tail -n 5 "$dir/log" >&2
            exit 1
        fi
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "registry.sh: docker-registry did not say where it listens in 10 s" >&2
        kill "$pid" 2>/dev/null || true
        exit 1
    fi
    echo "$port" >"$dir/port"
    if [ -n "$watch" ]; then
        # The watchdog: stop the registry once the process it watches is gone.
        setsid bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill "$2" 2>/dev/null' \
            watchdog "$watch" "$pid" </dev/null >/dev/null 2>&1 &
    fi
    echo "$port"
    ;;
stop)
    dir=$1
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/pid"
    ;;
*)
    sed -n '2,17p' "$0" >&2
    exit 2
    ;;
esac
