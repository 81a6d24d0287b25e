#!/usr/bin/env python3
"""The benchmark harness behind bench/run.sh (see docs/benchmarks.md).

Generates a Keras-layout logdir with our writer (examples/gen_logdir.rs),
then measures, in one run, N repetitions each (min and median):

  read   ours (hp-report CLI or examples/bench_read), rustboard's `server
         --reload once` until it logs "Finished load cycle", the Python
         readers of peers/bench_readers.py (on a subset logdir), and `cat`
         of the event files from the page cache (the floor);
  write  1,000,000 scalars: examples/bench_write vs tensorboard-rs (the
         bench/peers/tensorboard_rs package) vs tensorboardX (on a subset);
  small  the reader on fixtures/keras_mlp_grid.

Prints a table of absolute figures and ratios and, unless --quick or
--no-doc, rewrites the "Latest results" section of docs/benchmarks.md.
Standard library only (runs under any python3 >= 3.8).
"""
import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(REPO, "docs", "benchmarks.md")
DOC_START = "<!-- bench:latest:start -->"
DOC_END = "<!-- bench:latest:end -->"
RUSTBOARD_REL = "lib/python3.11/site-packages/tensorboard_data_server/bin/server"


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


class Missing(Exception):
    """A peer that cannot be run here."""


def load_avg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run_timed(cmd, stdout=subprocess.DEVNULL, cwd=None, env=None):
    """Runs cmd; returns (wall seconds, peak RSS MB of that process, stdout text).

    Peak RSS comes from GNU time when present: `wait4` on a child forked from
    this Python process would count the fork's pages (Linux keeps the high
    water mark across exec), about 10 MB too many. GNU time's own fork and
    exec add about a millisecond to the wall time."""
    rss_file = None
    if GNU_TIME:
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_file] + list(cmd)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE if stdout is None else stdout,
                         stderr=subprocess.PIPE, cwd=cwd, env=env)
    out = b""
    if stdout is None:
        out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    rss_mb = ru.ru_maxrss / 1024.0
    if rss_file:
        try:
            with open(rss_file) as f:
                rss_mb = int(f.read().split()[-1]) / 1024.0
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rss_file)
    p.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status
    if p.returncode != 0:
        raise RuntimeError("%s failed (%s): %s" % (" ".join(cmd), p.returncode,
                                                   err.decode(errors="replace")[-2000:]))
    return wall, rss_mb, out.decode(errors="replace")


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in output: %r" % text[-500:])


def summarise(samples):
    """samples: list of dicts with 'secs' and 'rss_mb' -> min/median."""
    secs = [s["secs"] for s in samples]
    rss = [s["rss_mb"] for s in samples if s.get("rss_mb") is not None]
    out = {"min": min(secs), "median": statistics.median(secs), "n": len(secs)}
    out["rss_mb"] = max(rss) if rss else None
    for k in samples[0]:
        if k not in ("secs", "rss_mb"):
            vals = [s[k] for s in samples]
            numeric = all(isinstance(v, (int, float)) for v in vals)
            out[k] = min(vals) if numeric else vals[-1]
    return out


# ---------------------------------------------------------------- setup

def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")


def build_examples():
    log("building examples (release, --no-default-features)")
    subprocess.run(["cargo", "build", "--release", "--no-default-features", "--examples"],
                   cwd=REPO, check=True)
    return os.path.join(target_dir(), "release", "examples")


