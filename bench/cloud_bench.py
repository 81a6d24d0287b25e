"""Times examples/bench_read on a logdir on disk and on the same logdir in
local S3, GCS and Azure emulators, with two references measured in the same
run: `cat` of the event files (the disk's ceiling) and a plain HTTP client
(curl, 16 transfers at once, no decoding) downloading every object from the
emulator (the emulator's ceiling). Runs alternate; the minimum and median of
--reps repetitions are reported, and the requests one read made where the
emulator logs them (moto, Azurite). "client CPU" is the reading process's
user + system time (median): the emulator runs on the same cores. Run by bench/cloud.sh, which starts the
emulators (their HP_REPORT_*_ENDPOINT variables) and builds the examples."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUCKET = "hp-report-bench"
AZ_ACCOUNT = "devstoreaccount1"
AZ_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
TMP = os.environ.get("TMPDIR", "/tmp")
STORES = {
    # scheme: (variable prefix, emulator name, request log or None)
    "s3": ("HP_REPORT_S3", "moto", os.path.join(TMP, "hp-report-s3-emulator", "open.log")),
    "gs": ("HP_REPORT_GCS", "fake-gcs-server", None),
    "az": ("HP_REPORT_AZURE", "Azurite", os.path.join(TMP, "hp-report-azure-emulator", "blob.log")),
}


def generate(examples, out, sessions, steps, tags):
    stamp = os.path.join(out, ".bench-generated")
    if not os.path.exists(stamp):
        subprocess.run([os.path.join(examples, "gen_logdir"), out, "--sessions", str(sessions),
                        "--steps", str(steps), "--tags", str(tags)], check=True,
                       stdout=subprocess.DEVNULL)
        open(stamp, "w").write("done")
    files = sorted(os.path.join(d, n) for d, _, ns in os.walk(out) for n in ns if "tfevents" in n)
    return files


def object_url(scheme, endpoint, key):
    if scheme == "az":
        return "%s/%s/%s/%s" % (endpoint, AZ_ACCOUNT, BUCKET, key)
    return "%s/%s/%s" % (endpoint, BUCKET, key)


def curl_auth(scheme):
    return ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "testing:testing"] if scheme == "s3" else []


def present(scheme, endpoint, key):
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *curl_auth(scheme),
                        object_url(scheme, endpoint, key)], capture_output=True, text=True)
    return r.stdout == "200"


def upload(scheme, endpoint, python, prefix, logdir, keys):
    store = [python, os.path.join(ROOT, "peers/blob_store.py"), scheme, endpoint, BUCKET]
    subprocess.run(store + ["bucket"] + (["--public"] if scheme == "az" else []), check=True)
    if not present(scheme, endpoint, keys[-1]):
        print("bench: uploading %s to %s" % (logdir, scheme), file=sys.stderr)
        subprocess.run(store + ["upload", prefix, logdir], check=True, stdout=subprocess.DEVNULL)


def env_for(scheme, endpoint):
    if scheme == "s3":
        return dict(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
                    AWS_ENDPOINT_URL=endpoint, AWS_ALLOW_HTTP="true")
    if scheme == "gs":
        return dict(STORAGE_EMULATOR_HOST=endpoint.split("://", 1)[1])
    return dict(AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;"
                "BlobEndpoint=%s/%s;" % (AZ_ACCOUNT, AZ_KEY, endpoint, AZ_ACCOUNT))


def timed(cmd, env=None, stdout=subprocess.PIPE):
    """Wall time, peak RSS (MB), CPU seconds and stdout of one run."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
    out = p.stdout.read() if stdout == subprocess.PIPE else b""
    _, status, ru = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t
    if status != 0:
        sys.exit("bench: %s failed" % cmd[:3])
    return secs, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime, out


