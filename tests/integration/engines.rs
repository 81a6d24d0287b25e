//! `hp-report tune --backend slurm|ray` against real engines: the
//! single-node Slurm cluster of `tests/engines/slurm_cluster.sh` and the
//! local Ray head of `tests/engines/ray_head.sh` (both started by
//! `tests/all.sh`). A test whose engine is not there says so and passes.
//!
//! Checked: an experiment with a failing and a timed-out trial ends with the
//! same trials, states and objectives as with the local backend; SIGKILL of
//! the runner then `--resume` follows the jobs already submitted (no trial
//! submitted twice); a refused submission is retried, not a trial failure;
//! an engine that keeps refusing stops the experiment with exit 6 and a
//! consistent journal. No timed assertions: durations only bound waits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::bin::{hp, text};
use hp_report::tune::journal::{self, Record, State};

/// The arguments that send trials to the Slurm cluster.
const SLURM_ENGINE: [&str; 4] = ["--backend", "slurm", "--engine-poll", "300ms"];

/// Whether a Slurm cluster answers (`sinfo` lists a usable node).
fn slurm() -> bool {
    let ok = Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .is_ok_and(|o| {
            o.status.success() && {
                let s = String::from_utf8_lossy(&o.stdout);
                s.lines()
                    .any(|l| matches!(l.trim(), "idle" | "mix" | "alloc"))
            }
        });
    if !ok {
        eprintln!(
            "skipped: no Slurm cluster answers (sbatch/sinfo missing or no idle node); \
             start one with `bash tests/engines/slurm_cluster.sh start`"
        );
    }
    ok
}

fn records(dir: &Path) -> Vec<Record> {
    journal::read(dir).expect("journal").0
}

/// trial → (state, objective) of its latest end.
fn ends(dir: &Path) -> BTreeMap<u64, (State, Option<f64>)> {
    records(dir)
        .into_iter()
        .filter_map(|r| match r {
            Record::End {
                trial,
                state,
                objective,
                ..
            } => Some((trial, (state, objective))),
            _ => None,
        })
        .collect()
}

/// trial → job ids submitted for it.
fn jobs(dir: &Path) -> BTreeMap<u64, Vec<String>> {
    let mut m: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for r in records(dir) {
        if let Record::Job { trial, id, .. } = r {
            m.entry(trial).or_default().push(id);
        }
    }
    m
}

/// The experiment both backends run: x=1,4 succeed (loss printed twice,
/// the last counts), x=2 exits 3 after a report, x=3 hangs until its
/// timeout. The trial's parameter also arrives as an argument with shell
/// metacharacters, which must reach it literally.
fn experiment(logdir: &Path, backend: &[&str]) -> Output {
    let script = "echo \"loss=$((HP_X * 10))\"; \
                  [ \"$1\" = 'x=$HP_X; `id` it'\\''s' ] || exit 9; \
                  case $HP_X in 2) exit 3;; 3) sleep 600;; esac; \
                  echo \"loss=$HP_X\"";
    let mut args = vec![
        "tune",
        "-q",
        "--logdir",
        logdir.to_str().expect("utf-8 path"),
        "--method",
        "grid",
        "-p",
        "x=choice(1,2,3,4)",
        "--objective",
        "loss",
        "-j",
        "2",
        "--trial-timeout",
        "20s",
        "--kill-grace",
        "2s",
    ];
    args.extend_from_slice(backend);
    args.extend_from_slice(&["--", "sh", "-c", script, "sh", "x=$HP_X; `id` it's"]);
    hp(&args).output().expect("run hp-report")
}

#[test]
fn slurm_experiment_ends_as_the_local_one() {
    if !slurm() {
        return;
    }
    ends_as_local("slurm", &SLURM_ENGINE);
}

/// Runs the same experiment locally and on `engine`: the same ends, one
/// job per trial, the same ranked table, and the trial's own output (not
/// the engine's log lines) in its directory, as for a local trial.
fn ends_as_local(name: &str, engine: &[&str]) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let local = tmp.path().join("local");
    let remote = tmp.path().join(name);
    let o = experiment(&local, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let o = experiment(&remote, engine);
    assert!(o.status.success(), "{}", text(&o));
    let want: BTreeMap<u64, (State, Option<f64>)> = [
        (0, (State::Succeeded, Some(1.0))),
        (1, (State::Failed, Some(20.0))),
        (2, (State::Timeout, Some(30.0))),
        (3, (State::Succeeded, Some(4.0))),
    ]
    .into();
    assert_eq!(ends(&local), want);
    assert_eq!(ends(&remote), want);
    let j = jobs(&remote);
    assert_eq!(j.len(), 4, "one job per trial: {j:?}");
    assert!(j.values().all(|ids| ids.len() == 1), "{j:?}");
    // The sessions TensorBoard reads: same rows, same statuses, same values.
    assert_eq!(table(&local), table(&remote));
    let out = std::fs::read_to_string(remote.join("trial-0000/stdout.log")).expect("stdout.log");
    assert_eq!(out, "loss=10\nloss=1\n");
}

