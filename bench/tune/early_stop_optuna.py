"""The Optuna side of the early-stopping benchmark (bench/tune/early_stop.py,
docs/benchmarks.md "Early stopping"): the same trial command as hp-report's
side, tests/tune_scripts/curves.py, run as a real process per trial; each
`epoch=E loss=L` line is read as it streams, passed to `trial.report(L, E)`,
and when `trial.should_prune()` says so the process is terminated (SIGTERM)
and the trial raises `TrialPruned`. RandomSampler at the given seed, -j 1.

    python early_stop_optuna.py CONFIG_JSON
CONFIG_JSON: {"python": child interpreter, "script": curves.py, "seed": S,
"trials": T, "epochs": E, "noise": σ, "sleep": secs, "pruner": none | sha |
median | hyperband, "grace", "eta", "warmup", "min_trials", optional "xs": x values to enqueue, in order, instead of
sampling them}.

Prints one JSON object: the trials in run order, each with x, state
(`complete` or `pruned`), the values reported (in order), the epochs the
process printed (including any printed between the decision and its death),
and the step at which it was pruned. For the successive-halving pruners the
last epoch is not a pruning point: as with hp-report's `max=E`, a trial
that reached it ran its budget. MedianPruner is asked at every epoch, the
last included (Optuna's usual report/should_prune loop, and hp-report's
`median`, which has no maximum step): a trial can be pruned at its final
report, and then does not count among the completed trials.
"""
import json
import os
import subprocess
import sys

import optuna


def pruner(c):
    kind = c["pruner"]
    if kind == "none":
        return optuna.pruners.NopPruner()
    if kind == "sha":
        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource=c["grace"], reduction_factor=c["eta"], min_early_stopping_rate=0)
    if kind == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=c["min_trials"], n_warmup_steps=c["warmup"])
    if kind == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=c["grace"], max_resource=c["epochs"], reduction_factor=c["eta"])
    raise SystemExit(f"unknown pruner {kind}")


def epoch_line(line):
    """(epoch, loss) of an `epoch=E loss=L` line, else None."""
    fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
    try:
        return int(fields["epoch"]), float(fields["loss"])
    except (KeyError, ValueError):
        return None


def run_trial(trial, c, log):
    x = trial.suggest_float("x", 0.0, 1.0)
    argv = [c["python"], c["script"], "--epochs", str(c["epochs"]), "--noise",
            str(c["noise"]), "--sleep", str(c["sleep"]), "--seed", str(c["seed"])]
    env = dict(os.environ, HP_X=repr(x))
    rec = {"x": x, "state": "complete", "values": [], "epochs": 0, "pruned_at": None}
    log.append(rec)
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env) as p:
        for line in p.stdout:
            parsed = epoch_line(line)
            if parsed is None:
                continue
            epoch, loss = parsed
            rec["epochs"] += 1
            rec["values"].append(loss)
            trial.report(loss, epoch)
            if (epoch < c["epochs"] or c["pruner"] == "median") and trial.should_prune():
                p.terminate()
                rest = p.stdout.read()
                rec["epochs"] += sum(1 for ln in rest.splitlines() if epoch_line(ln))
                p.wait()
                rec["state"] = "pruned"
                rec["pruned_at"] = epoch
                raise optuna.TrialPruned()
    if p.returncode != 0 or not rec["values"]:
        raise RuntimeError(f"trial command failed: {argv} (exit {p.returncode})")
    return rec["values"][-1]


def main():
    with open(sys.argv[1]) as f:
        c = json.load(f)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # A fixed study name: HyperbandPruner hashes it with the trial number
    # to pick each trial's bracket.
    study = optuna.create_study(study_name=f"early-stop-{c['seed']}", direction="minimize",
                                sampler=optuna.samplers.RandomSampler(seed=c["seed"]),
                                pruner=pruner(c))
    for x in c.get("xs") or []:
        study.enqueue_trial({"x": x})
    log = []
    study.optimize(lambda t: run_trial(t, c, log), n_trials=c["trials"], catch=())
    print(json.dumps({"optuna": optuna.__version__, "trials": log}))


if __name__ == "__main__":
    main()
