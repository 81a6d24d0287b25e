#!/usr/bin/env python3
"""usage: gen_edge_logdir.py OUT [--explicit]

Writes, with TensorBoard's own pure-Python event writer and protos, a logdir
of hparams edge cases that no fixture covers, for checking that hp-report and
TensorBoard agree on logdirs neither was built around (compare_with_tb.py):

  * no _hparams_/experiment anywhere, so TensorBoard infers the columns;
  * a session at the logdir root ('.'), which TensorBoard gives no sub-run
    metrics;
  * two sessions sharing a group_name (averaged), one with an explicit
    trial id, the rest keyed by session name;
  * an hparam that is a number in some sessions and a string in another
    (mixed types -> STRING column), a bool hparam, an hparam only some
    sessions have;
  * statuses SUCCESS, FAILURE, RUNNING and none (UNKNOWN);
  * a nested session (s4/inner inside s4) -- the longest enclosing session
    owns s4/inner/train;
  * metrics in the session run itself (group ""), in sub-runs and in a
    sub-sub-run (group "deep/train");
  * legacy simple_value scalars next to TF2 tensor scalars;
  * a NaN last value, a step that goes backwards, and a run split over two
    event files;
  * metrics of different runs whose group/tag print alike: the session
    run's tag "validation/epoch_acc" next to the validation run's
    "epoch_acc", and "deep" + "train/epoch_loss" next to "deep/train" +
    "epoch_loss".

With --explicit, a second kind of logdir: a declared experiment (an
interval, a discrete and a string hparam; three metrics, one of which no
session writes) whose sessions also write undeclared tags, one of them
printing like a declared metric (the session run's "validation/loss" next
to the declared validation run's "loss"), and an undeclared hparam.
"""
import math
import os
import sys
import time

from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from google.protobuf import struct_pb2

T0 = 1_800_000_000.0


def hparams_value(tag, data):
    meta = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="hparams", content=data.SerializeToString()))
    null = tensor_pb2.TensorProto(dtype=1, tensor_shape=tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=0)]))
    return summary_pb2.Summary.Value(tag=tag, metadata=meta, tensor=null)


def write(dirpath, values_at, suffix=""):
    """values_at: list of (step, wall_time, Summary.Value)."""
    os.makedirs(dirpath, exist_ok=True)
    w = EventFileWriter(dirpath, filename_suffix=suffix)
    for step, wall, value in values_at:
        w.add_event(event_pb2.Event(step=step, wall_time=wall,
                                    summary=summary_pb2.Summary(value=[value])))
    w.close()


def start(hparams, group="", start_time=0.0):
    ssi = plugin_data_pb2.SessionStartInfo(group_name=group, start_time_secs=start_time)
    for k, v in hparams.items():
        if isinstance(v, bool):
            ssi.hparams[k].bool_value = v
        elif isinstance(v, (int, float)):
            ssi.hparams[k].number_value = float(v)
        else:
            ssi.hparams[k].string_value = v
    return hparams_value("_hparams_/session_start_info",
                         plugin_data_pb2.HParamsPluginData(session_start_info=ssi))


def end(status):
    sei = plugin_data_pb2.SessionEndInfo(status=status, end_time_secs=T0 + 100)
    return hparams_value("_hparams_/session_end_info",
                         plugin_data_pb2.HParamsPluginData(session_end_info=sei))


def tf2_scalar(tag, v):
    meta = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
    t = tensor_pb2.TensorProto(dtype=1, tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                               float_val=[v])
    return summary_pb2.Summary.Value(tag=tag, metadata=meta, tensor=t)


def simple(tag, v):
    return summary_pb2.Summary.Value(tag=tag, simple_value=v)


def curve(tag, values, make=tf2_scalar, t=T0):
    return [(i, t + i, make(tag, v)) for i, v in enumerate(values)]


def session(out, name, hp, status=None, group="", subruns=None, own=None):
    d = os.path.join(out, name) if name != "." else out
    vals = [(0, T0, start(hp, group, T0))]
    if status is not None:
        vals.append((0, T0 + 50, end(status)))
    vals += own or []
    write(d, vals)
    for sub, points in (subruns or {}).items():
        write(os.path.join(d, sub), points)