def cli_accepts_json(binary):
    try:
        p = subprocess.run([binary, "--help"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0 and b"--format" in p.stdout + p.stderr and b"json" in p.stdout + p.stderr


def choose_reader(mode, examples):
    """The command prefix that reads LOGDIR (append the logdir)."""
    cli = os.environ.get("HP_REPORT_BIN") or os.path.join(target_dir(), "release", "hp-report")
    example = [os.path.join(examples, "bench_read")]
    if mode in ("auto", "cli") and os.path.exists(cli) and cli_accepts_json(cli):
        return "cli", lambda d: [cli, d, "--format", "json"], cli
    if mode == "cli":
        raise SystemExit("bench: --reader cli but %s does not exist or does not take "
                         "--format json (set HP_REPORT_BIN)" % cli)
    return "example", lambda d: example + [d], example[0]


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def generate(examples, out, sessions, steps, tags):
    """The benchmark logdir in OUT, reused only when the same gen_logdir
    binary wrote it (a stamp holds the binary's digest), so that a change
    to the writer never leaves a stale logdir behind."""
    stamp = os.path.join(out, ".bench-generated")
    generator = os.path.join(examples, "gen_logdir")
    digest = file_digest(generator)
    if os.path.exists(stamp):
        try:
            with open(stamp) as f:
                info = json.load(f)
        except (OSError, ValueError):
            info = {}
        if info.get("generator") == digest and "scalar_events" in info:
            log("reusing %s (%d scalar events)" % (out, info["scalar_events"]))
            return info
        log("%s was written by another gen_logdir build: writing it again" % out)
    if os.path.exists(out):
        shutil.rmtree(out)
    log("generating %s: %d sessions x 2 runs x %d tags x %d steps" % (out, sessions, tags, steps))
    _, _, text = run_timed([os.path.join(examples, "gen_logdir"), out, "--sessions", str(sessions),
                            "--steps", str(steps), "--tags", str(tags)], stdout=None)
    info = last_json(text)
    info["generator"] = digest
    with open(stamp, "w") as f:
        json.dump(info, f)
    return info


def event_files(logdir):
    files = []
    for d, _, names in os.walk(logdir):
        files += [os.path.join(d, n) for n in names if "tfevents" in n]
    return sorted(files)


def records_in(logdir):
    """Records (events) in a logdir, counted from the framing alone."""
    n = 0
    for path in event_files(logdir):
        with open(path, "rb") as f:
            while True:
                head = f.read(12)
                if len(head) < 12:
                    break
                length = int.from_bytes(head[:8], "little")
                f.seek(length + 4, 1)
                n += 1
    return n


def warm(logdir):
    for path in event_files(logdir):
        with open(path, "rb") as f:
            while f.read(1 << 20):
                pass


# ---------------------------------------------------------------- readers

def ours_once(reader_cmd, logdir):
    secs, rss, _ = run_timed(reader_cmd(logdir))
    return {"secs": secs, "rss_mb": rss}


def bench_ours(reader_cmd, logdir, reps):
    return summarise([ours_once(reader_cmd, logdir) for _ in range(reps)])


def cat_once(files):
    t0 = time.perf_counter()
    # xargs splits very long file lists; cat's output is discarded.
    subprocess.run(["xargs", "-0", "cat"], input=b"\0".join(f.encode() for f in files),
                   stdout=subprocess.DEVNULL, check=True)
    return {"secs": time.perf_counter() - t0, "rss_mb": None}


def bench_ours_and_cat(reader_cmd, logdir, reps):
    """Ours and `cat`, one after the other in each rep: on this shared
    machine a slow minute then slows both, and their ratio, which is what
    the target is about, holds (timed apart, the floor alone moved 25%
    between runs)."""
    files = event_files(logdir)
    ours, cat = [], []
    for _ in range(reps):
        ours.append(ours_once(reader_cmd, logdir))
        cat.append(cat_once(files))
    return summarise(ours), summarise(cat)


def rustboard_binary(peers_venv):
    path = os.environ.get("RUSTBOARD_BIN") or os.path.join(peers_venv, RUSTBOARD_REL)
    if not os.path.exists(path):
        raise Missing("rustboard server not found at %s (run peers/setup.sh or set RUSTBOARD_BIN)" % path)
    return path


def bench_rustboard(server, logdir, reps, timeout=600):
    """`server --reload once`: read stderr until "Finished load cycle (T)",
    take its peak RSS from /proc, then kill it (it keeps serving)."""
    samples = []
    pat = re.compile(r"Finished load cycle \(([0-9.]+)(ms|s|µs)\)")
    for _ in range(reps):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            p = subprocess.Popen([server, "--logdir", logdir, "--reload", "once", "--port", "0",
                                  "--port-file", os.path.join(tmp, "port"), "-v"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, cwd=tmp)
            cycle = None
            deadline = t0 + timeout
            for line in iter(p.stderr.readline, b""):
                m = pat.search(line.decode(errors="replace"))
                if m:
                    scale = {"ms": 1e-3, "s": 1.0, "µs": 1e-6}[m.group(2)]
                    cycle = float(m.group(1)) * scale
                    break
                if time.perf_counter() > deadline:
                    break
            wall = time.perf_counter() - t0
            rss = None
            try:
                with open("/proc/%d/status" % p.pid) as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            rss = int(line.split()[1]) / 1024.0
            except OSError:
                pass
            p.send_signal(signal.SIGKILL)
            p.wait()
            if cycle is None:
                raise RuntimeError("rustboard never logged 'Finished load cycle'")
        # The ratio uses rustboard's own load-cycle time (startup and gRPC
        # binding excluded: its best case); the wall time is kept too.
        samples.append({"secs": cycle, "rss_mb": rss, "wall_to_finished": round(wall, 4)})
    return summarise(samples)


def bench_python_reader(peers_py, name, logdir, reps):
    script = os.path.join(REPO, "peers", "bench_readers.py")
    samples = []
    for _ in range(reps):
        _, rss, text = run_timed([peers_py, script, logdir, "--only", name], stdout=None)
        res = last_json(text)["results"][name]
        samples.append({"secs": res["seconds"], "rss_mb": rss})
    return summarise(samples)


# ---------------------------------------------------------------- writers

def bench_writer(cmd_for, out_root, reps, label):
    samples = []
    for i in range(reps):
        out = os.path.join(out_root, "%s-%d" % (label, i))
        if os.path.exists(out):
            shutil.rmtree(out)
        _, rss, text = run_timed(cmd_for(out), stdout=None)
        res = last_json(text)
        samples.append({"secs": res["seconds"], "rss_mb": rss, "scalars": res["scalars"]})
        shutil.rmtree(out, ignore_errors=True)
    return summarise(samples)


def build_tbrs(allow_build):
    manifest = os.path.join(REPO, "bench", "peers", "tensorboard_rs", "Cargo.toml")
    tdir = os.environ.get("TBRS_TARGET_DIR") or os.path.join(target_dir(), "bench-peers")
    binary = os.path.join(tdir, "release", "tbrs-write-peer")
    if not allow_build:
        if os.path.exists(binary):
            return binary
        raise Missing("tensorboard-rs peer not built (quick mode does not build it; "
                      "a full run does, ~75 s once)")
    log("building the tensorboard-rs peer (bench/peers/tensorboard_rs)")
    env = dict(os.environ, CARGO_TARGET_DIR=tdir)
    r = subprocess.run(["cargo", "build", "--release", "--manifest-path", manifest], env=env)
    if r.returncode != 0 or not os.path.exists(binary):
        raise Missing("tensorboard-rs peer failed to build")
    return binary


# ---------------------------------------------------------------- report

def fmt_secs(s):
    return "%.3f s" % s if s >= 0.1 else "%.1f ms" % (s * 1e3)


def fmt_rate(x):
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= div:
            return "%.2f %s" % (x / div, unit)
    return "%.0f" % x


def row(name, data, subset, unit_count, nbytes):
    if data is None:
        return None
    m = data["min"]
    return {
        "name": name, "subset": subset, "min": m, "median": data["median"],
        "per_s": unit_count / m if m > 0 else float("inf"),
        "mb_s": nbytes / 1e6 / m if nbytes and m > 0 else None,
        "rss": data.get("rss_mb"), "extra": data,
    }


def markdown(ctx):
    L = []
    L.append("Run %s on `%s` (%s, %d CPUs), load average before / after: %s / %s."
             % (ctx["date"], platform.node(), platform.machine(), os.cpu_count() or 0,
                ctx["load_before"], ctx["load_after"]))
    L.append("")
    L.append("Command: `%s`. Logdir: %s; %d repetitions, figures are the minimum "
             "(median in brackets)." % (ctx["command"], ctx["sizes"], ctx["reps"]))
    L.append("Our reader: %s." % ctx["reader_desc"])
    L.append("")
    L.append("| read | logdir | events | time min (median) | events/s | MB/s | peak RSS |")
    L.append("|---|---|---:|---:|---:|---:|---:|")
    for r in ctx["read_rows"]:
        L.append("| %s | %s | %d | %s (%s) | %s | %s | %s |" % (
            r["name"], r["subset"], r["events"], fmt_secs(r["min"]), fmt_secs(r["median"]),
            fmt_rate(r["per_s"]), "%.0f" % r["mb_s"] if r["mb_s"] else "–",
            "%.0f MB" % r["rss"] if r["rss"] is not None else "–"))
    L.append("")
    L.append("| write | scalars | time min (median) | scalars/s |")
    L.append("|---|---:|---:|---:|")
    for r in ctx["write_rows"]:
        L.append("| %s | %d | %s (%s) | %s |" % (
            r["name"], r["events"], fmt_secs(r["min"]), fmt_secs(r["median"]),
            fmt_rate(r["per_s"])))
    L.append("")
    L.append("| ratio | value | target | met |")
    L.append("|---|---:|---:|---|")
    for name, value, target, met in ctx["ratios"]:
        L.append("| %s | %s | %s | %s |" % (name, value, target, met))
    if ctx["notes"]:
        L.append("")
        for n in ctx["notes"]:
            L.append("* " + n)
    return "\n".join(L)


def write_doc(md):
    with open(DOC) as f:
        text = f.read()
    if DOC_START not in text or DOC_END not in text:
        raise SystemExit("bench: %s lacks the %s / %s markers" % (DOC, DOC_START, DOC_END))
    head, rest = text.split(DOC_START, 1)
    _, tail = rest.split(DOC_END, 1)
    with open(DOC, "w") as f:
        f.write(head + DOC_START + "\n" + md + "\n" + DOC_END + tail)


def bench_many(a, examples, reader_cmd, reader_kind, add_read, ratios, notes):
    """The many-session shape (issue 17): N sessions x 2 runs x 3 tags x 50
    steps, read by ours (table and JSON), rustboard and cat in one run."""
    n = 200 if a.quick else a.many_sessions
    ldir = os.path.join(a.dir, "logdir-s%d-n50-t3" % n)
    generate(examples, ldir, n, 50, 3)
    size = sum(os.path.getsize(f) for f in event_files(ldir))
    events = records_in(ldir)
    sub = "many: %d sessions x 2 x 3 x 50" % n
    warm(ldir)
    log("many: ours and cat, alternately")
    ours_data, cat_data = bench_ours_and_cat(reader_cmd, ldir, a.reps)
    ours = add_read("hp-report (%s)" % reader_kind, ours_data, sub, events, size)
    cmd = reader_cmd(ldir)
    if reader_kind == "cli":
        table = add_read("hp-report `--top 10` (table)",
                         bench_ours(lambda d: [cmd[0], d, "--top", "10", "-q"], ldir, a.reps),
                         sub, events, size)
        if table["rss"] is not None:
            ratios.append(("ours peak RSS, table of %d sessions" % n, "%.0f MB" % table["rss"],
                           "< 64 MB", "yes" if table["rss"] < 64 else "**no**"))
    server = None
    try:
        server = rustboard_binary(os.environ.get("PEERS_VENV", os.path.expanduser("~/.cache/hp-report-peers")))
    except Missing as e:
        notes.append("many: rustboard skipped: %s" % e)
    if server:
        log("many: rustboard")
        rb = add_read("rustboard `server --reload once` (own load-cycle time)",
                      bench_rustboard(server, ldir, a.reps), sub, events, size)
        x = ours["per_s"] / rb["per_s"]
        ratios.append(("many: ours / rustboard, events/s", "%.1f×" % x, "–", "–"))
    floor = add_read("`cat` (page cache, the floor)", cat_data, sub, events, size)
    x = ours["mb_s"] / floor["mb_s"]
    ratios.append(("many: ours / cat, MB/s", "%.0f%%" % (100 * x), "≥ 80%", "yes" if x >= 0.8 else "**no**"))
    if ours["rss"] is not None:
        ratios.append(("many: ours peak RSS (JSON)", "%.0f MB" % ours["rss"], "< 64 MB",
                       "yes" if ours["rss"] < 64 else "**no**"))


# ---------------------------------------------------------------- main

def command_args(argv):
    """The command line to show: without --note texts (they are in the notes)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--note":
            skip = True
        elif not arg.startswith("--note="):
            out.append(arg)
    return out


def main():
    ap = argparse.ArgumentParser(prog="bench/run.sh", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--tags", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--py-sessions", type=int, default=20,
                    help="sessions in the subset logdir the Python readers get (0: the full logdir)")
    ap.add_argument("--write-scalars", type=int, default=1_000_000)
    ap.add_argument("--tbx-scalars", type=int, default=100_000,
                    help="scalars for tensorboardX (slow; compared per scalar)")
    ap.add_argument("--reader", choices=["auto", "cli", "example"], default="auto")
    ap.add_argument("--only", default="read,many,python,write,fixture",
                    help="comma list of parts: read,many,python,write,fixture")
    ap.add_argument("--many-sessions", type=int, default=10_000,
                    help="sessions of the many-session shape (x 2 runs x 3 tags x 50 steps; "
                         "100000 on request)")
    ap.add_argument("--dir", default=os.environ.get("BENCH_DIR", os.path.join(tempfile.gettempdir(), "hp-report-bench")))
    ap.add_argument("--quick", action="store_true",
                    help="tiny sizes for CI; missing peers are skipped; docs untouched")
    ap.add_argument("--skip-missing", action="store_true", help="skip missing peers instead of failing")
    ap.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    ap.add_argument("--note", action="append", default=[],
                    help="a line to add to the notes under the results (e.g. which build was timed)")
    a = ap.parse_args()
    if a.quick:
        a.sessions, a.steps, a.py_sessions = 10, 200, 0
        a.write_scalars, a.tbx_scalars = 20_000, 5_000
        a.skip_missing = True
    parts = set(a.only.split(","))
    t_start = time.perf_counter()
    peers_venv = os.environ.get("PEERS_VENV", os.path.expanduser("~/.cache/hp-report-peers"))
    peers_py = os.environ.get("PEERS_PY", os.path.join(peers_venv, "bin", "python"))
    notes = list(a.note)

    def peer(fn, what):
        """Runs a peer's step; a missing or failing peer stops a full run
        (loudly) and is skipped with a note under --quick/--skip-missing."""
        try:
            return fn()
        except (Missing, RuntimeError) as e:
            if not a.skip_missing:
                raise SystemExit("bench: %s missing: %s (use --skip-missing or --quick to skip)" % (what, e))
            notes.append("%s skipped: %s" % (what, e))
            log(notes[-1])
            return None

    load_before = load_avg()
    examples = build_examples()
    reader_kind, reader_cmd, reader_bin = choose_reader(a.reader, examples)
    reader_desc = ("`hp-report LOGDIR --format json` (%s)" % reader_bin if reader_kind == "cli"
                   else "`examples/bench_read.rs` (`logdir::load` + rank; the CLI with "
                        "`--format json` was not found)")
    log("reader: " + reader_desc)
    os.makedirs(a.dir, exist_ok=True)
    tag = "s%d-n%d-t%d" % (a.sessions, a.steps, a.tags)
    logdir = os.path.join(a.dir, "logdir-" + tag)
    info = generate(examples, logdir, a.sessions, a.steps, a.tags)
    nbytes = sum(os.path.getsize(f) for f in event_files(logdir))
    nevents = records_in(logdir)
    read_rows, write_rows, ratios = [], [], []
    results = {}

    def add_read(name, data, subset, events, size):
        r = row(name, data, subset, events, size)
        if r:
            r["events"] = events
            read_rows.append(r)
        return r

    if "read" in parts:
        warm(logdir)
        log("read: ours and cat, alternately")
        ours_data, cat_data = bench_ours_and_cat(reader_cmd, logdir, a.reps)
        ours = add_read("hp-report (%s)" % reader_kind, ours_data, "full", nevents, nbytes)
        log("read: rustboard")
        server = peer(lambda: rustboard_binary(peers_venv), "rustboard")
        rb = add_read("rustboard `server --reload once` (own load-cycle time)",
                      peer(lambda: bench_rustboard(server, logdir, a.reps), "rustboard") if server else None,
                      "full", nevents, nbytes)
        floor = add_read("`cat` (page cache, the floor)", cat_data, "full", nevents, nbytes)
        results.update(ours=ours, rustboard=rb, cat=floor)
        if rb:
            x = ours["per_s"] / rb["per_s"]
            ratios.append(("ours / rustboard, events/s", "%.1f×" % x, "≥ 10×", "yes" if x >= 10 else "**no**"))
            notes.append("rustboard wall time from spawn to its 'Finished load cycle' line: %.3f s "
                         "(min); the table uses its own, smaller, load-cycle figure."
                         % rb["extra"]["wall_to_finished"])
        x = ours["mb_s"] / floor["mb_s"]
        ratios.append(("ours / cat, MB/s", "%.0f%%" % (100 * x), "≥ 80%", "yes" if x >= 0.80 else "**no**"))
        if ours["rss"] is not None:
            ok = ours["rss"] < 100 or (a.sessions, a.steps, a.tags) != (200, 2000, 3)
            ratios.append(("ours peak RSS", "%.0f MB" % ours["rss"],
                           "< 100 MB (default logdir)", "yes" if ok else "**no**"))

    if "many" in parts:
        bench_many(a, examples, reader_cmd, reader_kind, add_read, ratios, notes)

    if "python" in parts:
        sub = logdir
        sub_desc = "full"
        if a.py_sessions and a.py_sessions < a.sessions:
            sub = os.path.join(a.dir, "logdir-s%d-n%d-t%d" % (a.py_sessions, a.steps, a.tags))
            generate(examples, sub, a.py_sessions, a.steps, a.tags)
            sub_desc = "subset: %d sessions" % a.py_sessions
        sub_bytes = sum(os.path.getsize(f) for f in event_files(sub))
        sub_events = records_in(sub)
        warm(sub)
        log("python readers on %s" % sub)
        ours_sub = add_read("hp-report (%s)" % reader_kind, bench_ours(reader_cmd, sub, a.reps),
                            sub_desc, sub_events, sub_bytes)
        have_py = peer(lambda: peers_py if os.path.exists(peers_py) else (_ for _ in ()).throw(
            Missing("peers venv python not found at %s (run peers/setup.sh)" % peers_py)), "Python readers")
        if have_py:
            for name, label in (("raw", "TensorBoard EventFileLoader (decode only)"),
                                ("multiplexer", "TensorBoard EventMultiplexer (the Python loader)"),
                                ("tbparse", "tbparse SummaryReader")):
                log("python: " + name)
                d = peer(lambda: bench_python_reader(peers_py, name, sub, a.reps), label)
                if d is None:
                    continue
                r = add_read(label, d, sub_desc, sub_events, sub_bytes)
                results[name] = r
                x = ours_sub["per_s"] / r["per_s"]
                target = {"tbparse": ("≥ 100×", x >= 100)}.get(name)
                ratios.append(("ours / %s, events/s (%s)" % (name, sub_desc), "%.0f×" % x,
                               target[0] if target else "–",
                               ("yes" if target[1] else "**no**") if target else "–"))
        notes.append("Python readers time their own reading (imports excluded); ours and `cat` "
                     "are whole processes.")

    if "write" in parts:
        wroot = os.path.join(a.dir, "write")
        os.makedirs(wroot, exist_ok=True)
        log("write: ours")
        ours_w = bench_writer(lambda o: [os.path.join(examples, "bench_write"), o,
                                         "--scalars", str(a.write_scalars)], wroot, a.reps, "ours")

        def write_row(name, data, scalars):
            r = row(name, data, "", scalars, 0)
            r["events"] = scalars
            write_rows.append(r)
            return r

        def versus(peer_name, r, fmt, floor):
            x = w1["per_s"] / r["per_s"]
            ratios.append(("ours / %s, scalars/s" % peer_name, fmt % x, "≥ %d×" % floor,
                           "yes" if x >= floor else "**no**"))

        w1 = write_row("hp-report `EventFileWriter::write_scalar`", ours_w, a.write_scalars)
        tbrs = peer(lambda: build_tbrs(not a.quick), "tensorboard-rs")
        if tbrs:
            log("write: tensorboard-rs")
            d = peer(lambda: bench_writer(lambda o: [tbrs, o, "--scalars", str(a.write_scalars)],
                                          wroot, a.reps, "tbrs"), "tensorboard-rs")
        if tbrs and d:
            versus("tensorboard-rs", write_row("tensorboard-rs 0.5.9 `add_scalar`", d, a.write_scalars),
                   "%.1f×", 1)
        have_py = peer(lambda: peers_py if os.path.exists(peers_py) else (_ for _ in ()).throw(
            Missing("peers venv python not found at %s" % peers_py)), "tensorboardX")
        if have_py:
            log("write: tensorboardX")
            d = peer(lambda: bench_writer(lambda o: [peers_py, os.path.join(REPO, "bench", "write_tbx.py"), o,
                                                     "--scalars", str(a.tbx_scalars)], wroot, a.reps, "tbx"),
                     "tensorboardX")
        if have_py and d:
            versus("tensorboardX", write_row("tensorboardX `add_scalar`", d, a.tbx_scalars), "%.0f×", 20)
            if a.tbx_scalars != a.write_scalars:
                notes.append("tensorboardX writes %d scalars (not %d: it is slow); compared per scalar."
                             % (a.tbx_scalars, a.write_scalars))

    if "fixture" in parts:
        fx = os.path.join(REPO, "fixtures", "keras_mlp_grid")
        log("fixture: " + fx)
        d = bench_ours(reader_cmd, fx, max(a.reps, 5))
        n = records_in(fx)
        r = add_read("hp-report (%s)" % reader_kind, d, "fixtures/keras_mlp_grid", n,
                     sum(os.path.getsize(f) for f in event_files(fx)))
        ratios.append(("hp-report fixtures/keras_mlp_grid", fmt_secs(r["min"]), "< 20 ms",
                       "yes" if r["min"] < 0.020 else "**no**"))

    ctx = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "load_before": load_before, "load_after": load_avg(),
        "command": " ".join(["bench/run.sh"] + command_args(sys.argv[1:])),
        "sizes": "%d sessions × 2 runs × %d tags × %d steps = %d scalar events, %d records, %.1f MB"
                 % (a.sessions, a.tags, a.steps, info["scalar_events"], nevents, nbytes / 1e6),
        "reps": a.reps, "reader_desc": reader_desc,
        "read_rows": read_rows, "write_rows": write_rows, "ratios": ratios, "notes": notes,
    }
    if a.quick:
        ctx["ratios"] = [(n, v, t, "(quick: too small to judge)") for n, v, t, _ in ratios]
    md = markdown(ctx)
    print(md)
    if not (a.quick or a.no_doc):
        write_doc(md)
        log("updated " + DOC)
    log("done in %.1f s" % (time.perf_counter() - t_start))


if __name__ == "__main__":
    main()
