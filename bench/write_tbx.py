#!/usr/bin/env python3
"""Write peer for bench/run.sh: N scalars with tensorboardX add_scalar.

usage: write_tbx.py OUTDIR [--scalars 1000000] [--tags 4]

Round-robin over the tags, one step per round, the same values as
examples/bench_write.rs; times the loop plus close() (flush to the page
cache, no fsync) and prints one JSON line. Imports are not timed.
"""
import argparse
import json
import time

from tensorboardX import SummaryWriter


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--scalars", type=int, default=1_000_000)
    ap.add_argument("--tags", type=int, default=4)
    a = ap.parse_args()
    names = ["metric_%d" % t for t in range(max(1, a.tags))]
    k = len(names)
    t0 = time.perf_counter()
    w = SummaryWriter(logdir=a.outdir)
    for i in range(a.scalars):
        w.add_scalar(names[i % k], 1.0 / (1.0 + i), i // k)
    w.close()
    secs = time.perf_counter() - t0
    print(json.dumps({"writer": "tensorboardX", "scalars": a.scalars, "seconds": round(secs, 4)}))


if __name__ == "__main__":
    main()
