//! Crash-safe writing: a writer in a child process is SIGKILLed at random
//! points, many times; every file it leaves must read back with every
//! record intact up to the last complete one (steps 0..n, values as
//! written), at most one truncated tail per file, and the whole logdir must
//! load with every session.
//!
//! The child is this test binary re-run with `HP_REPORT_CRASH_CHILD` set
//! (running `examples/crash_writer.rs`'s code). Set `HP_REPORT_CRASH_KEEP`
//! to a directory to keep the logdir (`peers/crash_kill_tb.sh` does, then
//! has real TensorBoard read it).

#[allow(dead_code)]
#[path = "../../examples/crash_writer.rs"]
mod crash_writer;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use hp_report::event::view::{summary_values, Payload};
use hp_report::event::{EventFileReader, FlushPolicy};
use hp_report::logdir::{self, LoadOptions};
use hp_report::rng::SplitMix64;

const CHILD_ENV: &str = "HP_REPORT_CRASH_CHILD";
/// The child test's full name in the `integration` test binary.
const CHILD_TEST: &str = "crash_kill::child_writer";
const ROUNDS: usize = 20;

fn policy(round: usize) -> (&'static str, FlushPolicy) {
    match round % 3 {
        0 => ("immediate", FlushPolicy::immediate()),
        1 => (
            "4 KiB buffer",
            FlushPolicy {
                max_buffered_bytes: 4 << 10,
                ..FlushPolicy::default()
            },
        ),
        _ => ("default", FlushPolicy::default()),
    }
}

/// The child: writes until killed. A no-op in a normal test run.
#[test]
fn child_writer() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.splitn(3, '\n');
    let (logdir, session, round) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap().parse::<usize>().unwrap(),
    );
    let r = crash_writer::run(Path::new(logdir), session, policy(round).1);
    panic!("the writer stopped: {r:?}");
}

/// What one killed round left in its metrics file.
struct Round {
    points: u64,
    tail: Option<u64>,
    bytes: u64,
}

/// Reads a killed writer's metrics file and checks every record.
fn check_file(path: &Path) -> Round {
    let mut r = EventFileReader::open(path).unwrap();
    let mut problems = Vec::new();
    let mut next = [0i64; 2];
    let mut points = 0;
    let tail = r.read_events(
        |ev| {
            let Payload::Summary(s) = ev.payload else {
                return;
            };
            for v in summary_values(s) {
                let v = v.expect("a complete record decodes");
                let i = match v.tag {
                    b"loss" => 0,
                    b"accuracy" => 1,
                    other => panic!("tag {other:?}"),
                };
                assert_eq!(ev.step, next[i], "steps are consecutive, none lost");
                let want = crash_writer::loss(ev.step);
                let want = if i == 0 {
                    want
                } else {
                    (1.0 - f64::from(want)) as f32
                };
                assert_eq!(v.scalar(), Some(f64::from(want)), "value as written");
                next[i] += 1;
                points += 1;
            }
        },
        |p| problems.push(p),
    );
    assert!(problems.is_empty(), "{}: {problems:?}", path.display());
    // Loss and accuracy alternate: the kill lands between or inside them.
    assert!(next[0] == next[1] || next[0] == next[1] + 1, "{next:?}");
    Round {
        points,
        tail: tail.map(|_| r.offset()),
        bytes: r.offset(),
    }
}

fn train_file(logdir: &Path, session: &str) -> PathBuf {
    let dir = logdir.join(session).join("train");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[cfg(unix)]
#[test]
fn sigkill_at_random_points_leaves_readable_files() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let logdir = match std::env::var("HP_REPORT_CRASH_KEEP") {
        Ok(dir) => {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            PathBuf::from(dir)
        }
        Err(_) => tmp.path().to_path_buf(),
    };
    let seed = std::env::var("HP_REPORT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash_kill: seed {seed} (HP_REPORT_CRASH_SEED to repeat)");
    let mut rng = SplitMix64::new(seed);
    let exe = std::env::current_exe().unwrap();
    let mut tails = 0;
    for round in 0..ROUNDS {
        let session = format!("round-{round:02}");
        let mut child = Command::new(&exe)
            .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
            .env(
                CHILD_ENV,
                format!("{}\n{session}\n{round}", logdir.display()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for "ready" on another thread, so that a child that hangs
        // before it fails the test instead of blocking it forever.
        let out = BufReader::new(child.stdout.take().unwrap());
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut ready = false;
            for line in out.lines() {
                let Ok(line) = line else { break };
                if !ready && line.contains("ready") {
                    ready = true;
                    let _ = ready_tx.send(true);
                }
            }
            let _ = ready_tx.send(false); // EOF: the child is gone
        });
        match ready_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(true) => {}
            Ok(false) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("round {round}: the child exited or hung before it was ready");
            }
        }
        // Kill it somewhere in the first 80 ms of writing.
        let delay = rng.next_u64() % 80_000;
        std::thread::sleep(Duration::from_micros(delay));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success());
        let r = check_file(&train_file(&logdir, &session));
        tails += usize::from(r.tail.is_some());
        eprintln!(
            "round {round:2} ({:>12}): killed after {:5.1} ms: {:6} points, {:8} bytes intact{}",
            policy(round).0,
            delay as f64 / 1000.0,
            r.points,
            r.bytes,
            match r.tail {
                Some(at) => format!(", partial record at byte {at}"),
                None => String::new(),
            }
        );
    }
    eprintln!("crash_kill: {ROUNDS} kills, {tails} left a partial record");
    let ld = logdir::load(&logdir, &LoadOptions::default()).unwrap();
    assert_eq!(ld.sessions.len(), ROUNDS);
    for s in &ld.sessions {
        assert!(s.hparams.contains_key("seed"), "{}", s.name);
    }
    // The only warnings: one per partial tail.
    assert_eq!(ld.warnings.len(), tails, "{:?}", ld.warnings);
    let mut files: Vec<_> = ld.warnings.iter().map(|w| &w.path).collect();
    files.dedup();
    assert_eq!(files.len(), tails);
    for w in &ld.warnings {
        assert!(w.what.starts_with("incomplete record at the end"), "{w}");
    }
}
