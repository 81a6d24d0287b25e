#!/usr/bin/env python3
"""usage: compare_with_tb.py LOGDIR HP_REPORT [--load_fast false|true]

Asks real TensorBoard (tb_view.py, this venv) and hp-report (the binary
HP_REPORT) about the same LOGDIR and fails unless they agree on everything
the HPARAMS tab shows: the experiment's hparams (name, type, domain) and
metrics, every session's group, status and hparams, every metric value
(relative 1e-6: TensorBoard serves f32 scalars widened to f64), and every
session group's averaged values (`hp-report --groups`).
Prints one summary line; details of disagreements go to stderr.
"""
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from tb_view import metric_labels, printed  # noqa: E402  (the same labels as hp-report's JSON keys)


def close(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return a == b or abs(a - b) <= 1e-6 * max(abs(a), abs(b))


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    logdir, binary = args[0], args[1]
    load_fast = "false"
    if "--load_fast" in args:
        load_fast = args[args.index("--load_fast") + 1]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "tb.json")
        subprocess.run([sys.executable, os.path.join(here, "tb_view.py"), logdir,
                        "--load_fast", load_fast, "--no-scalars", "--out", out],
                       check=True, stderr=subprocess.DEVNULL)
        tb = json.load(open(out))
    ours = json.loads(subprocess.run([binary, logdir, "--format", "json", "--quiet"],
                                     check=True, capture_output=True).stdout)
    groups = json.loads(subprocess.run([binary, logdir, "--format", "json", "--quiet", "--groups"],
                                       check=True, capture_output=True).stdout)
    errors = []

    def check(cond, msg):
        if not cond:
            errors.append(msg)

    # Experiment.
    texp = tb["hparams"]["experiment"]
    oexp = ours["experiment"]
    th = {h["name"]: h for h in texp.get("hparamInfos", [])}
    oh = {h["name"]: h for h in oexp["hparams"]}
    check(set(th) == set(oh), "hparam names: tb %s, ours %s" % (sorted(th), sorted(oh)))
    for name in set(th) & set(oh):
        t, o = th[name], oh[name]
        check(t["type"] == o["type"], "%s type: tb %s, ours %s" % (name, t["type"], o["type"]))
        d = o["domain"]
        if "domainInterval" in t:
            i = t["domainInterval"]
            check(d.get("kind") == "interval" and close(d["min"], i.get("minValue", 0.0))
                  and close(d["max"], i.get("maxValue", 0.0)), "%s interval: tb %s, ours %s" % (name, i, d))
        elif "domainDiscrete" in t:
            # TensorBoard's inferred discrete domains come from a Python set:
            # their order is arbitrary, so compare them as sets.
            same = (sorted(map(json.dumps, d.get("values", []))) == sorted(map(json.dumps, t["domainDiscrete"]))
                    if not oexp.get("explicit") else d.get("values") == t["domainDiscrete"])
            check(d.get("kind") == "discrete" and same,
                  "%s discrete: tb %s, ours %s" % (name, t["domainDiscrete"], d))
    tm = sorted((m["name"]["group"], m["name"]["tag"]) for m in texp.get("metricInfos", []))
    om = sorted((m["group"], m["tag"]) for m in oexp["metrics"])
    check(tm == om, "metrics: tb %s, ours %s" % (tm, om))

    # Sessions.
    ts = {s["session"]: s for s in tb["sessions"]}
    os_ = {r["session"]: r for r in ours["sessions"]}
    check(set(ts) == set(os_), "sessions: tb %d, ours %d, differ: %s"
          % (len(ts), len(os_), sorted(set(ts) ^ set(os_))[:5]))
    values = 0
    for name in set(ts) & set(os_):
        t, o = ts[name], os_[name]
        check(t["group"] == o["group"], "%s group" % name)
        check(t["status"] == o["status"], "%s status: tb %s, ours %s" % (name, t["status"], o["status"]))
        check(set(t["hparams"]) == set(o["hparams"]), "%s hparam names" % name)
        for k, v in t["hparams"].items():
            check(k in o["hparams"] and close(v, o["hparams"][k]), "%s hparam %s: tb %r, ours %r"
                  % (name, k, v, o["hparams"].get(k)))
        check(set(t["metrics"]) == set(o["metrics"]), "%s metric names: tb %s, ours %s"
              % (name, sorted(t["metrics"]), sorted(o["metrics"])))
        for k, v in t["metrics"].items():
            values += 1
            check(k in o["metrics"] and close(v, o["metrics"][k]), "%s %s: tb %r, ours %r"
                  % (name, k, v, o["metrics"].get(k)))

    # Groups (TensorBoard averages each metric over the group's sessions).
    tg = {g["name"]: g for g in tb["hparams"]["session_groups"]}
    og = {r["group"]: r for r in groups["sessions"]}
    check(set(tg) == set(og), "groups: tb %d, ours %d" % (len(tg), len(og)))
    labels = metric_labels([m["name"] for m in texp.get("metricInfos", [])])
    for name in set(tg) & set(og):
        for mv in tg[name]["metricValues"]:
            g, tag = mv["name"].get("group", ""), mv["name"]["tag"]
            key = labels.get((g, tag)) or printed(mv["name"])
            check(close(mv["value"], og[name]["metrics"].get(key, float("nan"))),
                  "group %s %s: tb %r, ours %r" % (name[:12], key, mv["value"], og[name]["metrics"].get(key)))

    for e in errors[:30]:
        print("compare_with_tb: " + e, file=sys.stderr)
    print("compare_with_tb: %s (%s loader): %d sessions, %d groups, %d metric values, %d hparams: %s"
          % (logdir, tb.get("loader"), len(ts), len(tg), values, len(th),
             "AGREE" if not errors else "%d DISAGREEMENTS" % len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