/// The ranked table's rows (session, status, loss, x).
fn table(dir: &Path) -> Vec<String> {
    let o = hp(&[dir.to_str().expect("utf-8"), "--quiet", "--sort", "loss"])
        .output()
        .expect("run hp-report");
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.contains("trial-"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Waits until `dir`'s journal has `n` job records (at most `limit`).
fn wait_jobs(dir: &Path, n: usize, limit: Duration) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if dir.join(journal::JOURNAL_FILE).exists() && jobs(dir).values().flatten().count() >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no {n} jobs submitted within {limit:?}");
}

#[test]
fn slurm_resume_follows_submitted_jobs() {
    if !slurm() {
        return;
    }
    let o = kill_and_resume(&SLURM_ENGINE, 4, Duration::from_secs(60));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("following slurm job"),
        "{}",
        text(&o)
    );
}

/// Starts a 3-trial grid on `engine`, SIGKILLs the runner once two jobs
/// are submitted (the jobs run on, `sleep` seconds each), resumes it, and
/// checks that every trial is one job, one attempt, one session with its
/// full curve. Returns the resume's output.
fn kill_and_resume(engine: &[&str], sleep: u32, wait: Duration) -> Output {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("exp");
    let d = dir.to_str().expect("utf-8");
    let script = format!("echo loss=$HP_X; sleep {sleep}; echo loss=$((HP_X * 10))");
    let mut run = vec![
        "tune",
        "-q",
        "--logdir",
        d,
        "--method",
        "grid",
        "-p",
        "x=choice(1,2,3)",
        "--objective",
        "loss",
        "-j",
        "2",
    ];
    run.extend_from_slice(engine);
    run.extend_from_slice(&["--", "sh", "-c", &script]);
    let mut child = hp(&run)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_jobs(&dir, 2, wait);
    let _ = child.kill(); // SIGKILL: the jobs run on
    let _ = child.wait();
    let mut resume = vec!["tune", "--resume", "--logdir", d];
    resume.extend_from_slice(engine);
    let o = hp(&resume).output().expect("resume");
    assert!(o.status.success(), "{}", text(&o));
    let j = jobs(&dir);
    assert_eq!(j.len(), 3, "{j:?}");
    assert!(
        j.values().all(|ids| ids.len() == 1),
        "a job submitted twice: {j:?}"
    );
    let want: BTreeMap<u64, (State, Option<f64>)> = (0..3)
        .map(|i| (i, (State::Succeeded, Some((i + 1) as f64 * 10.0))))
        .collect();
    assert_eq!(ends(&dir), want);
    let rows = table(&dir);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| r.contains("success")), "{rows:?}");
    o
}

/// A directory with an `sbatch` that refuses the first `refusals`
/// submissions (a controller timing out), then runs the real one.
fn flaky_sbatch(tmp: &Path, refusals: u32) -> PathBuf {
    let bin = tmp.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let real = Command::new("sh")
        .args(["-c", "command -v sbatch"])
        .output()
        .expect("sh");
    let real = String::from_utf8_lossy(&real.stdout).trim().to_string();
    let count = tmp.join("refused");
    let script = format!(
        "#!/bin/sh\nn=$(cat '{c}' 2>/dev/null || echo 0)\n\
         if [ \"$n\" -lt {refusals} ]; then echo $((n + 1)) > '{c}'; \
         echo 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation' >&2; \
         exit 1; fi\nexec '{real}' \"$@\"\n",
        c = count.display()
    );
    let path = bin.join("sbatch");
    std::fs::write(&path, script).expect("write");
    let ok = Command::new("chmod")
        .arg("+x")
        .arg(&path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok);
    bin
}

fn with_path(c: &mut Command, bin: &Path) {
    let path = std::env::var("PATH").unwrap_or_default();
    c.env("PATH", format!("{}:{path}", bin.display()));
}

#[test]
fn slurm_refused_submission_is_retried_not_failed() {
    if !slurm() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let bin = flaky_sbatch(tmp.path(), 2);
    let dir = tmp.path().join("exp");
    let mut c = hp(&[
        "tune",
        "-q",
        "--logdir",
        dir.to_str().expect("utf-8"),
        "-p",
        "x=choice(5)",
        "--method",
        "grid",
        "--objective",
        "loss",
        "--backend",
        "slurm",
        "--engine-poll",
        "300ms",
        "--",
        "sh",
        "-c",
        "echo loss=$HP_X",
    ]);
    with_path(&mut c, &bin);
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("retry 1 of 7") && err.contains("Socket timed out"),
        "{}",
        text(&o)
    );
    assert_eq!(ends(&dir), [(0, (State::Succeeded, Some(5.0)))].into());
}

