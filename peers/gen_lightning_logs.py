#!/usr/bin/env python3
"""usage: gen_lightning_logs.py OUTDIR [--sessions N] [--seed S]
       gen_lightning_logs.py OUTDIR --no-hparams [--seed S]

Writes, with tensorboardX, the bytes PyTorch Lightning's TensorBoardLogger
writes for a NeuralProphet-style sweep (torch and Lightning themselves are
too big for the peers venv; Lightning uses tensorboardX's SummaryWriter and
`tensorboardX.summary.hparams` whenever `tensorboard` is not importable, and
torch's copies of both otherwise, which write the same summaries):

  OUTDIR/lightning_logs/version_N/
      hparams.yaml                    yaml.dump of the hparams (sorted keys)
      events.out.tfevents.<t>.<host>  one SummaryWriter per version:
        hp_metric = -1 at step 0      (log_hyperparams: default_hp_metric)
        _hparams_/experiment          hparams(params, {"hp_metric": -1}),
        _hparams_/session_start_info  written by log_hyperparams into the
        _hparams_/session_end_info    run's own file (STATUS_SUCCESS at once)
        Loss, RegLoss, MAE, RMSE,     one point per epoch (step = global
        SmoothL1Loss and their _val   step), undeclared: the experiment only
        twins, epoch                  declares hp_metric

21 hparams, 15 of them the same in every session; the loss falls from about
20 to below 0.2 in the good sessions (more than two decades).

--no-hparams writes a logdir with scalars but no hparams summaries, the way
trainers that record their hyperparameters elsewhere leave one:

  plain_sgd/                     a plain SummaryWriter: loss, accuracy
  keras_run/{train,validation}/  Keras-style sub-runs: epoch_loss, epoch_accuracy
  lightning_logs/version_0/      Lightning with log_hyperparams off (no hp
                                 summaries) but its hparams.yaml, with a
                                 nested mapping, a list and a null
  ray_results/train_fn_.../      Ray Tune trial: params.json + ray/tune/* scalars
  hf/runs/<date>_<host>/         Hugging Face Trainer: TrainingArguments JSON as
                                 the text summary args/text_summary, then
                                 train/loss, train/learning_rate, eval/loss, ...
"""
import argparse
import json
import math
import os
import random

from tensorboardX import SummaryWriter
from tensorboardX.summary import hparams

CONSTANT = {
    "growth": "linear",
    "n_changepoints": 10,
    "changepoints_range": 0.8,
    "trend_reg": 0,
    "yearly_seasonality": "auto",
    "weekly_seasonality": "auto",
    "daily_seasonality": "auto",
    "seasonality_mode": "additive",
    "seasonality_reg": 0,
    "n_forecasts": 1,
    "ar_reg": 0.0,
    "loss_func": "SmoothL1Loss",
    "optimizer": "AdamW",
    "normalize": "soft",
    "impute_missing": True,
}

TAGS = ["Loss", "RegLoss", "MAE", "RMSE", "SmoothL1Loss"]


def yaml_scalar(v):
    """A scalar as PyYAML's yaml.dump prints it (for the values used here)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        r = repr(v)
        if "e" in r and "." not in r:  # yaml.dump writes 1.0e-05, not 1e-05
            r = r.replace("e", ".0e")
        return r
    if isinstance(v, int):
        return str(v)
    s = str(v)
    plain = s and s not in ("null", "true", "false", "yes", "no", "on", "off", "~") \
        and not any(c in s for c in ":#[]{},&*!|>'\"%@`") and s.strip() == s
    try:
        float(s)
        plain = False
    except ValueError:
        pass
    return s if plain else "'" + s.replace("'", "''") + "'"


def yaml_dump(d, indent=0):
    """yaml.dump(d) for nested dicts, lists and scalars (sorted keys, block style)."""
    lines = []
    pad = " " * indent
    for k in sorted(d):
        v = d[k]
        if isinstance(v, dict):
            lines.append("%s%s:" % (pad, k))
            lines.extend(yaml_dump(v, indent + 2))
        elif isinstance(v, list) and not v:
            lines.append("%s%s: []" % (pad, k))
        elif isinstance(v, list):
            lines.append("%s%s:" % (pad, k))
            lines.extend("%s- %s" % (pad, yaml_scalar(x)) for x in v)
        else:
            lines.append("%s%s: %s" % (pad, k, yaml_scalar(v)))
    return lines


def write_yaml(path, d):
    with open(path, "w", newline="") as f:
        f.write("\n".join(yaml_dump(d)) + "\n")


def sanitize(params):
    """Lightning's _sanitize_params: anything but bool/int/float/str becomes str()."""
    return {k: v if type(v) in (bool, int, float, str) else str(v) for k, v in params.items()}


def log_hyperparams(w, params):
    """TensorBoardLogger.log_hyperparams(params) with default_hp_metric=True."""
    metrics = {"hp_metric": -1}
    for k, v in metrics.items():
        w.add_scalar(k, v, 0)
    exp, ssi, sei = hparams(sanitize(params), metrics)
    fw = w._get_file_writer()
    for s in (exp, ssi, sei):
        fw.add_summary(s, 0)


