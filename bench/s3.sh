#!/usr/bin/env bash
# Reading the benchmark logdir from a local S3 (moto's server) vs from disk:
# events/s, MB/s, peak RSS and the requests made. See docs/benchmarks.md.
#
#   bench/s3.sh                      # 200 and 100 sessions x 2 runs x 3 tags x 2000 steps
#   bench/s3.sh --sessions 50 --reps 3
#
# Starts the emulator with peers/s3_emulator.sh (left running), builds
# gen_logdir and bench_read (release, --features cloud) into CARGO_TARGET_DIR,
# writes logdirs under BENCH_DIR (default /tmp/hp-report-bench).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
eval "$(bash "$root/peers/s3_emulator.sh" start)"
cd "$root"
cargo build --release --no-default-features --features cloud --example bench_read --example gen_logdir >&2
target=${CARGO_TARGET_DIR:-$root/target}
exec "$HP_REPORT_S3_PYTHON" "$here/s3_bench.py" --examples "$target/release/examples" "$@"
