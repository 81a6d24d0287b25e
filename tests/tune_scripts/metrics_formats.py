#!/usr/bin/env python3
"""A trial that prints its metrics in every format the metric grammar reads.

Parameters (see _params.py: --NAME VALUE, HP_NAME, or HP_PARAMS_FILE):
  lr (float, default 0.1), units (int, default 8), epochs (int, default 3),
  sleep (float seconds between epochs, default 0).

For epoch e in 0 .. epochs-1, with loss(e) = lr * units / (e + 1) and
acc(e) = 1 / (1 + loss(e)) (Python floats, printed with repr, so a Rust test
computing the same expressions gets the same bits), it prints:

  stdout  epoch=e loss=<loss(e)> acc=<acc(e)>              Katib pairs, step e
  stdout  1/1 - 0s - val_loss: <2*loss(e)> - val_acc: <acc(e)/2>
                                                           Keras line, no step
  stdout  {"step": e, "val": {"f1": <acc(e)>}, "note": "x"}
                                                           JSON, val/f1 at step e
  stdout  [tune-metric]: {"epoch": e, "mae": <loss(e)/2>, "st_worker_iter": e}
                                                           Syne Tune, mae at step e
  stderr  grad_norm: <units * (e + 1)>                     Guild pair on stderr, no step

and once, after the epochs:

  stdout  {"nan_metric": NaN, "inf_metric": -Infinity}   Python's bare non-finite JSON
  stdout  big=1,234 ver=1.5.6 model=resnet speed=95%       rejected: no metric
  stdout  final_loss=<loss(epochs-1)>                      the last loss again

Expected metrics per trial: loss, acc, val/f1, mae at steps 0..epochs-1;
val_loss, val_acc, grad_norm with epochs values each (per-name counter 0..);
nan_metric = NaN and inf_metric = -inf once; final_loss once; nothing for
big, ver, model or speed. Exit status 0.
"""

import sys
import time

from _params import param

lr = param("lr", 0.1, float)
units = param("units", 8, int)
epochs = param("epochs", 3, int)
sleep = param("sleep", 0.0, float)

loss = 0.0
for e in range(epochs):
    loss = lr * units / (e + 1)
    acc = 1 / (1 + loss)
    print(f"epoch={e} loss={loss!r} acc={acc!r}")
    print(f"1/1 - 0s - val_loss: {2 * loss!r} - val_acc: {acc / 2!r}")
    print('{"step": %d, "val": {"f1": %r}, "note": "x"}' % (e, acc))
    print('[tune-metric]: {"epoch": %d, "mae": %r, "st_worker_iter": %d}' % (e, loss / 2, e))
    print(f"grad_norm: {units * (e + 1)}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    if sleep > 0:
        time.sleep(sleep)

print('{"nan_metric": NaN, "inf_metric": -Infinity}')
print("big=1,234 ver=1.5.6 model=resnet speed=95%")
print(f"final_loss={loss!r}")