def curves(rng, epochs, lr, batch_size):
    """Fake NeuralProphet training: per-epoch losses falling from ~20."""
    good = min(1.0, abs(math.log10(lr / 0.01)))  # 0 at lr=0.01, 1 two decades off
    floor = 0.01 + 1.5 * good + 0.0005 * batch_size
    rate = 0.12 + 0.2 * rng.random()
    step = 0
    per_epoch = max(1, 640 // batch_size)
    for epoch in range(epochs):
        step += per_epoch
        loss = floor + 20.0 * math.exp(-rate * epoch) * (1 + 0.05 * rng.random())
        val = loss * (1.05 + 0.1 * rng.random())
        yield epoch, step, loss, val


def write_version(root, n, rng):
    lr = 10 ** rng.uniform(-4, -0.5)
    batch_size = rng.choice([16, 32, 64, 128])
    epochs = rng.randint(6, 30)
    params = dict(CONSTANT)
    params.update({
        "learning_rate": lr,
        "batch_size": batch_size,
        "epochs": epochs,
        "n_lags": rng.choice([0, 7, 14, 28]),
        "ar_layers": rng.choice([[], [32], [64, 64]]),
        "newer_samples_weight": round(rng.uniform(1, 4), 2),
    })
    d = os.path.join(root, "lightning_logs", "version_%d" % n)
    with SummaryWriter(logdir=d) as w:
        log_hyperparams(w, params)
        for epoch, step, loss, val in curves(rng, epochs, lr, batch_size):
            train = {"Loss": loss, "RegLoss": 0.0, "MAE": 4 * loss ** 0.5,
                     "RMSE": 5 * loss ** 0.5, "SmoothL1Loss": loss}
            for tag in TAGS:
                w.add_scalar(tag, train[tag], step)
                w.add_scalar(tag + "_val", train[tag] * val / loss, step)
            w.add_scalar("epoch", epoch, step)
    write_yaml(os.path.join(d, "hparams.yaml"), params)


def write_no_hparams(root, rng):
    with SummaryWriter(logdir=os.path.join(root, "plain_sgd")) as w:
        for step in range(12):
            w.add_scalar("loss", 2.0 * math.exp(-0.2 * step), step)
            w.add_scalar("accuracy", 0.5 + 0.04 * step, step)
    for split, k in (("train", 1.0), ("validation", 1.2)):
        with SummaryWriter(logdir=os.path.join(root, "keras_run", split)) as w:
            for epoch in range(5):
                w.add_scalar("epoch_loss", k * (1.0 - 0.15 * epoch), epoch)
                w.add_scalar("epoch_accuracy", 0.6 + 0.05 * epoch / k, epoch)

    d = os.path.join(root, "lightning_logs", "version_0")
    with SummaryWriter(logdir=d) as w:
        for epoch, step, loss, val in curves(rng, 8, 0.01, 32):
            w.add_scalar("Loss", loss, step)
            w.add_scalar("Loss_val", val, step)
            w.add_scalar("MAE_val", 4 * val ** 0.5, step)
            w.add_scalar("epoch", epoch, step)
    write_yaml(os.path.join(d, "hparams.yaml"), {
        "learning_rate": 0.01, "batch_size": 32, "loss_func": "SmoothL1Loss",
        "ar_layers": [32, 32], "trainer_config": {"accelerator": "cpu", "max_epochs": 8},
        "seed": None, "impute_missing": True,
    })

    d = os.path.join(root, "ray_results", "train_fn_2026-11-30_08-00-00",
                     "train_fn_5a1b2_00000_0_lr=0.0100,momentum=0.9000_2026-11-30_08-00-01")
    with SummaryWriter(logdir=d) as w:
        for it in range(1, 9):
            w.add_scalar("ray/tune/mean_accuracy", 0.5 + 0.05 * it, it)
            w.add_scalar("ray/tune/training_iteration", it, it)
    with open(os.path.join(d, "params.json"), "w") as f:
        json.dump({"lr": 0.01, "momentum": 0.9, "model": {"width": 64, "act": "relu"}}, f,
                  indent=2, sort_keys=True)

    d = os.path.join(root, "hf", "runs", "Nov30_08-00-00_vm")
    args = {"output_dir": "out", "learning_rate": 5e-05, "per_device_train_batch_size": 8,
            "num_train_epochs": 3.0, "lr_scheduler_type": "linear", "warmup_ratio": 0.0,
            "weight_decay": 0.01, "fp16": False, "seed": 42, "report_to": ["tensorboard"],
            "eval_strategy": "epoch", "logging_dir": d}
    with SummaryWriter(logdir=d) as w:
        # TensorBoardCallback.on_train_begin: add_text("args", args.to_json_string())
        w.add_text("args", json.dumps(args, indent=2, sort_keys=True))
        for step in range(10, 110, 10):
            w.add_scalar("train/loss", 3.0 * math.exp(-step / 40), step)
            w.add_scalar("train/learning_rate", 5e-05 * (1 - step / 100), step)
            w.add_scalar("train/epoch", step / 100 * 3, step)
            if step % 30 == 0:
                w.add_scalar("eval/loss", 3.2 * math.exp(-step / 45), step)


def main():
    ap = argparse.ArgumentParser(usage=__doc__.splitlines()[0][len("usage: "):])
    ap.add_argument("outdir")
    ap.add_argument("--sessions", type=int, default=53)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-hparams", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    if args.no_hparams:
        write_no_hparams(args.outdir, rng)
    else:
        for n in range(args.sessions):
            write_version(args.outdir, n, rng)
    print(args.outdir)


if __name__ == "__main__":
    main()
