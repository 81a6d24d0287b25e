#!/usr/bin/env bash
# usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Runs every cargo-fuzz target (or the ones named) one after the other, each
# for SECONDS_PER_TARGET seconds (default 600), niced. Seeds from
# fuzz/seeds/<target>/ (made from fixtures/ by fuzz/make_seeds.py) are copied
# into fuzz/corpus/<target>/ first. Crashes land in fuzz/artifacts/<target>/;
# logs in fuzz/artifacts/logs/<target>.log; one summary line per target
# (executions, seconds, outcome) is printed at the end.
# Needs: rustup nightly toolchain, `cargo install cargo-fuzz`.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(record_reader event_view hparams_plugin logdir_file where_parser)
mkdir -p fuzz/artifacts/logs

nice -n 10 cargo +nightly fuzz build -O -a >/dev/null 2>fuzz/artifacts/logs/build.log \
  || { tail -n 30 fuzz/artifacts/logs/build.log; exit 1; }

summary=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  cp -n fuzz/seeds/"$t"/* "fuzz/corpus/$t/" 2>/dev/null || true
  log=fuzz/artifacts/logs/$t.log
  echo "== $t: ${secs}s" >&2
  nice -n 10 cargo +nightly fuzz run -O -a "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*')
  corpus=$(ls "fuzz/corpus/$t" | wc -l)
  if [ $rc -eq 0 ]; then outcome=ok; else
    outcome="FAILED (rc $rc): $(grep -m1 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | cut -c1-160); artifact: $(grep -o 'fuzz/artifacts/[^ ]*' "$log" | tail -1)"
  fi
  summary+=("$t: ${runs:-?} execs in ${took:-$secs}s, corpus $corpus, $outcome")
done
printf '%s\n' "${summary[@]}"
