# Shared by peers/{s3,gcs,azure}_emulator.sh (sourced, not run): starting a
# local storage emulator on 127.0.0.1 at a free port, reusing one that an
# earlier `start` left running, and stopping it. The caller sets `py` (a
# Python), `state` (a directory for pids, ports and logs) and defines
# `answers URL` (true once the server at URL serves requests).

# serves URL [ok]: true once URL answers HTTP; any status counts, or with
# `ok` only a successful one.
serves() {
    "$py" - "$@" <<'PY' 2>/dev/null
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    if len(sys.argv) > 2:
        raise
PY
}

free_port() {
    "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME COMMAND...: prints the endpoint http://127.0.0.1:PORT of
# server NAME, started as COMMAND (each `{port}` in it replaced by the port)
# unless one started earlier still answers. Its log is $state/NAME.log.
start_server() {
    local name=$1; shift
    local port pid arg
    mkdir -p "$state"
    if [ -f "$state/$name.port" ] && [ -f "$state/$name.pid" ]; then
        port=$(cat "$state/$name.port"); pid=$(cat "$state/$name.pid")
        if kill -0 "$pid" 2>/dev/null && answers "http://127.0.0.1:$port"; then
            echo "http://127.0.0.1:$port"
            return
        fi
    fi
    port=$(free_port)
    local cmd=()
    for arg in "$@"; do cmd+=("${arg//\{port\}/$port}"); done
    setsid "${cmd[@]}" >"$state/$name.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$state/$name.pid"
    echo "$port" >"$state/$name.port"
    for _ in $(seq 1 100); do
        if answers "http://127.0.0.1:$port"; then
            echo "http://127.0.0.1:$port"
            return
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    echo "$name did not start; see $state/$name.log" >&2
    exit 1
}

# stop_server NAME: stops server NAME if it runs.
stop_server() {
    if [ -f "$state/$1.pid" ]; then
        kill "$(cat "$state/$1.pid")" 2>/dev/null || true
        rm -f "$state/$1.pid" "$state/$1.port"
    fi
}
