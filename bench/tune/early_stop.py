"""Multi-fidelity benchmark for `hp-report tune --early-stop` against Optuna's
pruners (docs/benchmarks.md, "Early stopping"): the same random search over
tests/tune_scripts/curves.py (noisy loss curves over epochs whose order
changes over training), run to a fixed epoch budget, per seed:

* hp-report without stopping, with `asha`, `median` and `hyperband`, and
  asha from step 3 and median from step 9 (rules that judge later, when
  the curves are closer to crossing);
* Optuna (bench/tune/early_stop_optuna.py, RandomSampler at the same seed)
  with NopPruner, SuccessiveHalvingPruner, MedianPruner and HyperbandPruner
  at the same settings, on the same command as a process per trial.

Each scheduler is compared with its own tool's run without stopping (same
seed, so the same x values in the same order): the epochs all trials ran
(counted from the process output), the best final value (trials that ran to
the end), "reach" (epochs spent, reports in run order, until some trial
first reported a loss at least as good as the unstopped run's final best),
the same within the noise σ, and the noise-free final loss of the config
each run picked (and whether it is no worse than the unstopped run's pick,
strictly and within σ/4). hp-report's run without stopping uses
`median:warmup=<beyond the budget>`, a rule that never stops but journals
every report, so all its runs are read alike.

    python3 bench/tune/early_stop.py BIN [--seeds 10] [--seed-from 0] [--trials 27] [--epochs 27]
        [--noise 0.02] [--sleep 0.02] [--optuna-py PY [--same-x]] [--json OUT] [--explain]
    python3 bench/tune/early_stop.py --replay OUT... [--explain]
Without --optuna-py only hp-report's side runs. --same-x adds Optuna's four
pruners on the x values hp-report's run drew (enqueued), so the two tools'
schedulers see the same configs and the same noise. --explain prints, for each
seed where a rule did not reach the unstopped best, where and why the trial
that gave it was stopped. Not timed: the figures are epochs.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "tune_scripts", "curves.py"))
OURS = ("none", "asha", "median", "hyperband")
# hp-report only: the same rules started later, what crossing curves ask for.
LATER = ("asha-grace3", "median-warmup9")
OPTUNA = ("none", "sha", "median", "hyperband")


def clean_loss(x, epoch):
    """curves.py's loss at `epoch` without noise (its formula)."""
    floor = (x - 0.3) ** 2
    return floor + (1.0 + x - floor) * math.exp(-(0.15 + 0.6 * x) * epoch)


def our_rules(a):
    return {
        "none": f"median:warmup={10 * a.epochs}",
        "asha": f"asha:grace=1,eta=3,max={a.epochs}",
        "median": "median:warmup=3,min_trials=5",
        "hyperband": f"hyperband:grace=1,eta=3,max={a.epochs}",
        "asha-grace3": f"asha:grace=3,eta=3,max={a.epochs}",
        "median-warmup9": "median:warmup=9,min_trials=5",
    }


def optuna_rules(a):
    return {
        "none": "NopPruner()",
        "sha": "SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)",
        "median": "MedianPruner(n_startup_trials=5, n_warmup_steps=3)",
        "hyperband": f"HyperbandPruner(min_resource=1, max_resource={a.epochs}, reduction_factor=3)",
    }


def trial_argv(a, seed):
    return [sys.executable, SCRIPT, "--epochs", str(a.epochs), "--noise", str(a.noise),
            "--sleep", str(a.sleep), "--seed", str(seed)]


