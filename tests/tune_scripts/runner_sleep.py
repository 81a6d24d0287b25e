"""A short trial for the kill-and-resume test: sleeps a little (by its
parameter), prints a loss, and appends its trial directory to the file
named by the first argument when it completes."""
import os
import sys
import time

x = float(os.environ["HP_X"])
time.sleep(0.05 + 0.25 * x)
print(f"loss={x * x}", flush=True)
with open(sys.argv[1], "a") as f:
    f.write(os.path.basename(os.environ["HP_TRIAL_DIR"]) + "\n")
