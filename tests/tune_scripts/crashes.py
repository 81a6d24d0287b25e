#!/usr/bin/env python3
"""A trial that fails for some parameter values.

Parameters (see _params.py): lr (float, default 0.1), mode (str, default "ok"),
code (int, default 3).

It first prints `loss=<lr>` on stdout (so a failed trial still has a metric),
then:
  * lr > 0.5           -> prints "diverged: lr too large" on stderr, exits 3;
  * mode == "ok"       -> exits 0 (also prints `acc=<1 - lr>`);
  * mode == "exit"     -> exits with status `code`;
  * mode == "raise"    -> raises RuntimeError (Python prints a traceback on
                          stderr and exits 1);
  * mode == "signal"   -> kills itself with SIGKILL (status 137 in a shell,
                          "killed by signal 9" for the runner: looks like OOM);
  * mode == "nometric" -> prints only "done" and exits 0 without any metric
                          (the runner's "metrics unavailable"; note it skips
                          the `loss=` line).
"""

import os
import signal
import sys

from _params import param

lr = param("lr", 0.1, float)
mode = param("mode", "ok")
code = param("code", 3, int)

if mode == "nometric":
    print("done")
    sys.exit(0)

print(f"loss={lr!r}", flush=True)
if lr > 0.5:
    print("diverged: lr too large", file=sys.stderr, flush=True)
    sys.exit(3)
if mode == "ok":
    print(f"acc={1 - lr!r}")
    sys.exit(0)
if mode == "exit":
    sys.exit(code)
if mode == "raise":
    raise RuntimeError(f"failing on purpose with lr={lr}")
if mode == "signal":
    os.kill(os.getpid(), signal.SIGKILL)
print(f"unknown mode {mode!r}", file=sys.stderr)
sys.exit(2)
