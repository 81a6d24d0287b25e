#!/usr/bin/env bash
# Makes (idempotently) the venv with Optuna for the tune benchmark and prints
# its python path last. Venv: $OPTUNA_VENV, default ~/.cache/hp-report-optuna.
set -euo pipefail
venv=${OPTUNA_VENV:-$HOME/.cache/hp-report-optuna}
if ! "$venv/bin/python" -c "import optuna" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "optuna==5.0.0"
fi
echo "$venv/bin/python"