def explicit(out):
    S = api_pb2
    from google.protobuf import struct_pb2 as st
    exp = S.Experiment(
        hparam_infos=[
            S.HParamInfo(name="lr", type=S.DATA_TYPE_FLOAT64,
                         domain_interval=S.Interval(min_value=1e-4, max_value=1.0)),
            S.HParamInfo(name="units", type=S.DATA_TYPE_FLOAT64,
                         domain_discrete=st.ListValue(values=[st.Value(number_value=v) for v in (8, 16, 32)])),
            S.HParamInfo(name="opt", type=S.DATA_TYPE_STRING,
                         domain_discrete=st.ListValue(values=[st.Value(string_value=v) for v in ("adam", "sgd")])),
        ],
        metric_infos=[
            S.MetricInfo(name=S.MetricName(group="validation", tag="loss")),
            S.MetricInfo(name=S.MetricName(group="train", tag="loss"), display_name="train loss"),
            S.MetricInfo(name=S.MetricName(group="", tag="never_written")),
        ])
    write(out, [(0, T0, hparams_value("_hparams_/experiment",
                                      plugin_data_pb2.HParamsPluginData(experiment=exp)))])
    for i, (lr, units, opt) in enumerate([(0.1, 8, "adam"), (0.01, 16, "sgd"), (0.001, 32, "adam")]):
        session(out, "s%d" % i, {"lr": lr, "units": units, "opt": opt, "seed": i}, S.STATUS_SUCCESS,
                own=curve("validation/loss", [7.0 + i]) + curve("extra_acc", [0.1 * i]),
                subruns={"validation": curve("loss", [1.0 - 0.1 * i, 0.5 - 0.1 * i]),
                         "train": curve("loss", [1.2 - 0.1 * i, 0.6 - 0.1 * i])})


def main():
    args = sys.argv[1:]
    if len(args) not in (1, 2) or (len(args) == 2 and args[1] != "--explicit"):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    out = args[0]
    if os.path.exists(out):
        print("gen_edge_logdir: %s exists" % out, file=sys.stderr)
        return 1
    if len(args) == 2:
        explicit(out)
        print(out)
        return 0
    S = api_pb2
    session(out, ".", {"lr": 0.5, "opt": "root"}, S.STATUS_SUCCESS,
            own=curve("final_acc", [0.1]), subruns={"train": curve("epoch_loss", [9.0])})
    session(out, "s0", {"lr": 0.1, "opt": "adam", "bn": True, "units": 8}, S.STATUS_SUCCESS, "g1",
            own=curve("final_acc", [0.7, 0.8]),
            subruns={"train": curve("epoch_loss", [1.0, 0.8, 0.6]),
                     "validation": curve("epoch_loss", [1.1, 0.9, 0.7]) + curve("epoch_acc", [0.5, 0.6, 0.65])})
    # s0/train continues in a second file.
    write(os.path.join(out, "s0", "train"), [(3, T0 + 10, tf2_scalar("epoch_loss", 0.5))], suffix=".b")
    session(out, "s1", {"lr": 0.1, "opt": "adam", "bn": True, "units": 8}, S.STATUS_FAILURE, "g1",
            own=curve("final_acc", [0.75]),
            subruns={"train": curve("epoch_loss", [1.2, 0.7]),
                     "validation": curve("epoch_loss", [1.3, 0.8]) + curve("epoch_acc", [0.4, 0.62])})
    session(out, "s2", {"lr": "0.2", "opt": "sgd", "bn": False}, None, "trial-s2",
            subruns={"train": curve("epoch_loss", [2.0, float("nan")]),
                     "validation": curve("epoch_acc", [0.3, 0.35, 0.33])})
    session(out, "s3", {"lr": 0.01, "opt": "sgd", "units": 16}, S.STATUS_RUNNING,
            subruns={"deep/train": curve("epoch_loss", [3.0, 2.0]),
                     # legacy scalars and a step going backwards: 0,1,2,1
                     "validation": curve("epoch_acc", [0.2, 0.3, 0.4], make=simple)
                     + [(1, T0 + 9, simple("epoch_acc", 0.25))]})
    session(out, "s4", {"lr": 0.001, "opt": "adam", "units": 32}, S.STATUS_SUCCESS,
            subruns={"train": curve("epoch_loss", [0.9, 0.4])})
    session(out, "s4/inner", {"lr": 0.002, "opt": "adam", "units": 64}, S.STATUS_SUCCESS,
            subruns={"train": curve("epoch_loss", [0.8, 0.3]),
                     "validation": curve("epoch_acc", [0.7, 0.9])})
    session(out, "s5", {"lr": 0.05, "opt": "sgd", "units": 8}, S.STATUS_SUCCESS,
            own=curve("validation/epoch_acc", [0.55]),
            subruns={"validation": curve("epoch_acc", [0.5, 0.6]),
                     "deep": curve("train/epoch_loss", [4.0, 3.5]),
                     "deep/train": curve("epoch_loss", [3.9, 3.4])})
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
