#!/usr/bin/env bash
# A local Ray head for the `--backend ray` tests (runner-notes Part A §3.3),
# its Jobs REST API at http://127.0.0.1:8265.
#
#   bash tests/engines/ray_head.sh start   venv with ray[default] if missing,
#                                          start the head, wait for the API
#   bash tests/engines/ray_head.sh stop    stop the head and the bridge
#
# Ray's GCS and client server bind the host's non-loopback address even
# with --node-ip-address=127.0.0.1, and no test may send traffic to any
# address but loopback. So the head runs in a network namespace of its own
# (`unshare --net`: only `lo` exists there) and its dashboard port is
# bridged out to 127.0.0.1:8265 through a Unix socket (socat on both
# sides). `start` is idempotent: with the API answering it does nothing.
set -euo pipefail
venv=${HP_RAY_VENV:-$HOME/.cache/hp-report-ray}
state=${HP_RAY_STATE:-/var/tmp/hp-report-ray}
port=8265
version=2.60.0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

log() { echo "ray_head: $*" >&2; }

answers() {
    python3 - "$port" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/version", timeout=3) as r:
    sys.exit(0 if b"ray_version" in r.read() else 1)
PY
}

install() {
    if ! command -v socat >/dev/null || ! command -v unshare >/dev/null; then
        log "installing socat (Debian package)"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq socat util-linux >/dev/null
    fi
    if [ ! -x "$venv/bin/ray" ]; then
        log "installing ray[default]==$version into $venv"
        python3 -m venv "$venv"
        PIP_NO_CACHE_DIR=1 "$venv/bin/pip" install -q "ray[default]==$version"
    fi
}

start() {
    if answers; then
        log "already up at http://127.0.0.1:$port"
        return
    fi
    install
    mkdir -p "$state"
    rm -f "$state/dashboard.sock"
    # The head's working directory is its jobs' too: a stable one, not the
    # caller's (a checkout deleted later leaves every job's `sh` failing
    # getcwd() and printing that into the trial's output).
    cd "$state"
    # Inside the namespace: loopback up, the bridge's inner half, the head.
    setsid unshare --net --fork sh -c '
        ip link set lo up
        socat UNIX-LISTEN:"$1"/dashboard.sock,fork,unlink-early TCP:127.0.0.1:"$2" &
        echo $! > "$1"/socat-inner.pid
        echo $$ > "$1"/ray-block.pid
        RAY_USAGE_STATS_ENABLED=0 exec "$3"/bin/ray start --head --block \
            --node-ip-address=127.0.0.1 --dashboard-host=127.0.0.1 \
            --dashboard-port="$2" --num-cpus=2 --disable-usage-stats \
            --include-dashboard=true
    ' sh "$state" "$port" "$venv" >"$state/head.log" 2>&1 </dev/null &
    echo $! > "$state/head.pid"
    # Outside: 127.0.0.1:8265 → the Unix socket.
    setsid socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork \
        UNIX-CONNECT:"$state/dashboard.sock" >"$state/socat.log" 2>&1 </dev/null &
    echo $! > "$state/socat-outer.pid"
    for _ in $(seq 1 120); do
        if answers; then
            log "up at http://127.0.0.1:$port"
            return
        fi
        sleep 1
    done
    log "the Jobs API did not answer; head log tail:"
    tail -n 20 "$state/head.log" >&2 || true
    exit 1
}

stop() {
    # `ray start --block` (it has the inner shell's pid) stops every Ray
    # process of the head when it gets SIGTERM.
    for f in ray-block socat-outer head socat-inner; do
        if [ -f "$state/$f.pid" ]; then
            kill "$(cat "$state/$f.pid")" 2>/dev/null || true
            rm -f "$state/$f.pid"
        fi
    done
    log "stopped (ray start --block stops its processes when it is killed)"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
