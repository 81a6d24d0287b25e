"""Multi-fidelity benchmark for `hp-report tune --early-stop` (docs/benchmarks.md,
"Early stopping"): the same random search over tests/tune_scripts/curves.py
(noisy loss curves over epochs whose order changes over training) run to a
fixed epoch budget without early stopping, with ASHA and with the median rule.

For each seed it reports, per scheduler: the epochs all trials ran (counted
in their stdout.log), the best objective at the end (succeeded trials), and
the epochs spent until some trial first reported a loss at least as good as
the no-stopping run's final best ("reach"; reports in journal order, -j 1).
The run without stopping uses `median:warmup=<beyond the budget>`, a rule
that never stops but journals every report, so all three are counted alike.

    python3 bench/tune/early_stop.py BIN [--seeds 5] [--trials 27] [--epochs 27]
        [--noise 0.02] [--sleep 0.02]
Not a timed benchmark: figures are epochs, not seconds.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "tests", "tune_scripts", "curves.py")


def run(bin_, logdir, seed, a, rule):
    cmd = [bin_, "tune", "--logdir", logdir, "-p", "x=uniform(0,1)",
           "--objective", "loss:min", "-n", str(a.trials), "-j", "1",
           "--seed", str(seed), "--kill-grace", "2s", "-q", "--no-table",
           "--early-stop", rule, "--", sys.executable, SCRIPT,
           "--epochs", str(a.epochs), "--noise", str(a.noise),
           "--sleep", str(a.sleep), "--seed", str(seed)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    reports, ends = [], []
    with open(os.path.join(logdir, "trials.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["event"] == "report":
                reports.append(r["value"])
            elif r["event"] == "end":
                ends.append(r)
    epochs = 0
    for d in os.listdir(logdir):
        log = os.path.join(logdir, d, "stdout.log")
        if d.startswith("trial-") and os.path.exists(log):
            with open(log) as f:
                epochs += sum(1 for line in f if line.startswith("epoch="))
    best = min((e["objective"] for e in ends
                if e["state"] == "succeeded" and isinstance(e.get("objective"), float)),
               default=float("inf"))
    stopped = sum(1 for e in ends if e["state"] == "early_stopped")
    return reports, epochs, best, stopped


def reach(reports, target):
    for i, v in enumerate(reports):
        if isinstance(v, float) and v <= target:
            return i + 1
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--trials", type=int, default=27)
    p.add_argument("--epochs", type=int, default=27)
    p.add_argument("--noise", type=float, default=0.02)
    p.add_argument("--sleep", type=float, default=0.02)
    a = p.parse_args()
    rules = {
        "none": f"median:warmup={10 * a.epochs}",
        "asha": f"asha:grace=1,eta=3,max={a.epochs}",
        "median": "median:warmup=3,min_trials=5",
    }
    rows = {k: [] for k in rules}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(a.seeds):
            out = {k: run(a.bin, os.path.join(tmp, f"{k}-{seed}"), seed, a, r)
                   for k, r in rules.items()}
            target = out["none"][2]
            for k, (reports, epochs, best, stopped) in out.items():
                rows[k].append((epochs, best, reach(reports, target), stopped))
            print(f"seed {seed}: " + ", ".join(
                f"{k} epochs={v[-1][0]} best={v[-1][1]:.4f} reach={v[-1][2]} stopped={v[-1][3]}"
                for k, v in rows.items()), file=sys.stderr)
    base = statistics.median(r[0] for r in rows["none"])
    print(f"{a.seeds} seeds, {a.trials} trials x {a.epochs} epochs, noise {a.noise}\n")
    print("| scheduler | rule | epochs (median) | vs none | reached none's best | epochs to reach (median of reached) | final best (median) | early-stopped (median) |")
    print("|---|---|---|---|---|---|---|---|")
    for k, r in rows.items():
        ep = statistics.median(x[0] for x in r)
        reached = [x[2] for x in r if x[2] is not None]
        to = statistics.median(reached) if reached else float("nan")
        print(f"| {k} | `{rules[k]}` | {ep:.0f} | {ep / base:.2f} | {len(reached)}/{len(r)} | "
              f"{to:.0f} | {statistics.median(x[1] for x in r):.4f} | "
              f"{statistics.median(x[3] for x in r):.0f} |")


if __name__ == "__main__":
    main()
