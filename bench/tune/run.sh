#!/usr/bin/env bash
# The trial-runner benchmark (docs/benchmarks.md, "Trial runner"):
#   bench/tune/run.sh                 # 1,000 and 10,000 no-op trials at -j 2, with Optuna
#   bench/tune/run.sh --quick         # 50 trials, Optuna only if its venv exists (CI),
#                                     # then search_runner.py --quick (Branin through the runner)
# Builds the release binary, makes the Optuna venv (setup_optuna.sh), runs
# bench_tune.py and prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/common.sh"
# HP_REPORT_BIN: time that binary instead of building the release one
# (tests/all.sh passes its debug build to the --quick run).
bin=$(bench_bin)
if [ "${1:-}" = "--quick" ]; then
    read -ra opt <<<"$(quick_optuna)"
    python3 "$here/bench_tune.py" "$bin" --trials 50 "${opt[@]}"
    exec python3 "$here/search_runner.py" "$bin" --quick "${opt[@]}"
fi
py=$(bash "$here/setup_optuna.sh" | tail -n 1)
exec python3 "$here/bench_tune.py" "$bin" --trials "${TRIALS:-1000,10000}" -j 2 --optuna-py "$py" "$@"
