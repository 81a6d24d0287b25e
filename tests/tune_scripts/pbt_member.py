"""A population-based-training member: continues the checkpoint it is given
and saves its own, so its score depends on its hparam and on where it
started.

    python3 pbt_member.py {checkpoint_dir} {parent_checkpoint} [--sleep S]

The placeholders must equal HP_CHECKPOINT_DIR and HP_PARENT_CHECKPOINT.
Each generation adds gain(x) = 1 - 4 (x - 0.7)^2 to the parent's score
(0 without a parent) over three printed steps, and saves
{"score": ..., "xs": parent's xs + [x]} as checkpoint_dir/state.json.
Standard library only."""
import json
import os
import sys
import time

ckpt, parent = sys.argv[1], sys.argv[2]
assert ckpt == os.environ["HP_CHECKPOINT_DIR"], (ckpt, os.environ["HP_CHECKPOINT_DIR"])
assert parent == os.environ["HP_PARENT_CHECKPOINT"]
assert os.path.isdir(ckpt) and not os.listdir(ckpt)
sleep = float(sys.argv[sys.argv.index("--sleep") + 1]) if "--sleep" in sys.argv else 0.0
x = float(os.environ["HP_X"])
state = {"score": 0.0, "xs": []}
if parent:
    with open(os.path.join(parent, "state.json")) as f:
        state = json.load(f)
gain = 1.0 - 4.0 * (x - 0.7) ** 2
for step in range(1, 4):
    print(f"step={step} score={state['score'] + gain * step / 3}", flush=True)
    time.sleep(sleep / 3)
state = {"score": state["score"] + gain, "xs": state["xs"] + [x]}
with open(os.path.join(ckpt, "state.json"), "w") as f:
    json.dump(state, f)
