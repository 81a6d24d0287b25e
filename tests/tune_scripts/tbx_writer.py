#!/usr/bin/env python3
"""A trial that writes its own tfevents with tensorboardX into $HP_TRIAL_DIR.

Parameters (see _params.py): lr (float, default 0.1), units (int, default 8),
epochs (int, default 3), sleep (float seconds between epochs, default 0).

Needs tensorboardX (the peers venv has it) and HP_TRIAL_DIR (exits 2 without
it). Writes, as Keras' TensorBoard callback lays them out:
  HP_TRIAL_DIR/train/       tags epoch_loss = lr*units/(e+1),
                                 epoch_accuracy = 1/(1+epoch_loss)
  HP_TRIAL_DIR/validation/  tags epoch_loss = 2*lr*units/(e+1),
                                 epoch_accuracy = 1/(1+epoch_loss)
at steps e = 0 .. epochs-1 (tensorboardX stores float32 `simple_value`s, so
compare with the values rounded to f32). Flushes after every epoch so a
follower sees the files grow. Prints nothing metric-like on stdout.
"""

import os
import sys
import time

from _params import param

try:
    from tensorboardX import SummaryWriter
except ImportError:
    print("tensorboardX is not installed", file=sys.stderr)
    sys.exit(2)

trial_dir = os.environ.get("HP_TRIAL_DIR")
if not trial_dir:
    print("HP_TRIAL_DIR is not set", file=sys.stderr)
    sys.exit(2)

lr = param("lr", 0.1, float)
units = param("units", 8, int)
epochs = param("epochs", 3, int)
sleep = param("sleep", 0.0, float)

writers = {
    "train": (SummaryWriter(os.path.join(trial_dir, "train")), 1.0),
    "validation": (SummaryWriter(os.path.join(trial_dir, "validation")), 2.0),
}
for e in range(epochs):
    for w, factor in writers.values():
        loss = factor * lr * units / (e + 1)
        w.add_scalar("epoch_loss", loss, e)
        w.add_scalar("epoch_accuracy", 1 / (1 + loss), e)
        w.flush()
    print(f"finished epoch {e}", flush=True)
    if sleep > 0:
        time.sleep(sleep)
for w, _ in writers.values():
    w.close()
