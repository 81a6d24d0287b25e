#!/usr/bin/env bash
# Early-stopping benchmark (docs/benchmarks.md, "Early stopping"): random
# search over a noisy crossing-curves script with no stopping, ASHA and the
# median rule; epochs spent and the best found. Standard-library Python only.
#   bench/tune/early_stop.sh [--seeds 5] [--trials 27] [--epochs 27]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
(cd "$root" && cargo build -q --release --all-features)
exec python3 "$here/early_stop.py" "$target/release/hp-report" "$@"
