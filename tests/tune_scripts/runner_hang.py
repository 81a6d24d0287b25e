"""A trial that never ends: starts a grandchild that sleeps too (its pid in
HP_TRIAL_DIR/child.pid), prints one metric, then sleeps. With --ignore-term
it ignores SIGTERM, so only SIGKILL ends it."""
import os
import signal
import subprocess
import sys
import time

if "--ignore-term" in sys.argv:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(os.path.join(os.environ["HP_TRIAL_DIR"], "child.pid"), "w") as f:
    f.write(str(child.pid))
print("loss=1.5", flush=True)
time.sleep(600)
