#!/usr/bin/env python3
"""What the real W&B sweeps engine and NNI make of the space files in
tests/tune_scripts/dialects/, to compare with `hp-report tune --print-space`.

Needs `pip install sweeps==0.2.0 pyyaml` and `pip install --no-deps nni==3.0`
(only nni/parameter_expressions.py is loaded, so NNI's own dependencies are
not needed). Not run by CI: W&B's engine pulls scipy and scikit-learn.

Measured on 2026-11-30 (all agree with hp-report except where noted):
  W&B  min/max 2..5 (ints)      support [2, 5], grid 2 3 4 5
  W&B  int_uniform -1..1        grid -1 0 1
  W&B  q_uniform 0..1 q 0.25    grid 0 0.25 0.5 0.75 (np.arange drops max;
                                hp-report's grid includes 1, by design)
  W&B  log_uniform -9.21..-2.30 support [1e-4, 0.1] (natural-log bounds)
  W&B  log_uniform_values       support [1e-4, 0.1]
  W&B  inv_log_uniform 0..2.30  support [0.1, 1]
  W&B  inv_log_uniform_values   support [0.01, 1]
  W&B  q_log_uniform_values 1..100 q 5  support [0, 100] (no clip: round(1/5)*5
                                = 0; hp-report clips to 1, by design)
  NNI  randint [1, 4)           {1, 2, 3}
  NNI  quniform [1, 10, 3]      {1, 3, 6, 9}
  NNI  qloguniform [1, 1000, 10]  101 distinct values {1, 10, 20, ..., 1000}
  NNI  loguniform [0.001, 0.1]  within [0.001, 0.1]
"""

import collections
import glob
import importlib.util
import json
import os
import sys

import numpy as np
import yaml
from sweeps import SweepConfig
from sweeps.grid_search import grid_search_next_runs
from sweeps.params import HyperParameter

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dialects")


def wandb():
    with open(os.path.join(HERE, "wandb_sweep.yaml")) as f:
        cfg = yaml.safe_load(f)
    print("W&B sweeps 0.2.0:")
    for name, spec in cfg["parameters"].items():
        hp = HyperParameter(name, spec)
        if hp.type == HyperParameter.CATEGORICAL:
            print(f"  {name} values {spec['values']}")
            continue
        lo, hi = hp.ppf(np.array([1e-12]))[0], hp.ppf(np.array([1 - 1e-12]))[0]
        print(f"  {name} support [{float(min(lo, hi))!r}, {float(max(lo, hi))!r}]")
    gridable = ("a_int", "b_intu", "c_q", "i_cat")
    grid_cfg = {"method": "grid", "parameters": {k: cfg["parameters"][k] for k in gridable}}
    runs, seen = [], collections.defaultdict(set)
    while True:
        nxt = grid_search_next_runs(runs, SweepConfig(grid_cfg), validate=True)
        if not nxt or nxt[0] is None:
            break
        nxt[0].state = "finished"
        runs.append(nxt[0])
        for k, v in nxt[0].config.items():
            seen[k].add(v["value"])
    print(f"  grid: {len(runs)} runs", {k: sorted(v) for k, v in seen.items()})


def nni():
    path = glob.glob(sys.prefix + "/lib/python3*/site-packages/nni/parameter_expressions.py")[0]
    spec = importlib.util.spec_from_file_location("parameter_expressions", path)
    pe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pe)
    rs = np.random.RandomState(0)
    with open(os.path.join(HERE, "nni_search_space.json")) as f:
        ss = json.load(f)
    print("NNI 3.0 parameter_expressions, 20000 draws each:")
    for name, s in ss.items():
        draw = getattr(pe, s["_type"])
        xs = [float(draw(*s["_value"], random_state=rs)) for _ in range(20000)]
        distinct = sorted(set(xs))
        shown = distinct if len(distinct) < 20 else f"{len(distinct)} distinct"
        print(f"  {name} min {min(xs)!r} max {max(xs)!r} values {shown}")


if __name__ == "__main__":
    wandb()
    nni()
