//! Logdirs with scalars but no hparams sessions (`fixtures/no_hparams`,
//! written by tensorboardX the way a plain `SummaryWriter`, Keras, Lightning
//! without `log_hyperparams`, Ray Tune and Hugging Face's Trainer leave
//! them): one row per run with the last value of each scalar tag, which
//! equals what TensorBoard's scalars dashboard reports for that run
//! (`fixtures/expected/no_hparams.tb_view.json`), and hparams read from the
//! trainer's own records. Exit 4 stays for a logdir without scalars.

use std::path::{Path, PathBuf};

#[cfg(feature = "cli")]
use crate::cli::run;

use hp_report::hparams::HParamValue;
use hp_report::logdir::{self, LoadOptions, MetricKey};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/no_hparams")
}

#[test]
fn runs_are_rows_with_tensorboards_last_values() {
    let ld = logdir::load(fixture(), &LoadOptions::default()).unwrap();
    assert!(ld.warnings.is_empty(), "{:?}", ld.warnings);
    let names: Vec<&str> = ld.sessions.iter().map(|s| s.name.as_str()).collect();
    let ray = "ray_results/train_fn_2026-11-30_08-00-00/\
               train_fn_5a1b2_00000_0_lr=0.0100,momentum=0.9000_2026-11-30_08-00-01";
    assert_eq!(
        names,
        [
            "hf/runs/Nov30_08-00-00_vm",
            "keras_run",
            "lightning_logs/version_0",
            "plain_sgd",
            ray
        ]
    );
    let tb: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/expected/no_hparams.tb_view.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        tb["hparams"]["total_size"], 0,
        "TensorBoard has no sessions"
    );
    let mut checked = 0;
    for (run, tags) in tb["scalars"].as_object().unwrap() {
        // keras_run/train is the `train` group of row keras_run.
        let (row, group) = match run.rsplit_once('/') {
            Some((p, g)) if g == "train" || g == "validation" => (p, g),
            _ => (run.as_str(), ""),
        };
        let s = ld.session(row).unwrap_or_else(|| panic!("no row {row}"));
        for (tag, t) in tags.as_object().unwrap() {
            let series = s.metric(&MetricKey::new(group, tag.as_str())).unwrap();
            // TensorBoard serves f32 scalars widened to f64 through JSON.
            let want = t["last_value"].as_f64().unwrap();
            assert!(
                (series.last.value - want).abs() <= 1e-6 * want.abs(),
                "{run} {tag}"
            );
            assert_eq!(series.last.step, t["last_step"].as_i64().unwrap());
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
    let runs = ld.experiment.runs.as_ref().expect("marked as runs");
    let from: Vec<(&str, &str)> = runs
        .hparams_from
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        from,
        [
            ("hf/runs/Nov30_08-00-00_vm", "args/text_summary"),
            ("lightning_logs/version_0", "hparams.yaml"),
            (ray, "params.json"),
        ]
    );
    let hp = |row: &str, k: &str| ld.session(row).unwrap().hparams.get(k).cloned();
    let lightning = "lightning_logs/version_0";
    assert_eq!(hp(lightning, "batch_size"), Some(HParamValue::Int(32)));
    assert_eq!(
        hp(lightning, "trainer_config.accelerator"),
        Some(HParamValue::Str("cpu".into()))
    );
    assert_eq!(
        hp(lightning, "ar_layers"),
        Some(HParamValue::Str("[32, 32]".into()))
    );
    assert_eq!(hp(lightning, "seed"), None, "null is left out");
    assert_eq!(hp(ray, "model.width"), Some(HParamValue::Int(64)));
    let hf = "hf/runs/Nov30_08-00-00_vm";
    assert_eq!(hp(hf, "learning_rate"), Some(HParamValue::Float(5e-5)));
    assert_eq!(hp(hf, "fp16"), Some(HParamValue::Bool(false)));
    assert!(ld.session("plain_sgd").unwrap().hparams.is_empty());
}

#[cfg(feature = "cli")]
#[test]
fn the_cli_ranks_runs_and_says_so() {
    let f = fixture();
    let f = f.to_str().unwrap();
    let out = run(&[f, "--width", "100"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("5 runs"), "{text}");
    assert!(text.contains("not TensorBoard hparams sessions"), "{text}");
    assert!(text.contains("hparams.yaml (1 run)"), "{text}");

    let out = run(&[f, "--format", "json", "--sort", "plain_sgd:loss"]);
    assert_eq!(out.status.code(), Some(2), "no such metric label");
    let out = run(&[f, "--format", "json", "--sort", "loss", "--where", "loss<1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["sessions"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["session"], "plain_sgd");
    assert!(v["experiment"]["runs"]["hparams_from"].is_object());

    // Plots work on runs too.
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("c.png");
    let out = run(&[
        "plot",
        f,
        "--kind",
        "curves",
        "--metric",
        "validation/epoch_loss",
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(png.exists());
}

#[cfg(feature = "cli")]
#[test]
fn json_of_hparams_logdirs_has_no_runs_key() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keras_mlp_grid");
    let out = run(&[f.to_str().unwrap(), "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["experiment"].get("runs").is_none());
}

#[cfg(feature = "cli")]
#[test]
fn a_logdir_without_scalars_is_still_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    drop(hp_report::event::EventFileWriter::create(dir.path().join("empty")).unwrap());
    let out = run(&[dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("neither hparams sessions nor scalars"),
        "{err}"
    );
    let out = run(&["diagnose", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No hparams data was found"));
}
