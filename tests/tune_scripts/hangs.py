#!/usr/bin/env python3
"""A trial that prints one metric and then never ends.

Parameters (see _params.py): ignore_term (int, default 0), child (int,
default 0).

Prints `loss=1.0` on stdout (flushed), then sleeps forever.
  * ignore_term=1: SIGTERM is ignored, so only SIGKILL (after the runner's
    grace period) ends it;
  * child=1: first starts a child process (another Python sleeping forever)
    in the same process group and prints "child pid N" on stderr, to check
    that a timeout kills the whole group, not just the trial's first process.
"""

import signal
import subprocess
import sys
import time

from _params import param

ignore_term = param("ignore_term", 0, int)
child = param("child", 0, int)

if ignore_term:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if child:
    p = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(3600)"])
    print(f"child pid {p.pid}", file=sys.stderr, flush=True)
print("loss=1.0", flush=True)
while True:
    time.sleep(3600)
