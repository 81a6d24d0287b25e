"""Oracle for the early-stopping rules: Syne Tune's ASHA brackets and Optuna's
MedianPruner decide on random report sequences; the decisions are written to
tests/data/stopping_oracle.json, which src/tune/search/stopping_tests.rs
replays through hp-report's rules and must match decision for decision.

    $SEARCH_BENCH_VENV/bin/pip install optuna syne-tune
    $SEARCH_BENCH_VENV/bin/python bench/stopping_oracle.py > tests/data/stopping_oracle.json
"""

import json
import math
import random
import sys

import optuna
from syne_tune.optimizer.schedulers.asha import Bracket

MASK = (1 << 64) - 1


def splitmix64_first(seed):
    """First output of SplitMix64 seeded with `seed` (src/rng.rs)."""
    z = (seed + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def bracket_of(trial, eta, brackets):
    """hp-report's Hyperband bracket: Optuna's budgets, SplitMix64 for crc32."""
    b = brackets
    budgets = [math.ceil(b * eta ** (b - 1 - s) / (b - s)) for s in range(b)]
    u = splitmix64_first(trial) % sum(budgets)
    for s, budget in enumerate(budgets):
        if u < budget:
            return s
        u -= budget
    return b - 1


def asha_case(rng, grace, eta, max_t, brackets, minimize):
    """Random interleaved reports of 12 trials through Syne Tune's brackets."""
    mult = 1 if minimize else -1
    bs = [Bracket(grace, max_t, eta, s) for s in range(brackets)]
    steps = {t: 0 for t in range(12)}
    alive = set(steps)
    events = []
    while alive:
        t = rng.choice(sorted(alive))
        steps[t] += rng.choice([1, 1, 1, 2])  # now and then a skipped step
        value = round(rng.uniform(0, 1) + 0.02 * steps[t] * (t % 3), 2)
        if steps[t] >= max_t:
            action = "STOP"
        else:
            b = bs[bracket_of(t, eta, brackets) if brackets > 1 else 0]
            action = b.on_result(trial_id=t, cur_iter=steps[t], metrics={"m": value * mult})
        stop = str(action).upper().endswith("STOP")
        events.append([t, steps[t], value, "stop" if stop else "continue"])
        if stop:
            alive.discard(t)
    return {"grace": grace, "eta": eta, "max": max_t, "brackets": brackets,
            "minimize": minimize, "events": events}


def median_case(rng, warmup, min_trials, minimize):
    """Interleaved trials (3 at a time, 16 in all, 8 steps each) through Optuna."""
    pruner = optuna.pruners.MedianPruner(n_startup_trials=min_trials, n_warmup_steps=warmup)
    study = optuna.create_study(direction="minimize" if minimize else "maximize", pruner=pruner)
    running, started, events = {}, 0, []
    while started < 16 or running:
        while len(running) < 3 and started < 16:
            running[started] = (study.ask(), 0)
            started += 1
        n = rng.choice(sorted(running))
        trial, step = running[n]
        step += 1
        value = round(rng.uniform(0, 1) + 1.0 / step + 0.05 * (n % 4), 2)
        trial.report(value, step)
        prune = trial.should_prune()
        events.append(["report", n, step, value, "stop" if prune else "continue"])
        if prune:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            del running[n]
        elif step == 8:
            study.tell(trial, value)
            events.append(["complete", n, 0, 0.0, ""])
            del running[n]
        else:
            running[n] = (trial, step)
    return {"warmup": warmup, "min_trials": min_trials, "minimize": minimize, "events": events}


def main():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rng = random.Random(2026)
    asha = []
    for grace, eta, max_t, brackets in [(1, 3, 27, 1), (1, 2, 16, 1), (2, 3, 54, 1), (1, 3, 27, 3), (1, 2, 16, 5)]:
        for minimize in (True, False):
            asha.append(asha_case(rng, grace, eta, max_t, brackets, minimize))
    median = []
    for warmup, min_trials in [(0, 5), (3, 2), (0, 1)]:
        for minimize in (True, False):
            median.append(median_case(rng, warmup, min_trials, minimize))
    json.dump({"asha": asha, "median": median}, sys.stdout, separators=(",", ":"))
    print()


if __name__ == "__main__":
    main()
