#!/usr/bin/env bash
# usage: make_logdirs.sh WORK HP_REPORT PEERS_PY [MLP_SWEEP]
# Runs five `hp-report tune` experiments into WORK/tune-*, for the live
# TensorBoard checks in tests/all.sh: a grid where half the trials crash
# (success and failure sessions), trials writing their own tfevents with
# tensorboardX (a metric group), stdout/stderr metrics with extra declared
# metrics, a hanging trial killed at its timeout, and population-based
# training (every member of every generation a session, checkpoint files
# beside the event files). With MLP_SWEEP (the built example), a sixth: the
# Rust trainer `mlp_sweep --trial` writing its own grouped tfevents.
# Prints the directories.
set -euo pipefail
work=$1 bin=$2 py=$3 mlp=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
q=(-q --no-table)
"$bin" tune --logdir "$work/tune-flaky" --method grid -p 'x=choice(0.2,0.4,0.7,0.9)' \
    -p 'opt=choice(adam,sgd)' --objective loss "${q[@]}" \
    -- python3 "$here/runner_flaky.py" "$work" always >/dev/null 2>&1
"$bin" tune --logdir "$work/tune-tbx" --method grid -p 'x=choice(0.4,0.8)' -p 'units=int(1,2)' \
    --objective validation/epoch_loss --strategy min "${q[@]}" \
    -- "$py" "$here/runner_tbx.py" >/dev/null 2>&1
"$bin" tune --logdir "$work/tune-metrics" -p 'x=uniform(0.1,0.9)' -n 3 --objective loss \
    --metric val_loss --metric acc "${q[@]}" \
    -- python3 "$here/runner_metrics.py" '{x}' >/dev/null 2>&1
"$bin" tune --logdir "$work/tune-hang" -p 'x=choice(1)' -n 1 --objective loss \
    --trial-timeout 1s --kill-grace 1s "${q[@]}" \
    -- python3 "$here/runner_hang.py" >/dev/null 2>&1
"$bin" tune --logdir "$work/tune-pbt" -p 'x=uniform(0,1)' --method pbt --population 3 -n 9 \
    -j 3 --seed 3 --objective score:max "${q[@]}" \
    -- python3 "$here/pbt_member.py" '{checkpoint_dir}' '{parent_checkpoint}' >/dev/null 2>&1
echo "$work/tune-flaky" "$work/tune-tbx" "$work/tune-metrics" "$work/tune-hang" "$work/tune-pbt"
if [ -n "$mlp" ]; then
    "$bin" tune --logdir "$work/tune-mlp" -p 'num_units=choice(8,32)' -p 'dropout=uniform(0.1,0.3)' \
        -p 'optimizer=choice(adam,sgd)' -p epochs=3 --objective validation/epoch_accuracy:max \
        -n 4 -j 2 --seed 5 "${q[@]}" -- "$mlp" --trial >/dev/null 2>&1
    echo "$work/tune-mlp"
fi
