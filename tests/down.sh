#!/usr/bin/env bash
# Stops what tests/all.sh starts and leaves running for the next run (so a
# second run does not wait for them again): the S3, GCS and Azure emulators
# and the Slurm cluster and Ray head of the engine tests. Each stop is
# harmless when its server is not running.
set -uo pipefail
cd "$(dirname "$0")/.."
for emulator in s3 gcs azure; do
    bash "peers/${emulator}_emulator.sh" stop
done
bash tests/engines/ray_head.sh stop
bash tests/engines/slurm_cluster.sh stop
