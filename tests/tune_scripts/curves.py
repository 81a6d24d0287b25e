"""A multi-fidelity trial for `--early-stop`: a loss curve over epochs
1..EPOCHS whose shape depends on the hparams, curves crossing (a fast
starter can end worse than a slow one).

    loss(e) = floor + (start - floor) * exp(-rate * e) + noise
    floor = (x - 0.3)^2, start = 1 + x, rate = 0.15 + 0.6 * x

so small x learns slowly but ends best, large x starts fast and ends badly.
Noise: Gaussian with --noise SD (default 0), seeded by --seed and x.
Prints `epoch=E loss=L` per epoch, sleeping --sleep seconds after each
(default 0) so a runner can stop it between epochs. Standard library only.
"""
import math
import random
import time

from _params import param

x = param("x", 0.5, float)
epochs = param("epochs", 9, int)
noise = param("noise", 0.0, float)
sleep = param("sleep", 0.0, float)
seed = param("seed", 0, int)
rng = random.Random(f"{seed}:{x!r}")
floor = (x - 0.3) ** 2
start = 1.0 + x
rate = 0.15 + 0.6 * x
for e in range(1, epochs + 1):
    loss = floor + (start - floor) * math.exp(-rate * e) + rng.gauss(0.0, noise)
    print(f"epoch={e} loss={loss:.6f}", flush=True)
    if sleep > 0:
        time.sleep(sleep)
