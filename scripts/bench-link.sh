#!/usr/bin/env bash
# docker:// across a link of known speed: `validate docker://…` against pulling first (`skopeo copy docker://… oci:`
# then `validate DIR`), with the client on the far side of a rate-limited virtual link.
#
#   scripts/bench-link.sh [REPS] [RATE]      # defaults: 3 repetitions, 1gbit (tc's units: 500mbit, 100mbit …)
#
# On loopback (scripts/bench.sh's registry rows) a pull costs little next to a CPU-bound validation, so validating
# in place saves little; across a network the pull is bound by the link. This measures that case honestly: the
# registry is the one scripts/bench.sh uses (scripts/registry.sh, on 127.0.0.1, storage in the bench cache, the
# large image pushed once), and the client (ocicheck, skopeo) runs in a network namespace of its own, reaching the
# registry through a veth pair whose host side sends at RATE (a tc token bucket) and a small TCP forwarder on the host
# side of the pair. (No added delay: the netem qdisc is not in every kernel; a bulk transfer is bound by the rate.) `validate DIR` of the same image runs on the host, without the link.
#
# Needs root (ip netns, tc), iproute2 with the tbf qdisc, python3 (the forwarder), skopeo; the image comes from
# scripts/bench.sh's cache (run `SKIP_SCALE=1 SKIP_PEERS=1 scripts/bench.sh 1` once first) or IMAGE=DIR (an OCI
# layout whose index.json has a `latest` ref). Nothing outside the bench cache and the namespace is changed; the
# namespace, the forwarder and the registry are removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
REPS=${1:-3}
RATE=${2:-1gbit}
cache=${OCICHECK_BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ocicheck-bench}
image=${IMAGE:-$cache/big}
log() { echo "bench-link: $*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root (ip netns, tc)"; exit 2; }
for t in ip tc python3 skopeo; do command -v "$t" >/dev/null || { log "$t is missing"; exit 2; }; done
[ -f "$image/index.json" ] || { log "no image at $image: run SKIP_SCALE=1 SKIP_PEERS=1 scripts/bench.sh 1 first, or set IMAGE"; exit 2; }
cargo build --release -q
bin=$repo/target/release/ocicheck
scripts/registry.sh install >&2

ns=ocb$$
host_if=ocbh$$
ns_if=ocbn$$
work=$(mktemp -d)
fwd=""
cleanup() {
    [ -n "$fwd" ] && kill "$fwd" 2>/dev/null
    ip netns del "$ns" 2>/dev/null || true
    ip link del "$host_if" 2>/dev/null || true
    scripts/registry.sh stop "$cache/registry"
    rm -rf "$work"
}
trap cleanup EXIT

port=$(scripts/registry.sh start "$cache/registry" --watch $$)
name=bench/$(basename "$image"):latest
log "pushing $image to 127.0.0.1:$port/$name (blobs the registry has are skipped) ..."
skopeo --insecure-policy copy -q --all --preserve-digests --dest-tls-verify=false "oci:$image:latest" \
    "docker://127.0.0.1:$port/$name" >&2

# The link: 10.203.0.1 (host) <-> 10.203.0.2 (the client's namespace); the host side (registry to client, where the
# blobs flow) sends at RATE.
ip netns add "$ns"
ip link add "$host_if" type veth peer name "$ns_if"
ip link set "$ns_if" netns "$ns"
ip addr add 10.203.0.1/30 dev "$host_if"
ip link set "$host_if" up
ip netns exec "$ns" ip addr add 10.203.0.2/30 dev "$ns_if"
ip netns exec "$ns" ip link set "$ns_if" up
ip netns exec "$ns" ip link set lo up
tc qdisc add dev "$host_if" root tbf rate "$RATE" burst 256kb latency 50ms

# The forwarder: 10.203.0.1:PORT → 127.0.0.1:PORT (the registry listens on loopback only).
python3 - "$port" <<'PY' &
import socket, sys, threading
port = int(sys.argv[1])
def pipe(a, b):
    buf = bytearray(1 << 18)
    try:
        while True:
            n = a.recv_into(buf)
            if n == 0:
                break
            b.sendall(memoryview(buf)[:n])
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass
def serve(c):
    u = socket.create_connection(("127.0.0.1", port))
    for s in (c, u):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t = threading.Thread(target=pipe, args=(u, c), daemon=True)
    t.start()
    pipe(c, u)
    t.join()
    c.close()
    u.close()
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("10.203.0.1", port))
l.listen(64)
while True:
    c, _ = l.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
fwd=$!
sleep 0.5
far=docker://10.203.0.1:$port/$name
in_ns=(ip netns exec "$ns")
"${in_ns[@]}" "$bin" validate -q --insecure "$far" >/dev/null ||
    { log "the image does not validate cleanly across the link:"; "${in_ns[@]}" "$bin" validate --insecure "$far" >&2; exit 1; }

declare -A WALL
names=("validate DIR (host)" "validate docker:// (across)" "skopeo copy (across)" "skopeo copy + validate DIR (across)")
run() { # NAME → one timed run, its seconds appended to WALL[NAME]
    local s e
    rm -rf "$work/pulled"
    s=$(date +%s.%N)
    case $1 in
    "validate DIR (host)") "$bin" validate -q "$image" >/dev/null ;;
    "validate docker:// (across)") "${in_ns[@]}" "$bin" validate -q --insecure "$far" >/dev/null ;;
    "skopeo copy (across)")
        "${in_ns[@]}" skopeo --insecure-policy copy -q --all --src-tls-verify=false "$far" "oci:$work/pulled:latest" ;;
    "skopeo copy + validate DIR (across)")
        "${in_ns[@]}" skopeo --insecure-policy copy -q --all --src-tls-verify=false "$far" "oci:$work/pulled:latest"
        "${in_ns[@]}" "$bin" validate -q "$work/pulled" >/dev/null ;;
    esac
    e=$(date +%s.%N)
    WALL[$1]="${WALL[$1]:-} $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }')"
}
log "timing $REPS rounds of ${#names[@]} commands across $RATE ..."
for r in $(seq "$REPS"); do
    # The order rotates every round, as in scripts/bench.sh.
    for i in "${!names[@]}"; do
        run "${names[$(((i + r) % ${#names[@]}))]}"
    done
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
stored=$(du -sb "$image/blobs" | cut -f1)
echo "## docker:// across a link of $RATE ($((stored >> 20)) MiB stored; $REPS runs each)"
echo
echo "| command | median wall (s) | runs (s) |"
echo "| --- | ---: | --- |"
for n in "${names[@]}"; do
    # shellcheck disable=SC2086
    echo "| $n | $(median ${WALL[$n]}) | ${WALL[$n]# } |"
done
# shellcheck disable=SC2086
{
    dir=$(median ${WALL["validate DIR (host)"]})
    remote=$(median ${WALL["validate docker:// (across)"]})
    copy=$(median ${WALL["skopeo copy (across)"]})
    both=$(median ${WALL["skopeo copy + validate DIR (across)"]})
}
echo
echo "| ratio | measured | target |"
echo "| --- | ---: | --- |"
echo "| validate docker:// / (skopeo copy + validate DIR), across the link | $(ratio "$remote" "$both") | <= 0.6 |"
echo "| validate docker:// across the link / validate DIR on the host | $(ratio "$remote" "$dir") | |"
echo "| skopeo copy alone / validate DIR on the host | $(ratio "$copy" "$dir") | |"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
