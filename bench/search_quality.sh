#!/usr/bin/env bash
# Search quality against Optuna, see docs/benchmarks.md ("Search quality").
#
#   bench/search_quality.sh              # 10 seeds per method and problem
#   bench/search_quality.sh --seeds 20   # more seeds
#
# Makes (once) a Python venv with Optuna (and cmaes + scipy for Optuna's
# CmaEsSampler, when they install) in $SEARCH_BENCH_VENV
# (default ~/.cache/hp-report-search-bench), builds the `search_bench` example
# (hp-report's TPE, CMA-ES and random search through the library) and runs
# both on the same problems and budgets: Branin (N=30), Hartmann-6 (N=60),
# a mixed space (log float + int + categorical, N=40). Prints the median and
# quartiles of the best value found after N trials. Not a timed benchmark.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
venv=${SEARCH_BENCH_VENV:-$HOME/.cache/hp-report-search-bench}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import optuna' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check optuna
fi
if ! "$venv/bin/python" -c 'import cmaes, scipy' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check cmaes scipy ||
        echo "cmaes/scipy did not install: Optuna's CmaEsSampler is skipped" >&2
fi
cd "$root"
cargo build --quiet --release --no-default-features --features tune --example search_bench
ours="${CARGO_TARGET_DIR:-$root/target}/release/examples/search_bench"
exec "$venv/bin/python" "$here/search_quality.py" --ours "$ours" "$@"
