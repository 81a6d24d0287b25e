#!/usr/bin/env bash
# Early-stopping benchmark (docs/benchmarks.md, "Early stopping"): random
# search over a noisy crossing-curves script without stopping and with
# hp-report's asha, median and hyperband rules, and the same with Optuna's
# NopPruner, SuccessiveHalvingPruner, MedianPruner and HyperbandPruner (venv
# from setup_optuna.sh); epochs spent and the best found.
#   bench/tune/early_stop.sh [--seeds 10] [--trials 27] [--epochs 27] [--explain] [--json OUT]
#   bench/tune/early_stop.sh --quick   # 1 seed, 9 trials x 9 epochs; Optuna only if its
#                                      # venv exists (CI: proves the script runs)
# HP_REPORT_BIN: use that binary instead of building the release one.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
bin=${HP_REPORT_BIN:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build -q --release --all-features)
    bin=$target/release/hp-report
fi
if [ "${1:-}" = "--quick" ]; then
    opt=()
    venv=${OPTUNA_VENV:-$HOME/.cache/hp-report-optuna}
    [ -x "$venv/bin/python" ] && opt=(--optuna-py "$venv/bin/python")
    exec python3 "$here/early_stop.py" "$bin" --seeds 1 --trials 9 --epochs 9 --sleep 0.005 "${opt[@]}"
fi
py=$(bash "$here/setup_optuna.sh" | tail -n 1)
exec python3 "$here/early_stop.py" "$bin" --optuna-py "$py" "$@"
