"""Search quality: hp-report's samplers against Optuna's on the same problems.

Run through bench/search_quality.sh (it makes the venv and builds the
`search_bench` example). Prints, for each problem and sampler, the median and
quartiles of the best value found after N trials over the seeds, as a
Markdown table for docs/benchmarks.md.
"""

import argparse
import math
import os
import subprocess
import sys
import warnings

import optuna

# The same problems as src/tune/search/problems.rs; the formulas are the
# trial program's, so the runner benchmark and this one evaluate one code.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tune"))
from problem_trial import branin_value, hartmann6_value, mixed_value  # noqa: E402

BRANIN_MIN, HARTMANN6_MIN, MIXED_MIN = 0.397887, -3.32237, 0.0


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    return branin_value(x1, x2)


def hartmann6(trial):
    return hartmann6_value([trial.suggest_float(f"x{i}", 0, 1) for i in range(1, 7)])


def mixed(trial):
    lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
    depth = trial.suggest_int("depth", 1, 8)
    units = trial.suggest_int("units", 16, 256, step=16)
    dropout = trial.suggest_float("dropout", 0.0, 0.5, step=0.05)
    act = trial.suggest_categorical("activation", ["relu", "tanh", "sigmoid"])
    return mixed_value(lr, depth, units, dropout, act)


PROBLEMS = {"branin": (branin, 30, BRANIN_MIN), "hartmann6": (hartmann6, 60, HARTMANN6_MIN), "mixed": (mixed, 40, MIXED_MIN)}


def optuna_samplers():
    out = {
        "optuna TPE": lambda s: optuna.samplers.TPESampler(seed=s),
        "optuna TPE univariate": lambda s: optuna.samplers.TPESampler(seed=s, multivariate=False),
        "optuna random": lambda s: optuna.samplers.RandomSampler(seed=s),
    }
    try:
        import cmaes  # noqa: F401
        import scipy  # noqa: F401

        out["optuna CMA-ES"] = lambda s: optuna.samplers.CmaEsSampler(
            seed=s, warn_independent_sampling=False
        )
    except ImportError:
        print("cmaes/scipy missing: Optuna's CmaEsSampler skipped", file=sys.stderr)
    return out


def run_optuna(make, fn, n, seed):
    study = optuna.create_study(sampler=make(seed), direction="minimize")
    study.optimize(fn, n_trials=n)
    return study.best_value


def quantile(xs, q):
    xs = sorted(xs)
    pos = q * (len(xs) - 1)
    i = int(math.floor(pos))
    if i + 1 < len(xs):
        return xs[i] + (pos - i) * (xs[i + 1] - xs[i])
    return xs[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="the search_bench example binary")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--problems", default=",".join(PROBLEMS), help="comma-separated subset")
    ap.add_argument("--only", help="sampler names on both sides, e.g. TPE,random")
    args = ap.parse_args()
    problems = args.problems.split(",")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")

    results = {}  # (problem, sampler) -> [best]
    cmd = [args.ours, "--seeds", str(args.seeds)] + (["--only", args.only] if args.only else [])
    ours = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in ours.splitlines():
        problem, sampler, _seed, best = line.split("\t")
        if problem in problems:
            results.setdefault((problem, "hp-report " + sampler), []).append(float(best))
    for name, make in optuna_samplers().items():
        if args.only and name not in ["optuna " + o for o in args.only.split(",")]:
            continue
        for problem in problems:
            fn, n, _ = PROBLEMS[problem]
            results[(problem, name)] = [run_optuna(make, fn, n, s) for s in range(args.seeds)]

    print(f"| problem (N) | sampler | median best | q1 | q3 | gap to optimum (median) |")
    print("|---|---|---|---|---|---|")
    for problem in problems:
        _, n, opt = PROBLEMS[problem]
        rows = [(k[1], v) for k, v in results.items() if k[0] == problem]
        rows.sort(key=lambda r: quantile(r[1], 0.5))
        for sampler, bests in rows:
            med = quantile(bests, 0.5)
            print(
                f"| {problem} ({n}) | {sampler} | {med:.4f} | {quantile(bests, 0.25):.4f} "
                f"| {quantile(bests, 0.75):.4f} | {med - opt:.4f} |"
            )
    print(f"\n{args.seeds} seeds per cell; best value after N trials, minimised.")


if __name__ == "__main__":
    main()
