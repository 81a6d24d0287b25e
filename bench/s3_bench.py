"""Times examples/bench_read on a logdir on disk and on the same logdir in a
local S3 (moto), alternating, and counts the requests the S3 read made (from
the emulator's request log). Run by bench/s3.sh, which sets the emulator's
variables (HP_REPORT_S3_ENDPOINT) and builds the examples."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUCKET = "hp-report-bench"


def generate(examples, out, sessions, steps, tags):
    stamp = os.path.join(out, ".bench-generated")
    if os.path.exists(stamp):
        return json.load(open(stamp))
    subprocess.run([os.path.join(examples, "gen_logdir"), out, "--sessions", str(sessions),
                    "--steps", str(steps), "--tags", str(tags)], check=True, stdout=subprocess.DEVNULL)
    files = [os.path.join(d, n) for d, _, ns in os.walk(out) for n in ns if "tfevents" in n]
    info = {"files": len(files), "bytes": sum(os.path.getsize(f) for f in files)}
    json.dump(info, open(stamp, "w"))
    return info


def upload(endpoint, prefix, logdir, files):
    import boto3
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                      aws_secret_access_key="testing", region_name="us-east-1")
    if BUCKET not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
        s3.create_bucket(Bucket=BUCKET)
    have = sum(1 for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix + "/")
               for _ in page.get("Contents", []))
    if have >= files:
        return
    subprocess.run([sys.executable, os.path.join(ROOT, "peers/s3_upload.py"), endpoint, BUCKET, prefix, logdir],
                   check=True)


def timed(cmd, env):
    """Wall time and peak RSS (MB) of one run, and its JSON line."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t
    if status != 0:
        sys.exit("bench: %s failed" % cmd)
    return secs, ru.ru_maxrss / 1024, json.loads(out.decode().strip().splitlines()[-1])


def log_lines(path):
    with open(path, errors="replace") as f:
        return f.readlines()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", required=True)
    ap.add_argument("--sessions", type=int, action="append")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--tags", type=int, default=3)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--dir", default=os.environ.get("BENCH_DIR", "/tmp/hp-report-bench"))
    a = ap.parse_args()
    endpoint = os.environ["HP_REPORT_S3_ENDPOINT"]
    log = os.path.join(os.environ.get("S3_EMULATOR_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                                      "hp-report-s3-emulator")), "open.log")
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint, AWS_ALLOW_HTTP="true")
    reader = os.path.join(a.examples, "bench_read")
    rows = []
    for sessions in a.sessions or [200, 100]:
        tag = "s%d-n%d-t%d" % (sessions, a.steps, a.tags)
        logdir = os.path.join(a.dir, "s3-logdir-" + tag)
        info = generate(a.examples, logdir, sessions, a.steps, a.tags)
        upload(endpoint, tag, logdir, info["files"])
        url = "s3://%s/%s" % (BUCKET, tag)
        # Requests of one S3 read, from the emulator's log.
        before = len(log_lines(log))
        timed([reader, url], env)
        new = log_lines(log)[before:]
        reqs = [l for l in new if '"GET ' in l or '"HEAD ' in l]
        lists = [l for l in reqs if "list-type=2" in l]
        samples = {"disk": [], "s3": []}
        rss = {"disk": 0.0, "s3": 0.0}
        events = 0
        for _ in range(a.reps):
            for name, target in (("disk", logdir), ("s3", url)):
                secs, mb, out = timed([reader, target], env)
                samples[name].append(secs)
                rss[name] = max(rss[name], mb)
                events = out["events"]
        for name in ("disk", "s3"):
            best = min(samples[name])
            rows.append((tag, name, events, info["bytes"], best, statistics.median(samples[name]), rss[name],
                         (len(reqs), len(lists)) if name == "s3" else None))
    print("| logdir | from | events | time min (median) | events/s | MB/s | peak RSS | requests |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for tag, name, events, nbytes, best, med, mb, reqs in rows:
        req = "%d (%d list, %d GET)" % (reqs[0], reqs[1], reqs[0] - reqs[1]) if reqs else "–"
        print("| %s | %s | %d | %.3f s (%.3f s) | %.2f M | %.0f | %.0f MB | %s |" % (
            tag, name, events, best, med, events / best / 1e6, nbytes / best / 1e6, mb, req))
    by = {(r[0], r[1]): r[4] for r in rows}
    for tag in sorted({r[0] for r in rows}):
        print("%s: S3 / disk time = %.2fx" % (tag, by[(tag, "s3")] / by[(tag, "disk")]))


if __name__ == "__main__":
    main()
