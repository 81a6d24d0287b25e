#!/usr/bin/env bash
# Early-stopping benchmark (docs/benchmarks.md, "Early stopping"): random
# search over a noisy crossing-curves script without stopping and with
# hp-report's asha, median and hyperband rules, and the same with Optuna's
# NopPruner, SuccessiveHalvingPruner, MedianPruner and HyperbandPruner (venv
# from setup_optuna.sh); epochs spent and the best found.
#   bench/tune/early_stop.sh [--seeds 10] [--seed-from 0] [--trials 27] [--epochs 27] [--explain] [--json OUT]
#       (Optuna also on hp-report's own x draws: --same-x)
#   bench/tune/early_stop.sh --quick   # 1 seed, 9 trials x 9 epochs; Optuna only if its
#                                      # venv exists (CI: proves the script runs)
# HP_REPORT_BIN: use that binary instead of building the release one.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/common.sh"
bin=$(bench_bin)
if [ "${1:-}" = "--quick" ]; then
    read -ra opt <<<"$(quick_optuna)"
    exec python3 "$here/early_stop.py" "$bin" --seeds 1 --trials 9 --epochs 9 --sleep 0.005 "${opt[@]}"
fi
py=$(bash "$here/setup_optuna.sh" | tail -n 1)
exec python3 "$here/early_stop.py" "$bin" --optuna-py "$py" --same-x "$@"
