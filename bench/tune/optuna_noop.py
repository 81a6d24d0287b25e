#!/usr/bin/env python3
"""usage: optuna_noop.py JOURNAL N JOBS

The Optuna side of the tune benchmark: a study in a JournalStorage file, N
trials asked and told by JOBS threads, each trial running the same no-op
command as hp-report's side (`/bin/echo loss=<x>`) as a process and parsing
its objective from stdout. Prints one JSON line: completed trials and this
process's CPU seconds (user + system, children excluded).
"""
import json
import resource
import subprocess
import sys
import threading

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend


def main():
    path, n, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(path))
    study = optuna.create_study(study_name="noop", storage=storage, direction="minimize",
                                sampler=optuna.samplers.RandomSampler(seed=0))
    lock = threading.Lock()
    left = [n]

    def worker():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            trial = study.ask()
            x = trial.suggest_float("x", 0.0, 1.0)
            out = subprocess.run(["/bin/echo", f"loss={x}"], capture_output=True, text=True).stdout
            study.tell(trial, float(out.strip().split("=", 1)[1]))

    threads = [threading.Thread(target=worker) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    complete = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
    print(json.dumps({"complete": complete, "cpu_secs": ru.ru_utime + ru.ru_stime}))


if __name__ == "__main__":
    main()
