# Helpers for scripts/make-tool-images.sh (sourced; not run alone).
#
# Daemons started here (dockerd, containerd, the registry) listen only on sockets under $WORK or on 127.0.0.1 at a
# free port, keep their state under $WORK, and are stopped by stop_daemons (called from the EXIT trap).

DAEMON_PIDS=()

record() { # name, tool, command summary
    printf '%-34s %s: %s\n' "$1" "$2" "$3" >>"$LOG"
}

version() { # the Debian package version, which names the exact build
    dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown
}

free_port() { # a TCP port on 127.0.0.1 that nothing listens on now
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() { # seconds, what, command...: run the command until it succeeds (fail early if the daemon died)
    local n=$1 what=$2
    shift 2
    for _ in $(seq "$((n * 5))"); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        if [ -n "${DAEMON_PID:-}" ] && ! kill -0 "$DAEMON_PID" 2>/dev/null; then
            echo "$what exited" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$what did not come up in ${n}s" >&2
    return 1
}

start_daemon() { # log, command...: start in the background; DAEMON_PID is its pid
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    DAEMON_PID=$!
    DAEMON_PIDS+=("$DAEMON_PID")
}

stop_pid() { # TERM one daemon this script started, wait for it (10 s, then KILL)
    local pid=$1 p keep=()
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    for p in "${DAEMON_PIDS[@]}"; do
        [ "$p" = "$pid" ] || keep+=("$p")
    done
    DAEMON_PIDS=(${keep[@]+"${keep[@]}"})
}

stop_daemons() { # every daemon still running, newest first
    while [ ${#DAEMON_PIDS[@]} -gt 0 ]; do
        stop_pid "${DAEMON_PIDS[${#DAEMON_PIDS[@]} - 1]}"
    done
}

unmount_below() { # unmount whatever is still mounted below a directory (deepest first)
    local dir=$1
    awk -v d="$dir/" 'index($2, d) == 1 || $2 == substr(d, 1, length(d) - 1) { print $2 }' /proc/self/mounts |
        sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
}

fix_mtimes() { # every path below a directory gets the mtime $SOURCE_DATE_EPOCH
    find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}
