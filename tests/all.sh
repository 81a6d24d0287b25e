#!/usr/bin/env bash
# The project's whole test suite, as CI runs it (README: "Run the tests").
#
#   1. cargo test: unit and integration tests, including our reader against
#      TensorBoard's recorded view of every fixture (fixtures/expected/) and
#      against the fixtures uploaded to local S3, GCS and Azure emulators
#      (moto, fake-gcs-server, Azurite: peers/{s3,gcs,azure}_emulator.sh,
#      installed under ~/.cache and left running for the next run);
#   2. the peers venv with real TensorBoard, tbparse and tensorboardX
#      (peers/setup.sh; cached in ~/.cache/hp-report-peers);
#   3. live TensorBoard against hp-report, with both of its loaders
#      (--load_fast false: Python; true: rustboard):
#        - our writer: the mlp_sweep example's logdir is read by TensorBoard
#          with every session, hparam and metric (peers/check_writer.sh);
#        - our reader: hp-report's JSON equals TensorBoard's HTTP API on the
#          fixtures, on our own sweep and on a logdir of edge cases written
#          by TensorBoard's own Python writer, inferred and declared
#          (peers/compare_with_tb.py);
#        - `hp-report tune`: experiments run by the tune command (crashes,
#          tensorboardX trials, stdout metrics, a timeout) show in TensorBoard
#          with every trial's hparams, objective and status, as in hp-report.
#   4. the HTML report opens in headless Chromium with no console message
#      (when chromium is installed);
#   5. the quick benchmark runs prove the benchmark scripts work (bench/run.sh,
#      bench/tune/run.sh, bench/tune/early_stop.sh).
#
# Options: --no-peers skips 2-5 and the emulators (offline work on the Rust
# side only; the object-store tests then say they were skipped).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
peers=1
[ "${1:-}" = "--no-peers" ] && peers=0

if [ "$peers" = 1 ]; then
    echo "== S3 emulator (moto) for the object-store tests"
    eval "$(bash peers/s3_emulator.sh start)"
    emulators=$(bash peers/gcs_emulator.sh start && bash peers/azure_emulator.sh start); eval "$emulators"
    bash tests/engines/up.sh
fi

echo "== cargo test"
cargo test --all-features

[ "$peers" = 1 ] || { echo "== peers skipped (--no-peers)"; exit 0; }

echo "== peers venv (TensorBoard, tbparse, tensorboardX)"
py=$(bash peers/setup.sh | tail -n 1)
export PEERS_PY=$py

echo "== writer: TensorBoard reads the mlp_sweep example's logdir"
bash peers/check_writer.sh

target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build -q --release --example mlp_sweep --no-default-features
"$target/release/examples/mlp_sweep" "$work/sweep" --sessions 6 --epochs 3 --seed 11 >/dev/null
"$py" peers/gen_edge_logdir.py "$work/edge" >/dev/null
"$py" peers/gen_edge_logdir.py "$work/edge-explicit" --explicit >/dev/null
bin=$target/debug/hp-report
echo "== reader: hp-report agrees with live TensorBoard"
for dir in fixtures/keras_mlp_grid fixtures/keras_mlp_repeats fixtures/tbx_hparams fixtures/tbrs_sweep fixtures/lightning_sweep "$work/sweep" "$work/edge" "$work/edge-explicit"; do
    for lf in false true; do
        "$py" peers/compare_with_tb.py "$dir" "$bin" --load_fast "$lf"
    done
done

echo "== tune: every trial a session TensorBoard shows as hp-report does"
cargo build -q --all-features
for dir in $(bash tests/tune_scripts/make_logdirs.sh "$work" "$bin" "$py" "$target/release/examples/mlp_sweep"); do
    for lf in false true; do
        "$py" peers/compare_with_tb.py "$dir" "$bin" --load_fast "$lf"
    done
done

echo "== HTML report in headless Chromium (skipped without chromium)"
bash peers/screenshot_report.sh fixtures/keras_mlp_grid "$work/report.png"

if [ -x bench/run.sh ]; then
    echo "== benchmark script (quick)"
    bash bench/run.sh --quick
fi
echo "== tune benchmark script (quick, debug binary)"
HP_REPORT_BIN=$bin bash bench/tune/run.sh --quick
echo "== early-stopping benchmark script (quick, debug binary)"
HP_REPORT_BIN=$bin bash bench/tune/early_stop.sh --quick
echo "== all tests passed"
