#!/usr/bin/env bash
# The hp-report benchmark: one command, see docs/benchmarks.md.
#
#   bench/run.sh                 # default: 200 sessions x 2 runs x 3 tags x 2000 steps
#   bench/run.sh --sessions 1000 # 5x larger
#   bench/run.sh --quick         # tiny sizes, < 1 min, missing peers skipped (CI)
#   bench/run.sh --help          # every option
#
# Environment: CARGO_TARGET_DIR (where the examples are built), PEERS_VENV /
# PEERS_PY (the Python peers, from peers/setup.sh), RUSTBOARD_BIN,
# HP_REPORT_BIN (the CLI to time instead of the bench_read example),
# BENCH_DIR (scratch space for the generated logdirs, default /tmp/hp-report-bench).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec python3 "$here/harness.py" "$@"
