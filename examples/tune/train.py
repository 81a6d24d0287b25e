#!/usr/bin/env python3
"""A stand-in training script for `hp-report tune` (README, docs/tune.md):
fits y = 3x - 1 with plain gradient descent, hyperparameters as flags, and
prints one metric line per epoch in the `name=value` grammar.

    python3 examples/tune/train.py --lr 0.05 --batch 16 --epochs 20
"""
import argparse
import random

p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.01)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--epochs", type=int, default=20)
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()

rng = random.Random(a.seed)
data = [(x, 3 * x - 1 + rng.gauss(0, 0.1)) for x in (rng.uniform(-1, 1) for _ in range(512))]
train, val = data[:400], data[400:]
w = b = 0.0
for epoch in range(a.epochs):
    rng.shuffle(train)
    for i in range(0, len(train), a.batch):
        batch = train[i:i + a.batch]
        gw = sum(2 * (w * x + b - y) * x for x, y in batch) / len(batch)
        gb = sum(2 * (w * x + b - y) for x, y in batch) / len(batch)
        w, b = w - a.lr * gw, b - a.lr * gb
    loss = sum((w * x + b - y) ** 2 for x, y in train) / len(train)
    val_loss = sum((w * x + b - y) ** 2 for x, y in val) / len(val)
    print(f"epoch={epoch} loss={loss:.6f} val_loss={val_loss:.6f}", flush=True)
