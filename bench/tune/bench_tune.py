#!/usr/bin/env python3
"""usage: bench_tune.py HP_REPORT [--trials 1000,10000] [-j 2] [--optuna-py PY]
                       [--optuna-max N] [--work DIR]

The `hp-report tune` benchmark (docs/benchmarks.md, "Trial runner"): for each
size, N trials of a no-op command (`/bin/echo loss=<x>`: a real process that
reports an objective) at -j 2, and in the same run Optuna driving the same
command through its JournalStorage file with an ask/tell loop on 2 threads.

Reports per size: wall time, trials/s, the runner's own CPU per trial (user +
system of the runner process only: the runner journals its getrusage at the
end; Optuna's from resource.getrusage inside its process) and `tune status`
on the finished directory (median of 5). Prints a Markdown table.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))


def arg(args, name, default):
    if name in args:
        return args[args.index(name) + 1]
    return default


def run_ours(binary, work, n, jobs):
    d = os.path.join(work, f"tune-{n}")
    shutil.rmtree(d, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([binary, "tune", "--logdir", d, "-p", "x=uniform(0,1)", "--objective", "loss",
                    "-n", str(n), "-j", str(jobs), "-q", "--no-table", "--",
                    "/bin/echo", "loss={x}"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    cpu = None
    ends = 0
    with open(os.path.join(d, "trials.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["event"] == "finish":
                cpu = r.get("cpu_secs")
            elif r["event"] == "end" and r["state"] == "succeeded":
                ends += 1
    assert ends == n, f"{ends} of {n} trials succeeded"
    status = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([binary, "tune", "status", d], check=True, stdout=subprocess.DEVNULL)
        status.append(time.perf_counter() - t0)
    return {"wall": wall, "cpu": cpu, "status": statistics.median(status), "dir": d}


def run_optuna(py, work, n, jobs):
    path = os.path.join(work, f"optuna-{n}.log")
    if os.path.exists(path):
        os.remove(path)
    t0 = time.perf_counter()
    out = subprocess.run([py, os.path.join(here, "optuna_noop.py"), path, str(n), str(jobs)],
                         check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    r = json.loads(out.strip().splitlines()[-1])
    assert r["complete"] == n, r
    return {"wall": wall, "cpu": r["cpu_secs"]}


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    binary = os.path.abspath(args[0])
    sizes = [int(x) for x in arg(args, "--trials", "1000,10000").split(",")]
    jobs = int(arg(args, "-j", "2"))
    optuna_py = arg(args, "--optuna-py", None)
    optuna_max = int(arg(args, "--optuna-max", "10000"))
    given = arg(args, "--work", None)
    work = given or tempfile.mkdtemp(prefix="hp-tune-bench-")
    os.makedirs(work, exist_ok=True)
    rows = []
    done = []
    for n in sizes:
        ours = run_ours(binary, work, n, jobs)
        row = [f"{n:,}", "hp-report tune", f"{ours['wall']:.1f} s", f"{n / ours['wall']:.0f}",
               f"{ours['cpu'] / n * 1e3:.2f} ms" if ours["cpu"] is not None else "?",
               f"{ours['status'] * 1e3:.0f} ms"]
        rows.append(row)
        print(" | ".join(row), file=sys.stderr)
        if optuna_py and n <= optuna_max:
            op = run_optuna(optuna_py, work, n, jobs)
            row = [f"{n:,}", "Optuna 5.0 (JournalStorage file, ask/tell)", f"{op['wall']:.1f} s",
                   f"{n / op['wall']:.0f}", f"{op['cpu'] / n * 1e3:.2f} ms", "-"]
            rows.append(row)
            print(" | ".join(row), file=sys.stderr)
        done.append(ours["dir"])
    # Deleted only now: on an ext4 without a journal, files created within
    # 30 s of deleting thousands make ext4 skip every recently freed inode,
    # and the next size would measure that (docs/benchmarks.md).
    for d in done:
        shutil.rmtree(d, ignore_errors=True)
    if not given:
        shutil.rmtree(work, ignore_errors=True)
    print(f"| trials (-j {jobs}) | runner | wall | trials/s | runner CPU per trial | `tune status` |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
