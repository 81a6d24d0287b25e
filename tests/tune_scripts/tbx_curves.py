"""A multi-fidelity trial that reports only through its own tfevents: the
loss curve of `curves.py` written with tensorboardX into HP_TRIAL_DIR (tag
`loss`, steps 1..EPOCHS, flushed after each epoch), sleeping --sleep seconds
per epoch so a runner following the file can stop it while it runs. With
--print it also prints `epoch=E loss=L`, the same points on stdout (the
runner must count them once)."""
import math
import os
import sys
import time

from tensorboardX import SummaryWriter

x = float(os.environ["HP_X"])
epochs = int(os.environ.get("HP_EPOCHS", "8"))
sleep = float(sys.argv[sys.argv.index("--sleep") + 1]) if "--sleep" in sys.argv else 0.0
echo = "--print" in sys.argv
floor = (x - 0.3) ** 2
start = 1.0 + x
rate = 0.15 + 0.6 * x
w = SummaryWriter(os.environ["HP_TRIAL_DIR"])
for e in range(1, epochs + 1):
    loss = floor + (start - floor) * math.exp(-rate * e)
    w.add_scalar("loss", loss, e)
    w.flush()
    if echo:
        print(f"epoch={e} loss={loss:.6f}", flush=True)
    time.sleep(sleep)
w.close()
