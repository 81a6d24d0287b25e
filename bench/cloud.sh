#!/usr/bin/env bash
# Reading the benchmark logdir from local S3, GCS and Azure emulators (moto,
# fake-gcs-server, Azurite) vs from disk, with `cat` and a plain HTTP client
# (curl) as the ceilings of disk and emulator: events/s, MB/s, peak RSS, the
# requests made. See docs/benchmarks.md.
#
#   bench/cloud.sh                          # 200 sessions x 2 runs x 3 tags x 2000 steps
#   bench/cloud.sh --sessions 50 --reps 5 --stores gs,az
#
# Starts the emulators with peers/{s3,gcs,azure}_emulator.sh (left running),
# builds gen_logdir and bench_read (release, --features cloud) into
# CARGO_TARGET_DIR, writes the logdir under BENCH_DIR (default
# /tmp/hp-report-bench).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
emulators=$(bash peers/s3_emulator.sh start && bash peers/gcs_emulator.sh start && bash peers/azure_emulator.sh start)
eval "$emulators"
cargo build --release --no-default-features --features cloud --example bench_read --example gen_logdir >&2
target=${CARGO_TARGET_DIR:-$root/target}
exec python3 "$here/cloud_bench.py" --examples "$target/release/examples" "$@"
