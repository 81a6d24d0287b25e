//! `hp-report tune` end to end with real trial processes (the Python
//! scripts in `tests/tune_scripts/`): metrics from stdout/stderr and from a
//! trial's own tfevents, sessions with their real status, the journal, a
//! literal `{name}` value that looks like shell, crashes and max failures, a
//! hanging trial killed at its timeout with its grandchild, Ctrl-C, SIGKILL
//! of the runner at random points then `--resume`, `retry`, `status`/`best`.
//!
//! No timed assertions: durations only bound how long a test waits.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::bin::{hp, text};
use hp_report::hparams::Status;
use hp_report::logdir::{self, LoadOptions};
use hp_report::tune::journal::{self, Record, State};
use serde_json::Value;

mod pbt;

fn script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tune_scripts")
        .join(name)
        .display()
        .to_string()
}

/// `python3`, or `None` (test skipped with a printed reason).
fn python() -> Option<&'static str> {
    let ok = Command::new("python3")
        .arg("-c")
        .arg("import json")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: python3 not found");
    }
    ok.then_some("python3")
}

fn run(args: &[&str]) -> Output {
    hp(args).output().expect("run hp-report")
}

fn records(dir: &Path) -> Vec<Record> {
    let (r, bad) = journal::read(dir).expect("journal");
    assert_eq!(bad, 0, "unreadable journal lines in {}", dir.display());
    r
}

/// (trial, attempt, state, objective) of every End record.
fn ends(dir: &Path) -> Vec<(u64, u32, State, Option<f64>)> {
    records(dir)
        .into_iter()
        .filter_map(|r| match r {
            Record::End {
                trial,
                attempt,
                state,
                objective,
                ..
            } => Some((trial, attempt, state, objective)),
            _ => None,
        })
        .collect()
}

fn finish_reason(dir: &Path) -> String {
    records(dir)
        .into_iter()
        .rev()
        .find_map(|r| match r {
            Record::Finish { reason, .. } => Some(reason),
            _ => None,
        })
        .unwrap_or_default()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// `hp-report tune --logdir DIR (-p PARAM)... OPTS... -- CMD...` (OPTS split
/// at spaces).
fn tune(dir: &Path, params: &[&str], opts: &str, cmd: &[&str]) -> Output {
    let mut args = vec!["tune", "--logdir", path_str(dir)];
    for p in params {
        args.extend(["-p", p]);
    }
    args.extend(opts.split_whitespace());
    args.push("--");
    args.extend(cmd);
    run(&args)
}

/// An experiment directory (`exp` in a new temporary directory) whose
/// trials run `python3 tests/tune_scripts/SCRIPT ARGS...`.
struct Exp {
    tmp: tempfile::TempDir,
    dir: PathBuf,
    py: &'static str,
    script: String,
}

impl Exp {
    /// `None` (the test is skipped, with the reason printed) without python3.
    fn new(script_name: &str) -> Option<Exp> {
        let py = python()?;
        let tmp = tmp();
        let dir = tmp.path().join("exp");
        Some(Exp {
            tmp,
            dir,
            py,
            script: script(script_name),
        })
    }

    /// `hp-report tune` with the trial command `python3 SCRIPT ARGS...`.
    fn run(&self, params: &[&str], opts: &str, args: &[&str]) -> Output {
        let mut cmd = vec![self.py, self.script.as_str()];
        cmd.extend(args);
        tune(&self.dir, params, opts, &cmd)
    }
}

/// Fails unless stdout or stderr of `o` contains `needle`.
fn assert_contains(o: &Output, needle: &str) {
    let all = text(o);
    assert!(all.contains(needle), "{needle:?} not in {all}");
}

/// What `runner_metrics.py` recorded in session `d`.
fn seen(dir: &Path, d: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(d).join("seen.json")).expect("seen.json"))
        .expect("seen.json is JSON")
}

