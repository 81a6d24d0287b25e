"""A trial that never ends: prints one metric, starts a grandchild that
sleeps too (its pid in HP_TRIAL_DIR/child.pid), then sleeps. With --ignore-term
it ignores SIGTERM, so only SIGKILL ends it."""
import os
import signal
import subprocess
import sys
import time

if "--ignore-term" in sys.argv:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("loss=1.5", flush=True)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
# Written last: once this file exists, the metric line above is in the pipe.
tmp = os.path.join(os.environ["HP_TRIAL_DIR"], "child.pid.tmp")
with open(tmp, "w") as f:
    f.write(str(child.pid))
os.rename(tmp, tmp[:-4])
time.sleep(600)