def run_ours(bin_, logdir, seed, a, rule):
    """hp-report's run: trials in index order, as early_stop_optuna.py prints them."""
    cmd = [bin_, "tune", "--logdir", logdir, "-p", "x=uniform(0,1)",
           "--objective", "loss:min", "-n", str(a.trials), "-j", "1",
           "--seed", str(seed), "--kill-grace", "2s", "-q", "--no-table",
           "--early-stop", rule, "--"] + trial_argv(a, seed)
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"hp-report tune failed ({done.returncode}): {done.stderr.strip()}")
    trials = {}
    with open(os.path.join(logdir, "trials.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            t = trials.get(r.get("trial"))
            if r["event"] == "launch":
                trials[r["trial"]] = {"x": r["params"]["x"], "dir": r["dir"], "values": [],
                                      "state": None, "stop": None}
            elif r["event"] == "report" and t is not None:
                t["values"].append(r["value"])
                if r.get("decision") == "stop":
                    t["stop"] = r.get("evidence")
            elif r["event"] == "end" and t is not None:
                t["state"] = {"succeeded": "complete",
                              "early_stopped": "pruned"}.get(r["state"], r["state"])
    out = []
    for i in sorted(trials):
        t = trials.pop(i)
        log = os.path.join(logdir, t.pop("dir"), "stdout.log")
        with open(log) as f:
            t["epochs"] = sum(1 for line in f if line.startswith("epoch="))
        out.append(t)
    return out


def run_optuna(py, tmp, seed, a, pruner, xs=None):
    cfg = {"xs": xs, "python": sys.executable, "script": SCRIPT, "seed": seed, "trials": a.trials,
           "epochs": a.epochs, "noise": a.noise, "sleep": a.sleep, "pruner": pruner,
           "grace": 1, "eta": 3, "warmup": 3, "min_trials": 5}
    path = os.path.join(tmp, f"optuna-{pruner}-{seed}-{bool(xs)}.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    done = subprocess.run([py, os.path.join(HERE, "early_stop_optuna.py"), path],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"early_stop_optuna.py failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)["trials"]


def first_at_most(trials, target):
    """Epochs (reports in run order) until a value ≤ target, else None."""
    n = 0
    for t in trials:
        for v in t["values"]:
            n += 1
            if v <= target:
                return n
    return None


def measure(trials, ref, a):
    """The figures of one run, `ref` being its tool's run without stopping."""
    done = [t for t in trials if t["state"] == "complete" and t["values"]]
    pick = min(done, key=lambda t: t["values"][-1], default=None)
    clean = clean_loss(pick["x"], a.epochs) if pick else math.inf
    return {
        "epochs": sum(t["epochs"] for t in trials),
        "best": pick["values"][-1] if pick else math.inf,
        "clean": clean,
        "pick_ok": clean <= ref["clean"],
        "pick_near": clean <= ref["clean"] + a.noise / 4,
        "reach": first_at_most(trials, ref["best"]),
        "reach_tol": first_at_most(trials, ref["best"] + a.noise),
        "stopped": sum(1 for t in trials if t["state"] == "pruned"),
    }


def explain(tool, name, seed, runs, a):
    """Where the trial that gave the unstopped best was stopped, and why."""
    ref = runs["none"]
    done = [(t["values"][-1], i) for i, t in enumerate(ref) if t["state"] == "complete"]
    _, i = min(done)
    t, r = runs[name][i], ref[i]
    best_clean = min(clean_loss(u["x"], a.epochs) for u in ref)
    msg = (f"  {tool} {name} seed {seed}: unstopped best trial {i} x={r['x']:.4f} "
           f"final {r['values'][-1]:.4f} (noise-free {clean_loss(r['x'], a.epochs):.4f}; "
           f"best noise-free of the {len(ref)} configs {best_clean:.4f}); here {t['state']} "
           f"after {len(t['values'])} reports")
    ev = t.get("stop")
    if ev:
        cmp_ = sorted(ev.get("compared") or [])
        msg += (f", rung {ev.get('rung')} bracket {ev.get('bracket')}: value "
                f"{ev.get('value'):.4f} vs {len(cmp_)} others {[round(v, 4) for v in cmp_[:6]]}"
                f"{'…' if len(cmp_) > 6 else ''}, cut {ev.get('cut')}: {ev.get('why')}")
    elif t.get("pruned_at"):
        msg += f", pruned at step {t['pruned_at']} with {t['values'][t['pruned_at'] - 1]:.4f}"
    print(msg, file=sys.stderr)


def table(title, rows, rules):
    base = statistics.median(r["epochs"] for r in rows["none"])
    print(f"\n{title}\n")
    print("| scheduler | epochs (median) | vs none | reached none's best | epochs to reach "
          "(median; / none's epochs) | reached within σ | epochs to reach within σ "
          "| final best (median) | noise-free loss of the pick (median) "
          "| pick no worse than none's, noise-free (within σ/4) | early-stopped (median) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for k in (k for k in rules if k in rows):
        r = rows[k]
        ep = statistics.median(x["epochs"] for x in r)

        def reach(key):
            got = [x[key] for x in r if x[key] is not None]
            if not got:
                return f"0/{len(r)}", "–"
            med = statistics.median(got)
            return f"{len(got)}/{len(r)}", f"{med:.0f} ({med / base:.2f})"

        n1, m1 = reach("reach")
        n2, m2 = reach("reach_tol")
        ok = sum(1 for x in r if x["pick_ok"])
        near = sum(1 for x in r if x["pick_near"])
        print(f"| {k} `{rules[k]}` | {ep:.0f} | {ep / base:.2f} | {n1} | {m1} | {n2} | {m2} | "
              f"{statistics.median(x['best'] for x in r):.4f} | "
              f"{statistics.median(x['clean'] for x in r):.4f} | {ok}/{len(r)} ({near}) | "
              f"{statistics.median(x['stopped'] for x in r):.0f} |")


def collect(a):
    """Runs every scheduler of both tools per seed; the trials of every run."""
    dump = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(a.seed_from, a.seed_from + a.seeds):
            runs = {"ours": {k: run_ours(a.bin, os.path.join(tmp, f"{k}-{seed}"), seed, a, r)
                             for k, r in our_rules(a).items()}}
            if a.optuna_py:
                runs["optuna"] = {k: run_optuna(a.optuna_py, tmp, seed, a, k) for k in OPTUNA}
            if a.optuna_py and a.same_x:
                xs = [t["x"] for t in runs["ours"]["none"]]
                runs["optuna-same-x"] = {k: run_optuna(a.optuna_py, tmp, seed, a, k, xs)
                                         for k in OPTUNA}
            dump.append({"seed": seed, "runs": runs})
            print(f"seed {seed} done", file=sys.stderr)
    return dump


def summarise(dump, a):
    """The per-seed lines (stderr), --explain, and the tables (stdout)."""
    rows = {}
    for d in dump:
        for tool, by_rule in d["runs"].items():
            none = measure(by_rule["none"], {"best": math.inf, "clean": math.inf}, a)
            for k, trials in by_rule.items():
                m = measure(trials, none, a)
                rows.setdefault((tool, k), []).append(m)
                if a.explain and k != "none" and m["reach"] is None:
                    explain(tool, k, d["seed"], by_rule, a)
        print(f"seed {d['seed']}: " + "; ".join(
            f"{t}/{k} epochs={v[-1]['epochs']} best={v[-1]['best']:.4f} "
            f"reach={v[-1]['reach']} stopped={v[-1]['stopped']}"
            for (t, k), v in rows.items()), file=sys.stderr)
    print(f"{len(dump)} seeds, {a.trials} trials x {a.epochs} epochs, noise σ = {a.noise}")
    table("hp-report", {k: v for (t, k), v in rows.items() if t == "ours"}, our_rules(a))
    for tool, title in (("optuna", "Optuna, RandomSampler(seed)"),
                        ("optuna-same-x", "Optuna on hp-report's x values (enqueued)")):
        if (tool, "none") not in rows:
            continue
        table(title, {k: v for (t, k), v in rows.items() if t == tool}, optuna_rules(a))
        print(f"\n| hp-report / {title} | epochs (median) | epochs to reach (median) |")
        print("|---|---|---|")
        for o, t in zip(OURS, OPTUNA):
            eo = statistics.median(x["epochs"] for x in rows[("ours", o)])
            et = statistics.median(x["epochs"] for x in rows[(tool, t)])
            ro = [x["reach"] for x in rows[("ours", o)] if x["reach"] is not None]
            rt = [x["reach"] for x in rows[(tool, t)] if x["reach"] is not None]
            rr = f"{statistics.median(ro) / statistics.median(rt):.2f}" if ro and rt else "–"
            print(f"| {o} / {t} | {eo / et:.2f} | {rr} |")


def agreement(dump):
    """hp-report's `median` against Optuna's MedianPruner on the same x values
    (hence the same reported values): trials stopped at the same step."""
    same = total = 0
    for d in dump:
        theirs = d["runs"].get("optuna-same-x", {}).get("median")
        if theirs is None:
            continue
        for o, t in zip(d["runs"]["ours"]["median"], theirs):
            mine = o["stop"]["step"] if o.get("stop") else None
            same += mine == t["pruned_at"]
            total += 1
    if total:
        print(f"\nmedian vs MedianPruner on the same x values: {same}/{total} trials "
              "stopped at the same step (or both ran to the end)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin", nargs="?")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--seed-from", type=int, default=0, help="first seed")
    p.add_argument("--trials", type=int, default=27)
    p.add_argument("--epochs", type=int, default=27)
    p.add_argument("--noise", type=float, default=0.02)
    p.add_argument("--sleep", type=float, default=0.02)
    p.add_argument("--optuna-py")
    p.add_argument("--same-x", action="store_true",
                   help="also run Optuna's pruners on hp-report's x values (enqueued)")
    p.add_argument("--json", help="write every trial of every run here")
    p.add_argument("--replay", nargs="+", help="summarise --json files instead of running")
    p.add_argument("--explain", action="store_true")
    a = p.parse_args()
    if a.replay:
        dump = []
        for path in a.replay:
            with open(path) as f:
                saved = json.load(f)
            for k in ("trials", "epochs", "noise"):
                setattr(a, k, saved["args"][k])
            dump += saved["seeds"]
    elif a.bin:
        dump = collect(a)
    else:
        p.error("give the hp-report binary, or --replay JSON")
    if a.json and not a.replay:
        with open(a.json, "w") as f:
            json.dump({"args": vars(a), "seeds": dump}, f)
    summarise(dump, a)
    agreement(dump)


if __name__ == "__main__":
    main()
