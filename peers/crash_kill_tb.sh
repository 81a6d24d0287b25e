#!/usr/bin/env bash
# usage: peers/crash_kill_tb.sh [DIR]
#
# Crash-safe writing against real TensorBoard: runs the crash_kill test
# (20 writer processes SIGKILLed at random points, each file checked with our
# reader) keeping its logdir in DIR (default: a temp dir), then asks real
# TensorBoard, with both loaders (rustboard: --load_fast true; Python:
# --load_fast false), whether it still sees the sessions (check_tb_reads.sh).
# Needs the peers venv (bash peers/setup.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$(mktemp -d)/crash-logdir}
cd "$here/.."
HP_REPORT_CRASH_KEEP=$dir cargo test -q --no-default-features --test integration -- \
  --nocapture crash_kill::sigkill_at_random_points 2>&1 | grep -E '^(crash_kill|round)|test result'
# Whole-record writes make a torn record rare (the kill must land inside a
# large write(2)); tear one on purpose: half of a copy of the last record.
python3 - "$dir" <<'PY'
import glob, struct, sys
f = sorted(glob.glob(sys.argv[1] + "/round-00/train/*tfevents*"))[0]
data = open(f, "rb").read()
off = last = 0
while off + 12 <= len(data):
    last = off
    off += struct.unpack_from("<Q", data, off)[0] + 16
rec = data[last:off]
open(f, "ab").write(rec[: len(rec) // 2])
print("tore a record at the end of", f)
PY
for fast in true false; do
  echo "== TensorBoard --load_fast $fast on $dir"
  "$here/check_tb_reads.sh" "$dir" --load_fast "$fast"
done
