# Sourced by the bench/tune/*.sh scripts (needs $root):
#   bin=$(bench_bin)        HP_REPORT_BIN if set, else a fresh release build
#   opt=($(quick_optuna))   `--optuna-py PY` when the Optuna venv exists
#                           (quick CI runs: Optuna only if already set up)
bench_bin() {
    if [ -n "${HP_REPORT_BIN:-}" ]; then
        echo "$HP_REPORT_BIN"
        return
    fi
    (cd "$root" && cargo build -q --release --all-features) >&2
    echo "${CARGO_TARGET_DIR:-$root/target}/release/hp-report"
}

quick_optuna() {
    local venv=${OPTUNA_VENV:-$HOME/.cache/hp-report-optuna}
    if [ -x "$venv/bin/python" ]; then
        echo "--optuna-py $venv/bin/python"
    fi
}
