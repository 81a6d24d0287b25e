#!/usr/bin/env bash
# A local S3 for the object-store tests and benchmark: moto's server (PyPI
# `moto[server]`, in its own venv), on 127.0.0.1 at free ports.
#
#   eval "$(bash peers/s3_emulator.sh start)"   # install if needed, start, export
#   bash peers/s3_emulator.sh stop
#
# `start` is idempotent: servers it started earlier that still answer are
# reused. It starts two: an open one (any credentials; the tests create
# buckets and upload with boto3) and one that checks credentials (moto's
# INITIAL_NO_AUTH_ACTION_COUNT=0: unknown keys are refused), and prints
#
#   export HP_REPORT_S3_ENDPOINT=http://127.0.0.1:PORT
#   export HP_REPORT_S3_AUTH_ENDPOINT=http://127.0.0.1:PORT2
#   export HP_REPORT_S3_PYTHON=VENV/bin/python   (has boto3)
#
# Environment: MOTO_VENV (default ~/.cache/hp-report-moto), S3_EMULATOR_DIR
# (pids, ports and logs; default $TMPDIR/hp-report-s3-emulator).
set -euo pipefail
venv=${MOTO_VENV:-$HOME/.cache/hp-report-moto}
state=${S3_EMULATOR_DIR:-${TMPDIR:-/tmp}/hp-report-s3-emulator}
py=$venv/bin/python
cmd=${1:-start}
# shellcheck source=peers/emulator_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/emulator_common.sh"

install() {
    if [ -x "$venv/bin/moto_server" ] && "$py" -c 'import boto3, moto' 2>/dev/null; then
        return
    fi
    echo "s3_emulator: installing moto[server] into $venv" >&2
    python3 -m venv "$venv" >&2
    "$py" -m pip install -q --disable-pip-version-check 'moto[server]>=5.1,<6' 'boto3>=1.35' >&2
}

# Whether an S3 endpoint answers (any HTTP status will do).
answers() { serves "$1/"; }

case $cmd in
start)
    install
    open=$(start_server open "$venv/bin/moto_server" -H 127.0.0.1 -p '{port}')
    auth=$(start_server auth env INITIAL_NO_AUTH_ACTION_COUNT=0 "$venv/bin/moto_server" -H 127.0.0.1 -p '{port}')
    echo "export HP_REPORT_S3_ENDPOINT=$open"
    echo "export HP_REPORT_S3_AUTH_ENDPOINT=$auth"
    echo "export HP_REPORT_S3_PYTHON=$py"
    ;;
stop)
    stop_server open
    stop_server auth
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
