//! The whole logdir reader on one hostile file: the input bytes become one
//! event file inside an otherwise valid experiment (an experiment summary at
//! the root, a session with hparams and a metric), and `logdir::load` must
//! not panic, must finish, and must still find the intact session. A
//! `Follower`'s first poll must see the same logdir (the same warnings, less
//! the partial-tail ones, which are "not yet" to a follower).
//!
//! Byte 0 picks where the file goes: the root run, the intact session's run,
//! its `train` sub-run, or a session of its own.
#![no_main]

use std::sync::OnceLock;

use hp_report::event::{EventFileWriter, FlushPolicy};
use hp_report::hparams::plugin::{experiment_summary, session_start_summary};
use hp_report::hparams::{ExperimentConfig, HParam, HParamValue, Metric};
use hp_report::logdir::{self, Follower, LoadOptions};
use libfuzzer_sys::fuzz_target;

/// A small valid logdir, written once; each input adds its file and removes
/// it again.
fn template() -> &'static tempfile::TempDir {
    static T: OnceLock<tempfile::TempDir> = OnceLock::new();
    T.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let exp = ExperimentConfig::new()
            .hparam(HParam::free("lr"))
            .metric(Metric::new("loss").group("train"));
        let mut w = EventFileWriter::with_policy(d.path(), FlushPolicy::immediate()).unwrap();
        w.write_summary(0, experiment_summary(exp.to_proto(0.0))).unwrap();
        w.close().unwrap();
        let lr = HParamValue::Float(0.1);
        let mut w =
            EventFileWriter::with_policy(d.path().join("good"), FlushPolicy::immediate()).unwrap();
        w.write_summary(0, session_start_summary([("lr", &lr)], "", 1.0)).unwrap();
        w.close().unwrap();
        let mut w = EventFileWriter::with_policy(d.path().join("good/train"), FlushPolicy::immediate())
            .unwrap();
        for step in 0..3 {
            w.write_scalar("loss", step, 1.0 / (step + 1) as f64).unwrap();
        }
        w.close().unwrap();
        std::fs::create_dir_all(d.path().join("fuzzed")).unwrap();
        d
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&where_to, data)) = input.split_first() else {
        return;
    };
    let root = template().path();
    let dir = match where_to & 3 {
        0 => root.to_path_buf(),
        1 => root.join("good"),
        2 => root.join("good/train"),
        _ => root.join("fuzzed"),
    };
    // Sorts after the writer's files of the same directory.
    let file = dir.join("events.out.tfevents.9999999999.fuzz");
    std::fs::write(&file, data).unwrap();
    let logdir = logdir::load(root, &LoadOptions::default()).expect("logdir loads");
    let mut follower = Follower::new(root, &LoadOptions::default()).unwrap();
    follower.poll();
    let followed = follower.logdir();
    std::fs::remove_file(&file).unwrap();
    // Debug strings: NaN values compare equal that way.
    assert_eq!(format!("{:?}", followed.runs.keys()), format!("{:?}", logdir.runs.keys()));
    for (name, want) in &logdir.runs {
        let got = &followed.runs[name];
        assert_eq!(format!("{:?}", got.scalars), format!("{:?}", want.scalars), "{name}");
        assert_eq!(got.hparams, want.hparams, "{name}");
        assert_eq!((got.events, got.bytes), (want.events, want.bytes), "{name}");
        assert_eq!(got.tails, want.tails, "{name}");
    }
    assert_eq!(format!("{:?}", followed.sessions), format!("{:?}", logdir.sessions));
    let mut want: Vec<String> = logdir
        .warnings
        .iter()
        .filter(|w| !w.what.starts_with("incomplete record at the end"))
        .map(|w| w.to_string())
        .collect();
    let mut got: Vec<String> = followed.warnings.iter().map(|w| w.to_string()).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    for w in &logdir.warnings {
        let _ = w.to_string();
    }
    let good = logdir.session("good").expect("the intact session is still found");
    // The session's own hparams come from the first session_start_info of
    // its run; the fuzzed file only comes after it, so they stay.
    assert_eq!(good.hparams.get("lr"), Some(&HParamValue::Float(0.1)));
});
