//! Following a growing logdir: records appended while a `Follower` polls are
//! picked up from where it stopped, a partial record at the end of a file is
//! "not yet" (no warning, read once complete), new runs and files appear, and
//! the final state equals a fresh `load` of the finished logdir.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hp_report::event::{EventFileWriter, FlushPolicy};
use hp_report::hparams::plugin::{experiment_summary, session_start_summary};
use hp_report::hparams::{ExperimentConfig, HParam, HParamValue, Metric};
use hp_report::logdir::{self, Follower, LoadOptions, Logdir, SeriesOptions};
use hp_report::proto::tensorboard::Event;
use hp_report::record::encode_record;
use hp_report::summary::scalar_summary;
use prost::Message;

/// The follower's view equals a fresh load's (runs, series, hparams,
/// experiment, sessions).
fn assert_same(followed: &Logdir, fresh: &Logdir) {
    assert_eq!(
        followed.runs.keys().collect::<Vec<_>>(),
        fresh.runs.keys().collect::<Vec<_>>()
    );
    for (name, want) in &fresh.runs {
        let got = &followed.runs[name];
        assert_eq!(got.files, want.files, "{name}: files");
        assert_eq!(got.scalars, want.scalars, "{name}: scalars");
        assert_eq!(got.hparams, want.hparams, "{name}: hparams");
        assert_eq!(got.events, want.events, "{name}: events");
        assert_eq!(got.bytes, want.bytes, "{name}: bytes");
        assert_eq!(got.start_time, want.start_time, "{name}: start time");
    }
    assert_eq!(followed.experiment, fresh.experiment);
    assert_eq!(followed.sessions, fresh.sessions);
}

fn session(dir: &Path, lr: f64) -> EventFileWriter {
    let v = HParamValue::Float(lr);
    let mut w = EventFileWriter::with_policy(dir, FlushPolicy::immediate()).unwrap();
    w.write_summary(0, session_start_summary([("lr", &v)], "", 1.0))
        .unwrap();
    w
}

