#!/usr/bin/env bash
# usage: gen_tbrs_fixture.sh OUT
#
# Makes fixtures/tbrs_sweep: a sweep whose scalar curves were written by the
# tensorboard-rs crate (the Rust writer most Rust trainers use today: legacy
# simple_value scalars, its own file naming) and whose hparams sessions were
# written with TensorBoard's own protos (tensorboard-rs cannot write hparams).
# No _hparams_/experiment: TensorBoard infers the columns. Then records what
# TensorBoard (Python loader) and tbparse report for it in
# fixtures/expected/tbrs_sweep.{tb_view.json,tbparse.csv}.
# Needs the peers venv and the tensorboard-rs peer (bench/peers/tensorboard_rs,
# built with cargo into $TBRS_TARGET, default /tmp/tbrs-bench/target).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:?usage: gen_tbrs_fixture.sh OUT}
py=${PEERS_PY:-${PEERS_VENV:-$HOME/.cache/hp-report-peers}/bin/python}
target=${TBRS_TARGET:-/tmp/tbrs-bench/target}
CARGO_TARGET_DIR=$target cargo build -q --release --manifest-path "$root/bench/peers/tensorboard_rs/Cargo.toml"
peer=$target/release/tbrs-write-peer
[ ! -e "$out" ] || { echo "gen_tbrs_fixture: $out exists" >&2; exit 1; }
for k in 0 1 2; do
    # 2 tags x 5 steps per sub-run, values 1/(1+i) as the peer writes them.
    "$peer" "$out/trial-$k/train" --scalars $((10 + 2 * k)) --tags 2 >/dev/null
    "$peer" "$out/trial-$k/eval" --scalars $((6 + 2 * k)) --tags 2 >/dev/null
done
"$py" - "$out" <<'PYEOF'
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter
out = sys.argv[1]
trials = [{"lr": 0.1, "opt": "adam", "layers": 2}, {"lr": 0.01, "opt": "adam", "layers": 3},
          {"lr": 0.1, "opt": "sgd", "layers": 2}]
for k, hp in enumerate(trials):
    ssi = plugin_data_pb2.SessionStartInfo(group_name="", start_time_secs=1_800_000_000.0 + k)
    for name, v in hp.items():
        if isinstance(v, str):
            ssi.hparams[name].string_value = v
        else:
            ssi.hparams[name].number_value = float(v)
    sei = plugin_data_pb2.SessionEndInfo(status=1 if k < 2 else 2, end_time_secs=1_800_000_100.0 + k)
    w = EventFileWriter(os.path.join(out, "trial-%d" % k))
    for tag, data in (("_hparams_/session_start_info", plugin_data_pb2.HParamsPluginData(session_start_info=ssi)),
                      ("_hparams_/session_end_info", plugin_data_pb2.HParamsPluginData(session_end_info=sei))):
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="hparams", content=data.SerializeToString()))
        w.add_event(event_pb2.Event(wall_time=1_800_000_000.0 + k, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, metadata=meta)])))
    w.close()
PYEOF
name=$(basename "$out")
"$py" "$here/tb_view.py" "$out" --load_fast false --out "$root/fixtures/expected/$name.tb_view.json" 2>/dev/null
"$py" "$here/tbparse_table.py" "$out" --out "$root/fixtures/expected/$name.tbparse.csv" 2>/dev/null
echo "$out"
