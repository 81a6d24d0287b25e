"""A quick trial over a mixed space for `--method tpe|cmaes`: records the
values it got in HP_TRIAL_DIR/seen.json and prints `loss=L`, a smooth
function of lr (log scale), units (int) and opt (categorical).
Standard library only."""
import json
import math
import os

from _params import param

lr = param("lr", 0.01, float)
units = param("units", 8, int)
opt = param("opt", "adam", str)
with open(os.path.join(os.environ["HP_TRIAL_DIR"], "seen.json"), "w") as f:
    json.dump({"lr": lr, "units": units, "opt": opt}, f)
loss = (math.log10(lr) + 2.0) ** 2 + (units - 12) ** 2 / 50.0 + (0.0 if opt == "adam" else 0.5)
print(f"loss={loss:.6f}", flush=True)