def count_requests(log, run):
    if not log or not os.path.exists(log):
        run()
        return None
    before = os.path.getsize(log)
    run()
    time.sleep(0.5)  # the emulator writes its log after answering
    with open(log, "rb") as f:
        f.seek(before)
        new = f.read().decode(errors="replace").splitlines()
    gets = [l for l in new if '"GET ' in l or '"HEAD ' in l]
    lists = [l for l in gets if "list-type=2" in l or "comp=list" in l]
    return len(gets), len(lists)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", required=True)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--tags", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--stores", default="s3,gs,az")
    ap.add_argument("--dir", default=os.environ.get("BENCH_DIR", "/tmp/hp-report-bench"))
    a = ap.parse_args()
    tag = "s%d-n%d-t%d" % (a.sessions, a.steps, a.tags)
    logdir = os.path.join(a.dir, "s3-logdir-" + tag)
    files = generate(a.examples, logdir, a.sessions, a.steps, a.tags)
    nbytes = sum(os.path.getsize(f) for f in files)
    keys = ["%s/%s" % (tag, os.path.relpath(f, logdir)) for f in files]
    reader = os.path.join(a.examples, "bench_read")
    # name -> (command, environment, stdout)
    cases = {"disk": ([reader, logdir], None, subprocess.PIPE),
             "cat": (["cat"] + files, None, subprocess.DEVNULL)}
    requests = {}
    curl_cfg = tempfile.NamedTemporaryFile("w", suffix=".curl", delete=False)
    for scheme in a.stores.split(","):
        prefix, emulator, log = STORES[scheme]
        endpoint, python = os.environ[prefix + "_ENDPOINT"], os.environ[prefix + "_PYTHON"]
        upload(scheme, endpoint, python, tag, logdir, keys)
        env = dict(os.environ, **env_for(scheme, endpoint))
        url = "%s://%s/%s" % (scheme, BUCKET, tag)
        cases["%s: hp-report" % emulator] = ([reader, url], env, subprocess.PIPE)
        cfg = "%s.%s" % (curl_cfg.name, scheme)
        with open(cfg, "w") as f:
            for k in keys:
                f.write('url = "%s"\noutput = "/dev/null"\n' % object_url(scheme, endpoint, k))
        cases["%s: curl" % emulator] = (["curl", "-s", "--fail", "--parallel", "--parallel-max", "16",
                                         *curl_auth(scheme), "-K", cfg], None, subprocess.DEVNULL)
        requests[emulator] = count_requests(log, lambda: timed([reader, url], env))
    samples = {name: [] for name in cases}
    rss = {name: 0.0 for name in cases}
    cpu = {name: [] for name in cases}
    events = {}
    for _ in range(a.reps):
        for name, (cmd, env, out) in cases.items():
            secs, mb, cpus, text = timed(cmd, env, out)
            samples[name].append(secs)
            cpu[name].append(cpus)
            rss[name] = max(rss[name], mb)
            if text:
                events[name] = json.loads(text.decode().strip().splitlines()[-1])["events"]
    best = {name: min(s) for name, s in samples.items()}
    print("%s: %d event files, %.1f MB, %d events; %d reps, load average %.1f" % (
        tag, len(files), nbytes / 1e6, events["disk"], a.reps, os.getloadavg()[0]))
    print()
    print("| read | time min (median) | client CPU | events/s | MB/s | peak RSS | requests | vs disk | vs curl |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in cases:
        emulator = name.split(":")[0]
        ev = events.get(name)
        req = requests.get(emulator) if name.endswith("hp-report") else None
        req_text = "%d (%d list)" % req if req else "–"
        vs_curl = "%.2fx" % (best[name] / best[emulator + ": curl"]) if name.endswith("hp-report") else "–"
        print("| %s | %.3f s (%.3f s) | %.2f s | %s | %.0f | %s | %s | %.2fx | %s |" % (
            name, best[name], statistics.median(samples[name]), statistics.median(cpu[name]),
            "%.2f M" % (ev / best[name] / 1e6) if ev else "–", nbytes / best[name] / 1e6,
            "%.0f MB" % rss[name] if ev else "–", req_text, best[name] / best["disk"], vs_curl))


if __name__ == "__main__":
    main()
