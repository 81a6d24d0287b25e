#!/usr/bin/env bash
# Search quality through the trial runner (docs/benchmarks.md, "Search quality
# through the runner"): the benchmark problems as real trial commands run by
# `hp-report tune --method tpe|gp|cmaes|random` and by Optuna's samplers.
#
#   bench/tune/search.sh                 # 10 seeds, Branin, Hartmann-6, mixed
#   bench/tune/search.sh --seeds 20 -w 4 # more seeds, 4 runs at once
#   bench/tune/search.sh --quick         # Branin, 3 seeds, tpe/gp vs Optuna TPE
#   bench/tune/search.sh --problems digits --methods tpe,gp,random \
#       --optuna-samplers TPE,random     # real training: MLPClassifier on digits
#
# Uses the venv of bench/search_quality.sh ($SEARCH_BENCH_VENV, default
# ~/.cache/hp-report-search-bench: Optuna 5, cmaes, scipy); Optuna's GPSampler
# also needs torch, installed there only with SEARCH_BENCH_TORCH=1 (a large
# download), else skipped; scikit-learn for the digits problem.
# HP_REPORT_BIN: use that binary instead of building.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${SEARCH_BENCH_VENV:-$HOME/.cache/hp-report-search-bench}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import optuna' 2>/dev/null ||
    "$venv/bin/pip" install -q --disable-pip-version-check "optuna==5.0.0"
"$venv/bin/python" -c 'import cmaes, scipy' 2>/dev/null ||
    "$venv/bin/pip" install -q --disable-pip-version-check cmaes scipy ||
    echo "cmaes/scipy did not install: Optuna's CmaEsSampler is skipped" >&2
"$venv/bin/python" -c 'import sklearn' 2>/dev/null ||
    "$venv/bin/pip" install -q --disable-pip-version-check scikit-learn ||
    echo "scikit-learn did not install: the digits problem cannot run" >&2
if [ "${SEARCH_BENCH_TORCH:-0}" = 1 ] && ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
    "$venv/bin/pip" install -q --disable-pip-version-check torch ||
        echo "torch did not install: Optuna's GPSampler is skipped" >&2
fi
bin=${HP_REPORT_BIN:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build -q --release)
    bin=${CARGO_TARGET_DIR:-$root/target}/release/hp-report
fi
exec python3 "$here/search_runner.py" "$bin" --optuna-py "$venv/bin/python" "$@"