#[test]
fn trials_run_report_metrics_and_become_sessions() {
    let Some(x) = Exp::new("runner_metrics.py") else {
        return;
    };
    let (dir, py) = (x.dir.clone(), x.py);
    let o = x.run(
        &["x=uniform(0.1,0.9)", "opt=choice(adam,sgd)"],
        "--objective loss:min --metric val_loss -n 4 -j 2",
        &["--opt={opt}", "{x}"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let e = ends(&dir);
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(e.iter().all(|x| x.2 == State::Succeeded), "{e:?}");
    assert!(finish_reason(&dir).starts_with("max trials reached"));

    let ld = logdir::load(&dir, &LoadOptions::default()).expect("load");
    assert_eq!(ld.sessions.len(), 4);
    let key = logdir::MetricKey::new("", "loss");
    let val = logdir::MetricKey::new("", "val_loss");
    for sess in &ld.sessions {
        assert_eq!(sess.status, Status::Success, "{}", sess.name);
        let seen = seen(&dir, &sess.name);
        let x = seen["params"]["x"].as_f64().unwrap();
        // The placeholder, the environment and the params file agree.
        assert_eq!(seen["argv"][1].as_str().unwrap().parse::<f64>().unwrap(), x);
        assert_eq!(
            seen["env"]["HP_X"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .unwrap(),
            x
        );
        assert_eq!(
            seen["argv"][0],
            format!("--opt={}", seen["params"]["opt"].as_str().unwrap())
        );
        assert_eq!(sess.hparams["x"].as_f64(), Some(x));
        // Last loss is x*10/3 (TensorBoard's value), written from stdout;
        // val_loss came from stderr.
        let last = sess.metric(&key).expect("loss").last.value;
        assert!((last - x * 10.0 / 3.0).abs() < 1e-5, "{last} {x}");
        assert_eq!(sess.metric(&key).unwrap().count, 3);
        assert!(sess.metric(&val).is_some(), "val_loss from stderr");
        let log = std::fs::read_to_string(dir.join(&sess.name).join("stdout.log")).unwrap();
        assert!(log.contains("training done"), "{log}");
    }
    // The min strategy in the journal equals the smallest loss.
    for (trial, _, _, obj) in &e {
        let p: Value = serde_json::from_slice(
            &std::fs::read(
                dir.join(journal::attempt_dir(*trial, 1))
                    .join("params.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let x = p["x"].as_f64().unwrap();
        assert!((obj.unwrap() - x * 10.0 / 3.0).abs() < 1e-9);
    }
    // status and best read the directory.
    let st = run(&["tune", "status", path_str(&dir)]);
    let st_text = String::from_utf8_lossy(&st.stdout);
    assert!(st_text.contains("succeeded 4"), "{}", text(&st));
    let b = run(&["tune", "best", path_str(&dir), "--format", "json"]);
    let best: Value = serde_json::from_slice(&b.stdout).expect("best json");
    let min = e.iter().filter_map(|x| x.3).fold(f64::INFINITY, f64::min);
    assert_eq!(best["objective"].as_f64(), Some(min));
    assert_eq!(best["command"][0], py);
    // The same table `hp-report DIR` gives ranks the best trial first.
    let js = run(&[
        path_str(&dir),
        "--format",
        "json",
        "--sort",
        "loss",
        "--goal",
        "min",
    ]);
    let table: Value = serde_json::from_slice(&js.stdout).expect("table json");
    assert_eq!(table["sessions"][0]["session"], best["dir"], "{table:#}");
    assert_eq!(table["sessions"][0]["status"], "STATUS_SUCCESS");
    // A second run into the same directory is refused (exit 2).
    let again = x.run(&["x=1"], "--objective loss", &[]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
}

#[test]
fn a_value_that_looks_like_shell_stays_one_literal_argument() {
    let Some(py) = python() else { return };
    let t = tmp();
    let dir = t.path().join("exp");
    let s = script("runner_metrics.py");
    let evil = "x; rm -rf ~ && echo `id` > /tmp/pwned $HOME";
    let spec = format!("opt=choice({evil})");
    let o = tune(
        &dir,
        &[&spec],
        "--objective loss -n 1",
        &[py, &s, "{opt}", "--tag=<{opt}>"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let seen = seen(&dir, "trial-0000");
    assert_eq!(seen["argv"][0], evil);
    assert_eq!(seen["argv"][1], format!("--tag=<{evil}>"));
    assert_eq!(seen["argv"].as_array().unwrap().len(), 2);
    assert_eq!(seen["env"]["HP_OPT"], evil);
}

#[test]
fn bad_input_exits_2_before_anything_runs() {
    let t = tmp();
    let dir = t.path().join("exp");
    let d = path_str(&dir);
    for args in [
        vec![
            "tune",
            "--logdir",
            d,
            "-p",
            "x=uniform(0,1)",
            "--objective",
            "loss",
            "--",
            "echo",
            "{y}",
        ],
        vec![
            "tune",
            "--logdir",
            d,
            "-p",
            "x=uniform(0,1",
            "--objective",
            "loss",
            "--",
            "echo",
        ],
        vec![
            "tune",
            "--logdir",
            d,
            "-p",
            "x=uniform(0,1)",
            "--",
            "echo",
            "{x}",
        ],
        vec![
            "tune",
            "--logdir",
            d,
            "-p",
            "x=uniform(0,1)",
            "--objective",
            "loss",
        ],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(!dir.exists(), "{args:?} created {}", dir.display());
    }
}

#[test]
fn crashes_fail_and_max_failures_ends_the_experiment() {
    let Some(x) = Exp::new("runner_metrics.py") else {
        return;
    };
    let (dir, py) = (x.dir.clone(), x.py);
    let o = x.run(
        &["x=uniform(0,1)"],
        "--objective loss -n 10 --max-failures 2",
        &["{x}", "--exit-code", "3"],
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert_contains(&o, "max failures reached");
    let e = ends(&dir);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e.iter().all(|x| x.2 == State::Failed));
    let ld = logdir::load(&dir, &LoadOptions::default()).unwrap();
    assert!(ld.sessions.iter().all(|s| s.status == Status::Failure));

    // A command that does not exist fails fast, with the reason.
    let dir2 = x.tmp.path().join("missing");
    let o = tune(
        &dir2,
        &["x=uniform(0,1)"],
        "--objective loss -n 5 --max-failures 1",
        &["/nonexistent/train", "{x}"],
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    let recs = records(&dir2);
    assert!(recs.iter().any(|r| matches!(r, Record::End { error: Some(e), state: State::Failed, .. } if e.contains("/nonexistent/train"))), "{recs:?}");

    // Exit 0 without the objective: metrics unavailable, counted as failed.
    let dir3 = x.tmp.path().join("nometric");
    let o = tune(
        &dir3,
        &["x=uniform(0,1)"],
        "--objective nothing -n 2",
        &[py, &x.script, "{x}"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(ends(&dir3).iter().all(|x| x.2 == State::MetricsUnavailable));
    let st = run(&["tune", "status", path_str(&dir3)]);
    assert_contains(&st, "metrics_unavailable 2");
}

fn pid_alive(pid: i32) -> bool {
    // /proc/<pid>/stat exists for zombies too: look at the state letter.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !s
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_hanging_trial_is_killed_at_its_timeout_with_its_whole_group() {
    let Some(x) = Exp::new("runner_hang.py") else {
        return;
    };
    let dir = x.dir.clone();
    let o = x.run(
        &["x=choice(1)"],
        "--objective loss -n 1 --trial-timeout 3s --kill-grace 500ms",
        &["--ignore-term"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let e = ends(&dir);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].2, State::Timeout);
    let ld = logdir::load(&dir, &LoadOptions::default()).unwrap();
    assert_eq!(ld.sessions[0].status, Status::Failure);
    // The script writes child.pid after its metric line and its grandchild:
    // without it (a very slow machine reached the timeout first) there is
    // nothing more to check.
    let Ok(pid) = std::fs::read_to_string(dir.join("trial-0000/child.pid")) else {
        eprintln!("note: the trial was killed before it started its grandchild");
        return;
    };
    // The objective reported before the hang is kept, and the grandchild
    // died with the group.
    assert_eq!(e[0].3, Some(1.5));
    let child: i32 = pid.trim().parse().unwrap();
    wait_until("the grandchild to die", Duration::from_secs(10), || {
        !pid_alive(child)
    });
}

fn pids_in(dir: &Path) -> Vec<u32> {
    journal::read(dir)
        .map(|(r, _)| {
            r.into_iter()
                .filter_map(|r| match r {
                    Record::Pid { pid, .. } => Some(pid),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sigint_kills_every_trial_and_leaves_the_journal_consistent() {
    let Some(py) = python() else { return };
    let t = tmp();
    let dir = t.path().join("exp");
    let s = script("runner_hang.py");
    let mut child = hp(&[
        "tune",
        "--logdir",
        path_str(&dir),
        "-p",
        "x=uniform(0,1)",
        "--objective",
        "loss",
        "-n",
        "5",
        "-j",
        "2",
        "--kill-grace",
        "1s",
        "--",
        py,
        &s,
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_until("two trials", Duration::from_secs(30), || {
        pids_in(&dir).len() == 2
            && (0..2).all(|i| {
                dir.join(journal::attempt_dir(i, 1))
                    .join("child.pid")
                    .exists()
            })
    });
    // SAFETY: signalling the runner we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = wait_child(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(130));
    let e = ends(&dir);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e.iter().all(|x| x.2 == State::Killed), "{e:?}");
    assert!(finish_reason(&dir).contains("SIGINT"));
    for pid in pids_in(&dir) {
        assert!(!pid_alive(pid as i32), "trial {pid} still alive");
    }
    for i in 0..2 {
        let c: i32 =
            std::fs::read_to_string(dir.join(journal::attempt_dir(i, 1)).join("child.pid"))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
        wait_until("grandchildren to die", Duration::from_secs(10), || {
            !pid_alive(c)
        });
    }
    let ld = logdir::load(&dir, &LoadOptions::default()).unwrap();
    assert!(ld.sessions.iter().all(|s| s.status == Status::Failure));
}

fn wait_child(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("runner did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// (index → params) of the succeeded trials, and the succeeded count per index.
fn succeeded(dir: &Path) -> (BTreeMap<u64, Value>, BTreeMap<u64, usize>) {
    let mut params = BTreeMap::new();
    let mut launches = BTreeMap::new();
    let mut count: BTreeMap<u64, usize> = BTreeMap::new();
    for r in records(dir) {
        match r {
            Record::Launch {
                trial,
                attempt,
                params: p,
                ..
            } => {
                launches.insert((trial, attempt), p);
            }
            Record::End {
                trial,
                attempt,
                state: State::Succeeded,
                ..
            } => {
                *count.entry(trial).or_default() += 1;
                params.insert(
                    trial,
                    serde_json::to_value(&launches[&(trial, attempt)]).unwrap(),
                );
            }
            _ => {}
        }
    }
    (params, count)
}

#[test]
fn sigkill_at_random_points_then_resume_equals_an_uninterrupted_run() {
    let Some(py) = python() else { return };
    let t = tmp();
    let s = script("runner_sleep.py");
    let n = "10";
    let base = |dir: &Path, done: &Path| -> Vec<String> {
        [
            "tune",
            "--logdir",
            path_str(dir),
            "-p",
            "x=uniform(0,1)",
            "-p",
            "k=choice(a,b,c)",
            "--objective",
            "loss",
            "-n",
            n,
            "-j",
            "2",
            "--seed",
            "7",
            "-q",
            "--",
            py,
            &s,
            path_str(done),
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    };
    // Reference: uninterrupted.
    let a = t.path().join("a");
    let args: Vec<String> = base(&a, &t.path().join("a.done"));
    let o = hp(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let (want, _) = succeeded(&a);
    assert_eq!(want.len(), 10);

    // Killed at pseudo-random points (seeded: reproducible), resumed.
    let b = t.path().join("b");
    let done = t.path().join("b.done");
    let mut rng = hp_report::rng::SplitMix64::new(2026);
    let mut resumed = false;
    for _ in 0..6 {
        let mut args = base(&b, &done);
        if resumed {
            args.insert(3, "--resume".into());
        }
        let mut child = hp(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50 + rng.below(700)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        resumed = b.join(journal::SPEC_FILE).exists();
    }
    // A changed space is refused.
    let mut changed = base(&b, &done);
    changed[4] = "x=uniform(0,2)".into();
    changed.insert(3, "--resume".into());
    let o = hp(&changed.iter().map(String::as_str).collect::<Vec<_>>())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("search space differs"));
    // Resume to the end (the stored space and command when none is given).
    let mut args = vec![
        "tune".to_string(),
        "--logdir".into(),
        path_str(&b).into(),
        "-q".into(),
    ];
    if resumed {
        args.push("--resume".into());
    } else {
        args = base(&b, &done);
    }
    let o = hp(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let (got, count) = succeeded(&b);
    assert_eq!(got, want, "the same trials with the same values");
    assert!(
        count.values().all(|&c| c == 1),
        "a trial succeeded twice: {count:?}"
    );
    // Every attempt that is not the succeeded one was interrupted; each
    // trial's succeeded attempt is its last one.
    for (trial, attempt, state, _) in ends(&b) {
        assert!(
            matches!(state, State::Succeeded | State::Interrupted),
            "{trial}/{attempt}: {state:?}"
        );
    }
    // No leftover trial process: every journaled pid is gone.
    for pid in pids_in(&b) {
        wait_until("leftover trials to die", Duration::from_secs(10), || {
            !pid_alive(pid as i32)
        });
    }
    // Every session the journal counts as succeeded did complete.
    let completed = std::fs::read_to_string(&done).unwrap_or_default();
    let succeeded_dirs: BTreeSet<String> = records(&b)
        .into_iter()
        .filter_map(|r| match r {
            Record::End {
                trial,
                attempt,
                state: State::Succeeded,
                ..
            } => Some(journal::attempt_dir(trial, attempt)),
            _ => None,
        })
        .collect();
    for d in &succeeded_dirs {
        assert!(
            completed.lines().any(|l| l == d),
            "{d} not completed: {completed}"
        );
    }
    let st = run(&["tune", "status", path_str(&b)]);
    assert_contains(&st, "succeeded 10");
}

#[test]
fn retry_reruns_failures_in_new_directories() {
    let Some(py) = python() else { return };
    let t = tmp();
    let dir = t.path().join("exp");
    let marks = t.path().join("marks");
    std::fs::create_dir_all(&marks).unwrap();
    let s = script("runner_flaky.py");
    let o = tune(
        &dir,
        &["x=choice(0.1,0.2,0.3)"],
        "--method grid --objective loss -q",
        &[py, &s, path_str(&marks), "flaky"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        finish_reason(&dir).starts_with("search space exhausted"),
        "{}",
        finish_reason(&dir)
    );
    assert!(ends(&dir).iter().all(|e| e.2 == State::Failed));
    let o = run(&["tune", "retry", path_str(&dir), "-q"]);
    assert!(o.status.success(), "{}", text(&o));
    let e = ends(&dir);
    let retried: Vec<_> = e.iter().filter(|x| x.1 == 2).collect();
    assert_eq!(retried.len(), 3, "{e:?}");
    assert!(retried.iter().all(|x| x.2 == State::Succeeded));
    for i in 0..3 {
        assert!(dir.join(journal::attempt_dir(i, 2)).is_dir());
    }
    let b = run(&["tune", "best", path_str(&dir)]);
    assert_contains(&b, "trial-0000-a2 loss=0.1");
}

#[test]
fn target_reached_ends_the_experiment() {
    let Some(x) = Exp::new("runner_flaky.py") else {
        return;
    };
    let dir = x.dir.clone();
    let o = x.run(
        &["x=choice(0.9,0.8,0.1,0.7,0.6)"],
        "--method grid --objective loss:min --target 0.2 -q",
        &["-", "always"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        finish_reason(&dir).starts_with("target reached"),
        "{}",
        finish_reason(&dir)
    );
    assert_eq!(ends(&dir).len(), 3);
}

#[test]
fn a_lost_journal_is_rebuilt_from_the_sessions() {
    let Some(py) = python() else { return };
    let t = tmp();
    let dir = t.path().join("exp");
    let s = script("runner_metrics.py");
    let args = [
        "tune",
        "--logdir",
        path_str(&dir),
        "-p",
        "x=uniform(0,1)",
        "--objective",
        "loss",
        "-n",
        "3",
        "-q",
        "--",
        py,
        &s,
        "{x}",
    ];
    assert!(run(&args).status.success());
    let before = hp_report::tune::status::Experiment::read(&dir).unwrap();
    let best_before = before.best().map(|(i, _, v)| (i, v));
    std::fs::remove_file(dir.join(journal::JOURNAL_FILE)).unwrap();
    let o = tune(&dir, &[], "--resume -q", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let after = hp_report::tune::status::Experiment::read(&dir).unwrap();
    // The rebuilt objective is TensorBoard's: the f32 the session holds.
    let (i, v) = best_before.unwrap();
    let (j, w) = after.best().map(|(i, _, v)| (i, v)).unwrap();
    assert_eq!(i, j);
    assert_eq!(w, v as f32 as f64);
    assert_eq!(ends(&dir).len(), 3, "nothing re-ran");
}

/// The peers venv's python with tensorboardX, or `None` (skipped, with the
/// reason printed).
fn tbx_python() -> Option<PathBuf> {
    let py = PathBuf::from(std::env::var("HOME").unwrap_or_default())
        .join(".cache/hp-report-peers/bin/python");
    let has_tbx = Command::new(&py)
        .args(["-c", "import tensorboardX"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_tbx {
        eprintln!(
            "skipped: no peers venv with tensorboardX at {} (bash peers/setup.sh)",
            py.display()
        );
    }
    has_tbx.then_some(py)
}

#[test]
fn tfevents_written_by_the_trial_give_its_objective() {
    let Some(py) = tbx_python() else {
        return;
    };
    let t = tmp();
    let dir = t.path().join("exp");
    let s = script("runner_tbx.py");
    let o = tune(
        &dir,
        &["x=choice(0.4,0.8)"],
        "--method grid --objective validation/epoch_loss --strategy min -q",
        &[path_str(&py), &s],
    );
    assert!(o.status.success(), "{}", text(&o));
    let e = ends(&dir);
    assert_eq!(e.len(), 2);
    for (trial, _, state, obj) in e {
        assert_eq!(state, State::Succeeded);
        let x = [0.4, 0.8][trial as usize];
        assert!((obj.unwrap() - x / 4.0).abs() < 1e-6, "{obj:?}");
    }
}

#[test]
fn gpu_slots_set_cuda_visible_devices_and_queue() {
    let Some(x) = Exp::new("runner_metrics.py") else {
        return;
    };
    let dir = x.dir.clone();
    let o = x.run(
        &["x=uniform(0,1)"],
        "--objective loss -n 5 --gpus 0-3 --gpus-per-trial 2 -q",
        &["{x}"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut seen_gpus = BTreeSet::new();
    for r in records(&dir) {
        if let Record::Launch { dir: d, gpus, .. } = r {
            assert_eq!(gpus.as_deref(), Some(env_cuda(&d, &dir).as_str()));
            seen_gpus.insert(gpus.unwrap());
        }
    }
    assert_eq!(
        seen_gpus,
        BTreeSet::from(["0,1".to_string(), "2,3".to_string()])
    );
}

/// The CUDA_VISIBLE_DEVICES a trial saw.
fn env_cuda(d: &str, dir: &Path) -> String {
    seen(dir, d)["cuda"].as_str().unwrap_or("").to_string()
}

#[test]
fn the_budget_ends_the_experiment_and_kills_running_trials() {
    let Some(x) = Exp::new("runner_hang.py") else {
        return;
    };
    let dir = x.dir.clone();
    let o = x.run(
        &["x=uniform(0,1)"],
        "--objective loss -n 4 -j 2 --budget 1s --kill-grace 500ms -q",
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        finish_reason(&dir).starts_with("budget spent"),
        "{}",
        finish_reason(&dir)
    );
    let e = ends(&dir);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e.iter().all(|x| x.2 == State::Killed));
}

/// The params of every Launch record, by trial index.
fn launched_params(dir: &Path) -> BTreeMap<u64, BTreeMap<String, Value>> {
    records(dir)
        .into_iter()
        .filter_map(|r| match r {
            Record::Launch { trial, params, .. } => Some((trial, params)),
            _ => None,
        })
        .collect()
}

#[test]
fn tpe_is_reproducible_from_its_seed_and_stays_in_the_space() {
    let Some(x) = Exp::new("mixed.py") else {
        return;
    };
    let space = [
        "lr=loguniform(1e-4,1)",
        "units=int(2,32)",
        "opt=choice(adam,sgd)",
    ];
    let opts = "--objective loss:min --method tpe --seed 7 -n 14 -j 1 -q";
    let o = x.run(&space, opts, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let again = x.tmp.path().join("again");
    let cmd = [x.py, x.script.as_str()];
    let o2 = tune(&again, &space, opts, &cmd);
    assert!(o2.status.success(), "{}", text(&o2));
    let (a, b) = (launched_params(&x.dir), launched_params(&again));
    assert_eq!(a.len(), 14);
    assert_eq!(a, b, "same seed, same order of results, same trials");
    for p in a.values() {
        let lr = p["lr"].as_f64().expect("lr");
        let units = p["units"].as_i64().expect("units is an integer");
        assert!((1e-4..=1.0).contains(&lr), "{p:?}");
        assert!((2..=32).contains(&units), "{p:?}");
        assert!(
            ["adam", "sgd"].contains(&p["opt"].as_str().unwrap_or("")),
            "{p:?}"
        );
    }
    let spec = journal::read_spec(&x.dir).expect("spec");
    assert_eq!(spec.method, "tpe");
    // Another seed proposes other trials.
    let other = x.tmp.path().join("other");
    let o3 = tune(&other, &space, &opts.replace("--seed 7", "--seed 8"), &cmd);
    assert!(o3.status.success(), "{}", text(&o3));
    assert_ne!(a, launched_params(&other));
}

#[test]
fn cmaes_and_gp_run_in_parallel_inside_the_space() {
    let Some(x) = Exp::new("mixed.py") else {
        return;
    };
    let space = [
        "lr=loguniform(1e-4,1)",
        "units=int(2,32)",
        "opt=choice(adam,sgd)",
    ];
    let o = x.run(
        &space,
        "--objective loss:min --method cmaes -n 6 -j 2 -q",
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(ends(&x.dir).len(), 6);
    // gp: past its 10 start trials, with 2 running at once.
    let gp = x.tmp.path().join("gp");
    let o = tune(
        &gp,
        &space,
        "--objective loss:min --method gp -n 14 -j 2 -q --seed 3",
        &[x.py, x.script.as_str()],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(ends(&gp).len(), 14);
    assert_eq!(journal::read_spec(&gp).expect("spec").method, "gp");
    let seen = launched_params(&gp);
    let distinct: std::collections::BTreeSet<String> =
        seen.values().map(|p| format!("{p:?}")).collect();
    assert_eq!(distinct.len(), seen.len(), "a duplicate trial: {seen:?}");
    for p in seen.values() {
        let lr = p["lr"].as_f64().expect("lr");
        let units = p["units"].as_i64().expect("units is an integer");
        assert!(
            (1e-4..=1.0).contains(&lr) && (2..=32).contains(&units),
            "{p:?}"
        );
    }
}

/// Objective reports journaled per trial: (trial → steps).
fn reported_steps(dir: &Path) -> BTreeMap<u64, Vec<u64>> {
    let mut out: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for r in records(dir) {
        if let Record::Report { trial, step, .. } = r {
            out.entry(trial).or_default().push(step);
        }
    }
    out
}

#[test]
fn asha_early_stops_trials_with_evidence_and_saves_epochs() {
    let Some(x) = Exp::new("curves.py") else {
        return;
    };
    let n = 9u64;
    let params = ["x=uniform(0,1)"];
    let opts = "--objective loss:min -n 9 -j 1 --seed 3 --kill-grace 5s \
                --early-stop asha:grace=1,eta=3,max=9";
    let o = x.run(&params, opts, &["--sleep", "0.3"]);
    assert!(o.status.success(), "{}", text(&o));
    let e = ends(&x.dir);
    assert_eq!(e.len() as u64, n, "{e:?}");
    let stopped: Vec<u64> = e
        .iter()
        .filter(|t| t.2 == State::EarlyStopped)
        .map(|t| t.0)
        .collect();
    assert!(!stopped.is_empty(), "no trial early-stopped: {e:?}");
    assert!(e.iter().any(|t| t.2 == State::Succeeded), "{e:?}");
    // Each stop's evidence is in the journal: the rung, the values, the cut.
    for &t in &stopped {
        let ev = records(&x.dir).into_iter().find_map(|r| match r {
            Record::Report {
                trial,
                decision: Some(d),
                evidence: Some(ev),
                ..
            } if trial == t && d == "stop" => Some(ev),
            _ => None,
        });
        let ev = ev.unwrap_or_else(|| panic!("no stop evidence for trial {t}"));
        assert_eq!(ev["rule"], "asha", "{ev}");
        assert!(ev["cut"].is_number(), "{ev}");
        assert!(!ev["compared"].as_array().expect("compared").is_empty());
        assert!([1, 3].contains(&ev["rung"].as_u64().unwrap_or(0)), "{ev}");
    }
    // Fewer epochs than the 9 per trial a run without early stopping spends.
    let steps = reported_steps(&x.dir);
    let total: usize = steps.values().map(Vec::len).sum();
    assert!((total as u64) < 9 * n, "{total} epochs: {steps:?}");
    for t in &stopped {
        assert!(steps[t].len() < 9, "trial {t}: {:?}", steps[t]);
    }
    // TensorBoard: early-stopped sessions are SUCCESS (completed what the
    // rule allowed, as Katib counts them).
    let ld = logdir::load(&x.dir, &LoadOptions::default()).expect("load");
    assert!(ld.sessions.iter().all(|s| s.status == Status::Success));
    let st = run(&["tune", "status", path_str(&x.dir)]);
    assert!(st.status.success(), "{}", text(&st));
    assert_contains(&st, &format!("early_stopped {}", stopped.len()));
    assert_contains(&st, "early stop: asha");
}

#[test]
fn tpe_resumed_with_more_trials_equals_one_longer_run() {
    let Some(x) = Exp::new("mixed.py") else {
        return;
    };
    let space = ["lr=loguniform(1e-4,1)", "units=int(2,32)"];
    let opts = "--objective loss:min --method tpe --seed 5 -j 1 -q";
    let o = x.run(&space, &format!("{opts} -n 12"), &[]);
    assert!(o.status.success(), "{}", text(&o));
    // The continuation re-reads the journaled history and proposes the
    // rest from it: the same trials as one run of 16.
    let o = run(&[
        "tune",
        "--logdir",
        path_str(&x.dir),
        "--resume",
        "-n",
        "16",
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let whole = x.tmp.path().join("whole");
    let o = tune(
        &whole,
        &space,
        &format!("{opts} -n 16"),
        &[x.py, x.script.as_str()],
    );
    assert!(o.status.success(), "{}", text(&o));
    let resumed = launched_params(&x.dir);
    assert_eq!(resumed.len(), 16);
    assert_eq!(resumed, launched_params(&whole));
}

/// The early-stop rule acts on points a trial writes only to its own
/// tfevents, while it runs: trial 1 (x=0.9) is behind trial 0 (x=0.3) from
/// its first epoch on, and is stopped before its last epoch. With `--print`
/// the same points also come on stdout and are counted once.
#[test]
fn a_trials_own_tfevents_are_followed_while_it_runs() {
    let Some(py) = tbx_python() else {
        return;
    };
    let s = script("tbx_curves.py");
    for echo in [false, true] {
        let t = tmp();
        let dir = t.path().join("exp");
        let mut cmd = vec![path_str(&py), s.as_str(), "--sleep", "0.5"];
        if echo {
            cmd.push("--print");
        }
        let o = tune(
            &dir,
            &["x=choice(0.3,0.9)", "epochs=8"],
            "--method grid --objective loss:min -j 1 -q --kill-grace 5s \
             --early-stop median:warmup=1,min_trials=1",
            &cmd,
        );
        assert!(o.status.success(), "{}", text(&o));
        let e = ends(&dir);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].2, State::Succeeded, "{e:?}");
        assert_eq!(e[1].2, State::EarlyStopped, "{e:?}");
        let steps = reported_steps(&dir);
        assert_eq!(steps[&0], (1..=8).collect::<Vec<u64>>(), "echo {echo}");
        let stop_at = steps[&1].len();
        assert!(stop_at < 8, "trial 1 ran to its end: {steps:?}");
        // The session holds the trial's points once (its own file; the
        // runner writes stdout points beside them only when printed).
        let ld = logdir::load(dir.join("trial-0001"), &LoadOptions::default()).expect("load");
        let loss = &ld.runs["."].scalars["loss"];
        assert!(loss.last.step < 8, "{:?}", loss.last);
    }
}
