#!/usr/bin/env python3
"""usage: search_runner.py HP_REPORT [--quick] [--seeds N] [--optuna-py PY] [-w WORKERS]
                          [--problems branin,hartmann6,mixed,digits] [--methods tpe,gp,...]
                          [--optuna-samplers TPE,GP,...] [--work DIR] [--cache FILE]

Search quality through the trial runner (docs/benchmarks.md, "Search quality
through the runner"): every benchmark problem is a real trial command,
`python3 problem_trial.py PROBLEM`, which reads its parameters from the HP_*
environment variables and prints `value=V`. `hp-report tune --method M`
(tpe, gp, cmaes, random; -j 1) and Optuna's samplers (TPE, GP, CMA-ES,
random, where their dependencies import) drive the very same command, Optuna
through `subprocess.run` inside its objective, for N trials per seed. Prints,
per problem and sampler, the median and quartiles over seeds of the best value
after N trials, its gap to the known minimum, the ratio of that gap to Optuna
TPE's measured in the same run (< 1: closer to the minimum), and how many
seeds came within 0.1 of the minimum.

`digits` (not in the default set: it needs scikit-learn in the --optuna-py
venv) is a real training, scikit-learn's MLPClassifier on the digits dataset,
validation accuracy maximised; its "gap" is the validation error 1 − accuracy
and the ratio compares errors. Its trials ask a warm scikit-learn server
(`problem_trial.py --serve-digits`, started here) to train, so a trial costs
the training, not seconds of imports.

--quick: Branin only, 3 seeds, hp-report's tpe and gp and (when --optuna-py
is given) Optuna's TPE: proves the pipeline works (tests/all.sh).
Each (sampler, seed) run is sequential; WORKERS runs go at once (default 2).
--methods "" runs none of hp-report's. --cache FILE keeps each run's best as a
JSON line and reuses the lines already there (same problem, sampler, seed), so
a long comparison can be resumed or done in parts; the table covers the
problems, samplers and seeds asked for.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
TRIAL = os.path.join(HERE, "problem_trial.py")

# name -> (hp-report -p arguments, budget N, known optimum); digits is
# maximised (accuracy, optimum 1), the others minimised.
PROBLEMS = {
    "branin": (["x1=uniform(-5,10)", "x2=uniform(0,15)"], 30, 0.397887),
    "hartmann6": ([f"x{i}=uniform(0,1)" for i in range(1, 7)], 60, -3.32237),
    "digits": (
        [
            "lr=loguniform(1e-4,0.3)",
            "alpha=loguniform(1e-6,0.1)",
            "hidden=range(16,144,16)",
            "activation=choice(relu,tanh,logistic)",
        ],
        30,
        1.0,
    ),
    "mixed": (
        [
            "lr=loguniform(1e-5,1)",
            "depth=int(1,8)",
            "units=range(16,272,16)",
            "dropout=quniform(0,0.5,0.05)",
            "activation=choice(relu,tanh,sigmoid)",
        ],
        40,
        0.0,
    ),
}


MAXIMISE = {"digits"}


def arg(args, name, default):
    return args[args.index(name) + 1] if name in args else default


def run_ours(binary, work, problem, method, seed):
    params, n, _ = PROBLEMS[problem]
    d = os.path.join(work, f"ours-{problem}-{method}-{seed}")
    shutil.rmtree(d, ignore_errors=True)
    direction = "max" if problem in MAXIMISE else "min"
    cmd = [binary, "tune", "--logdir", d, "--objective", f"value:{direction}", "--method", method,
           "--seed", str(seed), "-n", str(n), "-j", "1", "-q", "--no-table"]
    for p in params:
        cmd += ["-p", p]
    cmd += ["--", sys.executable, TRIAL, problem]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    values = []
    with open(os.path.join(d, "trials.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["event"] == "end" and r["state"] == "succeeded":
                values.append(float(r["objective"]))
    shutil.rmtree(d, ignore_errors=True)
    assert len(values) == n, f"{problem} {method} seed {seed}: {len(values)} of {n} trials succeeded"
    return max(values) if problem in MAXIMISE else min(values)


def optuna_one(problem, sampler, seed):
    """In the Optuna venv: one study over the trial command; prints its best."""
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    make = {
        "TPE": lambda: optuna.samplers.TPESampler(seed=seed),
        "random": lambda: optuna.samplers.RandomSampler(seed=seed),
        "CMA-ES": lambda: optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False),
        "GP": lambda: optuna.samplers.GPSampler(seed=seed),
    }[sampler]

    def objective(trial):
        if problem == "branin":
            vals = {"x1": trial.suggest_float("x1", -5, 10), "x2": trial.suggest_float("x2", 0, 15)}
        elif problem == "hartmann6":
            vals = {f"x{i}": trial.suggest_float(f"x{i}", 0, 1) for i in range(1, 7)}
        elif problem == "digits":
            vals = {
                "lr": trial.suggest_float("lr", 1e-4, 0.3, log=True),
                "alpha": trial.suggest_float("alpha", 1e-6, 0.1, log=True),
                "hidden": trial.suggest_int("hidden", 16, 128, step=16),
                "activation": trial.suggest_categorical("activation", ["relu", "tanh", "logistic"]),
            }
        else:
            vals = {
                "lr": trial.suggest_float("lr", 1e-5, 1.0, log=True),
                "depth": trial.suggest_int("depth", 1, 8),
                "units": trial.suggest_int("units", 16, 256, step=16),
                "dropout": trial.suggest_float("dropout", 0.0, 0.5, step=0.05),
                "activation": trial.suggest_categorical("activation", ["relu", "tanh", "sigmoid"]),
            }
        env = dict(os.environ)
        env.update({"HP_" + k.upper(): str(v) for k, v in vals.items()})
        out = subprocess.run([sys.executable, TRIAL, problem], env=env, check=True,
                             capture_output=True, text=True).stdout
        return float(out.strip().split("=", 1)[1])

    direction = "maximize" if problem in MAXIMISE else "minimize"
    study = optuna.create_study(sampler=make(), direction=direction)
    study.optimize(objective, n_trials=PROBLEMS[problem][1])
    print(study.best_value)


def optuna_samplers(py, quick):
    if quick:
        return ["TPE"]
    out = ["TPE", "random"]
    for mod, name in [("cmaes", "CMA-ES"), ("torch", "GP")]:
        ok = subprocess.run([py, "-c", f"import {mod}, scipy"], capture_output=True).returncode == 0
        if ok:
            out.append(name)
        else:
            print(f"{mod} does not import in {py}: Optuna's {name} sampler skipped", file=sys.stderr)
    return out


def run_optuna(py, problem, sampler, seed):
    out = subprocess.run([py, os.path.abspath(__file__), "--optuna-one", problem, sampler, str(seed)],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def quantile(xs, q):
    xs = sorted(xs)
    pos = q * (len(xs) - 1)
    i = int(math.floor(pos))
    return xs[i] + (pos - i) * (xs[i + 1] - xs[i]) if i + 1 < len(xs) else xs[i]


def table(results, problems, seeds, seconds):
    print("| problem (N) | sampler | median best | q1 | q3 | gap (median) | gap / Optuna TPE's "
          "| within 0.1 | seconds |")
    print("|---|---|---|---|---|---|---|---|---|")
    for problem in problems:
        _, n, opt = PROBLEMS[problem]
        sign = -1 if problem in MAXIMISE else 1
        rows = sorted(((k[1], v) for k, v in results.items() if k[0] == problem),
                      key=lambda r: sign * quantile(r[1], 0.5))
        ref = results.get((problem, "optuna TPE"))
        ref_gap = sign * (quantile(ref, 0.5) - opt) if ref else None
        for sampler, bests in rows:
            med = quantile(bests, 0.5)
            gap = sign * (med - opt)
            ratio = f"{gap / ref_gap:.2f}" if ref_gap else "-"
            hits = "-" if problem in MAXIMISE else f"{sum(b < opt + 0.1 for b in bests)}/{len(bests)}"
            print(f"| {problem} ({n}) | {sampler} | {med:.4f} | {quantile(bests, 0.25):.4f} | "
                  f"{quantile(bests, 0.75):.4f} | {gap:.4f} | {ratio} | {hits} | "
                  f"{seconds[(problem, sampler)]:.0f} |")
    print(f"\n{seeds} seeds per cell (0..{seeds - 1}); best value after N trials (digits: highest "
          "validation accuracy, gap = 1 - accuracy; others minimised); every trial a "
          "`problem_trial.py` process; seconds: summed wall time of the cell's runs.")


def start_digits_server(py, work):
    """The warm scikit-learn server digits trials ask; its socket path goes
    into DIGITS_TRIAL_SOCKET, which every trial inherits."""
    path = os.path.join(work, "digits.sock")
    server = subprocess.Popen([py, TRIAL, "--serve-digits", path], stdout=subprocess.PIPE, text=True)
    if server.stdout.readline().strip() != "ready":
        server.kill()
        raise SystemExit(f"the digits server did not start ({py} needs scikit-learn)")
    os.environ["DIGITS_TRIAL_SOCKET"] = path
    return server


def seed_of(jobs, seeds):
    """The seed of each job: jobs come in runs of `seeds`, seed 0 first."""
    return [i % seeds for i in range(len(jobs))]


def load_cache(path):
    """(problem, sampler, seed) -> (best, seconds) from a --cache file."""
    out = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                out[(r["problem"], r["sampler"], r["seed"])] = (r["best"], r["seconds"])
    return out


def timed(f):
    t = time.monotonic()
    value = f()
    return value, time.monotonic() - t


def main():
    args = sys.argv[1:]
    if args and args[0] == "--optuna-one":
        optuna_one(args[1], args[2], int(args[3]))
        return 0
    if not args or args[0].startswith("-"):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    binary = os.path.abspath(args[0])
    quick = "--quick" in args
    seeds = int(arg(args, "--seeds", "3" if quick else "10"))
    problems = arg(args, "--problems", "branin" if quick else "branin,hartmann6,mixed").split(",")
    py = arg(args, "--optuna-py", None)
    workers = int(arg(args, "-w", "2"))
    methods = [m for m in arg(args, "--methods", "tpe,gp" if quick else "tpe,gp,cmaes,random").split(",") if m]
    cache_path = arg(args, "--cache", None)
    cache = load_cache(cache_path)
    given = arg(args, "--work", None)
    work = given or tempfile.mkdtemp(prefix="hp-search-runner-")
    server = start_digits_server(py or sys.executable, work) if "digits" in problems else None
    jobs = []
    for problem in problems:
        for m in methods:
            jobs += [((problem, f"hp-report {m}"), lambda p=problem, m=m, s=s: run_ours(binary, work, p, m, s))
                     for s in range(seeds)]
        if py:
            wanted = arg(args, "--optuna-samplers", None)
            names = [n for n in optuna_samplers(py, quick) if not wanted or n in wanted.split(",")]
            for name in names:
                jobs += [((problem, f"optuna {name}"), lambda p=problem, n=name, s=s: run_optuna(py, p, n, s))
                         for s in range(seeds)]
    results, seconds = {}, {}
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = []
            for (key, f), seed in zip(jobs, seed_of(jobs, seeds)):
                hit = cache.get((*key, seed))
                futures.append((key, seed, None if hit else pool.submit(timed, f), hit))
            for key, seed, fut, hit in futures:
                value, took = hit or fut.result()
                if not hit and cache_path:
                    with open(cache_path, "a") as f:
                        f.write(json.dumps({"problem": key[0], "sampler": key[1], "seed": seed,
                                            "best": value, "seconds": took}) + "\n")
                results.setdefault(key, []).append(value)
                seconds[key] = seconds.get(key, 0.0) + took
    finally:
        if server:
            server.kill()
            server.wait()
    if not given:
        shutil.rmtree(work, ignore_errors=True)
    table(results, problems, seeds, seconds)
    print(f"wall time {time.monotonic() - start:.0f} s with {workers} runs at once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
