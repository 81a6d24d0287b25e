//! Bad input to the trainer API is an `Err` with a clear message, never a
//! panic: non-finite, out-of-domain, missing or undeclared hparam values,
//! empty tags, non-increasing steps, escaping or degenerate names, logdirs
//! that cannot be created or already hold a sweep.

use crate::common::*;
use hp_report::{
    Domain, Error, ExperimentConfig, ExperimentWriter, HParam, Metric, Session, Status, Trial,
};

fn config() -> ExperimentConfig {
    ExperimentConfig::new()
        .hparam(HParam::new("units", Domain::discrete([16, 32]).unwrap()))
        .hparam(HParam::new("dropout", Domain::real(0.1, 0.3).unwrap()))
        .hparam(HParam::free("note"))
        .metric(Metric::new("epoch_loss").group("validation"))
}

fn good() -> Trial {
    Trial::new()
        .with("units", 16)
        .with("dropout", 0.2)
        .with("note", "x")
}

fn invalid_msg(r: Result<Session, Error>) -> String {
    match r {
        Err(e @ Error::Invalid(_)) => e.to_string(),
        Err(e) => panic!("expected Invalid, got {e}"),
        Ok(s) => panic!("expected an error, got session {}", s.name()),
    }
}

#[test]
fn invalid_trials_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let exp = ExperimentWriter::create(dir.path(), &config()).unwrap();
    let cases = [
        (good().with("dropout", f64::NAN), "not finite"),
        (good().with("note", f64::INFINITY), "not finite"),
        (good().with("units", 17), "outside its domain"),
        (good().with("dropout", 0.5), "outside its domain"),
        (good().with("units", "16"), "outside its domain"),
        (
            Trial::new().with("units", 16).with("dropout", 0.2),
            "no value for hparam \"note\"",
        ),
        (good().with("extra", 1), "does not declare"),
    ];
    for (i, (t, want)) in cases.into_iter().enumerate() {
        let msg = invalid_msg(exp.session(&format!("s{i}"), &t));
        assert!(msg.contains(want), "{t}: {msg}");
        assert!(
            !dir.path().join(format!("s{i}")).exists(),
            "nothing written"
        );
    }
    // Floats with integral values are accepted for int domains.
    exp.session("ok", &good().with("units", 32.0))
        .unwrap()
        .end(Status::Success)
        .unwrap();
}

#[test]
fn bad_session_and_sub_run_names_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let exp = ExperimentWriter::create(dir.path(), &config()).unwrap();
    for name in [
        "",
        ".",
        "..",
        "../escape",
        "a/../b",
        "/abs",
        "/",
        "a//b",
        "a\\b",
    ] {
        let msg = invalid_msg(exp.session(name, &good()));
        assert!(msg.contains("session name"), "{name:?}: {msg}");
    }
    assert!(!dir.path().parent().unwrap().join("escape").exists());
    let mut s = exp.session("fine", &good()).unwrap();
    for name in ["", ".", "..", "../x", "/abs", "x/"] {
        let e = s.run(name).unwrap_err().to_string();
        assert!(e.contains("sub-run name"), "{name:?}: {e}");
        assert!(s.scalar(name, "t", 0, 1.0).is_err());
    }
    // Reusing a name, in this writer or on disk, is refused.
    assert!(invalid_msg(exp.session("fine", &good())).contains("already used"));
    s.end(Status::Success).unwrap();
    let again = ExperimentWriter::create(dir.path().join("other"), &config()).unwrap();
    std::fs::create_dir_all(dir.path().join("other/x/train")).unwrap();
    std::fs::copy(
        only_event_file(&dir.path().join("fine")),
        dir.path().join("other/x/train/events.out.tfevents.1.h"),
    )
    .unwrap();
    assert!(invalid_msg(again.session("x", &good())).contains("already holds event files"));
    // An existing empty directory is fine.
    std::fs::create_dir_all(dir.path().join("other/y")).unwrap();
    again.session("y", &good()).unwrap();
}

#[test]
fn empty_tags_and_non_increasing_steps_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let exp = ExperimentWriter::create(dir.path(), &config()).unwrap();
    let mut s = exp.session("s", &good()).unwrap();
    assert!(s
        .scalar("train", "", 0, 1.0)
        .unwrap_err()
        .to_string()
        .contains("tag must not be empty"));
    s.scalar("train", "loss", 5, 1.0).unwrap();
    for step in [5, 4, -1] {
        let e = s
            .scalar("train", "loss", step, 1.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("steps must increase"), "{e}");
    }
    // Other tags and other runs have their own steps; NaN/inf values are
    // written (TensorBoard shows them as NaN/Infinity).
    s.scalar("train", "acc", 0, f64::NAN).unwrap();
    s.scalar("validation", "loss", 0, f64::INFINITY).unwrap();
    s.scalar("train", "loss", 6, 0.5).unwrap();
    assert_eq!(s.run("train").unwrap().last_step("loss"), Some(6));
    s.end(Status::Success).unwrap();
    assert_eq!(dir_events(&dir.path().join("s/train")).len(), 4);
}

#[test]
fn bad_logdirs_and_configs_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    for logdir in [file.join("sub"), file.clone()] {
        match ExperimentWriter::create(&logdir, &config()) {
            Err(Error::Io { .. }) => {}
            other => panic!("{}: {other:?}", logdir.display()),
        }
    }
    // A second experiment into the same logdir would be ignored by TensorBoard.
    ExperimentWriter::create(dir.path().join("exp"), &config()).unwrap();
    let e = ExperimentWriter::create(dir.path().join("exp"), &config()).unwrap_err();
    assert!(e.to_string().contains("already holds event files"), "{e}");

    let dup = config().hparam(HParam::new("units", Domain::int(1, 2).unwrap()));
    let empty_tag = config().metric(Metric::new(""));
    let bad_group = config().metric(Metric::new("m").group("/abs"));
    for (i, cfg) in [dup, empty_tag, bad_group].iter().enumerate() {
        let r = ExperimentWriter::create(dir.path().join(format!("c{i}")), cfg);
        assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");
        assert!(
            !dir.path().join(format!("c{i}")).exists(),
            "nothing written"
        );
    }
}
