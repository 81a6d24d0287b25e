#!/usr/bin/env bash
# A local Azure Blob Storage for the object-store tests and benchmark:
# Azurite (npm `azurite`, installed under ~/.cache), on 127.0.0.1 at a free
# port, blobs in memory, with the Azure SDK for Python (PyPI
# `azure-storage-blob`, in a venv beside it) to make containers and upload.
#
#   eval "$(bash peers/azure_emulator.sh start)"   # install if needed, start, export
#   bash peers/azure_emulator.sh stop
#
# `start` is idempotent: a server it started earlier that still answers is
# reused. It prints
#
#   export HP_REPORT_AZURE_ENDPOINT=http://127.0.0.1:PORT   (account devstoreaccount1)
#   export HP_REPORT_AZURE_PYTHON=VENV/bin/python   (has azure-storage-blob)
#
# Azurite checks requests against its well-known development account
# (devstoreaccount1 and its published key), so a wrong key is refused as
# Azure would refuse it.
#
# Environment: AZURITE_HOME (default ~/.cache/hp-report-azurite),
# AZURE_EMULATOR_DIR (blob.pid, blob.port, blob.log; default $TMPDIR/hp-report-azure-emulator).
set -euo pipefail
home=${AZURITE_HOME:-$HOME/.cache/hp-report-azurite}
state=${AZURE_EMULATOR_DIR:-${TMPDIR:-/tmp}/hp-report-azure-emulator}
py=$home/venv/bin/python
blob=$home/node_modules/.bin/azurite-blob
cmd=${1:-start}
# shellcheck source=peers/emulator_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/emulator_common.sh"

install() {
    if [ ! -x "$blob" ]; then
        echo "azure_emulator: installing azurite (npm) into $home" >&2
        mkdir -p "$home"
        npm install --silent --no-audit --no-fund --prefix "$home" 'azurite@^3.30' >&2
    fi
    if ! { [ -x "$py" ] && "$py" -c 'import azure.storage.blob' 2>/dev/null; }; then
        echo "azure_emulator: installing azure-storage-blob into $home/venv" >&2
        python3 -m venv "$home/venv" >&2
        "$py" -m pip install -q --disable-pip-version-check 'azure-storage-blob>=12.20,<13' >&2
    fi
}

# Whether the blob service answers (any HTTP status will do).
answers() { serves "$1/devstoreaccount1?comp=list"; }

case $cmd in
start)
    install
    endpoint=$(start_server blob "$blob" --blobHost 127.0.0.1 --blobPort '{port}' \
        --inMemoryPersistence --skipApiVersionCheck --disableTelemetry)
    echo "export HP_REPORT_AZURE_ENDPOINT=$endpoint"
    echo "export HP_REPORT_AZURE_PYTHON=$py"
    ;;
stop)
    stop_server blob
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