#[test]
fn follows_writers_appending_and_ends_equal_to_a_fresh_load() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().to_path_buf();
    let opts = LoadOptions {
        series: SeriesOptions {
            curves: true,
            ..Default::default()
        },
    };
    let mut follower = Follower::new(&root, &opts).unwrap();
    let first = follower.poll();
    assert!(!first.changed && first.warnings.is_empty(), "{first:?}");

    let done = Arc::new(AtomicBool::new(false));
    // The writer pauses after its first session until the follower has seen
    // it (at most 30 s), so the test does not depend on the machine's speed.
    let seen = Arc::new(AtomicBool::new(false));
    let writer = {
        let root = root.clone();
        let done = done.clone();
        let seen = seen.clone();
        std::thread::spawn(move || {
            let exp = ExperimentConfig::new()
                .hparam(HParam::free("lr"))
                .metric(Metric::new("loss").group("train"));
            let mut w = EventFileWriter::create(&root).unwrap();
            w.write_summary(0, experiment_summary(exp.to_proto(0.0)))
                .unwrap();
            w.close().unwrap();
            for (i, lr) in [0.1, 0.01, 0.001].into_iter().enumerate() {
                let name = format!("s{i}");
                drop(session(&root.join(&name), lr));
                let mut w = EventFileWriter::with_policy(
                    root.join(&name).join("train"),
                    FlushPolicy::immediate(),
                )
                .unwrap();
                for step in 0..200 {
                    w.write_scalar("loss", step, lr / (step + 1) as f64)
                        .unwrap();
                    if step % 20 == 0 {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
                drop(w);
                let waiting = std::time::Instant::now();
                while i == 0
                    && !seen.load(Ordering::SeqCst)
                    && waiting.elapsed() < Duration::from_secs(30)
                {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let mut polls = 0;
    let mut events = 0;
    let mut saw_partial_progress = false;
    loop {
        let finished = done.load(Ordering::SeqCst);
        let u = follower.poll();
        polls += 1;
        events += u.new_events;
        assert!(u.warnings.is_empty(), "{:?}", u.warnings);
        if u.changed && !follower.logdir().sessions.is_empty() && !finished {
            saw_partial_progress = true;
            seen.store(true, Ordering::SeqCst);
        }
        if finished {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    writer.join().unwrap();
    let fresh = logdir::load(&root, &opts).unwrap();
    assert_eq!(events, fresh.event_count());
    assert!(polls > 2 && saw_partial_progress, "{polls} polls");
    assert_same(follower.logdir(), &fresh);
    assert_eq!(follower.logdir().sessions.len(), 3);
    assert!(fresh.warnings.is_empty(), "{:?}", fresh.warnings);
    // Nothing new: nothing changes.
    assert!(!follower.poll().changed);
}

#[test]
fn a_partial_record_is_not_yet_and_is_read_once_complete() {
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("s0");
    drop(session(&run, 0.5));
    let file = run.join("events.out.tfevents.9999999999.h.1.v2");
    let mut records = Vec::new();
    for step in 0..3 {
        let ev = Event {
            wall_time: 2.0 + step as f64,
            step,
            what: Some(hp_report::proto::tensorboard::event::What::Summary(
                scalar_summary("acc", step as f32, step == 0),
            )),
            source_metadata: None,
        };
        let mut r = Vec::new();
        encode_record(&ev.encode_to_vec(), &mut r);
        records.push(r);
    }
    let all: Vec<u8> = records.concat();
    let mut follower = Follower::new(d.path(), &LoadOptions::default()).unwrap();
    assert!(follower.poll().changed);

    // Write byte by byte around record boundaries: each poll sees only what
    // is complete, never a warning.
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .unwrap();
    let mut written = 0;
    let mut complete = 0;
    let bounds: Vec<usize> = records
        .iter()
        .scan(0, |acc, r| {
            *acc += r.len();
            Some(*acc)
        })
        .collect();
    for cut in [
        1,
        5,
        12,
        13,
        bounds[0] - 1,
        bounds[0],
        bounds[0] + 3,
        all.len(),
    ] {
        f.write_all(&all[written..cut]).unwrap();
        f.flush().unwrap();
        written = cut;
        let u = follower.poll();
        assert!(u.warnings.is_empty(), "cut {cut}: {:?}", u.warnings);
        let now_complete = bounds.iter().filter(|&&b| b <= cut).count();
        assert_eq!(u.new_events as usize, now_complete - complete, "cut {cut}");
        complete = now_complete;
        let s = follower.logdir().session("s0").unwrap();
        let acc = s.scalars.values().next();
        assert_eq!(acc.map(|s| s.count as usize).unwrap_or(0), complete);
        let tails = &follower.logdir().runs["s0"].tails;
        assert_eq!(
            tails.is_empty(),
            bounds.contains(&cut),
            "cut {cut}: {tails:?}"
        );
    }
    // A fresh load agrees, and without a partial tail it warns about nothing.
    let fresh = logdir::load(d.path(), &LoadOptions::default()).unwrap();
    assert_same(follower.logdir(), &fresh);
    assert!(fresh.warnings.is_empty(), "{:?}", fresh.warnings);
}

#[test]
fn damage_is_reported_once_across_polls() {
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("s0");
    let w = session(&run, 0.5);
    let path = w.path().to_path_buf();
    drop(w);
    let mut follower = Follower::new(d.path(), &LoadOptions::default()).unwrap();
    follower.poll();
    // Garbage appended, then a good record after it.
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"this is not a record, it is a long line of garbage")
        .unwrap();
    let u = follower.poll();
    assert_eq!(u.warnings.len(), 1, "{:?}", u.warnings);
    assert!(
        u.warnings[0].what.contains("corrupt data"),
        "{}",
        u.warnings[0]
    );
    let ev = Event {
        wall_time: 3.0,
        step: 1,
        what: Some(hp_report::proto::tensorboard::event::What::Summary(
            scalar_summary("acc", 0.5, true),
        )),
        source_metadata: None,
    };
    let mut r = Vec::new();
    encode_record(&ev.encode_to_vec(), &mut r);
    f.write_all(&r).unwrap();
    let u = follower.poll();
    assert_eq!(u.new_events, 1, "{u:?}");
    // The last <12 bytes of garbage waited as a possible partial header;
    // now that they are followed by a record, they are skipped and reported.
    assert!(u.warnings.len() <= 1, "{:?}", u.warnings);
    assert!(follower.poll().warnings.is_empty());
    // Deleting the file: reported once.
    fs::remove_file(&path).unwrap();
    assert_eq!(follower.poll().warnings.len(), 1);
    assert!(follower.poll().warnings.is_empty());
}

#[test]
fn missing_root_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    assert!(Follower::new(d.path().join("nope"), &LoadOptions::default()).is_err());
}

#[test]
fn a_file_that_shrinks_is_reported_once_and_new_runs_appear() {
    let d = tempfile::tempdir().unwrap();
    let w = session(&d.path().join("s0"), 0.5);
    let path = w.path().to_path_buf();
    drop(w);
    let mut follower = Follower::new(d.path(), &LoadOptions::default()).unwrap();
    let u = follower.poll();
    assert_eq!(u.new_runs, ["s0"]);
    assert_eq!(u.new_files, 1);
    // Rewritten shorter (someone truncated it): reported once.
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..10]).unwrap();
    let u = follower.poll();
    assert_eq!(u.warnings.len(), 1, "{:?}", u.warnings);
    assert!(
        u.warnings[0].what.starts_with("file shrank to 10 bytes"),
        "{}",
        u.warnings[0]
    );
    assert!(follower.poll().warnings.is_empty());
    // What was read stays.
    assert!(follower.logdir().session("s0").is_some());
    // A new session appears on the next poll.
    drop(session(&d.path().join("s1"), 0.25));
    let u = follower.poll();
    assert_eq!(u.new_runs, ["s1"]);
    assert_eq!(follower.logdir().sessions.len(), 2);
}
