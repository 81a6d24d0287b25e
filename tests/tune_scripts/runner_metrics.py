"""A trial for the runner tests: reads its parameters three ways (argv,
HP_<NAME>, HP_PARAMS_FILE), records what it got in HP_TRIAL_DIR/seen.json,
and prints its metrics in several formats on stdout and stderr.

loss = x * 10 / (epoch + 1) for epochs 0..2; exits with --exit-code."""
import json
import os
import sys

args = sys.argv[1:]
exit_code = 0
if "--exit-code" in args:
    exit_code = int(args[args.index("--exit-code") + 1])
params = json.load(open(os.environ["HP_PARAMS_FILE"]))
env = {k: v for k, v in os.environ.items() if k.startswith("HP_")}
with open(os.path.join(os.environ["HP_TRIAL_DIR"], "seen.json"), "w") as f:
    json.dump({"argv": sys.argv[1:], "env": env, "params": params,
               "cuda": os.environ.get("CUDA_VISIBLE_DEVICES")}, f)
x = float(params.get("x", 1.0))
for epoch in range(3):
    loss = x * 10 / (epoch + 1)
    print(f"epoch={epoch} loss={loss}", flush=True)
    print(f"acc: {1 - loss / 100} - val_loss: {loss * 2}", file=sys.stderr, flush=True)
print("training done, not a metric line")
sys.exit(exit_code)