#[test]
fn slurm_engine_that_keeps_refusing_stops_the_experiment() {
    if !slurm() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let bin = flaky_sbatch(tmp.path(), 1000);
    let dir = tmp.path().join("exp");
    let d = dir.to_str().expect("utf-8");
    let mut c = hp(&[
        "tune",
        "-q",
        "--logdir",
        d,
        "-p",
        "x=choice(5,6)",
        "--method",
        "grid",
        "--objective",
        "loss",
        "--backend",
        "slurm",
        "--engine-retries",
        "2",
        "--",
        "sh",
        "-c",
        "echo loss=$HP_X",
    ]);
    with_path(&mut c, &bin);
    let o = c.output().expect("run");
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("engine failed"),
        "{}",
        text(&o)
    );
    // Not a trial failure: interrupted, and --resume (the engine back) runs it.
    assert_eq!(ends(&dir), [(0, (State::Interrupted, None))].into());
    let o = hp(&[
        "tune",
        "-q",
        "--resume",
        "--logdir",
        d,
        "--backend",
        "slurm",
    ])
    .output()
    .expect("resume");
    assert!(o.status.success(), "{}", text(&o));
    let latest: Vec<(State, Option<f64>)> = ends(&dir).into_values().collect();
    assert_eq!(
        latest,
        [(State::Succeeded, Some(5.0)), (State::Succeeded, Some(6.0))]
    );
}

/// The Ray head's dashboard the tests use (`tests/engines/ray_head.sh`).
const RAY: &str = "http://127.0.0.1:8265";

/// The arguments that send trials to the Ray head at [`RAY`].
const RAY_ENGINE: [&str; 6] = [
    "--backend",
    "ray",
    "--ray-address",
    RAY,
    "--engine-poll",
    "300ms",
];

/// Whether Ray's Jobs API answers at [`RAY`].
fn ray() -> bool {
    use std::io::{Read, Write};
    let ok = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:8265".parse().expect("addr"),
        Duration::from_secs(2),
    )
    .and_then(|mut s| {
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        s.write_all(b"GET /api/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut b = String::new();
        s.read_to_string(&mut b)?;
        Ok(b.contains("ray_version"))
    })
    .unwrap_or(false);
    if !ok {
        eprintln!(
            "skipped: no Ray Jobs API at {RAY}; start a head with `bash tests/engines/ray_head.sh start`"
        );
    }
    ok
}

#[test]
fn ray_experiment_ends_as_the_local_one() {
    if !ray() {
        return;
    }
    ends_as_local("ray", &RAY_ENGINE);
}

#[test]
fn ray_resume_follows_submitted_jobs() {
    if !ray() {
        return;
    }
    kill_and_resume(&RAY_ENGINE, 6, Duration::from_secs(120));
}

#[test]
fn dry_run_prints_valid_jobs_in_any_build() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("exp");
    let o = hp(&[
        "tune",
        "--logdir",
        dir.to_str().expect("utf-8"),
        "--method",
        "grid",
        "-p",
        "lr=choice(0.1,0.01)",
        "--objective",
        "loss",
        "--backend",
        "k8s",
        "--k8s-image",
        "registry.lab/train:3",
        "--k8s-namespace",
        "hpo",
        "--k8s-gpus",
        "1",
        "--dry-run",
        "--",
        "python",
        "train.py",
        "--lr={lr}",
        "$(reboot)",
    ])
    .output()
    .expect("run");
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let docs: Vec<serde_json::Value> = out
        .split("---\n")
        .skip(1)
        .map(|d| serde_yaml_ng::from_str(d.split("\ntrial-").next().unwrap_or(d)).expect("YAML"))
        .collect();
    assert_eq!(docs.len(), 2, "{out}");
    for (doc, lr) in docs.iter().zip(["0.1", "0.01"]) {
        assert_eq!(doc["apiVersion"], "batch/v1");
        assert_eq!(doc["kind"], "Job");
        assert_eq!(doc["metadata"]["namespace"], "hpo");
        let c = &doc["spec"]["template"]["spec"]["containers"][0];
        let want = serde_json::json!(["python", "train.py", format!("--lr={lr}"), "$(reboot)"]);
        assert_eq!(c["command"], want);
        assert_eq!(c["resources"]["limits"]["nvidia.com/gpu"], 1);
    }
    assert!(!dir.join("trials.jsonl").exists(), "a dry run runs nothing");
}
