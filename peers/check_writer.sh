#!/usr/bin/env bash
# usage: check_writer.sh [--full] [--keep DIR]
#
# End-to-end check of hp-report's writer against real TensorBoard: builds and
# runs the mlp_sweep example into a temp dir (4 random sessions x 3 epochs, or
# the full 12-trial grid with --full), runs check_tb_reads.sh on it with both
# loaders (--load_fast false: Python; true: rustboard), dumps tb_view.py JSON
# for both, and checks that TensorBoard sees every session with its 3 hparams
# (FLOAT64, FLOAT64, STRING) and domains, the 5 declared metrics, status
# STATUS_SUCCESS, the validation accuracy the example printed, every scalar
# point, and that both loaders agree. --keep DIR keeps the logdir and JSON
# there (DIR must not exist). Python: $PEERS_PY, else the venv of setup.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
py=${PEERS_PY:-${PEERS_VENV:-$HOME/.cache/hp-report-peers}/bin/python}
full=0 keep=
while [ $# -gt 0 ]; do
    case $1 in
        --full) full=1 ;;
        --keep) keep=${2:?--keep needs a directory}; shift ;;
        *) sed -n 2p "$0"; exit 2 ;;
    esac
    shift
done
if ! "$py" -c 'import tensorboard' 2>/dev/null; then
    echo "check_writer: no TensorBoard in $py; run: bash $here/setup.sh" >&2
    exit 1
fi
if [ -n "$keep" ]; then
    mkdir "$keep"; work=$(cd "$keep" && pwd)
else
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fi
logdir=$work/mlp
epochs=3
args=(--epochs "$epochs")
[ "$full" = 1 ] || args+=(--sessions 4 --seed 7)

# The example needs only the writer core: --no-default-features skips
# building polars/plotters/clap in release mode.
(cd "$root" && cargo run -q --release --no-default-features --example mlp_sweep -- \
    "$logdir" "${args[@]}") | tee "$work/sweep.out"

for lf in false true; do
    echo "--- check_tb_reads.sh --load_fast $lf"
    bash "$here/check_tb_reads.sh" "$logdir" --load_fast "$lf"
    "$py" "$here/tb_view.py" "$logdir" --load_fast "$lf" --out "$logdir.$lf.json" 2>/dev/null
done

"$py" - "$logdir" "$work/sweep.out" "$epochs" "$logdir.false.json" "$logdir.true.json" <<'EOF'
import json, os, re, sys

logdir, sweep_out, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
views = {p: json.load(open(p)) for p in sys.argv[4:]}
errors = []

def check(cond, msg):
    if not cond:
        errors.append(msg)

# What the example wrote: session dirs and the printed validation accuracy.
printed = {}
for line in open(sweep_out):
    m = re.match(r"(run-\d+)\s.*val_accuracy (\S+)$", line.strip())
    if m:
        printed[m.group(1)] = float(m.group(2))
on_disk = sorted(d for d in os.listdir(logdir) if d.startswith("run-"))
check(on_disk and sorted(printed) == on_disk, "printed sessions %s != dirs %s" % (sorted(printed), on_disk))

want_types = {"num_units": "DATA_TYPE_FLOAT64", "dropout": "DATA_TYPE_FLOAT64",
              "optimizer": "DATA_TYPE_STRING"}
want_metrics = {("train", "epoch_loss"): "DATASET_TRAINING",
                ("train", "epoch_accuracy"): "DATASET_TRAINING",
                ("validation", "epoch_loss"): "DATASET_VALIDATION",
                ("validation", "epoch_accuracy"): "DATASET_VALIDATION",
                ("test", "test_accuracy"): "DATASET_UNKNOWN"}

for path, d in views.items():
    who = d["loader"]
    exp = d["hparams"]["experiment"]
    infos = {h["name"]: h for h in exp.get("hparamInfos", [])}
    check({k: h.get("type") for k, h in infos.items()} == want_types,
          "%s: hparam types %s" % (who, {k: h.get("type") for k, h in infos.items()}))
    check(infos.get("num_units", {}).get("domainDiscrete") == [16.0, 32.0, 64.0], "%s: num_units domain" % who)
    check(infos.get("dropout", {}).get("domainInterval") == {"minValue": 0.1, "maxValue": 0.3},
          "%s: dropout domain" % who)
    check(infos.get("optimizer", {}).get("domainDiscrete") == ["adam", "sgd"], "%s: optimizer domain" % who)
    metrics = {(m["name"].get("group", ""), m["name"]["tag"]): m.get("datasetType")
               for m in exp.get("metricInfos", [])}
    check(metrics == want_metrics, "%s: metric infos %s" % (who, metrics))
    check(exp.get("timeCreatedSecs", 0) > 1e9, "%s: no time_created_secs" % who)

    sessions = {s["session"]: s for s in d["sessions"]}
    check(sorted(sessions) == on_disk, "%s: sessions %s != %s" % (who, sorted(sessions), on_disk))
    for name, s in sorted(sessions.items()):
        hp = s["hparams"]
        check(sorted(hp) == sorted(want_types), "%s %s: hparams %s" % (who, name, hp))
        check(hp.get("num_units") in (16, 32, 64) and 0.1 <= hp.get("dropout", -1) <= 0.3
              and hp.get("optimizer") in ("adam", "sgd"), "%s %s: values %s" % (who, name, hp))
        check(s["status"] == "STATUS_SUCCESS", "%s %s: status %s" % (who, name, s["status"]))
        for g, t in want_metrics:
            v = s["metrics"].get("%s/%s" % (g, t))
            check(isinstance(v, (int, float)), "%s %s: no value for %s/%s" % (who, name, g, t))
        acc = s["metrics"].get("validation/epoch_accuracy")
        check(isinstance(acc, float) and abs(acc - printed.get(name, -1)) < 6e-5,
              "%s %s: validation/epoch_accuracy %s, example printed %s" % (who, name, acc, printed.get(name)))
        for run in ("train", "validation"):
            for tag in ("epoch_loss", "epoch_accuracy"):
                pts = d.get("scalars", {}).get("%s/%s" % (name, run), {}).get(tag, {})
                check(pts.get("num_points") == epochs and pts.get("last_step") == epochs - 1,
                      "%s %s/%s %s: %s" % (who, name, run, tag, pts))

a, b = (v["sessions"] for v in views.values())
check(a == b, "the two loaders disagree on the sessions")
if errors:
    print("check_writer: FAILED\n  " + "\n  ".join(errors))
    sys.exit(1)
d = next(iter(views.values()))
exp = d["hparams"]["experiment"]
print("check_writer: OK, both loaders (tensorboard %s) see %d sessions, all STATUS_SUCCESS;"
      % (d["tensorboard_version"], len(d["sessions"])))
print("  hparams: " + ", ".join("%s %s" % (h["name"], h["type"][len("DATA_TYPE_"):])
                                for h in exp["hparamInfos"]))
print("  metrics: " + ", ".join("%s/%s" % (m["name"]["group"], m["name"]["tag"]) for m in exp["metricInfos"]))
for s in d["sessions"]:
    print("  %s  %s  val_acc %.4f" % (s["session"], json.dumps(s["hparams"], sort_keys=True),
                                      s["metrics"]["validation/epoch_accuracy"]))
EOF
