#!/usr/bin/env bash
# Starts the engines the `--backend` tests run against (tests/integration/
# engines.rs), each idempotent and left running for the next run:
# a single-node Slurm cluster (slurm_cluster.sh) and a local Ray head
# (ray_head.sh). Called by tests/all.sh; a test whose engine is not up
# prints why and passes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
echo "== engines: single-node Slurm"
bash "$here/slurm_cluster.sh" start
echo "== engines: local Ray head (Jobs REST API)"
bash "$here/ray_head.sh" start
