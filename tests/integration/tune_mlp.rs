//! The `mlp_sweep` example as a Rust trainer under `hp-report tune`: each
//! trial trains one configuration (`mlp_sweep --trial`) and writes its
//! scalars as tfevents into `HP_TRIAL_DIR`; tune takes the objective from
//! them, writes one session per trial, and names the best.
//!
//! The trial command is this test binary re-run with `HP_REPORT_MLP_CHILD`
//! set (running the example's `--trial` code), so no separate build of the
//! example is needed. It runs a copy of `/proc/self/exe`: a build sharing the
//! target directory may replace the binary at its path while this test runs.

#[allow(dead_code)]
#[path = "../../examples/mlp_sweep/main.rs"]
mod mlp_sweep;

use std::process::Command;

use hp_report::hparams::{HParamValue, Status};
use hp_report::logdir::{self, LoadOptions};
use serde_json::Value;

const CHILD_ENV: &str = "HP_REPORT_MLP_CHILD";
/// The child test's full name in the `integration` test binary.
const CHILD_TEST: &str = "tune_mlp::mlp_trial_child";

/// The trial: a no-op in a normal test run.
#[test]
fn mlp_trial_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    if let Err(e) = mlp_sweep::trial::train_one(std::iter::empty()) {
        let msg = match e {
            mlp_sweep::trial::TrialError::Usage(m) => m,
            mlp_sweep::trial::TrialError::Write(e) => e.to_string(),
        };
        panic!("the trial failed: {msg}");
    }
}

#[test]
fn the_mlp_example_tunes_as_a_rust_trainer() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("exp");
    let me = t.path().join("trainer");
    std::fs::copy("/proc/self/exe", &me).expect("copy the test binary");
    let dir_s = dir.to_str().expect("utf-8 path");
    let me_s = me.to_str().expect("utf-8 path");
    let o = Command::new(env!("CARGO_BIN_EXE_hp-report"))
        .args(["tune", "--logdir", dir_s])
        .args([
            "-p",
            "num_units=choice(8,32)",
            "-p",
            "dropout=uniform(0.1,0.3)",
        ])
        .args(["-p", "optimizer=choice(adam,sgd)", "-p", "epochs=3"])
        .args(["--objective", "validation/epoch_accuracy:max"])
        .args(["-n", "4", "-j", "2", "--seed", "5", "-q", "--"])
        .args([
            me_s,
            "--exact",
            CHILD_TEST,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run hp-report");
    let all = format!(
        "{:?}\n{}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{all}");
    assert!(all.contains("max trials reached: 4 trials"), "{all}");

    // TensorBoard's view: four sessions, each with its hparams, SUCCESS and
    // the trainer's own validation accuracy (the runner wrote no scalars).
    let ld = logdir::load(&dir, &LoadOptions::default()).expect("load");
    assert_eq!(ld.sessions.len(), 4, "{:?}", ld.warnings);
    let mut best: Option<(f64, String)> = None;
    for s in &ld.sessions {
        let stderr = std::fs::read_to_string(dir.join(&s.name).join("stderr.log"));
        assert_eq!(s.status, Status::Success, "{}: {stderr:?}", s.name);
        assert!(matches!(
            s.hparams.get("optimizer"),
            Some(HParamValue::Str(o)) if o == "adam" || o == "sgd"
        ));
        let acc = ld.runs[&format!("{}/validation", s.name)].scalars["epoch_accuracy"]
            .last
            .value;
        assert!((0.0..=1.0).contains(&acc), "{acc}");
        if best.as_ref().is_none_or(|(b, _)| acc > *b) {
            best = Some((acc, s.name.clone()));
        }
    }
    let (best_acc, best_dir) = best.expect("sessions");

    // `tune best` names the session TensorBoard ranks first.
    let b = Command::new(env!("CARGO_BIN_EXE_hp-report"))
        .args(["tune", "best", dir_s, "--format", "json"])
        .output()
        .expect("run hp-report");
    assert!(b.status.success());
    let v: Value = serde_json::from_slice(&b.stdout).expect("json");
    assert_eq!(v["dir"], best_dir.as_str(), "{v}");
    assert_eq!(v["objective"].as_f64(), Some(best_acc), "{v}");
    assert_eq!(v["params"]["epochs"], 3, "{v}");
}
